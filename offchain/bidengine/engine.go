// Package bidengine bids on the market for a provider: one state machine per order (fits capacity
// and policy? → price from the cost model → commit → reveal → won / lost → start lease → withdraw
// payments → done), driven by the chain's events (new orders, auction outcomes, the provider's
// leases) and the deadlines of new heights, with its state and every sealed bid's secret on disk
// before anything is broadcast, so a restart never forfeits a deposit.
package bidengine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/atomicfile"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/x/market/client/sealedbid"
	markettypes "github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// Chain is what the engine needs from the node (offchain/chain.Client). The listings (OpenOrders,
// ProviderLeases) are read on a resync only; between resyncs the engine follows events.
type Chain interface {
	Address() sdk.AccAddress
	ChainID() string
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	OpenOrders(ctx context.Context) ([]markettypes.Order, error)
	Order(ctx context.Context, id uint64) (markettypes.Order, error)
	Bid(ctx context.Context, orderID uint64, provider string) (markettypes.Bid, bool, error)
	ProviderLeases(ctx context.Context, provider string, state markettypes.LeaseState) ([]markettypes.Lease, error)
	LeaseAndOrder(ctx context.Context, leaseID uint64) (markettypes.Lease, markettypes.Order, error)
	ReputationScore(ctx context.Context, addr string) (reputationtypes.Score, error)
}

// Observer is told what the engine does (metrics).
type Observer interface {
	BidCommitted()
	BidRevealed()
	BidWon()
	BidLost()
	Withdrawn(amount sdk.Coin)
	Reputation(s reputationtypes.Score)
}

// Attestation is the worker's own x/tee enclave record (offchain/attest.Attester).
type Attestation interface {
	// Enclave is the provider's record binding the worker key, and whether it is valid at height h.
	Enclave(h int64) (teetypes.Enclave, bool)
}

// Policy says which orders the provider wants.
type Policy struct {
	Tiers          []string `toml:"tiers"`            // bronze, silver, gold; empty = all
	Privacy        []string `toml:"privacy"`          // public, private, ...; empty = all
	MaxLeaseBlocks uint64   `toml:"max_lease_blocks"` // 0 = any
	// Owners: bid only on orders of these accounts (a fleet dedicated to its own customers);
	// empty = anyone's.
	Owners []string `toml:"owners"`
	// WithdrawEvery is how many blocks pass between withdrawals of an active lease's payments.
	WithdrawEvery int64 `toml:"withdraw_every_blocks"`
}

// reputationEvery is how many blocks pass between reads of the provider's own reputation.
const reputationEvery = 20

// Phase of one order's state machine.
type Phase string

// The phases; committing means the secret is on disk and the commit may or may not be on chain.
const (
	PhaseCommitting Phase = "committing"
	PhaseCommitted  Phase = "committed"
	PhaseRevealed   Phase = "revealed"
	PhaseLeased     Phase = "leased"
	PhaseDone       Phase = "done"
)

// OrderState is one order's state machine, persisted as JSON.
type OrderState struct {
	OrderID        uint64                `json:"order_id"`
	Phase          Phase                 `json:"phase"`
	CommitDeadline int64                 `json:"commit_deadline"`
	RevealDeadline int64                 `json:"reveal_deadline"`
	Resources      markettypes.Resources `json:"resources"`
	Price          sdk.Coin              `json:"price"`
	LeaseID        uint64                `json:"lease_id,omitempty"`
	LastWithdraw   int64                 `json:"last_withdraw,omitempty"`
	Outcome        string                `json:"outcome,omitempty"`
}

