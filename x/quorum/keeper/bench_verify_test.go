package keeper_test

import (
	"context"
	"fmt"
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	prooftypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/x/quorum/types"
)

// verifyOp is one operation of proof of audit or proof of SLA whose gas is measured, on a chain in
// the state it needs (e); run runs it on ctx.
type verifyOp struct {
	name string
	e    *venv
	run  func(ctx context.Context) error
}

// verifyOps brings a chain through the measured operations, with the default committee (5) and
// observers (4), a pool of poolSize verifiers, and, as the baseline, a bank MsgSend between two
// accounts of the same chain; it hands each operation to measure when the chain is in the state it
// needs (measure must not keep it: the chain moves on).
func verifyOps(t testing.TB, poolSize int, measure func(verifyOp)) {
	a := &aenv{venv: newVenv(t)}
	a.setParams(t, func(p *types.Params) { p.AuditCommitteeSize, p.SlaObservers = 5, 4 })
	a.pool = a.verifiers(t, poolSize)
	a.l = a.activeLease(t, 200)
	a.receipts = append(a.receipts, receiptOf(t, a.l, 1, receiptHash(1)))
	a.batch, a.proofs = a.anchor(t, a.l.Provider, a.l.Id, prooftypes.BatchKindExecution, a.receipts...)
	a.requester = a.NewAccount(t, 1_000_000)
	ops := measure

	from, to := a.NewAccount(t, 1_000_000), a.NewAccount(t, 0)
	bank := bankkeeper.NewMsgServerImpl(a.Bank)
	ops(verifyOp{"baseline: bank MsgSend", a.fork(), func(ctx context.Context) error {
		_, err := bank.Send(ctx, &banktypes.MsgSend{FromAddress: from.String(), ToAddress: to.String(), Amount: sdk.NewCoins(ufog(1))})
		return err
	}})
	req := a.fork()
	ops(verifyOp{"MsgRequestAudit", req, func(ctx context.Context) error {
		_, err := req.msg.RequestAudit(ctx, a.auditMsg(1))
		return err
	}})

	// an open audit: one member's commit, then (in the reveal phase) one member's reveal
	res := a.request(t, 1)
	au := a.audit(t, res.AuditId)
	for _, m := range au.Committee[1:] {
		require.NoError(t, a.commitVote(au.Id, m.Auditor, receiptHash(1)))
	}
	commit := a.fork()
	first := au.Committee[0].Auditor
	ops(verifyOp{"MsgCommitAuditVote", commit, func(ctx context.Context) error {
		_, err := commit.msg.CommitAuditVote(ctx, &types.MsgCommitAuditVote{Auditor: first, AuditId: au.Id, Commitment: commitment(au.Id, first, receiptHash(1))})
		return err
	}})
	require.NoError(t, a.commitVote(au.Id, first, receiptHash(1)))
	a.AdvanceTo(t, au.CommitDeadline+1)
	for _, m := range au.Committee[1:] {
		require.NoError(t, a.revealVote(au.Id, m.Auditor, receiptHash(1)))
	}
	reveal := a.fork()
	ops(verifyOp{"MsgRevealAuditVote", reveal, func(ctx context.Context) error {
		_, err := reveal.msg.RevealAuditVote(ctx, &types.MsgRevealAuditVote{Auditor: first, AuditId: au.Id, OutputHash: receiptHash(1), Salt: salt(first)})
		return err
	}})
	require.NoError(t, a.revealVote(au.Id, first, receiptHash(1)))
	a.AdvanceTo(t, au.RevealDeadline)
	decide := a.fork()
	ops(verifyOp{"EndBlock deciding an audit (5 votes, passed)", decide, decide.Quorum.EndBlocker})

	// a watch: the third report of a window (the one that makes 2f+1), and the window's decision
	wl := a.activeLease(t, 200)
	watchFork := a.fork()
	payer := a.NewAccount(t, 1_000_000)
	ops(verifyOp{"MsgWatchLease (10 windows)", watchFork, func(ctx context.Context) error {
		_, err := watchFork.msg.WatchLease(ctx, &types.MsgWatchLease{Payer: payer.String(), LeaseId: wl.Id, Windows: 10})
		return err
	}})
	w := a.watch(t, wl, payer, 10)
	_, end := w.WindowBounds(0)
	a.AdvanceTo(t, end)
	for _, o := range w.Observers[:2] {
		require.NoError(t, a.report(o.Address, wl.Id, 0, good))
	}
	report := a.fork()
	third := w.Observers[2].Address
	ops(verifyOp{"MsgSubmitSlaReport", report, func(ctx context.Context) error {
		_, err := report.msg.SubmitSlaReport(ctx, &types.MsgSubmitSlaReport{
			Observer: third, LeaseId: wl.Id, Window: 0, ProbesSent: good.sent, ProbesAnswered: good.answered, P95LatencyMs: good.p95,
		})
		return err
	}})
	require.NoError(t, a.report(third, wl.Id, 0, slow))
	require.NoError(t, a.report(w.Observers[3].Address, wl.Id, 0, slow))
	a.AdvanceTo(t, end+int64(a.p.SlaReportBlocks)-1)
	window := a.fork()
	ops(verifyOp{"EndBlock deciding an SLA window (4 reports)", window, window.Quorum.EndBlocker})
}

