package keeper_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofskeeper "github.com/fogchain/fog/x/proofs/keeper"
	prooftypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// Helpers of the proof of audit and proof of SLA tests (pool_test.go, audit_test.go, sla_test.go,
// verify_genesis_test.go).

const testChainID = "fog-test"

// venv is a fixture whose x/quorum verification params are short enough for tests: committees of 3
// that commit for 3 blocks and reveal for 3; 4 SLA observers (2f+1 = 3 reports decide), windows of
// 10 blocks reported in the 5 blocks after.
type venv struct {
	*fixture.Fixture
	msg    types.MsgServer
	proofs prooftypes.MsgServer
	p      types.Params
}

func newVenv(t testing.TB) *venv {
	t.Helper()
	f := fixture.New(t)
	f.Ctx = f.Ctx.WithChainID(testChainID).WithHeaderHash(hash32(0xb1))
	e := &venv{Fixture: f, msg: keeper.NewMsgServerImpl(f.Quorum), proofs: proofskeeper.NewMsgServerImpl(f.Proofs)}
	e.setParams(t, func(p *types.Params) {
		p.AuditCommitteeSize = 3
		p.AuditCommitBlocks, p.AuditRevealBlocks = 3, 3
		p.SlaObservers = 4
		p.SlaWindowBlocks, p.SlaReportBlocks = 10, 5
		p.MaxSlaWindows = 10
	})
	return e
}

func (e *venv) setParams(t testing.TB, mutate func(*types.Params)) {
	t.Helper()
	setQuorumParams(t, e.Fixture, mutate)
	p, err := e.Quorum.Params.Get(e.Ctx)
	require.NoError(t, err)
	require.NoError(t, p.Validate())
	e.p = p
}

func hash32(b byte) []byte {
	h := make([]byte, types.HashSize)
	for i := range h {
		h[i] = b
	}
	return h
}

func ufog(n int64) sdk.Coin { return sdk.NewInt64Coin(fixture.Denom, n) }

// join puts a registered provider in the verifier pool.
func (e *venv) join(t testing.TB, a sdk.AccAddress) {
	t.Helper()
	_, err := e.msg.JoinVerifierPool(e.Ctx, &types.MsgJoinVerifierPool{Provider: a.String()})
	require.NoError(t, err)
}

// verifiers registers n new providers and puts them in the pool.
func (e *venv) verifiers(t testing.TB, n int) []sdk.AccAddress {
	t.Helper()
	out := make([]sdk.AccAddress, n)
	for i := range out {
		out[i] = e.NewProvider(t)
		e.join(t, out[i])
	}
	return out
}

// verifier is a's pool record; found is false when a is not in the pool.
func (e *venv) verifier(t testing.TB, a string) (types.Verifier, bool) {
	t.Helper()
	addr := sdk.MustAccAddressFromBech32(a)
	has, err := e.Quorum.Verifiers.Has(e.Ctx, addr)
	require.NoError(t, err)
	if !has {
		return types.Verifier{}, false
	}
	v, err := e.Quorum.Verifiers.Get(e.Ctx, addr)
	require.NoError(t, err)
	return v, true
}

func (e *venv) duties(t testing.TB, a string) uint32 {
	t.Helper()
	v, ok := e.verifier(t, a)
	require.True(t, ok, "%s is not in the pool", a)
	return v.OpenDuties
}

func (e *venv) bal(a string) int64 { return e.Balance(sdk.MustAccAddressFromBech32(a)).Int64() }

func (e *venv) score(t testing.TB, a string) reputationtypes.Score {
	t.Helper()
	s, _, err := e.Reputation.Score(e.Ctx, sdk.MustAccAddressFromBech32(a))
	require.NoError(t, err)
	return s
}

// workerKeyOf is the test's ed25519 worker key of provider.
func workerKeyOf(provider sdk.AccAddress) ed25519.PrivateKey {
	seed := sha256.Sum256(append([]byte("test worker seed of "), provider...))
	return ed25519.NewKeyFromSeed(seed[:])
}