// Engine runs the provider's bidding.
type Engine struct {
	chain    Chain
	self     string      // the provider's address
	tee      Attestation // nil: the worker does not attest
	model    CostModel
	policy   Policy
	capacity markettypes.Resources
	dir      string // state dir: orders/ and bids/
	obs      Observer
	log      *slog.Logger

	mu     sync.Mutex
	orders map[uint64]*OrderState
	skip   map[uint64]bool // orders decided against, not persisted
	// orders that may become biddable while their commit phase lasts (a tier to reach, an
	// attestation to make), looked at again at every height
	deferred map[uint64]markettypes.Order
	// orders that require a TEE the worker cannot show yet, logged once each
	teeWait map[uint64]bool
	// own reputation, refreshed every reputationEvery blocks
	score       reputationtypes.Score
	scoreHeight int64

	cancel context.CancelFunc
	done   chan struct{}
}

// New builds an engine keeping its state under dir. tee is the worker's attestation, nil if it has
// none: orders that require a TEE are then never bid on.
func New(chain Chain, tee Attestation, model CostModel, policy Policy, capacity markettypes.Resources, dir string, obs Observer, log *slog.Logger) (*Engine, error) {
	if err := model.Validate(); err != nil {
		return nil, err
	}
	if policy.WithdrawEvery <= 0 {
		policy.WithdrawEvery = 10
	}
	for _, t := range policy.Tiers {
		if _, err := markettypes.ParseTier(t); err != nil {
			return nil, err
		}
	}
	for _, p := range policy.Privacy {
		if _, err := markettypes.ParsePrivacy(p); err != nil {
			return nil, err
		}
	}
	return &Engine{chain: chain, self: chain.Address().String(), tee: tee, model: model, policy: policy, capacity: capacity,
		dir: dir, obs: obs, log: log, orders: map[uint64]*OrderState{}, skip: map[uint64]bool{},
		deferred: map[uint64]markettypes.Order{}, teeWait: map[uint64]bool{}}, nil
}

func (e *Engine) ordersDir() string { return filepath.Join(e.dir, "orders") }

// BidsDir is where sealed bids' secrets are kept.
func (e *Engine) BidsDir() string { return filepath.Join(e.dir, "bids") }

// Start loads the saved state machines and starts following the chain.
func (e *Engine) Start(ctx context.Context) error {
	if err := os.MkdirAll(e.ordersDir(), 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(e.ordersDir())
	if err != nil {
		return err
	}
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".json") {
			continue
		}
		bz, err := os.ReadFile(filepath.Join(e.ordersDir(), ent.Name()))
		if err != nil {
			return err
		}
		var st OrderState
		if err := json.Unmarshal(bz, &st); err != nil {
			return fmt.Errorf("%s: %w", ent.Name(), err)
		}
		e.orders[st.OrderID] = &st
	}
	if len(e.orders) > 0 {
		e.log.Info("resumed bid state machines", "orders", len(e.orders))
	}
	ctx, e.cancel = context.WithCancel(ctx)
	e.done = make(chan struct{})
	go e.run(ctx)
	return nil
}

// Stop stops following the chain; state on disk stays.
func (e *Engine) Stop() {
	if e.cancel != nil {
		e.cancel()
		<-e.done
	}
}

func (e *Engine) run(ctx context.Context) {
	defer close(e.done)
	// The first event is a resync: the state machines loaded from disk are checked against the chain
	// and the open orders listed once.
	for ev := range e.chain.Subscribe(ctx, e.follows) {
		if ev.Resync {
			e.Resync(ctx, ev.Height)
		} else {
			e.Handle(ctx, ev)
		}
	}
}

// follows selects the events that move the engine: new orders, auction outcomes, the provider's new
// leases, and lease closures.
func (e *Engine) follows(m proto.Message) bool {
	switch m := m.(type) {
	case *markettypes.EventOrderCreated, *markettypes.EventAuctionSettled, *markettypes.EventOrderFailed,
		*markettypes.EventOrderCancelled, *markettypes.EventLeaseClosed:
		return true
	case *markettypes.EventLeaseCreated:
		return m.Provider == e.self
	}
	return false
}

