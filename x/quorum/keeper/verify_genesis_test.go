package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofskeeper "github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// midFlight is a chain with a decided audit, an open audit two of whose members committed (the
// third never will), and a watch of three windows: window 0 decided breached, window 1 in its report
// period with two reports.
type midFlight struct {
	*aenv
	decidedAudit, openAudit *types.MsgRequestAuditResponse
	watch                   types.Watch
}

func newMidFlight(t *testing.T) *midFlight {
	t.Helper()
	m := &midFlight{aenv: newAenv(t, 5)}
	m.decidedAudit = m.request(t, 1)
	m.vote(t, m.decidedAudit.AuditId, []vote{voted(receiptHash(1)), voted(receiptHash(1)), voted(receiptHash(1))})
	m.watch = m.aenv.watch(t, m.l, m.requester, 3)
	m.reportWindow(t, m.l.Id, 0, reps(&slow, &slow, &slow, nil))
	_, end := m.watch.WindowBounds(1)
	m.AdvanceTo(t, end)
	require.NoError(t, m.report(m.watch.Observers[0].Address, m.l.Id, 1, good))
	require.NoError(t, m.report(m.watch.Observers[1].Address, m.l.Id, 1, good))
	m.openAudit = m.request(t, 2)
	for _, a := range m.openAudit.Committee[:2] {
		require.NoError(t, m.commitVote(m.openAudit.AuditId, a, receiptHash(2)))
	}
	m.CheckInvariants(t)
	return m
}

// finish carries a chain on from newMidFlight's state: the third observer reports window 1, the
// committers reveal, and the chain runs past the open audit's verdict and window 1's decision.
func (m *midFlight) finish(t *testing.T, e *venv) {
	t.Helper()
	require.NoError(t, e.report(m.watch.Observers[3].Address, m.l.Id, 1, good))
	e.AdvanceTo(t, m.openAudit.CommitDeadline+1)
	for _, a := range m.openAudit.Committee[:2] {
		require.NoError(t, e.revealVote(m.openAudit.AuditId, a, receiptHash(2)))
	}
	_, end := m.watch.WindowBounds(1)
	e.AdvanceTo(t, max(m.openAudit.RevealDeadline, end+int64(e.p.SlaReportBlocks)-1)+1)
}

