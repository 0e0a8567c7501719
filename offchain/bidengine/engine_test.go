package bidengine_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/bidengine"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/x/market/client/sealedbid"
	markettypes "github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// fakeChain keeps orders, bids and leases in memory and applies the engine's messages to them.
type fakeChain struct {
	mu       sync.Mutex
	self     sdk.AccAddress
	orders   map[uint64]markettypes.Order
	bids     map[uint64]markettypes.Bid
	leases   map[uint64]markettypes.Lease
	sent     []sdk.Msg
	failNext error
	queries  int // reads of the chain's state
}

func newFakeChain() *fakeChain {
	return &fakeChain{self: sdk.AccAddress(bytes.Repeat([]byte{1}, 20)), orders: map[uint64]markettypes.Order{},
		bids: map[uint64]markettypes.Bid{}, leases: map[uint64]markettypes.Lease{}}
}

func (c *fakeChain) Address() sdk.AccAddress { return c.self }
func (c *fakeChain) ChainID() string         { return "fog-test" }
func (c *fakeChain) Subscribe(context.Context, chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	close(ch)
	return ch
}

func (c *fakeChain) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.failNext; err != nil {
		c.failNext = nil
		return nil, err
	}
	for _, m := range msgs {
		c.sent = append(c.sent, m)
		switch m := m.(type) {
		case *markettypes.MsgCommitBid:
			c.bids[m.OrderId] = markettypes.Bid{OrderId: m.OrderId, Provider: m.Provider, Commitment: m.Commitment, State: markettypes.BidCommitted}
		case *markettypes.MsgRevealBid:
			b := c.bids[m.OrderId]
			if !bytes.Equal(markettypes.BidCommitment(m.OrderId, c.self, m.Price, m.Salt), b.Commitment) {
				return nil, markettypes.ErrCommitmentMismatch
			}
			b.State, b.Price = markettypes.BidRevealed, m.Price
			c.bids[m.OrderId] = b
		case *markettypes.MsgStartLease:
			l := c.leases[m.LeaseId]
			l.State = markettypes.LeaseActive
			c.leases[m.LeaseId] = l
		}
	}
	return &ctypes.ResultTx{}, nil
}

func (c *fakeChain) OpenOrders(context.Context) ([]markettypes.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	var out []markettypes.Order
	for id := uint64(1); id <= uint64(len(c.orders)); id++ {
		if o, ok := c.orders[id]; ok && o.State == markettypes.OrderOpen {
			out = append(out, o)
		}
	}
	return out, nil
}

func (c *fakeChain) Order(_ context.Context, id uint64) (markettypes.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	return c.orders[id], nil
}

func (c *fakeChain) Bid(_ context.Context, id uint64, _ string) (markettypes.Bid, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	b, ok := c.bids[id]
	return b, ok, nil
}

func (c *fakeChain) ProviderLeases(_ context.Context, _ string, state markettypes.LeaseState) ([]markettypes.Lease, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	var out []markettypes.Lease
	for _, l := range c.leases {
		if l.State == state {
			out = append(out, l)
		}
	}
	return out, nil
}

func (c *fakeChain) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queries++
	l := c.leases[id]
	return l, c.orders[l.OrderId], nil
}

func (c *fakeChain) ReputationScore(context.Context, string) (reputationtypes.Score, error) {
	return reputationtypes.Score{Tier: reputationtypes.TierSilver}, nil
}

func (c *fakeChain) addOrder(cpu uint64, maxPrice int64, tier markettypes.Tier) markettypes.Order {
	c.mu.Lock()
	defer c.mu.Unlock()
	id := uint64(len(c.orders) + 1)
	o := markettypes.Order{Id: id, Owner: sdk.AccAddress(bytes.Repeat([]byte{9}, 20)).String(), State: markettypes.OrderOpen,
		Resources: markettypes.Resources{CpuMillicores: cpu, MemoryMib: 256}, Tier: tier, Privacy: markettypes.PrivacyPublic,
		MaxPricePerBlock: sdk.NewInt64Coin("ufog", maxPrice), CommitDeadline: 10, RevealDeadline: 20, LeaseBlocks: 100}
	c.orders[id] = o
	return o
}

func (c *fakeChain) commits() []*markettypes.MsgCommitBid {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []*markettypes.MsgCommitBid
	for _, m := range c.sent {
		if m, ok := m.(*markettypes.MsgCommitBid); ok {
			out = append(out, m)
		}
	}
	return out
}

