package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	marketkeeper "github.com/fogchain/fog/x/market/keeper"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/types"
)

// senv is an active lease of 200 blocks at 10ufog per block, a pool of five verifiers and a funded
// payer.
type senv struct {
	*venv
	l     tlease
	pool  []sdk.AccAddress
	payer sdk.AccAddress
}

func newSenv(t *testing.T) *senv {
	t.Helper()
	s := &senv{venv: newVenv(t)}
	s.pool = s.verifiers(t, 5)
	s.l = s.activeLease(t, 200)
	s.payer = s.NewAccount(t, 1_000_000)
	return s
}

func (s *senv) watchMsg(windows uint32) *types.MsgWatchLease {
	return &types.MsgWatchLease{Payer: s.payer.String(), LeaseId: s.l.Id, Windows: windows}
}

// A watch draws the observers, takes sla_observers × windows report fees and records the tier's
// bounds; its windows start in the next block.
func TestWatchLeaseDrawsObserversAndTakesTheFees(t *testing.T) {
	s := newSenv(t)
	h := s.Height()
	payerBal, modBal := s.Balance(s.payer).Int64(), s.quorumModuleBalance()
	freshEvents(s.Fixture)
	res, err := s.msg.WatchLease(s.Ctx, s.watchMsg(3))
	require.NoError(t, err)
	require.Len(t, res.Observers, 4)
	require.Equal(t, h+1, res.FirstWindowStart)
	require.Equal(t, "12000ufog", res.Paid.String(), "4 observers × 3 windows × 1000")
	require.Equal(t, payerBal-12_000, s.Balance(s.payer).Int64())
	require.Equal(t, modBal+12_000, s.quorumModuleBalance())
	w := s.watchOf(t, s.l.Id)
	require.Equal(t, s.l.Provider, w.Provider)
	require.Equal(t, s.payer.String(), w.Payer)
	require.Equal(t, "bronze", w.Tier)
	require.EqualValues(t, 2_500, w.MaxP95LatencyMs)
	require.EqualValues(t, 9_700, w.MinUptimeBps)
	require.EqualValues(t, 100, w.MinProbes)
	require.EqualValues(t, 10, w.WindowBlocks)
	require.EqualValues(t, 3, w.Windows)
	require.Equal(t, res.Paid, w.Escrow)
	require.Equal(t, s.p.SlaReportFee, w.ReportFee)
	require.False(t, w.Ended)
	for i, o := range w.Observers {
		require.Equal(t, res.Observers[i], o.Address)
		require.EqualValues(t, 1, s.duties(t, o.Address))
	}
	start, end := w.WindowBounds(2)
	require.Equal(t, h+21, start)
	require.Equal(t, h+31, end)
	ev := eventsOf[*types.EventLeaseWatched](t, s.Fixture)
	require.Len(t, ev, 1)
	require.Equal(t, res.Observers, ev[0].Observers)
	s.CheckInvariants(t)
	got, err := s.msg.WatchLease(s.Ctx, s.watchMsg(1))
	require.ErrorIs(t, err, types.ErrWatchExists)
	require.Nil(t, got)
}

// The windows of a watch must all be decided while the lease runs, so that a breach can be cut: the
// last that fits is decided in the block before the lease's end.
func TestWatchLeaseWindowsFitTheLease(t *testing.T) {
	s := newSenv(t)
	s.AdvanceTo(t, s.l.EndHeight-36)
	w := s.watch(t, s.l, s.payer, 3)
	_, end := w.WindowBounds(2)
	require.Equal(t, s.l.EndHeight-1, end+int64(s.p.SlaReportBlocks)-1, "the last window is decided in the lease's last block")
	s.CheckInvariants(t)
}