// gasOf runs op once on a fresh fork with an infinite gas meter and returns the gas it used.
func gasOf(t testing.TB, op verifyOp) uint64 {
	g := op.e.fork()
	ctx := g.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	require.NoError(t, op.run(ctx), op.name)
	return ctx.GasMeter().GasConsumed()
}

// BenchmarkVerificationGas times proof of audit's and proof of SLA's messages and decisions and
// reports their store gas, with a bank MsgSend as the baseline in the same run (scripts/bench writes
// the ratios to BENCHMARKS.md). The draw reads the whole pool: 20 and 200 verifiers.
func BenchmarkVerificationGas(b *testing.B) {
	for _, pool := range []int{20, 200} {
		verifyOps(b, pool, func(op verifyOp) {
			b.Run(fmt.Sprintf("pool=%d/%s", pool, op.name), func(b *testing.B) {
				gas := gasOf(b, op)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					g := op.e.fork()
					if err := op.run(g.Ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(gas), "gas")
			})
		})
	}
}

// TestVerificationGasIsBounded logs each operation's gas against a bank transfer and checks what
// users rely on: a vote and a report cost about a transfer's worth of gas whatever the pool, and a
// draw grows with the pool (it reads every verifier) but stays far below a block's gas.
func TestVerificationGasIsBounded(t *testing.T) {
	gas := map[int]map[string]uint64{}
	for _, pool := range []int{20, 60} {
		gas[pool] = map[string]uint64{}
		var names []string
		verifyOps(t, pool, func(op verifyOp) {
			gas[pool][op.name] = gasOf(t, op)
			names = append(names, op.name)
		})
		base := gas[pool]["baseline: bank MsgSend"]
		for _, name := range names {
			t.Logf("pool %d: %-48s %8d gas (%.2f× a bank send)", pool, name, gas[pool][name], float64(gas[pool][name])/float64(base))
		}
	}
	for _, name := range []string{"MsgCommitAuditVote", "MsgRevealAuditVote", "MsgSubmitSlaReport"} {
		require.Less(t, gas[20][name], 4*gas[20]["baseline: bank MsgSend"], name)
		require.InEpsilon(t, float64(gas[20][name]), float64(gas[60][name]), 0.1, "%s does not grow with the pool", name)
	}
	require.Greater(t, gas[60]["MsgRequestAudit"], gas[20]["MsgRequestAudit"], "the draw reads the pool")
	require.Less(t, gas[60]["MsgRequestAudit"], uint64(10_000_000))
}
