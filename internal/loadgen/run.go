package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	jsonrpcclient "github.com/cometbft/cometbft/rpc/jsonrpc/client"
)

// Node is the CometBFT RPC side of the node under load: broadcasting, and reading blocks and their
// results.
type Node struct {
	rpc *rpchttp.HTTP
}

// NewNode connects to the CometBFT RPC at addr (tcp://host:port) with enough idle connections kept
// for inFlight concurrent broadcasts.
func NewNode(addr string, inFlight int) (*Node, error) {
	hc, err := jsonrpcclient.DefaultHTTPClient(addr)
	if err != nil {
		return nil, err
	}
	if t, ok := hc.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = inFlight + 4
	}
	c, err := rpchttp.NewWithClient(addr, "/websocket", hc)
	if err != nil {
		return nil, err
	}
	return &Node{rpc: c}, nil
}

// Height is the latest block height.
func (n *Node) Height(ctx context.Context) (int64, error) {
	st, err := n.rpc.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// Network is the chain id the node serves.
func (n *Node) Network(ctx context.Context) (string, error) {
	st, err := n.rpc.Status(ctx)
	if err != nil {
		return "", err
	}
	return st.NodeInfo.Network, nil
}

// WaitHeight waits until the chain has committed height h.
func (n *Node) WaitHeight(ctx context.Context, h int64) error {
	for {
		cur, err := n.Height(ctx)
		if err == nil && cur >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for height %d (at %d): %w", h, cur, ctx.Err())
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// waitMempoolEmpty waits until the node's mempool is empty, or until it has not shrunk for
// patience (the transactions left are then reported missing).
func (n *Node) waitMempoolEmpty(ctx context.Context, patience time.Duration) error {
	least, since := -1, time.Now()
	for {
		res, err := n.rpc.NumUnconfirmedTxs(ctx)
		if err != nil {
			return err
		}
		if res.Total == 0 {
			return nil
		}
		if least < 0 || res.Total < least {
			least, since = res.Total, time.Now()
		} else if time.Since(since) > patience {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// blockTime is the header time of block h.
func (n *Node) blockTime(ctx context.Context, h int64) (time.Time, error) {
	b, err := n.rpc.Block(ctx, &h)
	if err != nil {
		return time.Time{}, err
	}
	return b.Block.Time, nil
}

// Result is what one scenario's transactions became, read from the blocks.
type Result struct {
	Name string `json:"name"`
	// Sent transactions; Rejected ones were refused at broadcast (CheckTx code or RPC error), by
	// "codespace/code"; Confirmed ones are in a block with code 0; Failed ones in a block with a
	// non-zero code, by "codespace/code"; Missing ones were accepted but never reached a block
	// before the run gave up on them.
	Sent      int            `json:"sent"`
	Rejected  map[string]int `json:"rejected,omitempty"`
	Confirmed int            `json:"confirmed"`
	Failed    map[string]int `json:"failed,omitempty"`
	Missing   int            `json:"missing"`
	// FirstHeight and LastHeight are the first and last blocks that hold a transaction of the run,
	// Blocks how many blocks in between hold at least one.
	FirstHeight int64 `json:"first_height"`
	LastHeight  int64 `json:"last_height"`
	Blocks      int   `json:"blocks"`
	// Seconds runs from the first broadcast to the commit of LastHeight; TPS is Confirmed / Seconds.
	Seconds float64 `json:"seconds"`
	TPS     float64 `json:"tps"`
	// Latency of the confirmed transactions, from broadcast to the commit of their block, in ms.
	Latency Percentiles `json:"latency_ms"`

	included map[[32]byte]*abci.ExecTxResult
}

// Check is an error unless every transaction of the run was confirmed.
func (r *Result) Check() error {
	if r.Confirmed == r.Sent {
		return nil
	}
	return fmt.Errorf("%s: %d of %d transactions confirmed (rejected %v, failed %v, missing %d)",
		r.Name, r.Confirmed, r.Sent, r.Rejected, r.Failed, r.Missing)
}

// Runner broadcasts prepared transactions and follows the blocks until they are in.
type Runner struct {
	Node *Node
	// InFlight is how many broadcasts are outstanding at once.
	InFlight int
	// Patience is how long the run waits, after the last broadcast, for the mempool to empty while
	// it does not shrink.
	Patience time.Duration
}

type sent struct {
	at       time.Time
	accepted bool
}

type inclusion struct {
	height int64
	result *abci.ExecTxResult
}

// Run broadcasts lanes (each lane one account's transactions, in sequence order) and returns what
// the blocks say about them.
func (r Runner) Run(ctx context.Context, name string, lanes [][]Tx) (*Result, error) {
	ours := map[[32]byte]bool{}
	total := 0
	for _, lane := range lanes {
		for _, tx := range lane {
			ours[tx.Hash] = true
			total++
		}
	}
	res := &Result{Name: name, Sent: total, Rejected: map[string]int{}, Failed: map[string]int{},
		included: map[[32]byte]*abci.ExecTxResult{}}
	if total == 0 {
		return res, nil
	}
	// Start right after a block is committed, so that every scenario begins at the same point of the
	// block cycle and their rates compare.
	start, err := r.Node.Height(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Node.WaitHeight(ctx, start+1); err != nil {
		return nil, err
	}
	start++

	var (
		mu        sync.Mutex
		sentAt    = make(map[[32]byte]sent, total)
		rejected  = map[string]int{}
		firstSend time.Time
	)
	inFlight := r.InFlight
	if inFlight < 1 {
		inFlight = 1
	}
	var wg sync.WaitGroup
	for w := 0; w < inFlight && w < len(lanes); w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine [][]Tx
			for i := w; i < len(lanes); i += inFlight {
				mine = append(mine, lanes[i])
			}
			// Round robin over this worker's lanes: each lane's transactions go out in order.
			for round := 0; ; round++ {
				more := false
				for _, lane := range mine {
					if round >= len(lane) {
						continue
					}
					more = true
					tx := lane[round]
					at := time.Now()
					out, err := r.Node.rpc.BroadcastTxSync(ctx, tx.Bytes)
					mu.Lock()
					if firstSend.IsZero() || at.Before(firstSend) {
						firstSend = at
					}
					switch {
					case err != nil:
						rejected["broadcast: "+shortErr(err)]++
						sentAt[tx.Hash] = sent{at: at}
					case out.Code != 0:
						rejected[fmt.Sprintf("%s/%d", out.Codespace, out.Code)]++
						sentAt[tx.Hash] = sent{at: at}
					default:
						sentAt[tx.Hash] = sent{at: at, accepted: true}
					}
					mu.Unlock()
				}
				if !more || ctx.Err() != nil {
					return
				}
			}
		}(w)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	accepted := map[[32]byte]bool{}
	for hash, s := range sentAt {
		if s.accepted {
			accepted[hash] = true
		}
	}

	// Wait until the mempool is empty: every accepted transaction is then in a block (or was
	// dropped at a recheck). The blocks are read only afterwards, so that serving them (the results
	// of thousands of transactions as JSON) takes nothing from the node during the measurement.
	if err := r.Node.waitMempoolEmpty(ctx, r.Patience); err != nil {
		return nil, err
	}
	end, err := r.Node.Height(ctx)
	if err != nil {
		return nil, err
	}
	scan := &scanner{node: r.Node, ours: ours, found: map[[32]byte]inclusion{}}
	for h := start + 1; h <= end; h++ {
		if err := scan.read(ctx, h); err != nil {
			return nil, fmt.Errorf("reading block %d: %w", h, err)
		}
	}

	res.Rejected = rejected
	var latencies []time.Duration
	var last time.Time
	blocks := map[int64]bool{}
	commitTimes := map[int64]time.Time{}
	for hash, inc := range scan.found {
		res.included[hash] = inc.result
		blocks[inc.height] = true
		if res.FirstHeight == 0 || inc.height < res.FirstHeight {
			res.FirstHeight = inc.height
		}
		if inc.height > res.LastHeight {
			res.LastHeight = inc.height
		}
	}
	res.Blocks = len(blocks)
	// A block is committed when its precommits are; CometBFT stamps the next block's header with
	// the time of those precommits.
	for h := range blocks {
		if err := r.Node.WaitHeight(ctx, h+1); err != nil {
			return nil, err
		}
		t, err := r.Node.blockTime(ctx, h+1)
		if err != nil {
			return nil, err
		}
		commitTimes[h] = t
		if t.After(last) {
			last = t
		}
	}
	for hash, inc := range scan.found {
		if inc.result.Code != 0 {
			res.Failed[fmt.Sprintf("%s/%d", inc.result.Codespace, inc.result.Code)]++
			continue
		}
		res.Confirmed++
		latencies = append(latencies, commitTimes[inc.height].Sub(sentAt[hash].at))
	}
	for hash := range accepted {
		if _, ok := scan.found[hash]; !ok {
			res.Missing++
		}
	}
	if !last.IsZero() {
		res.Seconds = last.Sub(firstSend).Seconds()
		if res.Seconds > 0 {
			res.TPS = float64(res.Confirmed) / res.Seconds
		}
	}
	res.Latency = percentiles(latencies)
	return res, nil
}

func shortErr(err error) string {
	s := err.Error()
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// scanner keeps the results of the transactions it is looking for from the blocks it reads.
type scanner struct {
	node  *Node
	ours  map[[32]byte]bool
	found map[[32]byte]inclusion
}

func (s *scanner) read(ctx context.Context, h int64) error {
	b, err := s.node.rpc.Block(ctx, &h)
	if err != nil {
		return err
	}
	// The block store has a block a moment before the node has saved its results: retry.
	br, err := s.node.rpc.BlockResults(ctx, &h)
	for try := 0; err != nil && try < 50; try++ {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		br, err = s.node.rpc.BlockResults(ctx, &h)
	}
	if err != nil {
		return err
	}
	if len(br.TxsResults) != len(b.Block.Txs) {
		return fmt.Errorf("block %d: %d transactions, %d results", h, len(b.Block.Txs), len(br.TxsResults))
	}
	for i, tx := range b.Block.Txs {
		var hash [32]byte
		copy(hash[:], tx.Hash())
		if s.ours[hash] {
			s.found[hash] = inclusion{height: h, result: br.TxsResults[i]}
		}
	}
	return nil
}

// Percentiles of a set of durations, in milliseconds.
type Percentiles struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

// percentiles uses the nearest-rank method: the p-th percentile is the smallest value that at
// least p % of the values do not exceed.
func percentiles(ds []time.Duration) Percentiles {
	if len(ds) == 0 {
		return Percentiles{}
	}
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rank := func(p int) float64 {
		i := (p*len(sorted)+99)/100 - 1
		if i < 0 {
			i = 0
		}
		return float64(sorted[i].Microseconds()) / 1000
	}
	return Percentiles{N: len(sorted), P50: rank(50), P95: rank(95), P99: rank(99), Max: float64(sorted[len(sorted)-1].Microseconds()) / 1000}
}
