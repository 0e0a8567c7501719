// Package auditortest is an in-memory stand-in for the chain side of proof of audit, for tests of the
// committee duty (offchain/auditor) and of the requester (offchain/customer): a Ledger holds the
// verifier pool, the audits and their votes, applies MsgJoinVerifierPool, MsgRequestAudit,
// MsgCommitAuditVote and MsgRevealAuditVote under x/quorum's rules (a message broadcast while the
// ledger is at height h lands at h+1; commits at heights in (request, commit deadline], reveals in
// (commit deadline, reveal deadline]), and decides each audit at the end of its reveal deadline's
// block. Blocks are made by the test (Block), and delivered to every subscriber in turn, each
// subscription starting with a resync as the chain client's hub does.
package auditortest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	"google.golang.org/grpc/codes"

	errorsmod "cosmossdk.io/errors"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Ledger is the chain as the tests see it.
type Ledger struct {
	ChainID string
	// CommitBlocks and RevealBlocks are the audit phases' lengths; CommitteeSize the members drawn
	// (every verifier, in address order, when there are fewer).
	CommitBlocks, RevealBlocks int64
	CommitteeSize              int
	// Bond is what a failed audit slashes from the audited provider; the requester gets it all here.
	Bond sdk.Coin

	mu        sync.Mutex
	height    int64
	audits    map[uint64]*quorumtypes.Audit
	verifiers map[string]quorumtypes.Verifier
	leases    map[uint64]markettypes.Lease
	orders    map[uint64]markettypes.Order
	queued    []proto.Message
	subs      []*sub
	sent      []Sent
	fail      map[string][]Failure // per signer: what the next broadcasts return
	queries   int
}

// Sent is a message the ledger accepted, with the height it landed at.
type Sent struct {
	From   string
	Msg    sdk.Msg
	Height int64
}

// Failure is an error a broadcast returns; Applied says whether the message took effect all the same
// (a transaction included whose confirmation was lost).
type Failure struct {
	Err     error
	Applied bool
}

func (f Failure) Error() string { return f.Err.Error() }

type sub struct {
	ctx    context.Context
	filter chain.Filter
	ch     chan chain.Event
	fresh  bool // its first event, a resync, is not delivered yet
}

// NewLedger starts a ledger at height start with phases of commit and reveal blocks and committees of
// size (at most) committee.
func NewLedger(start, commit, reveal int64, committee int) *Ledger {
	return &Ledger{ChainID: "fog-test", CommitBlocks: commit, RevealBlocks: reveal, CommitteeSize: committee,
		Bond: sdk.NewInt64Coin("ufog", 1000), height: start,
		audits: map[uint64]*quorumtypes.Audit{}, verifiers: map[string]quorumtypes.Verifier{},
		leases: map[uint64]markettypes.Lease{}, orders: map[uint64]markettypes.Order{}, fail: map[string][]Failure{}}
}

// Account is the ledger as one key sees it: it implements auditor.Chain and customer.AuditChain.
func (l *Ledger) Account(addr sdk.AccAddress) *Account { return &Account{l: l, addr: addr} }

// Height is the last block made.
func (l *Ledger) Height() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.height
}

// AddVerifier puts addr into the pool.
func (l *Ledger) AddVerifier(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.verifiers[addr] = quorumtypes.Verifier{Address: addr, Deposit: sdk.NewInt64Coin("ufog", 100), JoinedHeight: l.height}
}

// AddLease records a lease and its order.
func (l *Ledger) AddLease(lease markettypes.Lease, order markettypes.Order) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.leases[lease.Id], l.orders[order.Id] = lease, order
}

// PutAudit stores an audit as the chain holds it (drawn before the test's subscribers followed).
func (l *Ledger) PutAudit(a quorumtypes.Audit) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.audits[a.Id] = &a
}

// Audit is a copy of an audit.
func (l *Ledger) Audit(id uint64) (quorumtypes.Audit, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	a, ok := l.audits[id]
	if !ok {
		return quorumtypes.Audit{}, false
	}
	return *a, true
}

