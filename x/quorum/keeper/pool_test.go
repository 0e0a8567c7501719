package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	prooftypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

func (e *venv) quorumModuleBalance() int64 {
	return e.Bank.GetBalance(e.Ctx, authtypes.NewModuleAddress(types.ModuleName), fixture.Denom).Amount.Int64()
}

// A registered provider joins the pool by locking the verifier deposit and leaves with all of it
// back; the module holds exactly the deposits of the pool.
func TestJoinAndLeaveTheVerifierPool(t *testing.T) {
	e := newVenv(t)
	deposit := e.p.VerifierDeposit.Amount.Int64()
	a, b := e.NewProvider(t), e.NewProvider(t)
	balA := e.Balance(a).Int64()
	freshEvents(e.Fixture)
	e.join(t, a)
	e.join(t, b)
	require.Equal(t, balA-deposit, e.Balance(a).Int64(), "the deposit is locked")
	require.Equal(t, 2*deposit, e.quorumModuleBalance())
	v, ok := e.verifier(t, a.String())
	require.True(t, ok)
	require.Equal(t, types.Verifier{Address: a.String(), Deposit: e.p.VerifierDeposit, JoinedHeight: e.Height()}, v)
	joined := eventsOf[*types.EventVerifierJoined](t, e.Fixture)
	require.Len(t, joined, 2)
	require.Equal(t, types.EventVerifierJoined{Verifier: a.String(), Deposit: e.p.VerifierDeposit}, *joined[0])
	e.CheckInvariants(t)

	res, err := e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: a.String()})
	require.NoError(t, err)
	require.Equal(t, e.p.VerifierDeposit, res.Refunded)
	require.Equal(t, balA, e.Balance(a).Int64(), "the whole deposit comes back")
	_, ok = e.verifier(t, a.String())
	require.False(t, ok)
	require.Equal(t, deposit, e.quorumModuleBalance())
	left := eventsOf[*types.EventVerifierLeft](t, e.Fixture)
	require.Len(t, left, 1)
	require.Equal(t, types.EventVerifierLeft{Verifier: a.String(), Refunded: e.p.VerifierDeposit, Reason: "left"}, *left[0])
	e.CheckInvariants(t)

	// a deposit changed by governance applies to those who join after; the others keep theirs
	e.setParams(t, func(p *types.Params) { p.VerifierDeposit = ufog(3_000_000) })
	e.join(t, a)
	va, _ := e.verifier(t, a.String())
	vb, _ := e.verifier(t, b.String())
	require.Equal(t, "3000000ufog", va.Deposit.String())
	require.Equal(t, "1000000ufog", vb.Deposit.String())
	e.CheckInvariants(t)
	res, err = e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: b.String()})
	require.NoError(t, err)
	require.Equal(t, "1000000ufog", res.Refunded.String(), "a verifier gets back what it locked")
	e.CheckInvariants(t)
}