// useOwnWorkerKey registers workerKeyOf(provider)'s public key as provider's worker key (the
// fixture's registration names a key nobody holds).
func (e *venv) useOwnWorkerKey(t testing.TB, provider sdk.AccAddress) {
	t.Helper()
	reg := fixture.RegisterMsg(provider)
	_, err := e.Msg.UpdateProvider(e.Ctx, &markettypes.MsgUpdateProvider{
		Owner: reg.Owner, PeerId: reg.PeerId, Multiaddrs: reg.Multiaddrs, Capacity: reg.Capacity, Attributes: reg.Attributes,
		WorkerPubkey: workerKeyOf(provider).Public().(ed25519.PublicKey),
	})
	require.NoError(t, err)
}

// tlease is a lease with its parties' addresses.
type tlease struct {
	markettypes.Lease
	owner, provider sdk.AccAddress
}

func (l tlease) reload(t testing.TB, e *venv) tlease {
	t.Helper()
	l.Lease = e.Lease(t, l.Id)
	return l
}

// activeLease runs a bronze order of a new owner (a registered provider, so that it could verify)
// for leaseBlocks blocks with one bid by a new provider holding its own worker key, and starts the
// lease: it pays 10ufog per block, its bond is the market's bid deposit.
func (e *venv) activeLease(t testing.TB, leaseBlocks uint64) tlease {
	t.Helper()
	owner, provider := e.NewProvider(t), e.NewProvider(t)
	e.useOwnWorkerKey(t, provider)
	msg := fixture.OrderMsg(owner)
	msg.LeaseBlocks = leaseBlocks
	o := e.CreateOrder(t, msg)
	s := e.Commit(t, o.Id, provider, 10)
	e.AdvanceTo(t, o.CommitDeadline+1)
	e.Reveal(t, o.Id, s)
	e.AdvanceTo(t, o.RevealDeadline+1)
	leases := e.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	_, err := e.Msg.StartLease(e.Ctx, &markettypes.MsgStartLease{Provider: provider.String(), LeaseId: leases[0].Id})
	require.NoError(t, err)
	l := tlease{Lease: e.Lease(t, leases[0].Id), owner: owner, provider: provider}
	require.Equal(t, markettypes.LeaseActive, l.State)
	require.Equal(t, "10ufog", l.PricePerBlock.String())
	return l
}

// receiptOf is l's provider's signed receipt of task seq whose output hashes to out.
func receiptOf(t testing.TB, l tlease, seq uint64, out []byte) prooftypes.SignedReceipt {
	t.Helper()
	return signReceipt(t, workerKeyOf(l.provider), prooftypes.Receipt{
		ChainId: testChainID, LeaseId: l.Id, TaskSeq: seq, ModuleHash: hash32(0x11), InputHash: hash32(0x22), OutputHash: out,
		DurationMicros: 1_000, StartUnixMs: 1_700_000_000_000, EndUnixMs: 1_700_000_000_001,
		WorkerPubkey: workerKeyOf(l.provider).Public().(ed25519.PublicKey), Provider: l.Provider,
	})
}

func signReceipt(t testing.TB, key ed25519.PrivateKey, r prooftypes.Receipt) prooftypes.SignedReceipt {
	t.Helper()
	sr, err := prooftypes.SignReceipt(r, key)
	require.NoError(t, err)
	return sr
}

// anchor anchors receipts as a batch of lease id by submitter, of kind; it returns the batch and
// each receipt's inclusion proof.
func (e *venv) anchor(t testing.TB, submitter string, leaseID uint64, kind prooftypes.BatchKind, rs ...prooftypes.SignedReceipt) (uint64, []prooftypes.MerkleProof) {
	t.Helper()
	leaves := make([][]byte, len(rs))
	for i, r := range rs {
		bz, err := r.Receipt.Marshal()
		require.NoError(t, err)
		leaves[i] = bz
	}
	root, proofs := prooftypes.MerkleProofs(leaves)
	res, err := e.proofs.AnchorBatch(e.Ctx, &prooftypes.MsgAnchorBatch{
		Submitter: submitter, LeaseId: leaseID, Kind: kind, MerkleRoot: root, LeafCount: uint64(len(leaves)),
	})
	require.NoError(t, err)
	return res.BatchId, proofs
}

func auditMsg(requester sdk.AccAddress, sr prooftypes.SignedReceipt, batch uint64, proof prooftypes.MerkleProof) *types.MsgRequestAudit {
	return &types.MsgRequestAudit{
		Requester: requester.String(), Receipt: sr, BatchId: batch, Proof: proof,
		DataPeerId: fixture.PeerID(1), DataMultiaddrs: []string{"/ip4/127.0.0.1/tcp/4002"},
	}
}