// FailNext makes the next broadcast of from return f.
func (l *Ledger) FailNext(from string, f Failure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail[from] = append(l.fail[from], f)
}

// Sent lists the messages the ledger accepted.
func (l *Ledger) Sent() []Sent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.sent)
}

// SentOf lists the accepted messages of one type, by from.
func SentOf[M sdk.Msg](l *Ledger) []M {
	var out []M
	for _, s := range l.Sent() {
		if m, ok := s.Msg.(M); ok {
			out = append(out, m)
		}
	}
	return out
}

// Subscribers is the number of live subscriptions.
func (l *Ledger) Subscribers() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.subs {
		if s.ctx.Err() == nil {
			n++
		}
	}
	return n
}

// Block makes the next block: the events of the messages broadcast since the last one, then the
// decisions of the audits whose reveal deadline it is, and delivers it to every subscriber (each has
// received it when Block returns, so each has finished with the blocks before).
func (l *Ledger) Block(extra ...proto.Message) int64 {
	l.mu.Lock()
	l.height++
	h := l.height
	events := append(l.queued, extra...)
	l.queued = nil
	ids := make([]uint64, 0, len(l.audits))
	for id := range l.audits {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if a := l.audits[id]; a.State == quorumtypes.AuditOpen && a.RevealDeadline == h {
			events = append(events, l.decide(a, h))
		}
	}
	l.mu.Unlock()
	l.deliver(chain.Event{Height: h, Events: events})
	return h
}

// Settle delivers the current height again with no event: once it returns, every subscriber has
// finished with the last block.
func (l *Ledger) Settle() { l.deliver(chain.Event{Height: l.Height()}) }

// Resync delivers a resync at the current height.
func (l *Ledger) Resync() { l.deliver(chain.Event{Height: l.Height(), Resync: true}) }

func (l *Ledger) deliver(ev chain.Event) {
	l.mu.Lock()
	l.subs = slices.DeleteFunc(l.subs, func(s *sub) bool { return s.ctx.Err() != nil })
	subs := slices.Clone(l.subs)
	l.mu.Unlock()
	for _, s := range subs {
		if s.fresh {
			s.fresh = false
			if !s.send(chain.Event{Height: ev.Height, Resync: true}) || ev.Resync {
				continue
			}
		}
		var selected []proto.Message
		for _, m := range ev.Events {
			if s.filter != nil && s.filter(m) {
				selected = append(selected, m)
			}
		}
		s.send(chain.Event{Height: ev.Height, Resync: ev.Resync, Events: selected})
	}
}