func TestWatchLeaseRejects(t *testing.T) {
	cases := []struct {
		name     string
		prepare  func(t *testing.T, s *senv) *types.MsgWatchLease
		want     error
		contains string
	}{
		{"a lease its owner closed", func(t *testing.T, s *senv) *types.MsgWatchLease {
			_, err := s.Msg.CloseLease(s.Ctx, &markettypes.MsgCloseLease{Sender: s.l.Owner, LeaseId: s.l.Id})
			require.NoError(t, err)
			return s.watchMsg(1)
		}, types.ErrLeaseNotWatchable, "only an active lease"},
		{"a lease that does not exist", func(t *testing.T, s *senv) *types.MsgWatchLease {
			m := s.watchMsg(1)
			m.LeaseId = 999
			return m
		}, markettypes.ErrLeaseNotFound, ""},
		{"no window", func(t *testing.T, s *senv) *types.MsgWatchLease { return s.watchMsg(0) }, types.ErrInvalidRequest, "0 windows"},
		{"more windows than max_sla_windows", func(t *testing.T, s *senv) *types.MsgWatchLease { return s.watchMsg(11) }, types.ErrInvalidRequest, "11 windows"},
		{"windows past the lease's end", func(t *testing.T, s *senv) *types.MsgWatchLease {
			s.AdvanceTo(t, s.l.EndHeight-30)
			return s.watchMsg(3)
		}, types.ErrLeaseNotWatchable, "at most 2 windows"},
		{"a second watch", func(t *testing.T, s *senv) *types.MsgWatchLease {
			s.watch(t, s.l, s.payer, 1)
			return s.watchMsg(1)
		}, types.ErrWatchExists, ""},
		{"a second watch by another payer, after the first ended", func(t *testing.T, s *senv) *types.MsgWatchLease {
			s.watch(t, s.l, s.payer, 1)
			s.reportWindow(t, s.l.Id, 0, nil)
			require.True(t, s.watchOf(t, s.l.Id).Ended)
			m := s.watchMsg(1)
			m.Payer = s.NewAccount(t, 1_000_000).String()
			return m
		}, types.ErrWatchExists, ""},
		{"a lease whose order has no quorum record", func(t *testing.T, s *senv) *types.MsgWatchLease {
			require.NoError(t, s.Quorum.Quorums.Remove(s.Ctx, s.l.OrderId))
			return s.watchMsg(1)
		}, types.ErrLeaseNotWatchable, "no quorum record"},
		{"a payer one coin short", func(t *testing.T, s *senv) *types.MsgWatchLease {
			m := s.watchMsg(2)
			m.Payer = s.NewAccount(t, 7_999).String()
			return m
		}, types.ErrInsufficientFunds, "needs 8000ufog"},
		{"more observers than eligible verifiers", func(t *testing.T, s *senv) *types.MsgWatchLease {
			s.setParams(t, func(p *types.Params) { p.SlaObservers = 6 })
			return s.watchMsg(1)
		}, types.ErrTooFewVerifiers, "5 eligible"},
		{"a payer of another chain's prefix", func(t *testing.T, s *senv) *types.MsgWatchLease {
			m := s.watchMsg(1)
			_, _, m.Payer = spellingsOf(t, s.payer)
			return m
		}, types.ErrInvalidAddress, "payer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSenv(t)
			m := c.prepare(t, s)
			s.requireRejected(t, c.want, func() error {
				_, err := s.msg.WatchLease(s.Ctx, m)
				return err
			}, c.contains)
		})
	}
}