var model = bidengine.CostModel{Denom: "ufog", BasePerBlock: "1", PerMilliCPU: "0.002", Margin: "1.5"}

func newEngine(t *testing.T, c *fakeChain, dir string, policy bidengine.Policy, capacity uint64) *bidengine.Engine {
	return newEngineWith(t, c, nil, dir, policy, capacity)
}

func newEngineWith(t *testing.T, c *fakeChain, tee bidengine.Attestation, dir string, policy bidengine.Policy, capacity uint64) *bidengine.Engine {
	e, err := bidengine.New(c, tee, model, policy, markettypes.Resources{CpuMillicores: capacity, MemoryMib: 4096}, dir, nil,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	return e
}

func TestCostModelPrice(t *testing.T) {
	p, err := model.Price(markettypes.Resources{CpuMillicores: 1000})
	require.NoError(t, err)
	require.Equal(t, sdk.NewInt64Coin("ufog", 5), p, "(1 + 0.002 × 1000) × 1.5 = 4.5, rounded up")
	require.Error(t, bidengine.CostModel{Denom: "ufog", Margin: "0"}.Validate())
	require.Error(t, bidengine.CostModel{Denom: "ufog", PerMilliCPU: "-1", Margin: "1"}.Validate())
	require.Error(t, bidengine.CostModel{Denom: "!", Margin: "1"}.Validate())
}

// The engine bids on what it can serve at a price the order allows, within its policy and its
// capacity, and never on its owner's own orders.
func TestEngineChoosesOrders(t *testing.T) {
	c := newFakeChain()
	cheap := c.addOrder(1000, 10, markettypes.TierBronze)   // price 5 <= 10: bid
	tooCheap := c.addOrder(1000, 4, markettypes.TierBronze) // price 5 > 4: no
	gold := c.addOrder(1000, 10, markettypes.TierGold)      // policy: bronze only
	big := c.addOrder(1500, 100, markettypes.TierBronze)    // 1000 + 1500 > capacity 2000
	own := c.addOrder(500, 10, markettypes.TierBronze)
	picky := c.addOrder(100, 10, markettypes.TierBronze) // needs gold; this provider is silver
	c.orders[picky.Id] = func(o markettypes.Order) markettypes.Order { o.MinReputationTier = reputationtypes.TierGold; return o }(c.orders[picky.Id])
	c.orders[own.Id] = func(o markettypes.Order) markettypes.Order { o.Owner = c.self.String(); return o }(c.orders[own.Id])
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{Tiers: []string{"bronze"}}, 2000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()

	e.Resync(context.Background(), 5)
	commits := c.commits()
	require.Len(t, commits, 1)
	require.Equal(t, cheap.Id, commits[0].OrderId)
	for _, st := range e.States() {
		require.NotContains(t, []uint64{tooCheap.Id, gold.Id, big.Id, own.Id, picky.Id}, st.OrderID)
	}
}

// A worker that stops after committing reveals the same price with the same salt when it starts
// again, and frees the capacity when the auction is over.
func TestEngineRevealsAfterRestart(t *testing.T) {
	c := newFakeChain()
	dir := t.TempDir()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e := newEngine(t, c, dir, bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	e.Resync(context.Background(), 5)
	require.Len(t, c.commits(), 1)
	e.Stop()

	restarted := newEngine(t, c, dir, bidengine.Policy{}, 4000)
	require.NoError(t, restarted.Start(context.Background()))
	defer restarted.Stop()
	require.Equal(t, bidengine.PhaseCommitted, restarted.States()[0].Phase)
	restarted.Resync(context.Background(), 11) // reveal phase
	require.Equal(t, markettypes.BidRevealed, c.bids[o.Id].State, "revealed with the saved secret")
	require.Equal(t, int64(5), c.bids[o.Id].Price.Amount.Int64())

	// settles: this provider won
	c.mu.Lock()
	ord := c.orders[o.Id]
	ord.State = markettypes.OrderMatched
	c.orders[o.Id] = ord
	c.leases[7] = markettypes.Lease{Id: 7, OrderId: o.Id, Provider: c.self.String(), State: markettypes.LeasePending}
	c.mu.Unlock()
	restarted.Resync(context.Background(), 21)
	require.Equal(t, markettypes.LeaseActive, c.leases[7].State, "the winner starts its lease")
	require.Equal(t, bidengine.PhaseLeased, restarted.States()[0].Phase)

	c.mu.Lock()
	l := c.leases[7]
	l.State = markettypes.LeaseClosed
	c.leases[7] = l
	c.mu.Unlock()
	restarted.Resync(context.Background(), 30)
	require.Equal(t, bidengine.PhaseDone, restarted.States()[0].Phase)
}

// A commit that failed to broadcast is sent again, with the same secret, while the commit phase lasts.
func TestEngineRetriesAFailedCommit(t *testing.T) {
	c := newFakeChain()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	c.failNext = errors.New("node unreachable")
	e.Resync(context.Background(), 5)
	require.Empty(t, c.commits())
	require.Equal(t, bidengine.PhaseCommitting, e.States()[0].Phase)
	e.Resync(context.Background(), 6)
	require.Len(t, c.commits(), 1)
	e.Resync(context.Background(), 11)
	require.Equal(t, markettypes.BidRevealed, c.bids[o.Id].State)
}

// The worker crashed after its MsgStartLease was included but before it saved that: on restart the
// lease is active, and the engine carries on with it instead of taking the bid for lost.
func TestEngineFindsALeaseItStartedBeforeACrash(t *testing.T) {
	c := newFakeChain()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	e.Resync(context.Background(), 5)
	e.Resync(context.Background(), 11)
	c.mu.Lock()
	ord := c.orders[o.Id]
	ord.State = markettypes.OrderMatched
	c.orders[o.Id] = ord
	c.leases[3] = markettypes.Lease{Id: 3, OrderId: o.Id, Provider: c.self.String(), State: markettypes.LeaseActive}
	sent := len(c.sent)
	c.mu.Unlock()
	e.Resync(context.Background(), 21)
	st := e.States()[0]
	require.Equal(t, bidengine.PhaseLeased, st.Phase)
	require.Equal(t, uint64(3), st.LeaseID)
	require.Len(t, c.sent, sent, "nothing to start again")
}

// The worker crashed after writing a bid's secret but before writing the order's state: the secret
// on disk is used, so what is committed is what can be revealed.
func TestEngineUsesASecretSavedBeforeACrash(t *testing.T) {
	c := newFakeChain()
	dir := t.TempDir()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	saved, err := sealedbid.New(c.ChainID(), o.Id, c.self, sdk.NewInt64Coin("ufog", 6))
	require.NoError(t, err)
	require.NoError(t, saved.Save(filepath.Join(dir, "bids"), false))

	e := newEngine(t, c, dir, bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	e.Resync(context.Background(), 5)
	commits := c.commits()
	require.Len(t, commits, 1)
	require.Equal(t, saved.Commitment, commits[0].Commitment)
	e.Resync(context.Background(), 11)
	require.Equal(t, markettypes.BidRevealed, c.bids[o.Id].State)
	require.Equal(t, int64(6), c.bids[o.Id].Price.Amount.Int64())
}

// fakeAttestation is the worker's enclave record, valid below its expiry height.
type fakeAttestation struct {
	mu sync.Mutex
	e  *teetypes.Enclave
}

func (a *fakeAttestation) Enclave(h int64) (teetypes.Enclave, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.e == nil {
		return teetypes.Enclave{}, false
	}
	return *a.e, a.e.ExpiryHeight > h
}

// Orders that require a TEE get bids only from a worker whose enclave record is valid and of the
// order's type; they are looked at again while the commit phase lasts, since the worker may attest.
func TestEngineBidsOnTeeOrdersOnlyWhenAttested(t *testing.T) {
	tee := func(o markettypes.Order, typ teetypes.TeeType) markettypes.Order {
		o.TeeRequired, o.TeeType = true, typ
		return o
	}
	c := newFakeChain()
	anyTee := c.addOrder(100, 10, markettypes.TierBronze)
	c.orders[anyTee.Id] = tee(c.orders[anyTee.Id], teetypes.TeeTypeUnspecified)
	snp := c.addOrder(100, 10, markettypes.TierBronze)
	c.orders[snp.Id] = tee(c.orders[snp.Id], teetypes.TeeTypeSevSnp)
	sim := c.addOrder(100, 10, markettypes.TierBronze)
	c.orders[sim.Id] = tee(c.orders[sim.Id], teetypes.TeeTypeSimulated)

	// a worker without [tee] never bids on them
	plain := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, plain.Start(context.Background()))
	defer plain.Stop()
	plain.Resync(context.Background(), 2)
	require.Empty(t, c.commits())

	att := &fakeAttestation{}
	e := newEngineWith(t, c, att, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	e.Resync(context.Background(), 3)
	require.Empty(t, c.commits(), "not attested yet")

	att.e = &teetypes.Enclave{TeeType: teetypes.TeeTypeSimulated, ExpiryHeight: 4}
	e.Resync(context.Background(), 4)
	require.Empty(t, c.commits(), "the record expired")

	att.e.ExpiryHeight = 1000
	e.Resync(context.Background(), 5)
	var ids []uint64
	for _, m := range c.commits() {
		ids = append(ids, m.OrderId)
	}
	require.Equal(t, []uint64{anyTee.Id, sim.Id}, ids, "any TEE, or the type it is attested as; not sev-snp")
}

// A commit the market refuses for want of a valid attestation ends the order's state machine.
func TestEngineStopsWhenTheMarketSaysNotAttested(t *testing.T) {
	c := newFakeChain()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	c.failNext = markettypes.ErrNotAttested
	e.Resync(context.Background(), 5)
	st := e.States()[0]
	require.Equal(t, o.Id, st.OrderID)
	require.Equal(t, bidengine.PhaseDone, st.Phase)
	require.Contains(t, st.Outcome, "commit refused")
}

// A fleet dedicated to some customers bids only on their orders.
func TestEngineServesOnlyThePolicysOwners(t *testing.T) {
	c := newFakeChain()
	mine := c.addOrder(100, 10, markettypes.TierBronze)
	other := c.addOrder(100, 10, markettypes.TierBronze)
	customer := sdk.AccAddress(bytes.Repeat([]byte{7}, 20)).String()
	c.orders[mine.Id] = func(o markettypes.Order) markettypes.Order { o.Owner = customer; return o }(c.orders[mine.Id])
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{Owners: []string{customer}}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	e.Resync(context.Background(), 5)
	commits := c.commits()
	require.Len(t, commits, 1)
	require.Equal(t, mine.Id, commits[0].OrderId, "order %d is not of a served owner", other.Id)
}

func (c *fakeChain) sentOf(pred func(sdk.Msg) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, m := range c.sent {
		if pred(m) {
			n++
		}
	}
	return n
}

func (c *fakeChain) reads() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.queries
}

func block(h int64, events ...proto.Message) chain.Event {
	return chain.Event{Height: h, Events: events}
}

// Between resyncs the engine follows events: a new order is read once and bid on, the deadlines of
// heights drive the reveal and the withdrawals, the provider's new lease is started, and its closure
// ends the state machine, without listing anything or reading state block after block.
func TestEngineFollowsEvents(t *testing.T) {
	c := newFakeChain()
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{WithdrawEvery: 10}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	ctx := context.Background()
	e.Resync(ctx, 1)
	start := c.reads()

	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e.Handle(ctx, block(2, &markettypes.EventOrderCreated{OrderId: o.Id, Owner: o.Owner}))
	require.Len(t, c.commits(), 1)
	require.Equal(t, start+1, c.reads(), "the new order is read once, nothing is listed")

	for h := int64(3); h <= 10; h++ {
		e.Handle(ctx, block(h))
	}
	require.Equal(t, bidengine.PhaseCommitted, e.States()[0].Phase)
	e.Handle(ctx, block(11))
	require.Equal(t, markettypes.BidRevealed, c.bids[o.Id].State, "revealed after the commit deadline")
	for h := int64(12); h <= 20; h++ {
		e.Handle(ctx, block(h))
	}

	self := c.self.String()
	e.Handle(ctx, block(21, &markettypes.EventLeaseCreated{LeaseId: 7, OrderId: o.Id, Provider: self},
		&markettypes.EventAuctionSettled{OrderId: o.Id, Winners: []string{self}, LeaseIds: []uint64{7}}))
	st := e.States()[0]
	require.Equal(t, bidengine.PhaseLeased, st.Phase)
	require.Equal(t, uint64(7), st.LeaseID)
	require.Equal(t, markettypes.LeaseActive, c.leases[7].State, "the winner starts its lease at once")

	withdrawals := func() int {
		return c.sentOf(func(m sdk.Msg) bool { _, ok := m.(*markettypes.MsgWithdrawLease); return ok })
	}
	for h := int64(22); h <= 31; h++ {
		e.Handle(ctx, block(h))
	}
	require.Equal(t, 1, withdrawals(), "a withdrawal every 10 blocks")
	e.Handle(ctx, block(32, &markettypes.EventLeaseClosed{LeaseId: 7, OrderId: o.Id, Reason: markettypes.CloseReasonOwnerClosed}))
	st = e.States()[0]
	require.Equal(t, bidengine.PhaseDone, st.Phase)
	require.Contains(t, st.Outcome, "OWNER_CLOSED")
	require.Equal(t, start+1, c.reads(), "31 blocks, one read")
}

// The auction's events end the state machines of bids that won nothing, and free their capacity:
// a settlement with other winners, a failed order, an order cancelled in its commit phase.
func TestEngineEndsLostBidsOnEvents(t *testing.T) {
	c := newFakeChain()
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 3000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	ctx := context.Background()
	outbid, failed, cancelled := c.addOrder(1000, 10, markettypes.TierBronze), c.addOrder(1000, 10, markettypes.TierBronze),
		c.addOrder(1000, 10, markettypes.TierBronze)
	e.Resync(ctx, 5)
	require.Len(t, c.commits(), 3)
	e.Handle(ctx, block(6, &markettypes.EventOrderCancelled{OrderId: cancelled.Id}))
	e.Handle(ctx, block(11))
	e.Handle(ctx, block(21, &markettypes.EventAuctionSettled{OrderId: outbid.Id, Winners: []string{"someone else"}, LeaseIds: []uint64{9}},
		&markettypes.EventOrderFailed{OrderId: failed.Id, Reason: markettypes.CloseReasonInsufficientBids}))
	outcomes := map[uint64]string{}
	for _, st := range e.States() {
		require.Equal(t, bidengine.PhaseDone, st.Phase, "order %d", st.OrderID)
		outcomes[st.OrderID] = st.Outcome
	}
	require.Contains(t, outcomes[outbid.Id], "lost (clearing price")
	require.Contains(t, outcomes[failed.Id], "order failed")
	require.Equal(t, "order cancelled", outcomes[cancelled.Id])

	next := c.addOrder(3000, 20, markettypes.TierBronze)
	c.orders[next.Id] = func(o markettypes.Order) markettypes.Order { o.CommitDeadline, o.RevealDeadline = 30, 40; return o }(c.orders[next.Id])
	e.Handle(ctx, block(22, &markettypes.EventOrderCreated{OrderId: next.Id, Owner: next.Owner}))
	require.Len(t, c.commits(), 4, "all the capacity is free again")
}

// A won lease whose start is refused is started again at the next heights.
func TestEngineRetriesAStartOnTheNextHeight(t *testing.T) {
	c := newFakeChain()
	o := c.addOrder(1000, 10, markettypes.TierBronze)
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	ctx := context.Background()
	e.Resync(ctx, 5)
	e.Handle(ctx, block(11))
	c.failNext = markettypes.ErrNotAttested
	e.Handle(ctx, block(21, &markettypes.EventLeaseCreated{LeaseId: 4, OrderId: o.Id, Provider: c.self.String()}))
	require.Equal(t, bidengine.PhaseRevealed, e.States()[0].Phase)
	e.Handle(ctx, block(22))
	require.Equal(t, bidengine.PhaseLeased, e.States()[0].Phase)
	require.Equal(t, markettypes.LeaseActive, c.leases[4].State)
}

// An order of an owner the policy does not serve is passed over from its creation event alone.
func TestEnginePassesOverOtherOwnersWithoutReading(t *testing.T) {
	c := newFakeChain()
	customer := sdk.AccAddress(bytes.Repeat([]byte{7}, 20)).String()
	e := newEngine(t, c, t.TempDir(), bidengine.Policy{Owners: []string{customer}}, 4000)
	require.NoError(t, e.Start(context.Background()))
	defer e.Stop()
	ctx := context.Background()
	e.Resync(ctx, 1)
	reads := c.reads()
	other := c.addOrder(100, 10, markettypes.TierBronze)
	e.Handle(ctx, block(2, &markettypes.EventOrderCreated{OrderId: other.Id, Owner: other.Owner}))
	require.Empty(t, c.commits())
	require.Equal(t, reads, c.reads())
}