// Bad joins and leaves are rejected with their typed error, and change nothing.
func TestVerifierPoolRejects(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(t *testing.T, e *venv) func() error
		want    error
	}{
		{"join by an account that is not a provider", func(t *testing.T, e *venv) func() error {
			a := e.NewAccount(t, 100_000_000)
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrNotProvider},
		{"join twice", func(t *testing.T, e *venv) func() error {
			a := e.verifiers(t, 1)[0]
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrVerifierExists},
		{"join twice, spelled in upper case", func(t *testing.T, e *venv) func() error {
			a := e.verifiers(t, 1)[0]
			upper, _, _ := spellingsOf(t, a)
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: upper})
				return err
			}
		}, types.ErrVerifierExists},
		{"join a full pool", func(t *testing.T, e *venv) func() error {
			e.verifiers(t, 3)
			e.setParams(t, func(p *types.Params) { p.MaxVerifiers = 3 })
			a := e.NewProvider(t)
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrPoolFull},
		{"join without the deposit", func(t *testing.T, e *venv) func() error {
			// the provider bond leaves 999,999 spendable, one short of the deposit
			a := e.NewAccount(t, e.Params.ProviderBond.Amount.Int64()+e.p.VerifierDeposit.Amount.Int64()-1)
			_, err := e.Msg.RegisterProvider(e.Ctx, fixture.RegisterMsg(a))
			require.NoError(t, err)
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrInsufficientFunds},
		{"join with an address of another chain", func(t *testing.T, e *venv) func() error {
			_, _, foreign := spellingsOf(t, e.NewProvider(t))
			return func() error {
				_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: foreign})
				return err
			}
		}, types.ErrInvalidAddress},
		{"leave a pool never joined", func(t *testing.T, e *venv) func() error {
			a := e.NewProvider(t)
			return func() error {
				_, err := e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrVerifierNotFound},
		{"leave twice", func(t *testing.T, e *venv) func() error {
			a := e.verifiers(t, 1)[0]
			_, err := e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: a.String()})
			require.NoError(t, err)
			return func() error {
				_, err := e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: a.String()})
				return err
			}
		}, types.ErrVerifierNotFound},
		{"leave with an empty address", func(t *testing.T, e *venv) func() error {
			return func() error {
				_, err := e.msg.LeaveVerifierPool(e.Ctx, &types.MsgLeaveVerifierPool{Provider: ""})
				return err
			}
		}, types.ErrInvalidAddress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newVenv(t)
			call := c.prepare(t, e)
			e.requireRejected(t, c.want, call)
		})
	}
}

// A committee member cannot leave until its audit is decided, nor an observer until its watch ends;
// then each leaves with its deposit.
func TestVerifierWithOpenDutiesCannotLeave(t *testing.T) {
	a := newAenv(t, 7)
	res := a.request(t, 1)
	for _, m := range res.Committee {
		require.EqualValues(t, 1, a.duties(t, m))
	}
	w := a.watch(t, a.l, a.requester, 1)
	busy := map[string]bool{}
	for _, m := range res.Committee {
		busy[m] = true
	}
	for _, o := range w.Observers {
		busy[o.Address] = true
	}
	for m := range busy {
		a.requireRejected(t, types.ErrOpenDuties, func() error {
			_, err := a.msg.LeaveVerifierPool(a.Ctx, &types.MsgLeaveVerifierPool{Provider: m})
			return err
		})
	}
	a.CheckInvariants(t)
	a.vote(t, res.AuditId, []vote{voted(receiptHash(1)), voted(receiptHash(1)), voted(receiptHash(1))})
	a.reportWindow(t, a.l.Id, 0, reps(&good, &good, &good, &good))
	require.True(t, a.watchOf(t, a.l.Id).Ended)
	a.CheckInvariants(t)
	for m := range busy {
		require.Zero(t, a.duties(t, m))
		res, err := a.msg.LeaveVerifierPool(a.Ctx, &types.MsgLeaveVerifierPool{Provider: m})
		require.NoError(t, err)
		require.Equal(t, a.p.VerifierDeposit, res.Refunded)
	}
	a.CheckInvariants(t)
}

func seedOf(i int) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	s := sha256.Sum256(b[:])
	return s[:]
}

func addrSet(as ...sdk.AccAddress) map[string]bool {
	out := map[string]bool{}
	for _, a := range as {
		out[a.String()] = true
	}
	return out
}