// Bad reports are refused with their typed error and change nothing.
func TestSlaReportRejects(t *testing.T) {
	type env struct {
		*senv
		w types.Watch
	}
	report := func(e *env, observer string, window uint32, r rep) func() error {
		return func() error { return e.report(observer, e.l.Id, window, r) }
	}
	toPeriod := func(t *testing.T, e *env, window uint32) {
		_, end := e.w.WindowBounds(window)
		e.AdvanceTo(t, end)
	}
	obs := func(e *env, i int) string { return e.w.Observers[i].Address }
	cases := []struct {
		name    string
		prepare func(t *testing.T, e *env) func() error
		want    error
	}{
		{"a report by a verifier not observing", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			for _, v := range e.pool {
				if e.w.Observer(v.String()) < 0 {
					return report(e, v.String(), 0, good)
				}
			}
			panic("the whole pool observes")
		}, types.ErrNotObserver},
		{"a report by the payer", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, e.payer.String(), 0, good)
		}, types.ErrNotObserver},
		{"a report on a lease not watched", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return func() error { return e.report(obs(e, 0), e.l.Id+1, 0, good) }
		}, types.ErrWatchNotFound},
		{"a window beyond the watch's", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 2)
			return report(e, obs(e, 0), 3, good)
		}, types.ErrInvalidReport},
		{"a window reported twice", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			require.NoError(t, e.report(obs(e, 0), e.l.Id, 0, good))
			return report(e, obs(e, 0), 0, slow)
		}, types.ErrDuplicateReport},
		{"a window before one reported", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 1)
			require.NoError(t, e.report(obs(e, 0), e.l.Id, 1, good))
			return report(e, obs(e, 0), 0, good)
		}, types.ErrDuplicateReport},
		{"a window already decided", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 1)
			require.EqualValues(t, 1, e.watchOf(t, e.l.Id).Decided)
			return report(e, obs(e, 1), 0, good)
		}, types.ErrDuplicateReport},
		{"a window not yet over", func(t *testing.T, e *env) func() error {
			_, end := e.w.WindowBounds(0)
			e.AdvanceTo(t, end-1)
			return report(e, obs(e, 0), 0, good)
		}, types.ErrStaleReport},
		{"a window not yet begun", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 1, good)
		}, types.ErrStaleReport},
		{"a window after its report period, before the EndBlock decides", func(t *testing.T, e *env) func() error {
			_, end := e.w.WindowBounds(0)
			e.AdvanceTo(t, end+int64(e.p.SlaReportBlocks)-1)
			e.SetHeight(e.Height() + 1) // the period's last EndBlock has not run
			return report(e, obs(e, 0), 0, good)
		}, types.ErrStaleReport},
		{"more probes answered than sent", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 0, rep{sent: 10, answered: 11, p95: 5})
		}, types.ErrInvalidReport},
		{"no probe sent", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 0, rep{})
		}, types.ErrInvalidReport},
		{"more probes than max_probes_per_window", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 0, rep{sent: e.p.MaxProbesPerWindow + 1, answered: 1, p95: 5})
		}, types.ErrInvalidReport},
		{"a p95 latency above an hour", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 0, rep{sent: 10, answered: 10, p95: types.MaxLatencyMs + 1})
		}, types.ErrInvalidReport},
		{"a p95 latency with no probe answered", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			return report(e, obs(e, 0), 0, rep{sent: 10, answered: 0, p95: 5})
		}, types.ErrInvalidReport},
		{"a report by an address of another prefix", func(t *testing.T, e *env) func() error {
			toPeriod(t, e, 0)
			_, _, foreign := spellingsOf(t, sdk.MustAccAddressFromBech32(obs(e, 0)))
			return report(e, foreign, 0, good)
		}, types.ErrInvalidAddress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSenv(t)
			e := &env{senv: s, w: s.watch(t, s.l, s.payer, 3)}
			call := c.prepare(t, e)
			s.requireRejected(t, c.want, call)
		})
	}
}

