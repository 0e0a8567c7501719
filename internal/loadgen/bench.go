package loadgen

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// Scenario names, in the order Bench.Run runs them.
const (
	ScenarioSend   = "send"
	ScenarioCommit = "commit"
	ScenarioReveal = "reveal"
	ScenarioQuery  = "query"
	// ScenarioSendAgain is the send scenario run again after reveal, when the run bids.
	ScenarioSendAgain = "send again"
)

// Config of a benchmark run.
type Config struct {
	RPC     string // CometBFT RPC, tcp://host:port
	GRPC    string // gRPC, host:port
	ChainID string // empty: the node's
	Seed    string // derives the accounts (the same seed as `fogd bench genesis`)
	Denom   string

	Accounts        int // load accounts
	SendsPerAccount int // send: transactions per account
	Orders          int // commit and reveal: every load account bids on each of Orders orders
	// CommitBlocks and RevealBlocks are the orders' phases; 0 sizes them from the send rate (or 50
	// tx/s without a send scenario) so that every bid has time to land.
	CommitBlocks uint64
	RevealBlocks uint64

	InFlight int    // concurrent broadcasts
	Gas      uint64 // gas limit per message

	QueryClients     int     // concurrent gRPC clients
	QueriesPerClient int     // per client and query kind
	QueryRate        float64 // per client and second for a paced round after the closed loop; 0: none

	Scenarios []string
	Patience  time.Duration // see Runner.Patience
	Log       io.Writer     // progress lines
}

// Report is what a run measured.
type Report struct {
	ChainID  string `json:"chain_id"`
	Accounts int    `json:"accounts"`
	// BlockInterval is the mean time between blocks before the run, in seconds.
	BlockInterval float64 `json:"block_interval_s"`
	// Orders and their phases, when the run bids.
	Orders       []uint64 `json:"orders,omitempty"`
	CommitBlocks uint64   `json:"commit_blocks,omitempty"`
	RevealBlocks uint64   `json:"reveal_blocks,omitempty"`
	// Transactions: the scenarios (send, commit, reveal) and the setup steps between them
	// (register, orders, start).
	Txs     []*Result     `json:"txs"`
	Queries []QueryResult `json:"queries,omitempty"`
	// SendBaseline is the mean confirmed tx/s of send and send again (send alone without commit).
	SendBaseline float64 `json:"send_baseline_tps,omitempty"`
	// CommitPerSend and RevealPerSend: confirmed tx/s of the scenario over SendBaseline, same run.
	CommitPerSend float64 `json:"commit_per_send,omitempty"`
	RevealPerSend float64 `json:"reveal_per_send,omitempty"`
}

// Bench runs the scenarios against one node.
type Bench struct {
	cfg    Config
	cctx   client.Context
	node   *Node
	conn   *grpc.ClientConn
	keys   Keys
	signer Signer
	runner Runner
	report Report
}