// aenv is an active lease of 100 blocks whose provider anchored receipts of tasks 1 to 4 in one
// execution batch (task i's output hash is hash32(0xa0+i)), a verifier pool, and a funded requester.
type aenv struct {
	*venv
	l         tlease
	pool      []sdk.AccAddress
	requester sdk.AccAddress
	receipts  []prooftypes.SignedReceipt // receipts[i] is task i+1's
	batch     uint64
	proofs    []prooftypes.MerkleProof
}

func receiptHash(seq uint64) []byte { return hash32(0xa0 + byte(seq)) }

// wrongHash is an output hash no receipt names.
var wrongHash = hash32(0xee)

func newAenv(t testing.TB, poolSize int) *aenv {
	t.Helper()
	a := &aenv{venv: newVenv(t)}
	a.pool = a.verifiers(t, poolSize)
	a.l = a.activeLease(t, 100)
	for seq := uint64(1); seq <= 4; seq++ {
		a.receipts = append(a.receipts, receiptOf(t, a.l, seq, receiptHash(seq)))
	}
	a.batch, a.proofs = a.anchor(t, a.l.Provider, a.l.Id, prooftypes.BatchKindExecution, a.receipts...)
	a.requester = a.NewAccount(t, 1_000_000)
	return a
}

// auditMsg is the request of task seq's audit.
func (a *aenv) auditMsg(seq uint64) *types.MsgRequestAudit {
	return auditMsg(a.requester, a.receipts[seq-1], a.batch, a.proofs[seq-1])
}

func (a *aenv) request(t testing.TB, seq uint64) *types.MsgRequestAuditResponse {
	t.Helper()
	res, err := a.msg.RequestAudit(a.Ctx, a.auditMsg(seq))
	require.NoError(t, err)
	return res
}

func (e *venv) audit(t testing.TB, id uint64) types.Audit {
	t.Helper()
	a, err := e.Quorum.Audits.Get(e.Ctx, id)
	require.NoError(t, err)
	return a
}

// salt is auditor's salt in the tests.
func salt(auditor string) []byte {
	s := sha256.Sum256([]byte("salt of " + auditor))
	return s[:]
}

func commitment(id uint64, auditor string, out []byte) []byte {
	return types.AuditCommitment(id, sdk.MustAccAddressFromBech32(auditor), out, salt(auditor))
}

func (e *venv) commitVote(id uint64, auditor string, out []byte) error {
	_, err := e.msg.CommitAuditVote(e.Ctx, &types.MsgCommitAuditVote{Auditor: auditor, AuditId: id, Commitment: commitment(id, auditor, out)})
	return err
}

func (e *venv) revealVote(id uint64, auditor string, out []byte) error {
	_, err := e.msg.RevealAuditVote(e.Ctx, &types.MsgRevealAuditVote{Auditor: auditor, AuditId: id, OutputHash: out, Salt: salt(auditor)})
	return err
}

// vote is what one committee member does: commit to out (or not), then reveal it (or not).
type vote struct {
	out            []byte
	commit, reveal bool
}

func voted(out []byte) vote     { return vote{out: out, commit: true, reveal: true} }
func committed(out []byte) vote { return vote{out: out, commit: true} }

var absent = vote{}

// vote runs an open audit's phases with the committee's votes (votes[i] is committee[i]'s): commits
// now, reveals in the first reveal block, and advances past the reveal deadline, whose EndBlock
// decides. It returns the decided audit.
func (e *venv) vote(t testing.TB, id uint64, votes []vote) types.Audit {
	t.Helper()
	a := e.audit(t, id)
	require.Len(t, votes, len(a.Committee))
	for i, v := range votes {
		if v.commit {
			require.NoError(t, e.commitVote(id, a.Committee[i].Auditor, v.out))
		}
	}
	e.AdvanceTo(t, a.CommitDeadline+1)
	for i, v := range votes {
		if v.reveal {
			require.NoError(t, e.revealVote(id, a.Committee[i].Auditor, v.out))
		}
	}
	e.AdvanceTo(t, a.RevealDeadline)
	require.Equal(t, types.AuditOpen, e.audit(t, id).State, "decided before its reveal deadline")
	e.EndBlock(t)
	return e.audit(t, id)
}