// A draw depends only on the pool and the seed: the same block hash draws the same committee, in
// every copy of the state; other block hashes draw others.
func TestDrawIsDeterministicForTheBlockHash(t *testing.T) {
	a := newAenv(t, 9)
	draw := func(e *venv, hash []byte) []string {
		g := e.fork()
		g.Ctx = g.Ctx.WithHeaderHash(hash)
		res, err := g.msg.RequestAudit(g.Ctx, a.auditMsg(1))
		require.NoError(t, err)
		require.Len(t, res.Committee, 3)
		return res.Committee
	}
	first := draw(a.venv, hash32(1))
	require.Equal(t, first, draw(a.venv, hash32(1)), "the same block hash draws the same committee")
	// a copy of the state at another height and time, with the same block hash, draws the same
	later := a.fork()
	later.AdvanceTo(t, later.Height()+5)
	require.Equal(t, first, draw(later, hash32(1)))
	others := 0
	for b := byte(2); b < 12; b++ {
		if !slicesEqual(first, draw(a.venv, hash32(b))) {
			others++
		}
	}
	require.Positive(t, others, "ten other block hashes all drew the same committee")

	// the draw itself: same seed, same verifiers in the same order
	x, err := a.Quorum.DrawVerifiers(a.Ctx, seedOf(7), 3, 16, nil)
	require.NoError(t, err)
	y, err := a.Quorum.DrawVerifiers(a.Ctx, seedOf(7), 3, 16, nil)
	require.NoError(t, err)
	require.Equal(t, x, y)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// silverParties is a silver order (2 replicas) of an owner that is a provider, with three bids: two
// members and one standby, all in the verifier pool with the owner, a requester that is a provider
// in the pool too, and four other verifiers (extras).
type silverParties struct {
	*venv
	order     markettypes.Order
	owner     sdk.AccAddress
	bidders   []sdk.AccAddress
	requester sdk.AccAddress
	extras    []sdk.AccAddress
	l         tlease // the first member's lease, started
}

func newSilverParties(t *testing.T) *silverParties {
	t.Helper()
	s := &silverParties{venv: newVenv(t)}
	e := s.venv
	s.owner = e.NewProvider(t)
	msg := fixture.OrderMsg(s.owner)
	msg.Tier = markettypes.TierSilver
	o := e.CreateOrder(t, msg)
	var sealed []fixture.SealedBid
	for _, price := range []int64{4, 5, 5} {
		p := e.NewProvider(t)
		e.useOwnWorkerKey(t, p)
		s.bidders = append(s.bidders, p)
		sealed = append(sealed, e.Commit(t, o.Id, p, price))
	}
	e.AdvanceTo(t, o.CommitDeadline+1)
	for _, sb := range sealed {
		e.Reveal(t, o.Id, sb)
	}
	e.AdvanceTo(t, o.RevealDeadline+1)
	s.order = e.Order(t, o.Id)
	require.Equal(t, markettypes.OrderMatched, s.order.State)
	q, err := e.Quorum.Quorums.Get(e.Ctx, o.Id)
	require.NoError(t, err)
	require.Len(t, q.Members, 2)
	require.Len(t, q.Standbys, 1, "the third bid is held as a standby")
	leases := e.LeasesOf(t, o.Id)
	_, err = e.Msg.StartLease(e.Ctx, &markettypes.MsgStartLease{Provider: leases[0].Provider, LeaseId: leases[0].Id})
	require.NoError(t, err)
	s.l = tlease{Lease: e.Lease(t, leases[0].Id), owner: s.owner, provider: sdk.MustAccAddressFromBech32(leases[0].Provider)}
	s.requester = e.NewProvider(t)
	for _, a := range append([]sdk.AccAddress{s.owner, s.requester}, s.bidders...) {
		e.join(t, a)
	}
	s.extras = e.verifiers(t, 4)
	return s
}

// Nobody party to the lease verifies it: not its provider, its owner, the requester or payer, nor
// any member or standby of its order's quorum. With three parties' worth of the pool excluded, the
// draws fall on the other verifiers only, whatever the block hash; without enough of them there is
// no draw.
func TestDrawExcludesThePartiesOfTheLease(t *testing.T) {
	s := newSilverParties(t)
	sr := receiptOf(t, s.l, 1, receiptHash(1))
	batch, proofs := s.anchor(t, s.l.Provider, s.l.Id, prooftypes.BatchKindExecution, sr)
	extras := addrSet(s.extras...)
	for b := byte(0); b < 8; b++ {
		g := s.fork()
		g.Ctx = g.Ctx.WithHeaderHash(hash32(b))
		res, err := g.msg.RequestAudit(g.Ctx, auditMsg(s.requester, sr, batch, proofs[0]))
		require.NoError(t, err)
		for _, m := range res.Committee {
			require.True(t, extras[m], "block hash %d: %s drawn, a party to the lease", b, m)
		}
		w, err := g.msg.WatchLease(g.Ctx, &types.MsgWatchLease{Payer: s.requester.String(), LeaseId: s.l.Id, Windows: 1})
		require.NoError(t, err)
		require.ElementsMatch(t, []string{s.extras[0].String(), s.extras[1].String(), s.extras[2].String(), s.extras[3].String()}, w.Observers)
	}
	// one extra fewer: three are enough for a committee, not for four observers
	_, err := s.msg.LeaveVerifierPool(s.Ctx, &types.MsgLeaveVerifierPool{Provider: s.extras[3].String()})
	require.NoError(t, err)
	s.requireRejected(t, types.ErrTooFewVerifiers, func() error {
		_, err := s.msg.WatchLease(s.Ctx, &types.MsgWatchLease{Payer: s.requester.String(), LeaseId: s.l.Id, Windows: 1})
		return err
	})
	res, err := s.msg.RequestAudit(s.Ctx, auditMsg(s.requester, sr, batch, proofs[0]))
	require.NoError(t, err)
	require.ElementsMatch(t, []string{s.extras[0].String(), s.extras[1].String(), s.extras[2].String()}, res.Committee)
	s.CheckInvariants(t)
	// every extra is now busy with the one audit (max_open_duties 1): the next audit has no committee
	s.setParams(t, func(p *types.Params) { p.MaxOpenDuties = 1 })
	sr2 := receiptOf(t, s.l, 2, receiptHash(2))
	batch2, proofs2 := s.anchor(t, s.l.Provider, s.l.Id, prooftypes.BatchKindExecution, sr2)
	s.requireRejected(t, types.ErrTooFewVerifiers, func() error {
		_, err := s.msg.RequestAudit(s.Ctx, auditMsg(s.requester, sr2, batch2, proofs2[0]))
		return err
	})
}

// A verifier serving max_open_duties audits and watches is not drawn until one is decided.
func TestDrawRespectsMaxOpenDuties(t *testing.T) {
	a := newAenv(t, 4)
	a.setParams(t, func(p *types.Params) { p.MaxOpenDuties = 1 })
	first := a.request(t, 1)
	a.requireRejected(t, types.ErrTooFewVerifiers, func() error {
		_, err := a.msg.RequestAudit(a.Ctx, a.auditMsg(2))
		return err
	}, "1 eligible verifiers")
	a.setParams(t, func(p *types.Params) { p.MaxOpenDuties = 2 })
	second := a.request(t, 2)
	require.Len(t, second.Committee, 3)
	a.CheckInvariants(t)
	// at 2 duties, the three busy twice are out: the fourth alone is eligible
	busy := map[string]uint32{}
	for _, m := range append(append([]string{}, first.Committee...), second.Committee...) {
		busy[m]++
	}
	eligible := 0
	for _, v := range a.pool {
		if busy[v.String()] < 2 {
			eligible++
		}
	}
	_, err := a.Quorum.DrawVerifiers(a.Ctx, seedOf(1), eligible+1, 2, nil)
	require.ErrorIs(t, err, types.ErrTooFewVerifiers)
	drawn, err := a.Quorum.DrawVerifiers(a.Ctx, seedOf(1), eligible, 2, nil)
	require.NoError(t, err)
	for _, v := range drawn {
		require.Less(t, busy[v.Address], uint32(2), "%s serves max_open_duties", v.Address)
	}
}

// Draws are weighted by the reputation lower bound: a verifier with a long record of completed
// leases is drawn far more often than new ones, and equal verifiers about equally.
func TestDrawWeightsFollowReputation(t *testing.T) {
	e := newVenv(t)
	pool := e.verifiers(t, 5)
	count := func() map[string]int {
		n := map[string]int{}
		for i := 0; i < 300; i++ {
			vs, err := e.Quorum.DrawVerifiers(e.Ctx, seedOf(i), 1, 16, nil)
			require.NoError(t, err)
			n[vs[0].Address]++
		}
		return n
	}
	equal := count()
	for _, v := range pool {
		// 60 expected of 300; the bounds are 4.5 standard deviations away
		require.InDelta(t, 60, equal[v.String()], 30, "%s drawn %d times of 300 among equals", v, equal[v.String()])
	}
	star := pool[2]
	for i := 0; i < 3; i++ {
		require.NoError(t, e.Reputation.RecordOutcome(e.Ctx, star, reputationtypes.OutcomeLeaseCompleted, math.LegacyNewDec(1000)))
	}
	lb, err := e.Reputation.LowerBound(e.Ctx, star)
	require.NoError(t, err)
	require.True(t, lb.GT(math.LegacyMustNewDecFromStr("0.99")), "lower bound %s", lb)
	weighted := count()
	// weights about 999,000 against 25,000 each: the star wins about 91 % of the draws
	require.Greater(t, weighted[star.String()], 240, "the high-reputation verifier drawn %d times of 300", weighted[star.String()])
	for _, v := range pool {
		if !v.Equals(star) {
			require.Less(t, weighted[v.String()], 30)
		}
	}
	// and it is on nearly every committee of three
	on := 0
	for i := 0; i < 100; i++ {
		vs, err := e.Quorum.DrawVerifiers(e.Ctx, seedOf(i), 3, 16, nil)
		require.NoError(t, err)
		for _, v := range vs {
			if v.Address == star.String() {
				on++
			}
		}
	}
	require.GreaterOrEqual(t, on, 98)
}

// A verifier slashed out of the pool for one audit may join again while it is still on another
// audit's committee: its new membership counts only the duties drawn since it joined, cannot be
// slashed for the older one, and the invariants hold throughout.
func TestASlashedVerifierThatJoinsAgain(t *testing.T) {
	a := newAenv(t, 3)
	h := a.Height()
	r1 := a.request(t, 1)
	a.AdvanceTo(t, h+1)
	r2 := a.request(t, 2)
	v := r1.Committee[2]
	require.Contains(t, r2.Committee, v)
	others := func(committee []string) []string {
		var out []string
		for _, m := range committee {
			if m != v {
				out = append(out, m)
			}
		}
		return out
	}
	for _, r := range []*types.MsgRequestAuditResponse{r1, r2} {
		for _, m := range others(r.Committee) {
			require.NoError(t, a.commitVote(r.AuditId, m, receiptHash(r.AuditId)))
		}
	}
	a.AdvanceTo(t, r1.CommitDeadline+1)
	for _, m := range others(r1.Committee) {
		require.NoError(t, a.revealVote(r1.AuditId, m, receiptHash(1)))
	}
	a.AdvanceTo(t, r2.CommitDeadline+1)
	for _, m := range others(r2.Committee) {
		require.NoError(t, a.revealVote(r2.AuditId, m, receiptHash(2)))
	}
	supply := a.Supply()
	a.AdvanceTo(t, r1.RevealDeadline+1)
	require.Equal(t, types.AuditPassed, a.audit(t, r1.AuditId).State)
	require.Equal(t, a.p.VerifierDeposit.Amount.Int64(), a.supplyDrop(supply), "v slashed for the first audit")
	_, in := a.verifier(t, v)
	require.False(t, in)
	a.CheckInvariants(t)

	a.join(t, sdk.MustAccAddressFromBech32(v))
	require.Zero(t, a.duties(t, v), "the second audit was drawn before it joined again")
	a.CheckInvariants(t)
	r3 := a.request(t, 3)
	require.Contains(t, r3.Committee, v)
	require.EqualValues(t, 1, a.duties(t, v))
	a.CheckInvariants(t)

	supply = a.Supply()
	a.AdvanceTo(t, r2.RevealDeadline+1)
	au2 := a.audit(t, r2.AuditId)
	require.Equal(t, types.AuditPassed, au2.State)
	require.True(t, au2.Committee[au2.Member(v)].Slashed.IsZero(), "its new deposit does not answer for the older duty")
	require.Zero(t, a.supplyDrop(supply))
	require.EqualValues(t, 1, a.duties(t, v), "the third audit is still open")
	a.CheckInvariants(t)
	// it cannot leave while on the third audit's committee
	a.requireRejected(t, types.ErrOpenDuties, func() error {
		_, err := a.msg.LeaveVerifierPool(a.Ctx, &types.MsgLeaveVerifierPool{Provider: v})
		return err
	})
}