// NewBench checks cfg. cctx provides the codec, the interface registry and the tx config.
func NewBench(cctx client.Context, cfg Config) (*Bench, error) {
	if cfg.Accounts < 2 {
		return nil, errors.New("at least 2 accounts")
	}
	if cfg.InFlight < 1 || cfg.Gas == 0 || cfg.Denom == "" || cfg.Seed == "" {
		return nil, errors.New("in-flight, gas, denom and seed must be set")
	}
	want := map[string]bool{}
	for _, s := range cfg.Scenarios {
		switch s {
		case ScenarioSend, ScenarioCommit, ScenarioReveal, ScenarioQuery:
			want[s] = true
		default:
			return nil, fmt.Errorf("unknown scenario %q (send, commit, reveal, query)", s)
		}
	}
	if (want[ScenarioReveal] || want[ScenarioQuery]) && !want[ScenarioCommit] {
		return nil, errors.New("reveal and query need commit: they use the orders and bids it makes")
	}
	if want[ScenarioQuery] && !want[ScenarioReveal] {
		return nil, errors.New("query needs reveal: it reads the leases the settled auctions create")
	}
	if want[ScenarioCommit] && cfg.Orders < 1 {
		return nil, errors.New("commit needs at least one order")
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Patience == 0 {
		cfg.Patience = 20 * time.Second
	}
	return &Bench{cfg: cfg, cctx: cctx}, nil
}

func (b *Bench) has(s string) bool {
	for _, x := range b.cfg.Scenarios {
		if x == s {
			return true
		}
	}
	return false
}

func (b *Bench) logf(format string, args ...any) {
	fmt.Fprintf(b.cfg.Log, format+"\n", args...)
}

// Run runs the configured scenarios in order: send, then the providers' registration and the
// orders, commit, reveal, the settlement and the start of the leases, send again, then query.
func (b *Bench) Run(ctx context.Context) (*Report, error) {
	var err error
	if b.node, err = NewNode(b.cfg.RPC, b.cfg.InFlight); err != nil {
		return nil, err
	}
	network, err := b.node.Network(ctx)
	if err != nil {
		return nil, fmt.Errorf("node %s: %w", b.cfg.RPC, err)
	}
	if b.cfg.ChainID == "" {
		b.cfg.ChainID = network
	} else if b.cfg.ChainID != network {
		return nil, fmt.Errorf("node %s serves chain %q, not %q", b.cfg.RPC, network, b.cfg.ChainID)
	}
	b.conn, err = grpc.NewClient(b.cfg.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(b.cctx.InterfaceRegistry).GRPCCodec())))
	if err != nil {
		return nil, err
	}
	defer b.conn.Close()
	b.keys = Derive(b.cfg.Seed, b.cfg.Accounts)
	b.signer = Signer{TxConfig: b.cctx.TxConfig, ChainID: b.cfg.ChainID, Gas: b.cfg.Gas}
	b.runner = Runner{Node: b.node, InFlight: b.cfg.InFlight, Patience: b.cfg.Patience}
	b.report = Report{ChainID: b.cfg.ChainID, Accounts: b.cfg.Accounts}

	if err := b.loadAccounts(ctx); err != nil {
		return nil, err
	}
	if b.report.BlockInterval, err = b.blockInterval(ctx); err != nil {
		return nil, err
	}
	var send *Result
	if b.has(ScenarioSend) {
		if send, err = b.send(ctx, ScenarioSend); err != nil {
			return nil, err
		}
	}
	if b.has(ScenarioCommit) {
		if err := b.auctions(ctx, send); err != nil {
			return nil, err
		}
	}
	if send != nil && send.TPS > 0 {
		// The ratios' baseline: the send rate measured before commit and again after reveal, their
		// mean, so that a machine whose speed drifts during the run does not favour either side.
		baseline := send.TPS
		if b.has(ScenarioCommit) {
			again, err := b.send(ctx, ScenarioSendAgain)
			if err != nil {
				return nil, err
			}
			baseline = (send.TPS + again.TPS) / 2
		}
		b.report.SendBaseline = baseline
		for _, r := range b.report.Txs {
			switch r.Name {
			case ScenarioCommit:
				b.report.CommitPerSend = r.TPS / baseline
			case ScenarioReveal:
				b.report.RevealPerSend = r.TPS / baseline
			}
		}
	}
	if b.has(ScenarioQuery) {
		if err := b.queries(ctx); err != nil {
			return nil, err
		}
	}
	return &b.report, nil
}

// loadAccounts reads every account's number and sequence once.
func (b *Bench) loadAccounts(ctx context.Context) error {
	auth := authtypes.NewQueryClient(b.conn)
	return parallel(ctx, b.keys.All(), func(ctx context.Context, a *Account) error {
		res, err := auth.Account(ctx, &authtypes.QueryAccountRequest{Address: a.Addr.String()})
		if err != nil {
			return fmt.Errorf("account %s (fund the load accounts with `fogd bench genesis`): %w", a.Addr, err)
		}
		var acc sdk.AccountI
		if err := b.cctx.InterfaceRegistry.UnpackAny(res.Account, &acc); err != nil {
			return err
		}
		a.Number, a.Sequence = acc.GetAccountNumber(), acc.GetSequence()
		return nil
	})
}

