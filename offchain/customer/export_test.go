package customer

// Conclude is how Run concludes a replicated order once its replicas ran (the vote, what it prints,
// the result and the error), for tests that deliver through real workers without a chain.
func Conclude(c *Client, result *Result, chainID string, seq uint64, o Order, ballots []Ballot) error {
	return c.conclude(result, chainID, seq, o, ballots)
}