// MET: 2f+1 = 3 of 4 observers report within the tier's bounds. The reporters are paid, the
// absent observer's fee goes back to the payer, nothing is cut. A window nobody reports is NO_QUORUM.
// After its last window the watch ends: every fee paid or refunded, the observers free again.
func TestSlaWindowMetPaysTheReportersAndTheWatchEnds(t *testing.T) {
	s := newSenv(t)
	w := s.watch(t, s.l, s.payer, 2)
	payer := s.Balance(s.payer).Int64()
	lease := s.Lease(t, s.l.Id)
	provBefore := s.score(t, s.l.Provider)
	obsBal := map[string]int64{}
	for _, o := range w.Observers {
		obsBal[o.Address] = s.bal(o.Address)
	}
	freshEvents(s.Fixture)
	win := s.reportWindow(t, s.l.Id, 0, reps(&good, &good, nil, &good))
	require.Equal(t, types.SlaMet, win.Verdict)
	require.Len(t, win.Reports, 3)
	require.EqualValues(t, 100, win.MedianP95LatencyMs)
	require.EqualValues(t, 10_000, win.MedianUptimeBps)
	require.EqualValues(t, 100, win.MedianProbesSent)
	require.True(t, win.AvailabilityJudged)
	require.True(t, win.Cut.IsZero())
	require.Equal(t, s.Height()-1, win.DecidedHeight)
	for i, o := range w.Observers {
		want := int64(1_000)
		if i == 2 {
			want = 0
		}
		require.Equal(t, want, s.bal(o.Address)-obsBal[o.Address], "observer %d", i)
		require.EqualValues(t, 1, s.duties(t, o.Address), "the watch has a window left")
	}
	require.Equal(t, payer+1_000, s.Balance(s.payer).Int64(), "the absent observer's fee goes back")
	got := s.watchOf(t, s.l.Id)
	require.EqualValues(t, 1, got.Decided)
	require.Equal(t, "4000ufog", got.Escrow.String())
	require.False(t, got.Ended)
	require.EqualValues(t, 1, got.Observers[0].Reports)
	require.Equal(t, "1000ufog", got.Observers[0].Paid.String())
	l := s.Lease(t, s.l.Id)
	require.Equal(t, lease.Escrow, l.Escrow, "a window met cuts nothing")
	require.True(t, marketWithheld(l).IsZero())
	ev := eventsOf[*types.EventSlaWindowDecided](t, s.Fixture)
	require.Len(t, ev, 1)
	require.Equal(t, "3000ufog", ev[0].ObserversPaid.String())
	s.CheckInvariants(t)

	win = s.reportWindow(t, s.l.Id, 1, nil)
	require.Equal(t, types.SlaNoQuorum, win.Verdict)
	require.Empty(t, win.Reports)
	got = s.watchOf(t, s.l.Id)
	require.True(t, got.Ended)
	require.True(t, got.Escrow.IsZero())
	require.EqualValues(t, 2, got.Decided)
	require.Equal(t, payer+5_000, s.Balance(s.payer).Int64(), "the last window's fees all go back")
	for _, o := range w.Observers {
		require.Zero(t, s.duties(t, o.Address))
	}
	after := s.score(t, s.l.Provider)
	require.True(t, provBefore.Beta.Equal(after.Beta), "no violation recorded")
	s.CheckInvariants(t)
	require.EqualValues(t, 5*s.p.VerifierDeposit.Amount.Int64(), s.quorumModuleBalance(), "only the deposits are left")
}

// BREACHED by latency: the median p95 is above the tier's bound. The window's pay, price × its
// blocks, is refunded to the owner at once and kept from the provider's coming pay: the next
// withdrawal is short by exactly that, and so is the whole lease's pay at its completion. An SLA
// violation is recorded against the provider.
func TestSlaWindowBreachedWithholdsTheWindowsPay(t *testing.T) {
	s := newSenv(t)
	w := s.watch(t, s.l, s.payer, 1)
	ownerBal := s.bal(s.l.Owner)
	provBefore := s.score(t, s.l.Provider)
	before := s.Lease(t, s.l.Id)
	win := s.reportWindow(t, s.l.Id, 0, reps(&slow, &slow, &slow, &slow))
	require.Equal(t, types.SlaBreached, win.Verdict)
	require.EqualValues(t, 3_000, win.MedianP95LatencyMs)
	require.Equal(t, "100ufog", win.Cut.String(), "10ufog × 10 blocks")
	require.EqualValues(t, 100, s.bal(s.l.Owner)-ownerBal, "refunded to the owner at once")
	l := s.Lease(t, s.l.Id)
	require.Equal(t, "100ufog", marketWithheld(l).String())
	require.Equal(t, before.Escrow.Amount.Int64()-100, l.Escrow.Amount.Int64())
	got := s.watchOf(t, s.l.Id)
	require.EqualValues(t, 1, got.Breached)
	require.True(t, got.Ended)
	for _, o := range w.Observers {
		require.Equal(t, "1000ufog", got.Observers[got.Observer(o.Address)].Paid.String(), "all four agreed with the verdict")
	}
	require.InDelta(t, provBefore.Beta.MustFloat64()+1, s.score(t, s.l.Provider).Beta.MustFloat64(), 1e-4, "an SLA violation")
	s.CheckInvariants(t)

	// the provider's next withdrawal is short by the cut
	prov := s.bal(s.l.Provider)
	res, err := s.Msg.WithdrawLease(s.Ctx, &markettypes.MsgWithdrawLease{Provider: s.l.Provider, LeaseId: s.l.Id})
	require.NoError(t, err)
	accrued := (s.Height() - l.SettledThrough) * 10
	require.EqualValues(t, accrued-100, res.Amount.Amount.Int64())
	require.EqualValues(t, accrued-100, s.bal(s.l.Provider)-prov)
	require.True(t, marketWithheld(s.Lease(t, s.l.Id)).IsZero(), "the cut is kept once")
	s.CheckInvariants(t)
	// and the whole lease pays 10 × 200 less the cut
	for s.Lease(t, s.l.Id).State != markettypes.LeaseClosed {
		s.EndBlock(t)
	}
	done := s.Lease(t, s.l.Id)
	require.Equal(t, markettypes.CloseReasonCompleted, done.CloseReason)
	require.Equal(t, "1900ufog", done.Paid.String())
	s.CheckInvariants(t)
}