// parallel calls f for every item, 16 at a time, and returns the first error.
func parallel[T any](ctx context.Context, items []T, f func(context.Context, T) error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, 16)
	)
	for _, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func(it T) {
			defer func() { <-sem; wg.Done() }()
			if err := f(ctx, it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(it)
	}
	wg.Wait()
	return first
}

// blockInterval is the mean interval of the last (up to) 5 blocks, in seconds.
func (b *Bench) blockInterval(ctx context.Context) (float64, error) {
	h, err := b.node.Height(ctx)
	if err != nil {
		return 0, err
	}
	if h < 3 {
		if err := b.node.WaitHeight(ctx, 3); err != nil {
			return 0, err
		}
		h = 3
	}
	from := max(h-5, 2) // block 2's time is block 1's commit, which follows the slower genesis
	t0, err := b.node.blockTime(ctx, from)
	if err != nil {
		return 0, err
	}
	t1, err := b.node.blockTime(ctx, h)
	if err != nil {
		return 0, err
	}
	return t1.Sub(t0).Seconds() / float64(h-from), nil
}

// run signs each message of msgs(i) as a transaction of account i of accounts (one lane per
// account), broadcasts them and records the result under name.
func (b *Bench) run(ctx context.Context, name string, accounts []*Account, msgs func(i int, a *Account) ([]sdk.Msg, error)) (*Result, error) {
	lanes := make([][]Tx, len(accounts))
	for i, a := range accounts {
		ms, err := msgs(i, a)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			tx, err := b.signer.Sign(a, m)
			if err != nil {
				return nil, err
			}
			lanes[i] = append(lanes[i], tx)
		}
	}
	return b.broadcast(ctx, name, lanes)
}