func (s *sub) send(ev chain.Event) bool {
	select {
	case s.ch <- ev:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// decide tallies a's revealed votes at the end of block h (under l.mu).
func (l *Ledger) decide(a *quorumtypes.Audit, h int64) proto.Message {
	counts := map[string]int{}
	for _, v := range a.Committee {
		if len(v.OutputHash) > 0 {
			counts[string(v.OutputHash)]++
		}
	}
	var majority []byte
	for out, n := range counts {
		if 2*n > len(a.Committee) {
			majority = []byte(out)
		}
	}
	a.MajorityOutputHash, a.DecidedHeight = majority, h
	zero := sdk.NewInt64Coin(l.Bond.Denom, 0)
	a.BondSlashed, a.ToRequester = zero, zero
	switch {
	case majority == nil:
		a.State, a.ToRequester = quorumtypes.AuditInconclusive, a.Fee
	case bytes.Equal(majority, a.ReceiptOutputHash):
		a.State = quorumtypes.AuditPassed
	default:
		a.State, a.BondSlashed, a.ToRequester = quorumtypes.AuditFailed, l.Bond, l.Bond
	}
	var slashed []string
	for i := range a.Committee {
		v := &a.Committee[i]
		v.WithMajority = majority != nil && bytes.Equal(v.OutputHash, majority)
		v.Slashed, v.Paid = zero, zero
		if len(v.OutputHash) == 0 || (majority != nil && !v.WithMajority) {
			v.Slashed = sdk.NewInt64Coin(l.Bond.Denom, 100)
			slashed = append(slashed, v.Auditor)
		}
	}
	return &quorumtypes.EventAuditDecided{AuditId: a.Id, LeaseId: a.LeaseId, Provider: a.Provider, State: a.State,
		MajorityOutputHash: majority, BondSlashed: a.BondSlashed, ToRequester: a.ToRequester, SlashedAuditors: slashed}
}

// Account is one key's view of the ledger.
type Account struct {
	l    *Ledger
	addr sdk.AccAddress
}

func (a *Account) Address() sdk.AccAddress { return a.addr }
func (a *Account) ChainID() string         { return a.l.ChainID }

// Subscribe follows the ledger's blocks; the first event delivered is a resync.
func (a *Account) Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event {
	s := &sub{ctx: ctx, filter: filter, ch: make(chan chain.Event), fresh: true}
	a.l.mu.Lock()
	a.l.subs = append(a.l.subs, s)
	a.l.mu.Unlock()
	return s.ch
}

func (a *Account) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	a.l.queries++
	l, ok := a.l.leases[id]
	if !ok {
		return l, markettypes.Order{}, fmt.Errorf("lease %d not found", id)
	}
	return l, a.l.orders[l.OrderId], nil
}

func (a *Account) Audit(_ context.Context, id uint64) (quorumtypes.Audit, error) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	a.l.queries++
	au, ok := a.l.audits[id]
	if !ok {
		return quorumtypes.Audit{}, &chain.QueryError{Code: codes.NotFound, Message: fmt.Sprintf("audit %d not found", id)}
	}
	return *au, nil
}

func (a *Account) Verifiers(context.Context) ([]quorumtypes.Verifier, error) {
	a.l.mu.Lock()
	defer a.l.mu.Unlock()
	out := make([]quorumtypes.Verifier, 0, len(a.l.verifiers))
	for _, v := range a.l.verifiers {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Address < out[j].Address })
	return out, nil
}

func (a *Account) RecentAudits(_ context.Context, visit func(quorumtypes.Audit) bool) error {
	a.l.mu.Lock()
	ids := make([]uint64, 0, len(a.l.audits))
	for id := range a.l.audits {
		ids = append(ids, id)
	}
	audits := make([]quorumtypes.Audit, 0, len(ids))
	slices.Sort(ids)
	slices.Reverse(ids)
	for _, id := range ids {
		audits = append(audits, *a.l.audits[id])
	}
	a.l.mu.Unlock()
	for _, au := range audits {
		if !visit(au) {
			return nil
		}
	}
	return nil
}

// Broadcast applies msgs as the block after the current height would, and returns at once.
func (a *Account) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	l := a.l
	l.mu.Lock()
	defer l.mu.Unlock()
	from := a.addr.String()
	var failure *Failure
	if fs := l.fail[from]; len(fs) > 0 {
		f := fs[0]
		l.fail[from] = fs[1:]
		if !f.Applied {
			return nil, f.Err
		}
		failure = &f
	}
	at := l.height + 1
	var resp proto.Message
	for _, m := range msgs {
		r, err := l.apply(from, m, at)
		if err != nil {
			return nil, err
		}
		resp = r
		l.sent = append(l.sent, Sent{From: from, Msg: m, Height: at})
	}
	if failure != nil {
		return nil, failure.Err
	}
	res := &ctypes.ResultTx{Height: at}
	if resp != nil {
		any, err := codectypes.NewAnyWithValue(resp)
		if err != nil {
			return nil, err
		}
		bz, err := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{any}}).Marshal()
		if err != nil {
			return nil, err
		}
		res.TxResult = abci.ExecTxResult{Data: bz}
	}
	return res, nil
}