// Two breached windows, one withdrawal between them: each cut is kept once, and the completed lease
// pays exactly both cuts less.
func TestSlaTwoBreachedWindowsBeforeAnyWithdrawal(t *testing.T) {
	s := newSenv(t)
	s.watch(t, s.l, s.payer, 2)
	s.reportWindow(t, s.l.Id, 0, reps(&slow, &slow, &slow, nil))
	// the provider withdraws what accrued less the cut
	l := s.Lease(t, s.l.Id)
	res, err := s.Msg.WithdrawLease(s.Ctx, &markettypes.MsgWithdrawLease{Provider: s.l.Provider, LeaseId: s.l.Id})
	require.NoError(t, err)
	accrued := (s.Height() - l.SettledThrough) * 10
	require.EqualValues(t, max(accrued-100, 0), res.Amount.Amount.Int64())
	s.CheckInvariants(t)
	win := s.reportWindow(t, s.l.Id, 1, reps(nil, &slow, &slow, &slow))
	require.Equal(t, "100ufog", win.Cut.String())
	s.CheckInvariants(t)
	for s.Lease(t, s.l.Id).State != markettypes.LeaseClosed {
		s.EndBlock(t)
	}
	require.Equal(t, "1800ufog", s.Lease(t, s.l.Id).Paid.String())
	s.CheckInvariants(t)
}

// Availability is judged only when the median report sent at least the tier's min_probes (bronze:
// 100): 80 % answered of 50 probes shows nothing and the window is met on latency; 90 % of 100
// breaches 97 %. A window in which no probe was answered is breached either way.
func TestSlaAvailabilityNeedsEnoughProbes(t *testing.T) {
	s := newSenv(t)
	s.watch(t, s.l, s.payer, 3)
	few := rep{sent: 50, answered: 40, p95: 100}
	win := s.reportWindow(t, s.l.Id, 0, reps(&few, &few, &few, &few))
	require.Equal(t, types.SlaMet, win.Verdict)
	require.False(t, win.AvailabilityJudged)
	require.EqualValues(t, 8_000, win.MedianUptimeBps)
	require.True(t, win.Cut.IsZero())

	lossy := rep{sent: 100, answered: 90, p95: 100}
	win = s.reportWindow(t, s.l.Id, 1, reps(&lossy, &lossy, &lossy, &lossy))
	require.Equal(t, types.SlaBreached, win.Verdict)
	require.True(t, win.AvailabilityJudged)
	require.EqualValues(t, 9_000, win.MedianUptimeBps)
	require.Equal(t, "100ufog", win.Cut.String())

	dead := rep{sent: 50, answered: 0}
	win = s.reportWindow(t, s.l.Id, 2, reps(&dead, &dead, &dead, nil))
	require.Equal(t, types.SlaBreached, win.Verdict)
	require.False(t, win.AvailabilityJudged)
	require.Equal(t, "100ufog", win.Cut.String())
	require.EqualValues(t, 2, s.watchOf(t, s.l.Id).Breached)
	s.CheckInvariants(t)
}