func (b *Bench) broadcast(ctx context.Context, name string, lanes [][]Tx) (*Result, error) {
	b.logf("%s: broadcasting %d transactions from %d accounts", name, countTxs(lanes), len(lanes))
	res, err := b.runner.Run(ctx, name, lanes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// A transaction that never reached a block did not use its sequence: read the accounts again.
	if res.Missing > 0 || len(res.Rejected) > 0 {
		if err := b.loadAccounts(ctx); err != nil {
			return nil, err
		}
	}
	b.logf("%s: %d/%d confirmed in blocks %d..%d, %.1f tx/s", name, res.Confirmed, res.Sent, res.FirstHeight, res.LastHeight, res.TPS)
	b.report.Txs = append(b.report.Txs, res)
	return res, nil
}

func countTxs(lanes [][]Tx) int {
	n := 0
	for _, l := range lanes {
		n += len(l)
	}
	return n
}

// send: every load account sends 1 base unit to the next, SendsPerAccount times.
func (b *Bench) send(ctx context.Context, name string) (*Result, error) {
	load := b.keys.Load
	return b.run(ctx, name, load, func(i int, a *Account) ([]sdk.Msg, error) {
		to := load[(i+1)%len(load)].Addr
		var ms []sdk.Msg
		for k := 0; k < b.cfg.SendsPerAccount; k++ {
			ms = append(ms, banktypes.NewMsgSend(a.Addr, to, sdk.NewCoins(sdk.NewInt64Coin(b.cfg.Denom, 1))))
		}
		return ms, nil
	})
}

const maxPrice = 1000

// price is load account i's bid on order (in [1, maxPrice]).
func price(i int, order uint64) int64 { return 1 + (int64(i)*7+int64(order)*13)%maxPrice }

// auctions registers the load accounts as providers, posts the orders, and runs commit, reveal and
// the leases' start.
func (b *Bench) auctions(ctx context.Context, send *Result) error {
	market := markettypes.NewQueryClient(b.conn)
	pres, err := market.Params(ctx, &markettypes.QueryParamsRequest{})
	if err != nil {
		return err
	}
	params := pres.Params
	if params.MaxBidsPerOrder < uint32(len(b.keys.Load)) {
		return fmt.Errorf("max_bids_per_order is %d, below the %d load accounts (prepare the genesis with `fogd bench genesis`)",
			params.MaxBidsPerOrder, len(b.keys.Load))
	}

	// Providers: the load accounts that are not registered yet.
	var unregistered []*Account
	var mu sync.Mutex
	if err := parallel(ctx, b.keys.Load, func(ctx context.Context, a *Account) error {
		_, err := market.Provider(ctx, &markettypes.QueryProviderRequest{Address: a.Addr.String()})
		if status.Code(err) == codes.NotFound {
			mu.Lock()
			unregistered = append(unregistered, a)
			mu.Unlock()
			return nil
		}
		return err
	}); err != nil {
		return err
	}
	if len(unregistered) > 0 {
		res, err := b.run(ctx, "register", unregistered, func(_ int, a *Account) ([]sdk.Msg, error) {
			key, id, err := b.keys.workerKey(a.index)
			if err != nil {
				return nil, err
			}
			return []sdk.Msg{&markettypes.MsgRegisterProvider{
				Owner: a.Addr.String(), PeerId: id.String(), WorkerPubkey: key,
				Capacity: markettypes.Resources{CpuMillicores: 4000, MemoryMib: 8192},
			}}, nil
		})
		if err != nil {
			return err
		}
		if err := res.Check(); err != nil {
			return err
		}
	}

	// Phases long enough for every bid to land at half the send rate, plus 10 s of margin.
	rate := 50.0
	if send != nil && send.TPS > 0 {
		rate = send.TPS
	}
	bids := float64(len(b.keys.Load) * b.cfg.Orders)
	blocks := uint64((bids/(rate/2)+10)/b.report.BlockInterval) + 1
	commitBlocks, revealBlocks := b.cfg.CommitBlocks, b.cfg.RevealBlocks
	if commitBlocks == 0 {
		commitBlocks = min(max(blocks+params.WithdrawLockBlocks, params.MinCommitBlocks), params.MaxCommitBlocks)
	}
	if revealBlocks == 0 {
		revealBlocks = min(max(blocks, params.MinRevealBlocks), params.MaxRevealBlocks)
	}
	b.report.CommitBlocks, b.report.RevealBlocks = commitBlocks, revealBlocks

	// The orders, in one transaction of the customer.
	workload := sha256.Sum256([]byte("fogd bench load"))
	var creates []sdk.Msg
	for k := 0; k < b.cfg.Orders; k++ {
		creates = append(creates, &markettypes.MsgCreateOrder{
			Owner:     b.keys.Customer.Addr.String(),
			Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 512},
			Tier:      markettypes.TierBronze, Privacy: markettypes.PrivacyPublic,
			WorkloadHash: workload[:], LeaseBlocks: 2,
			MaxPricePerBlock: sdk.NewCoin(b.cfg.Denom, math.NewInt(maxPrice)),
			CommitBlocks:     commitBlocks, RevealBlocks: revealBlocks,
		})
	}
	batch := b.signer
	batch.Gas = b.cfg.Gas * uint64(len(creates))
	tx, err := batch.Sign(b.keys.Customer, creates...)
	if err != nil {
		return err
	}
	res, err := b.broadcast(ctx, "orders", [][]Tx{{tx}})
	if err != nil {
		return err
	}
	if err := res.Check(); err != nil {
		return err
	}
	orders, err := b.createdOrders(ctx, res)
	if err != nil {
		return err
	}
	b.report.Orders = make([]uint64, len(orders))
	var commitDeadline, revealDeadline int64
	for i, o := range orders {
		b.report.Orders[i] = o.Id
		commitDeadline = max(commitDeadline, o.CommitDeadline)
		revealDeadline = max(revealDeadline, o.RevealDeadline)
	}
	b.logf("orders %v: commits until height %d, reveals until %d", b.report.Orders, commitDeadline, revealDeadline)

	if _, err := b.run(ctx, ScenarioCommit, b.keys.Load, func(i int, a *Account) ([]sdk.Msg, error) {
		var ms []sdk.Msg
		for _, o := range orders {
			p := sdk.NewInt64Coin(b.cfg.Denom, price(i, o.Id))
			ms = append(ms, &markettypes.MsgCommitBid{Provider: a.Addr.String(), OrderId: o.Id,
				Commitment: markettypes.BidCommitment(o.Id, a.Addr, p, b.keys.salt(i, o.Id))})
		}
		return ms, nil
	}); err != nil {
		return err
	}
	if !b.has(ScenarioReveal) {
		return nil
	}

	// Reveals execute from commitDeadline + 1 on; CheckTx does not run the message, so they may be
	// broadcast once commitDeadline is committed.
	b.logf("waiting for the reveal phase (height %d)", commitDeadline)
	if err := b.node.WaitHeight(ctx, commitDeadline); err != nil {
		return err
	}
	if _, err := b.run(ctx, ScenarioReveal, b.keys.Load, func(i int, a *Account) ([]sdk.Msg, error) {
		var ms []sdk.Msg
		for _, o := range orders {
			ms = append(ms, &markettypes.MsgRevealBid{Provider: a.Addr.String(), OrderId: o.Id,
				Price: sdk.NewInt64Coin(b.cfg.Denom, price(i, o.Id)), Salt: b.keys.salt(i, o.Id)})
		}
		return ms, nil
	}); err != nil {
		return err
	}
	return b.startLeases(ctx, orders, revealDeadline)
}