// watch has payer watch l for windows windows.
func (e *venv) watch(t testing.TB, l tlease, payer sdk.AccAddress, windows uint32) types.Watch {
	t.Helper()
	res, err := e.msg.WatchLease(e.Ctx, &types.MsgWatchLease{Payer: payer.String(), LeaseId: l.Id, Windows: windows})
	require.NoError(t, err)
	require.Len(t, res.Observers, int(e.p.SlaObservers))
	return e.watchOf(t, l.Id)
}

func (e *venv) watchOf(t testing.TB, leaseID uint64) types.Watch {
	t.Helper()
	w, err := e.Quorum.Watches.Get(e.Ctx, leaseID)
	require.NoError(t, err)
	return w
}

func (e *venv) window(t testing.TB, leaseID uint64, window uint32) types.SlaWindow {
	t.Helper()
	w, err := e.Quorum.SlaWindows.Get(e.Ctx, collections.Join(leaseID, window))
	require.NoError(t, err)
	return w
}

// rep is one observer's report of a window.
type rep struct {
	sent, answered uint32
	p95            uint64
}

// good meets every tier's bounds with the bronze tier's min_probes; slow is above bronze's latency.
var (
	good = rep{sent: 100, answered: 100, p95: 100}
	slow = rep{sent: 100, answered: 100, p95: 3_000}
)

func (e *venv) report(observer string, leaseID uint64, window uint32, r rep) error {
	_, err := e.msg.SubmitSlaReport(e.Ctx, &types.MsgSubmitSlaReport{
		Observer: observer, LeaseId: leaseID, Window: window, ProbesSent: r.sent, ProbesAnswered: r.answered, P95LatencyMs: r.p95,
	})
	return err
}

// reportWindow moves to the first block of window's report period, files reports[i] by observer i
// (nil: no report), and advances through the EndBlock that decides the window.
func (e *venv) reportWindow(t testing.TB, leaseID uint64, window uint32, reports []*rep) types.SlaWindow {
	t.Helper()
	w := e.watchOf(t, leaseID)
	_, end := w.WindowBounds(window)
	e.AdvanceTo(t, end)
	for i, r := range reports {
		if r != nil {
			require.NoError(t, e.report(w.Observers[i].Address, leaseID, window, *r))
		}
	}
	e.AdvanceTo(t, end+int64(e.p.SlaReportBlocks)-1)
	require.Equal(t, w.Decided, e.watchOf(t, leaseID).Decided, "decided before the end of its report period")
	e.EndBlock(t)
	return e.window(t, leaseID, window)
}

func reps(rs ...*rep) []*rep { return rs }

func rp(x rep) *rep { return &x }

// supplyDrop is how much the supply fell since before.
func (e *venv) supplyDrop(before math.Int) int64 { return before.Sub(e.Supply()).Int64() }

// requireRejected runs call, which must fail with want (its message containing each of contains)
// and change nothing: x/quorum's exported state, the market's and x/reputation's, every balance and
// the supply; nor emit an event.
func (e *venv) requireRejected(t testing.TB, want error, call func() error, contains ...string) {
	t.Helper()
	before, snap := exportQuorum(t, e.Fixture), e.Snapshot(t)
	rep, err := e.Reputation.ExportGenesis(e.Ctx)
	require.NoError(t, err)
	freshEvents(e.Fixture)
	err = call()
	require.ErrorIs(t, err, want)
	for _, c := range contains {
		require.ErrorContains(t, err, c)
	}
	require.Equal(t, before, exportQuorum(t, e.Fixture), "a rejected message changed x/quorum's state")
	require.Equal(t, snap, e.Snapshot(t), "a rejected message changed the market or moved coins")
	repAfter, err := e.Reputation.ExportGenesis(e.Ctx)
	require.NoError(t, err)
	require.Equal(t, rep, repAfter, "a rejected message changed a reputation")
	require.Empty(t, e.Ctx.EventManager().Events(), "a rejected message emitted events")
}

// fork is a copy of the environment whose writes go to a cache of the current state.
func (e *venv) fork() *venv {
	g := *e
	g.Fixture = e.Fixture.Fork()
	return &g
}