// States returns a copy of the state machines, by order id.
func (e *Engine) States() []OrderState {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]OrderState, 0, len(e.orders))
	for _, st := range e.orders {
		out = append(out, *st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	return out
}

// unfinished lists the state machines not done, by order id.
func (e *Engine) unfinished() []*OrderState {
	out := make([]*OrderState, 0, len(e.orders))
	for _, st := range e.orders {
		if st.Phase != PhaseDone {
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OrderID < out[j].OrderID })
	return out
}

func (e *Engine) warn(msg string, st *OrderState, err error) {
	if err != nil {
		e.log.Warn(msg, "order", st.OrderID, "phase", st.Phase, "err", err)
	}
}

// Resync brings every state machine up to height h from the chain's state, and bids on the open
// orders it has not seen: after a start, a reconnect, or missed blocks, when events may be missing.
func (e *Engine) Resync(ctx context.Context, h int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, st := range e.unfinished() {
		if err := e.advance(ctx, st, h); ctx.Err() == nil {
			e.warn("order state machine", st, err)
		}
	}
	e.refreshScore(ctx, h)
	// the listing holds the deferred orders still open
	clear(e.deferred)
	orders, err := e.chain.OpenOrders(ctx)
	if err != nil {
		if ctx.Err() == nil {
			e.log.Warn("listing open orders", "err", err)
		}
		return
	}
	for _, o := range orders {
		if err := e.consider(ctx, o, h); err != nil && ctx.Err() == nil {
			e.log.Warn("looking at an order", "order", o.Id, "err", err)
		}
	}
}

// Handle moves the state machines on with one block: what its events say (new orders, auction
// outcomes, the provider's new leases, closed leases), then what the height's deadlines call for.
// Nothing is listed: what the block does not say has not changed.
func (e *Engine) Handle(ctx context.Context, ev chain.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	h := ev.Height
	var created []uint64
	moved := map[*OrderState]bool{} // one step per state machine and block
	for _, m := range ev.Events {
		if o, ok := m.(*markettypes.EventOrderCreated); ok {
			switch {
			case e.orders[o.OrderId] != nil || e.skip[o.OrderId]:
			// known from the event, without reading the order:
			case o.Owner == e.self:
				e.skipOrder(o.OrderId, "own order")
			case len(e.policy.Owners) > 0 && !slices.Contains(e.policy.Owners, o.Owner):
				e.skipOrder(o.OrderId, "policy: owner "+o.Owner+" is not served")
			default:
				created = append(created, o.OrderId)
			}
			continue
		}
		if st, err := e.apply(ctx, m, h); st != nil {
			moved[st] = true
			if ctx.Err() == nil {
				e.warn("order state machine", st, err)
			}
		}
	}
	for _, st := range e.unfinished() {
		if moved[st] {
			continue
		}
		if err := e.onHeight(ctx, st, h); ctx.Err() == nil {
			e.warn("order state machine", st, err)
		}
	}
	e.refreshScore(ctx, h)
	ids := make([]uint64, 0, len(e.deferred))
	for id := range e.deferred {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var orders []markettypes.Order
	for _, id := range ids {
		orders = append(orders, e.deferred[id])
		delete(e.deferred, id)
	}
	for _, id := range created {
		o, err := e.chain.Order(ctx, id)
		if err != nil {
			if ctx.Err() == nil {
				e.log.Warn("reading a new order", "order", id, "err", err)
			}
			continue
		}
		orders = append(orders, o)
	}
	for _, o := range orders {
		if err := e.consider(ctx, o, h); err != nil && ctx.Err() == nil {
			e.log.Warn("looking at an order", "order", o.Id, "err", err)
		}
	}
}

// apply acts on one market event; it returns the state machine it moved, if any.
func (e *Engine) apply(ctx context.Context, m proto.Message, h int64) (*OrderState, error) {
	switch m := m.(type) {
	case *markettypes.EventLeaseCreated:
		st := e.orders[m.OrderId]
		if st == nil || m.Provider != e.self || st.Phase != PhaseRevealed || st.LeaseID != 0 {
			return nil, nil
		}
		st.LeaseID = m.LeaseId
		if err := e.save(st); err != nil {
			return st, err
		}
		return st, e.start(ctx, st, h)
	case *markettypes.EventAuctionSettled:
		st := e.orders[m.OrderId]
		if st == nil || st.Phase != PhaseRevealed || st.LeaseID != 0 || slices.Contains(m.Winners, e.self) {
			return nil, nil
		}
		return st, e.lost(st, fmt.Sprintf("lost (clearing price %s)", m.ClearingPrice))
	case *markettypes.EventOrderFailed:
		st := e.orders[m.OrderId]
		if st == nil || st.Phase != PhaseRevealed {
			return nil, nil
		}
		return st, e.lost(st, "lost (order failed: "+m.Reason.String()+")")
	case *markettypes.EventOrderCancelled:
		st := e.orders[m.OrderId]
		if st == nil || (st.Phase != PhaseCommitting && st.Phase != PhaseCommitted) {
			return nil, nil
		}
		return st, e.finish(st, "order cancelled")
	case *markettypes.EventLeaseClosed:
		for _, st := range e.orders {
			if st.LeaseID == m.LeaseId && (st.Phase == PhaseLeased || st.Phase == PhaseRevealed) {
				return st, e.finish(st, "lease closed: "+m.Reason.String())
			}
		}
	}
	return nil, nil
}

// onHeight acts on the deadlines of height h, between events.
func (e *Engine) onHeight(ctx context.Context, st *OrderState, h int64) error {
	switch st.Phase {
	case PhaseCommitting, PhaseCommitted:
		// committing: a commit that failed to broadcast is sent again; committed: the reveal is due
		// after the commit deadline
		return e.advance(ctx, st, h)
	case PhaseRevealed:
		if st.LeaseID != 0 {
			return e.start(ctx, st, h) // won, and the start was refused: sent again
		}
		return nil // the settlement's events decide
	case PhaseLeased:
		return e.withdraw(ctx, st, h)
	}
	return nil
}

// refreshScore reads the provider's reputation at the first height and every reputationEvery blocks.
func (e *Engine) refreshScore(ctx context.Context, h int64) {
	if h-e.scoreHeight < reputationEvery && e.scoreHeight != 0 {
		return
	}
	if s, err := e.chain.ReputationScore(ctx, e.self); err == nil {
		e.score, e.scoreHeight = s, h
		if e.obs != nil {
			e.obs.Reputation(s)
		}
	}
}

func (e *Engine) save(st *OrderState) error {
	bz, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	path := filepath.Join(e.ordersDir(), strconv.FormatUint(st.OrderID, 10)+".json")
	return atomicfile.Write(path, bz, 0o600)
}

// reserved is what open bids and leases hold of the capacity.
func (e *Engine) reserved() markettypes.Resources {
	var r markettypes.Resources
	for _, st := range e.orders {
		if st.Phase == PhaseDone {
			continue
		}
		r.CpuMillicores += st.Resources.CpuMillicores
		r.MemoryMib += st.Resources.MemoryMib
		r.StorageMib += st.Resources.StorageMib
		r.Gpus += st.Resources.Gpus
	}
	return r
}

func (e *Engine) fits(r markettypes.Resources) bool {
	used := e.reserved()
	c := e.capacity
	return used.CpuMillicores+r.CpuMillicores <= c.CpuMillicores && used.MemoryMib+r.MemoryMib <= c.MemoryMib &&
		used.StorageMib+r.StorageMib <= c.StorageMib && used.Gpus+r.Gpus <= c.Gpus
}

// wants tells whether the policy accepts the order, and why not.
func (e *Engine) wants(o markettypes.Order) (bool, string) {
	if len(e.policy.Tiers) > 0 && !containsName(e.policy.Tiers, o.Tier.String(), "TIER_") {
		return false, "tier " + o.Tier.String()
	}
	if len(e.policy.Privacy) > 0 && !containsName(e.policy.Privacy, o.Privacy.String(), "PRIVACY_") {
		return false, "privacy " + o.Privacy.String()
	}
	if e.policy.MaxLeaseBlocks > 0 && o.LeaseBlocks > e.policy.MaxLeaseBlocks {
		return false, "lease too long"
	}
	if len(e.policy.Owners) > 0 && !slices.Contains(e.policy.Owners, o.Owner) {
		return false, "owner " + o.Owner + " is not served"
	}
	return true, ""
}

func containsName(names []string, enumName, prefix string) bool {
	short := strings.ToLower(strings.TrimPrefix(enumName, prefix))
	for _, n := range names {
		if strings.EqualFold(n, short) || n == enumName {
			return true
		}
	}
	return false
}

// consider commits a sealed bid on an open order if the provider wants it, can serve it and can
// price it.
func (e *Engine) consider(ctx context.Context, o markettypes.Order, h int64) error {
	if _, tracked := e.orders[o.Id]; tracked || e.skip[o.Id] || o.Owner == e.self || o.State != markettypes.OrderOpen || h > o.CommitDeadline {
		return nil
	}
	if ok, why := e.wants(o); !ok {
		e.skipOrder(o.Id, "policy: "+why)
		return nil
	}
	if o.MinReputationTier != reputationtypes.TierUnspecified && e.score.Tier < o.MinReputationTier {
		// not skipped for good: the tier is read again, and may rise, while the commit phase lasts
		e.deferred[o.Id] = o
		return nil
	}
	if o.TeeRequired {
		if ok, why := e.attested(o, h); !ok {
			// not skipped for good either: the worker may attest, or renew, while the commit phase lasts
			e.deferred[o.Id] = o
			if !e.teeWait[o.Id] {
				e.teeWait[o.Id] = true
				e.log.Info("not bidding (yet): the order requires a TEE", "order", o.Id, "tee_type", o.TeeType.Short(), "reason", why)
			}
			return nil
		}
	}
	if !e.fits(o.Resources) {
		e.skipOrder(o.Id, "no free capacity")
		return nil
	}
	price, err := e.model.Price(o.Resources)
	if err != nil {
		return err
	}
	if price.Denom != o.MaxPricePerBlock.Denom || price.Amount.GT(o.MaxPricePerBlock.Amount) {
		e.skipOrder(o.Id, fmt.Sprintf("price %s above max %s", price, o.MaxPricePerBlock))
		return nil
	}
	st := &OrderState{OrderID: o.Id, Phase: PhaseCommitting, CommitDeadline: o.CommitDeadline,
		RevealDeadline: o.RevealDeadline, Resources: o.Resources, Price: price}
	sealed, err := e.seal(o.Id, price)
	if err != nil {
		return fmt.Errorf("sealing a bid: %w", err)
	}
	st.Price = sealed.Price
	if err := e.save(st); err != nil {
		return err
	}
	e.orders[o.Id] = st
	if err := e.commit(ctx, st, sealed); err != nil {
		e.log.Warn("commit failed; will retry while the commit phase lasts", "order", o.Id, "err", err)
	}
	return nil
}

// seal makes the secret of a bid and writes it to disk before anything is broadcast. A secret already
// on disk for the order (the worker crashed before saving the order's state) is used as it is.
func (e *Engine) seal(orderID uint64, price sdk.Coin) (sealedbid.Bid, error) {
	sealed, err := sealedbid.New(e.chain.ChainID(), orderID, e.chain.Address(), price)
	if err != nil {
		return sealed, err
	}
	err = sealed.Save(e.BidsDir(), false)
	if errors.Is(err, sealedbid.ErrExists) {
		return sealedbid.Load(e.BidsDir(), e.chain.ChainID(), orderID, e.self)
	}
	return sealed, err
}

// attested tells whether the worker's enclave record lets it commit on a TEE order at height h, and
// why not.
func (e *Engine) attested(o markettypes.Order, h int64) (bool, string) {
	if e.tee == nil {
		return false, "this worker does not attest ([tee] type = \"none\")"
	}
	enc, valid := e.tee.Enclave(h)
	switch {
	case !valid:
		return false, "no valid enclave record for this worker key"
	case o.TeeType != teetypes.TeeTypeUnspecified && enc.TeeType != o.TeeType:
		return false, fmt.Sprintf("attested as %s, the order wants %s", enc.TeeType.Short(), o.TeeType.Short())
	}
	return true, ""
}

func (e *Engine) skipOrder(id uint64, why string) {
	e.skip[id] = true
	e.log.Debug("not bidding", "order", id, "reason", why)
}

func (e *Engine) commit(ctx context.Context, st *OrderState, sealed sealedbid.Bid) error {
	_, err := e.chain.Broadcast(ctx, &markettypes.MsgCommitBid{
		Provider: e.self, OrderId: st.OrderID, Commitment: sealed.Commitment})
	if errors.Is(err, markettypes.ErrReputationTooLow) || errors.Is(err, markettypes.ErrNotAttested) ||
		errors.Is(err, markettypes.ErrCommitPhaseOver) || errors.Is(err, markettypes.ErrOrderNotOpen) {
		return e.finish(st, "commit refused: "+err.Error())
	}
	if err != nil && !errors.Is(err, markettypes.ErrDuplicateBid) {
		return err
	}
	st.Phase = PhaseCommitted
	e.log.Info("bid committed", "order", st.OrderID, "price", st.Price)
	if e.obs != nil {
		e.obs.BidCommitted()
	}
	return e.save(st)
}

// advance moves one order's state machine forward at height h, reading from the chain what it needs
// to know.
func (e *Engine) advance(ctx context.Context, st *OrderState, h int64) error {
	switch st.Phase {
	case PhaseCommitting:
		// Crashed or failed between saving the secret and seeing the commit on chain.
		_, found, err := e.chain.Bid(ctx, st.OrderID, e.self)
		if err != nil {
			return err
		}
		if found {
			st.Phase = PhaseCommitted
			return e.save(st)
		}
		if h > st.CommitDeadline {
			return e.finish(st, "commit never made it on chain")
		}
		sealed, err := sealedbid.Load(e.BidsDir(), e.chain.ChainID(), st.OrderID, e.self)
		if err != nil {
			return err
		}
		return e.commit(ctx, st, sealed)

	case PhaseCommitted:
		if h <= st.CommitDeadline {
			return nil
		}
		if h > st.RevealDeadline {
			return e.finish(st, "reveal deadline passed before the bid was revealed")
		}
		sealed, err := sealedbid.Load(e.BidsDir(), e.chain.ChainID(), st.OrderID, e.self)
		if err != nil {
			return err
		}
		_, err = e.chain.Broadcast(ctx, &markettypes.MsgRevealBid{Provider: e.self, OrderId: st.OrderID, Price: sealed.Price, Salt: sealed.Salt})
		if err != nil && !errors.Is(err, markettypes.ErrBidAlreadyRevealed) {
			if errors.Is(err, markettypes.ErrOrderNotOpen) {
				return e.finish(st, "order closed before the reveal")
			}
			return err
		}
		st.Phase = PhaseRevealed
		e.log.Info("bid revealed", "order", st.OrderID, "price", sealed.Price)
		if e.obs != nil {
			e.obs.BidRevealed()
		}
		return e.save(st)

	case PhaseRevealed:
		if st.LeaseID != 0 {
			return e.start(ctx, st, h)
		}
		if h <= st.RevealDeadline {
			return nil
		}
		o, err := e.chain.Order(ctx, st.OrderID)
		if err != nil {
			return err
		}
		if o.State == markettypes.OrderOpen {
			return nil // settles at the end of the reveal deadline block, or later in a busy one
		}
		// A lease already active means the worker started it and crashed before saving that.
		for _, state := range []markettypes.LeaseState{markettypes.LeasePending, markettypes.LeaseActive} {
			leases, err := e.chain.ProviderLeases(ctx, e.self, state)
			if err != nil {
				return err
			}
			for _, l := range leases {
				if l.OrderId != st.OrderID {
					continue
				}
				st.LeaseID = l.Id
				if state == markettypes.LeaseActive {
					return e.leased(st, h)
				}
				if err := e.save(st); err != nil {
					return err
				}
				return e.start(ctx, st, h)
			}
		}
		return e.lost(st, fmt.Sprintf("lost (order %s, clearing price %s)", o.State, o.ClearingPrice))

	case PhaseLeased:
		l, _, err := e.chain.LeaseAndOrder(ctx, st.LeaseID)
		if err != nil {
			return err
		}
		if l.State == markettypes.LeaseClosed {
			return e.finish(st, "lease closed: "+l.CloseReason.String())
		}
		return e.withdraw(ctx, st, h)
	}
	return nil
}

// start sends MsgStartLease for the lease the bid won. A refusal because the lease is no longer
// pending is settled by reading it: the worker started it before a crash, or it was closed.
func (e *Engine) start(ctx context.Context, st *OrderState, h int64) error {
	_, err := e.chain.Broadcast(ctx, &markettypes.MsgStartLease{Provider: e.self, LeaseId: st.LeaseID})
	if errors.Is(err, markettypes.ErrLeaseNotPending) || errors.Is(err, markettypes.ErrStartDeadlinePassed) {
		l, _, qerr := e.chain.LeaseAndOrder(ctx, st.LeaseID)
		switch {
		case qerr != nil:
			return qerr
		case l.State == markettypes.LeaseActive:
			return e.leased(st, h)
		case l.State == markettypes.LeaseClosed:
			return e.finish(st, "lease closed before it started: "+l.CloseReason.String())
		}
	}
	if err != nil {
		return err
	}
	return e.leased(st, h)
}

// leased records that the bid won and its lease runs.
func (e *Engine) leased(st *OrderState, h int64) error {
	if e.obs != nil {
		e.obs.BidWon()
	}
	st.Phase, st.LastWithdraw = PhaseLeased, h
	e.log.Info("auction won; lease started", "order", st.OrderID, "lease", st.LeaseID)
	return e.save(st)
}

// lost ends the state machine of a bid that won no lease.
func (e *Engine) lost(st *OrderState, outcome string) error {
	if e.obs != nil {
		e.obs.BidLost()
	}
	return e.finish(st, outcome)
}

// withdraw sends MsgWithdrawLease every WithdrawEvery blocks. A lease found not active is read: if it
// is closed, the state machine is done.
func (e *Engine) withdraw(ctx context.Context, st *OrderState, h int64) error {
	if h-st.LastWithdraw < e.policy.WithdrawEvery {
		return nil
	}
	res, err := e.chain.Broadcast(ctx, &markettypes.MsgWithdrawLease{Provider: e.self, LeaseId: st.LeaseID})
	if errors.Is(err, markettypes.ErrLeaseNotActive) {
		l, _, qerr := e.chain.LeaseAndOrder(ctx, st.LeaseID)
		if qerr != nil {
			return qerr
		}
		if l.State == markettypes.LeaseClosed {
			return e.finish(st, "lease closed: "+l.CloseReason.String())
		}
		return nil
	}
	if err != nil {
		return err
	}
	st.LastWithdraw = h
	if e.obs != nil {
		var out markettypes.MsgWithdrawLeaseResponse
		if chain.MsgResponse(res, &out) != nil {
			out.Amount = sdk.NewInt64Coin(st.Price.Denom, 0)
		}
		e.obs.Withdrawn(out.Amount)
	}
	return e.save(st)
}

// finish ends a state machine and frees its capacity.
func (e *Engine) finish(st *OrderState, outcome string) error {
	st.Phase, st.Outcome = PhaseDone, outcome
	e.log.Info("order done", "order", st.OrderID, "outcome", outcome)
	return e.save(st)
}