// createdOrders reads the orders a MsgCreateOrder transaction created, from its result.
func (b *Bench) createdOrders(ctx context.Context, res *Result) ([]markettypes.Order, error) {
	var ids []uint64
	for _, r := range res.included {
		var data sdk.TxMsgData
		if err := b.cctx.Codec.Unmarshal(r.Data, &data); err != nil {
			return nil, err
		}
		for _, any := range data.MsgResponses {
			var resp markettypes.MsgCreateOrderResponse
			if err := b.cctx.Codec.Unmarshal(any.Value, &resp); err != nil {
				return nil, err
			}
			ids = append(ids, resp.OrderId)
		}
	}
	market := markettypes.NewQueryClient(b.conn)
	var orders []markettypes.Order
	for _, id := range ids {
		o, err := market.Order(ctx, &markettypes.QueryOrderRequest{Id: id})
		if err != nil {
			return nil, err
		}
		orders = append(orders, o.Order)
	}
	return orders, nil
}

// startLeases waits for the orders to settle, starts every lease, and waits for the leases to end,
// which records a completed lease for each winner in x/reputation.
func (b *Bench) startLeases(ctx context.Context, orders []markettypes.Order, revealDeadline int64) error {
	market := markettypes.NewQueryClient(b.conn)
	b.logf("waiting for the settlements (height %d)", revealDeadline)
	if err := b.node.WaitHeight(ctx, revealDeadline); err != nil {
		return err
	}
	var leases []markettypes.Lease
	for _, o := range orders {
		for {
			res, err := market.Order(ctx, &markettypes.QueryOrderRequest{Id: o.Id})
			if err != nil {
				return err
			}
			if res.Order.State != markettypes.OrderOpen {
				break
			}
			select { // settlement carried over to a later block
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		ls, err := market.LeasesByOrder(ctx, &markettypes.QueryLeasesByOrderRequest{OrderId: o.Id})
		if err != nil {
			return err
		}
		leases = append(leases, ls.Leases...)
	}
	byProvider := map[string][]uint64{}
	var winners []*Account
	for _, l := range leases {
		if len(byProvider[l.Provider]) == 0 {
			for _, a := range b.keys.Load {
				if a.Addr.String() == l.Provider {
					winners = append(winners, a)
				}
			}
		}
		byProvider[l.Provider] = append(byProvider[l.Provider], l.Id)
	}
	res, err := b.run(ctx, "start", winners, func(_ int, a *Account) ([]sdk.Msg, error) {
		var ms []sdk.Msg
		for _, id := range byProvider[a.Addr.String()] {
			ms = append(ms, &markettypes.MsgStartLease{Provider: a.Addr.String(), LeaseId: id})
		}
		return ms, nil
	})
	if err != nil {
		return err
	}
	if err := res.Check(); err != nil {
		return err
	}
	var end int64
	for _, l := range leases {
		r, err := market.Lease(ctx, &markettypes.QueryLeaseRequest{Id: l.Id})
		if err != nil {
			return err
		}
		end = max(end, r.Lease.EndHeight)
	}
	b.logf("%d leases started; waiting for them to end (height %d)", len(leases), end)
	return b.node.WaitHeight(ctx, end+1)
}

// queries puts QueryClients concurrent clients on each of the orders, leases and reputation
// queries in turn.
func (b *Bench) queries(ctx context.Context) error {
	orders, accounts := b.report.Orders, b.keys.Load
	customer := b.keys.Customer.Addr.String()
	page := &query.PageRequest{Limit: 10}
	qs := []Query{
		{Name: "market Order", Call: func(ctx context.Context, c *grpc.ClientConn, i int) error {
			_, err := markettypes.NewQueryClient(c).Order(ctx, &markettypes.QueryOrderRequest{Id: orders[i%len(orders)]})
			return err
		}},
		{Name: "market Orders by owner", Call: func(ctx context.Context, c *grpc.ClientConn, i int) error {
			_, err := markettypes.NewQueryClient(c).Orders(ctx, &markettypes.QueryOrdersRequest{Owner: customer, Pagination: page})
			return err
		}},
		{Name: "market LeasesByOrder", Call: func(ctx context.Context, c *grpc.ClientConn, i int) error {
			_, err := markettypes.NewQueryClient(c).LeasesByOrder(ctx, &markettypes.QueryLeasesByOrderRequest{OrderId: orders[i%len(orders)]})
			return err
		}},
		{Name: "market ProviderLeases", Call: func(ctx context.Context, c *grpc.ClientConn, i int) error {
			_, err := markettypes.NewQueryClient(c).ProviderLeases(ctx, &markettypes.QueryProviderLeasesRequest{Provider: accounts[i%len(accounts)].Addr.String()})
			return err
		}},
		{Name: "reputation Score", Call: func(ctx context.Context, c *grpc.ClientConn, i int) error {
			_, err := reputationtypes.NewQueryClient(c).Score(ctx, &reputationtypes.QueryScoreRequest{Address: accounts[i%len(accounts)].Addr.String()})
			return err
		}},
	}
	load := QueryLoadConfig{Clients: b.cfg.QueryClients, PerClient: b.cfg.QueriesPerClient, Warmup: 2}
	b.logf("query: %d clients, %d queries each per query kind, closed loop", load.Clients, load.PerClient)
	res, err := QueryLoad(ctx, b.cfg.GRPC, b.cctx.InterfaceRegistry, load, qs)
	if err != nil {
		return err
	}
	b.report.Queries = res
	if b.cfg.QueryRate > 0 {
		load.Rate = b.cfg.QueryRate
		b.logf("query: %d clients, %d queries each per query kind, %g/s each", load.Clients, load.PerClient, load.Rate)
		if res, err = QueryLoad(ctx, b.cfg.GRPC, b.cctx.InterfaceRegistry, load, qs); err != nil {
			return err
		}
		b.report.Queries = append(b.report.Queries, res...)
	}
	return nil
}