// Audits and watches in flight export, validate and import into a fresh chain: the export of the
// import is the same, the queues and indexes are rebuilt, and the imported chain decides the open
// audit at its deadline and the watch's next window at its, exactly as the original chain does.
func TestVerificationStateExportsAndImportsMidFlight(t *testing.T) {
	m := newMidFlight(t)
	f := m.Fixture
	qgs := exportQuorum(t, f)
	require.NoError(t, qgs.Validate())
	require.Len(t, qgs.Verifiers, 5)
	require.Len(t, qgs.Audits, 2)
	require.EqualValues(t, 3, qgs.NextAuditId)
	require.Len(t, qgs.Watches, 1)
	require.Len(t, qgs.SlaWindows, 2)
	require.Equal(t, types.SlaBreached, qgs.SlaWindows[0].Verdict)
	require.Len(t, qgs.SlaWindows[1].Reports, 2)
	mgs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, mgs.Validate(), "a lease withholding pay exports valid")

	h := fixture.New(t)
	g := &venv{Fixture: h, msg: keeper.NewMsgServerImpl(h.Quorum), proofs: proofskeeper.NewMsgServerImpl(h.Proofs), p: m.p}
	g.Ctx = g.Ctx.WithChainID(testChainID).WithHeaderHash(hash32(0xb1)).WithBlockHeight(f.Height())
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, mgs))
	pgs, err := f.Proofs.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, g.Proofs.InitGenesis(g.Ctx, pgs), "the anchored batches")
	rgs, err := f.Reputation.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, g.Reputation.InitGenesis(g.Ctx, rgs))
	require.NoError(t, g.Quorum.InitGenesis(g.Ctx, qgs))
	require.NoError(t, banktestutil.FundModuleAccount(g.Ctx, g.Bank, markettypes.ModuleName, f.ModuleBalance()))
	require.NoError(t, banktestutil.FundModuleAccount(g.Ctx, g.Bank, types.ModuleName,
		f.Bank.GetAllBalances(f.Ctx, authtypes.NewModuleAddress(types.ModuleName))))
	g.CheckInvariants(t)
	require.Equal(t, qgs, exportQuorum(t, g.Fixture), "the import exports the same state")

	// the queues and indexes are rebuilt from the records
	open, decided := m.openAudit, m.decidedAudit
	for _, c := range []struct {
		name string
		has  func() (bool, error)
		want bool
	}{
		{"the open audit's queue entry", func() (bool, error) {
			return g.Quorum.AuditQueue.Has(g.Ctx, collections.Join(open.RevealDeadline, open.AuditId))
		}, true},
		{"the decided audit's queue entry", func() (bool, error) {
			return g.Quorum.AuditQueue.Has(g.Ctx, collections.Join(decided.RevealDeadline, decided.AuditId))
		}, false},
		{"the open audit's task", func() (bool, error) { return g.Quorum.OpenAudits.Has(g.Ctx, collections.Join(m.l.Id, uint64(2))) }, true},
		{"the decided audit's task", func() (bool, error) { return g.Quorum.OpenAudits.Has(g.Ctx, collections.Join(m.l.Id, uint64(1))) }, false},
		{"the decided audit by lease", func() (bool, error) {
			return g.Quorum.AuditsByLease.Has(g.Ctx, collections.Join(m.l.Id, decided.AuditId))
		}, true},
		{"the open audit by lease", func() (bool, error) { return g.Quorum.AuditsByLease.Has(g.Ctx, collections.Join(m.l.Id, open.AuditId)) }, true},
	} {
		has, err := c.has()
		require.NoError(t, err)
		require.Equal(t, c.want, has, c.name)
	}
	_, end := m.watch.WindowBounds(1)
	has, err := g.Quorum.WatchQueue.Has(g.Ctx, collections.Join(end+int64(m.p.SlaReportBlocks)-1, m.l.Id))
	require.NoError(t, err)
	require.True(t, has, "window 1's decision is queued")
	// the imported chain refuses what the original refuses, and gives the next audit id
	g.requireRejected(t, types.ErrAuditOpen, func() error {
		_, err := g.msg.RequestAudit(g.Ctx, m.auditMsg(2))
		return err
	})

	// both chains carry on alike
	m.finish(t, m.venv)
	m.finish(t, g)
	for _, e := range []*venv{m.venv, g} {
		au := e.audit(t, open.AuditId)
		require.Equal(t, types.AuditPassed, au.State, "decided at its deadline")
		require.Equal(t, open.RevealDeadline, au.DecidedHeight)
		require.Equal(t, e.p.VerifierDeposit, au.Committee[2].Slashed, "the member that never committed is slashed")
		w := e.watchOf(t, m.l.Id)
		require.EqualValues(t, 2, w.Decided)
		require.Equal(t, types.SlaMet, e.window(t, m.l.Id, 1).Verdict)
		e.CheckInvariants(t)
	}
	require.Equal(t, exportQuorum(t, f), exportQuorum(t, g.Fixture))
	require.NoError(t, banktestutil.FundAccount(g.Ctx, g.Bank, m.requester, sdk.NewCoins(m.p.AuditFee)))
	res, err := g.msg.RequestAudit(g.Ctx, m.auditMsg(3))
	require.NoError(t, err)
	require.EqualValues(t, 3, res.AuditId, "the audit sequence carries on")
	want, err := m.msg.RequestAudit(m.Ctx, m.auditMsg(3))
	require.NoError(t, err)
	require.Equal(t, want, res, "and draws the committee the original chain draws")
}

