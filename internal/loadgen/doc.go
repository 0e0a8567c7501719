// Package loadgen is the engine of `fogd bench load`: it measures how many transactions per second
// one node confirms and how fast it answers gRPC queries.
//
// Accounts are derived from a seed (Derive), funded in genesis (AddToGenesis), and sign their
// transactions offline: account numbers and sequences are read once at the start and then kept
// locally, so no transaction waits for a query. Every transaction of a scenario is signed before the
// first is sent, and the transactions are broadcast with many in flight (one lane per account, so
// that an account's sequences reach the mempool in order). What counts is what the chain reports:
// each block from the first broadcast on is read with its results, a transaction is confirmed when a
// block holds it with code 0, and its latency runs from its broadcast to the commit of that block.
//
// Scenarios (Bench.Run): bank MsgSend, MsgCommitBid and MsgRevealBid on orders the run creates, and
// gRPC query load (many concurrent clients) on the orders, leases and reputation records those
// auctions leave behind.
package loadgen