// NO_QUORUM: fewer than 2f+1 reports. The reporters are paid, the rest goes back, nothing is cut and
// no violation is recorded, however bad the reports.
func TestSlaNoQuorumCutsNothing(t *testing.T) {
	s := newSenv(t)
	w := s.watch(t, s.l, s.payer, 1)
	payer := s.Balance(s.payer).Int64()
	owner := s.bal(s.l.Owner)
	provBefore := s.score(t, s.l.Provider)
	o0, o1 := s.bal(w.Observers[0].Address), s.bal(w.Observers[1].Address)
	win := s.reportWindow(t, s.l.Id, 0, reps(&slow, rp(rep{sent: 100, answered: 0}), nil, nil))
	require.Equal(t, types.SlaNoQuorum, win.Verdict)
	require.True(t, win.Cut.IsZero())
	require.EqualValues(t, 1_000, s.bal(w.Observers[0].Address)-o0)
	require.EqualValues(t, 1_000, s.bal(w.Observers[1].Address)-o1)
	require.Equal(t, payer+2_000, s.Balance(s.payer).Int64())
	require.Equal(t, owner, s.bal(s.l.Owner))
	require.True(t, marketWithheld(s.Lease(t, s.l.Id)).IsZero())
	require.True(t, provBefore.Beta.Equal(s.score(t, s.l.Provider).Beta))
	s.CheckInvariants(t)
}

// One lying observer of four cannot flip the median either way, and is not paid for its report.
func TestSlaOneLyingObserverCannotFlipTheMedian(t *testing.T) {
	s := newSenv(t)
	w := s.watch(t, s.l, s.payer, 3)
	liar := w.Observers[3].Address
	paidTo := func(a string) string { g := s.watchOf(t, s.l.Id); return g.Observers[g.Observer(a)].Paid.String() }

	awful := rep{sent: 100, answered: 1, p95: types.MaxLatencyMs}
	win := s.reportWindow(t, s.l.Id, 0, reps(&good, &good, &good, &awful))
	require.Equal(t, types.SlaMet, win.Verdict, "a lie of a breach")
	require.Equal(t, "0ufog", paidTo(liar))

	perfect := rep{sent: 100, answered: 100, p95: 1}
	win = s.reportWindow(t, s.l.Id, 1, reps(&slow, &slow, &slow, &perfect))
	require.Equal(t, types.SlaBreached, win.Verdict, "a lie that all was well")
	require.Equal(t, "0ufog", paidTo(liar))

	// with only 2f+1 reports, the liar among them
	win = s.reportWindow(t, s.l.Id, 2, reps(&good, nil, &good, &awful))
	require.Equal(t, types.SlaMet, win.Verdict)
	require.Equal(t, "0ufog", paidTo(liar))
	require.Equal(t, "3000ufog", paidTo(w.Observers[0].Address))
	s.CheckInvariants(t)
}

// A lease that closes ends its watch at the next decision: that window is judged (a breach cuts
// nothing, the lease holds no pay), the fees of the windows left go back to the payer, and the
// observers are free. No report is taken for a window of a watch that ended.
func TestSlaWatchEndsWhenTheLeaseCloses(t *testing.T) {
	s := newSenv(t)
	w := s.watch(t, s.l, s.payer, 3)
	payer := s.Balance(s.payer).Int64()
	s.AdvanceTo(t, w.FirstWindowStart+5)
	_, err := s.Msg.CloseLease(s.Ctx, &markettypes.MsgCloseLease{Sender: s.l.Owner, LeaseId: s.l.Id})
	require.NoError(t, err)
	s.CheckInvariants(t)
	owner := s.bal(s.l.Owner)
	win := s.reportWindow(t, s.l.Id, 0, reps(&slow, &slow, &slow, &slow))
	require.Equal(t, types.SlaBreached, win.Verdict)
	require.True(t, win.Cut.IsZero(), "a closed lease has no pay to withhold")
	require.Equal(t, owner, s.bal(s.l.Owner))
	got := s.watchOf(t, s.l.Id)
	require.True(t, got.Ended)
	require.EqualValues(t, 1, got.Decided)
	require.True(t, got.Escrow.IsZero())
	require.Equal(t, payer+8_000, s.Balance(s.payer).Int64(), "windows 1 and 2 refunded")
	for _, o := range w.Observers {
		require.Zero(t, s.duties(t, o.Address))
	}
	s.CheckInvariants(t)

	_, end := got.WindowBounds(1)
	s.AdvanceTo(t, end)
	s.requireRejected(t, types.ErrStaleReport, func() error { return s.report(w.Observers[0].Address, s.l.Id, 1, good) })
}