func (l *Ledger) apply(from string, m sdk.Msg, at int64) (proto.Message, error) {
	switch m := m.(type) {
	case *quorumtypes.MsgJoinVerifierPool:
		if _, ok := l.verifiers[m.Provider]; ok {
			return nil, errorsmod.Wrap(quorumtypes.ErrVerifierExists, m.Provider)
		}
		l.verifiers[m.Provider] = quorumtypes.Verifier{Address: m.Provider, Deposit: sdk.NewInt64Coin("ufog", 100), JoinedHeight: at}
		return &quorumtypes.MsgJoinVerifierPoolResponse{}, nil
	case *quorumtypes.MsgRequestAudit:
		return l.request(m, at)
	case *quorumtypes.MsgCommitAuditVote:
		a, v, err := l.vote(m.AuditId, m.Auditor)
		switch {
		case err != nil:
			return nil, err
		case at <= a.RequestHeight || at > a.CommitDeadline:
			return nil, errorsmod.Wrapf(quorumtypes.ErrWrongPhase, "commit at %d, commit phase (%d, %d]", at, a.RequestHeight, a.CommitDeadline)
		case len(v.Commitment) > 0:
			return nil, errorsmod.Wrap(quorumtypes.ErrAlreadyVoted, "committed")
		}
		v.Commitment = m.Commitment
		l.queued = append(l.queued, &quorumtypes.EventAuditVoteCommitted{AuditId: a.Id, Auditor: m.Auditor})
		return &quorumtypes.MsgCommitAuditVoteResponse{}, nil
	case *quorumtypes.MsgRevealAuditVote:
		a, v, err := l.vote(m.AuditId, m.Auditor)
		switch {
		case err != nil:
			return nil, err
		case at <= a.CommitDeadline || at > a.RevealDeadline:
			return nil, errorsmod.Wrapf(quorumtypes.ErrWrongPhase, "reveal at %d, reveal phase (%d, %d]", at, a.CommitDeadline, a.RevealDeadline)
		case len(v.OutputHash) > 0:
			return nil, errorsmod.Wrap(quorumtypes.ErrAlreadyVoted, "revealed")
		}
		auditor, err := sdk.AccAddressFromBech32(m.Auditor)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(quorumtypes.AuditCommitment(a.Id, auditor, m.OutputHash, m.Salt), v.Commitment) {
			return nil, quorumtypes.ErrBadReveal
		}
		v.OutputHash = m.OutputHash
		l.queued = append(l.queued, &quorumtypes.EventAuditVoteRevealed{AuditId: a.Id, Auditor: m.Auditor, OutputHash: m.OutputHash})
		return &quorumtypes.MsgRevealAuditVoteResponse{}, nil
	}
	return nil, fmt.Errorf("auditortest: %T not handled", m)
}

func (l *Ledger) vote(id uint64, auditor string) (*quorumtypes.Audit, *quorumtypes.AuditVote, error) {
	a, ok := l.audits[id]
	if !ok || a.State != quorumtypes.AuditOpen {
		return nil, nil, errorsmod.Wrapf(quorumtypes.ErrAuditNotFound, "%d", id)
	}
	i := a.Member(auditor)
	if i < 0 {
		return nil, nil, errorsmod.Wrap(quorumtypes.ErrNotOnCommittee, auditor)
	}
	return a, &a.Committee[i], nil
}