// Genesis validation refuses verification state the module could not have written.
func TestGenesisRefusesInvalidVerificationState(t *testing.T) {
	m := newMidFlight(t)
	valid := exportQuorum(t, m.Fixture)
	require.NoError(t, valid.Validate())
	other := m.NewAccount(t, 0).String()
	cases := []struct {
		name   string
		mutate func(gs *types.GenesisState)
	}{
		{"a verifier listed twice", func(gs *types.GenesisState) { gs.Verifiers = append(gs.Verifiers, gs.Verifiers[0]) }},
		{"a verifier with more open duties than the bound", func(gs *types.GenesisState) { gs.Verifiers[0].OpenDuties = types.MaxOpenDutiesBound + 1 }},
		{"a verifier address in upper case", func(gs *types.GenesisState) {
			gs.Verifiers[0].Address = upper(gs.Verifiers[0].Address)
		}},
		{"an audit id at next_audit_id", func(gs *types.GenesisState) { gs.NextAuditId = gs.Audits[1].Id }},
		{"audit id 0", func(gs *types.GenesisState) { gs.Audits[0].Id = 0 }},
		{"an audit id twice", func(gs *types.GenesisState) { gs.Audits[1].Id = gs.Audits[0].Id }},
		{"two open audits of one task", func(gs *types.GenesisState) {
			a := gs.Audits[1]
			a.Id = gs.NextAuditId
			gs.NextAuditId++
			gs.Audits = append(gs.Audits, a)
		}},
		{"a committee member twice", func(gs *types.GenesisState) { gs.Audits[1].Committee[1] = gs.Audits[1].Committee[0] }},
		{"an empty committee", func(gs *types.GenesisState) { gs.Audits[1].Committee = nil }},
		{"a receipt output hash of 31 bytes", func(gs *types.GenesisState) {
			gs.Audits[0].ReceiptOutputHash = gs.Audits[0].ReceiptOutputHash[:31]
		}},
		{"a reveal without a commitment", func(gs *types.GenesisState) {
			gs.Audits[1].Committee[2].OutputHash = receiptHash(2)
		}},
		{"a reveal deadline before the commit deadline", func(gs *types.GenesisState) {
			gs.Audits[1].RevealDeadline = gs.Audits[1].CommitDeadline - 1
		}},
		{"an unknown audit state", func(gs *types.GenesisState) { gs.Audits[0].State = 9 }},
		{"a second watch of the lease", func(gs *types.GenesisState) { gs.Watches = append(gs.Watches, gs.Watches[0]) }},
		{"a watch with more windows decided than it has", func(gs *types.GenesisState) { gs.Watches[0].Decided = gs.Watches[0].Windows + 1 }},
		{"a watch with an observer twice", func(gs *types.GenesisState) {
			gs.Watches[0].Observers[1] = gs.Watches[0].Observers[0]
		}},
		{"a watch of windows of 0 blocks", func(gs *types.GenesisState) { gs.Watches[0].WindowBlocks = 0 }},
		{"an SLA window of a lease not watched", func(gs *types.GenesisState) { gs.SlaWindows[0].LeaseId++ }},
		{"an SLA window twice", func(gs *types.GenesisState) { gs.SlaWindows[1].Window = gs.SlaWindows[0].Window }},
		{"an SLA window with other bounds than the watch's", func(gs *types.GenesisState) { gs.SlaWindows[0].Start++ }},
		{"a verdict on a window not decided", func(gs *types.GenesisState) { gs.SlaWindows[1].Verdict = types.SlaMet }},
		{"no verdict on a window decided", func(gs *types.GenesisState) { gs.SlaWindows[0].Verdict = types.SlaVerdictUnspecified }},
		{"a report by an account that does not observe", func(gs *types.GenesisState) { gs.SlaWindows[1].Reports[0].Observer = other }},
		{"two reports by one observer", func(gs *types.GenesisState) {
			gs.SlaWindows[1].Reports[1].Observer = gs.SlaWindows[1].Reports[0].Observer
		}},
		{"a report with more probes answered than sent", func(gs *types.GenesisState) {
			gs.SlaWindows[1].Reports[0].ProbesAnswered = gs.SlaWindows[1].Reports[0].ProbesSent + 1
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var gs types.GenesisState
			require.NoError(t, m.Codec.Unmarshal(m.Codec.MustMarshal(valid), &gs))
			c.mutate(&gs)
			require.ErrorIs(t, gs.Validate(), types.ErrInvalidGenesis)
			g := fixture.New(t)
			require.ErrorIs(t, g.Quorum.InitGenesis(g.Ctx, &gs), types.ErrInvalidGenesis)
		})
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}