func marketWithheld(l markettypes.Lease) sdk.Coin { return marketkeeper.Withheld(l) }

// A watch that finds sla_breaches_to_close windows breached ends the lease at its provider's fault
// (CLOSE_REASON_SLA_VIOLATION): each breached window's pay was cut, the pay still withheld comes out
// of the bond, the rest of the bond goes to the owner, the watch ends (the fees of the windows left
// back to the payer) and the observers are free. Money is accounted for at every step.
func TestSlaBreachesToCloseEndTheLease(t *testing.T) {
	s := newSenv(t)
	s.setParams(t, func(p *types.Params) { p.SlaBreachesToClose = 2 })
	ownerBefore, payerBefore := s.bal(s.l.Owner), s.bal(s.payer.String())
	bond := s.Lease(t, s.l.Id).Bond
	w := s.watch(t, s.l, s.payer, 4)
	fees := w.Escrow.Amount.Int64()
	first := s.reportWindow(t, s.l.Id, 0, reps(&slow, &slow, &slow, nil))
	require.Equal(t, types.SlaBreached, first.Verdict)
	require.Equal(t, markettypes.LeaseActive, s.Lease(t, s.l.Id).State, "one breach only cuts")
	s.CheckInvariants(t)
	freshEvents(s.Fixture)
	second := s.reportWindow(t, s.l.Id, 1, reps(&slow, &slow, &slow, &slow))
	require.Equal(t, types.SlaBreached, second.Verdict)
	closed := s.Lease(t, s.l.Id)
	require.Equal(t, markettypes.LeaseClosed, closed.State)
	require.Equal(t, markettypes.CloseReasonSlaViolation, closed.CloseReason)
	got := s.watchOf(t, s.l.Id)
	require.True(t, got.Ended)
	require.EqualValues(t, 2, got.Breached)
	require.True(t, got.Escrow.IsZero())
	require.True(t, got.BondSlashed.IsPositive())
	require.True(t, got.BondSlashed.IsLTE(bond))
	for _, o := range got.Observers {
		require.Zero(t, s.duties(t, o.Address))
	}
	ev := eventsOf[*types.EventSlaWindowDecided](t, s.Fixture)
	require.Len(t, ev, 1)
	require.True(t, ev[0].LeaseClosed)
	require.Equal(t, got.BondSlashed, ev[0].BondSlashed)
	// every coin: the owner gets back the escrow the provider did not earn and the whole bond (part
	// into the escrow for the pay still withheld, the rest slashed to it); the provider keeps what
	// accrued less the two cuts; the payer paid only the seven agreeing reports
	ranBlocks := closed.ClosedHeight - closed.StartHeight
	fromBond := bond.Amount.Int64() - got.BondSlashed.Amount.Int64()
	require.EqualValues(t, 10*ranBlocks-200, closed.Paid.Amount.Int64()+fromBond, "the provider keeps its pay less the two cuts")
	require.EqualValues(t, 10*int64(closed.LeaseBlocks)-closed.Paid.Amount.Int64()+bond.Amount.Int64(), s.bal(s.l.Owner)-ownerBefore)
	require.EqualValues(t, 7*s.p.SlaReportFee.Amount.Int64(), payerBefore-s.bal(s.payer.String()), "fees: %d paid up front", fees)
	s.CheckInvariants(t)
}