// request checks what the ledger can of a request (the receipt names a lease it holds, its provider,
// an anchored batch) and draws the committee.
func (l *Ledger) request(m *quorumtypes.MsgRequestAudit, at int64) (proto.Message, error) {
	r := m.Receipt.Receipt
	switch {
	case r == nil:
		return nil, errorsmod.Wrap(quorumtypes.ErrInvalidReceipt, "no receipt")
	case m.BatchId == 0:
		return nil, errorsmod.Wrap(quorumtypes.ErrInvalidReceipt, "not anchored")
	case m.DataPeerId == "" || len(m.DataMultiaddrs) == 0:
		return nil, errorsmod.Wrap(quorumtypes.ErrInvalidRequest, "no data peer")
	}
	lease, ok := l.leases[r.LeaseId]
	if !ok || lease.Provider != r.Provider {
		return nil, errorsmod.Wrapf(quorumtypes.ErrLeaseNotAuditable, "lease %d", r.LeaseId)
	}
	for _, a := range l.audits {
		if a.State == quorumtypes.AuditOpen && a.LeaseId == r.LeaseId && a.TaskSeq == r.TaskSeq {
			return nil, quorumtypes.ErrAuditOpen
		}
	}
	var pool []string
	for addr := range l.verifiers {
		if addr != r.Provider && addr != m.Requester {
			pool = append(pool, addr)
		}
	}
	sort.Strings(pool)
	if len(pool) > l.CommitteeSize {
		pool = pool[:l.CommitteeSize]
	}
	if len(pool) == 0 {
		return nil, quorumtypes.ErrTooFewVerifiers
	}
	a := &quorumtypes.Audit{Id: uint64(len(l.audits) + 1), Requester: m.Requester, LeaseId: r.LeaseId, OrderId: lease.OrderId,
		Provider: r.Provider, TaskSeq: r.TaskSeq, ModuleHash: r.ModuleHash, InputHash: r.InputHash,
		ReceiptOutputHash: r.OutputHash, DataPeerId: m.DataPeerId, DataMultiaddrs: m.DataMultiaddrs,
		Fee: sdk.NewInt64Coin("ufog", 10), RequestHeight: at, CommitDeadline: at + l.CommitBlocks,
		RevealDeadline: at + l.CommitBlocks + l.RevealBlocks, State: quorumtypes.AuditOpen}
	for _, p := range pool {
		a.Committee = append(a.Committee, quorumtypes.AuditVote{Auditor: p})
	}
	l.audits[a.Id] = a
	l.queued = append(l.queued, &quorumtypes.EventAuditRequested{AuditId: a.Id, LeaseId: a.LeaseId, TaskSeq: a.TaskSeq,
		Provider: a.Provider, Requester: a.Requester, Committee: pool, ModuleHash: a.ModuleHash, InputHash: a.InputHash,
		DataPeerId: a.DataPeerId, DataMultiaddrs: a.DataMultiaddrs, CommitDeadline: a.CommitDeadline, RevealDeadline: a.RevealDeadline})
	return &quorumtypes.MsgRequestAuditResponse{AuditId: a.Id, Committee: pool, CommitDeadline: a.CommitDeadline, RevealDeadline: a.RevealDeadline}, nil
}

// Drive makes blocks until done is closed. While an open audit waits for votes its committee may
// still cast in its current phase (commits before its commit deadline, reveals of those committed
// before its reveal deadline), it makes no block: the members run the audited task between blocks,
// not within one, and however slow the machine, no vote misses its phase for want of time. With a
// positive patience it waits at most that long per height (for tests of members that never vote).
func (l *Ledger) Drive(done <-chan struct{}, patience time.Duration) {
	since := time.Now()
	for {
		select {
		case <-done:
			return
		default:
		}
		if l.waitingForVotes() && (patience <= 0 || time.Since(since) < patience) {
			time.Sleep(2 * time.Millisecond)
			continue
		}
		l.Block()
		since = time.Now()
		time.Sleep(time.Millisecond)
	}
}

func (l *Ledger) waitingForVotes() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	at := l.height + 1
	for _, a := range l.audits {
		if a.State != quorumtypes.AuditOpen || a.RequestHeight > l.height {
			continue // decided, or its block (which draws the committee) is not made yet
		}
		for _, v := range a.Committee {
			if at <= a.CommitDeadline && len(v.Commitment) == 0 {
				return true
			}
			if at > a.CommitDeadline && at <= a.RevealDeadline && len(v.Commitment) > 0 && len(v.OutputHash) == 0 {
				return true
			}
		}
	}
	return false
}
