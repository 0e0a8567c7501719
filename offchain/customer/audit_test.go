package customer_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/auditor"
	"github.com/fogchain/fog/offchain/auditor/auditortest"
	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// syncBuffer is a bytes.Buffer safe for the writers of several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func anchored(r wire.SignedReceipt) *wire.AnchoredReceipt {
	return &wire.AnchoredReceipt{Receipt: &r, BatchId: 1, Proof: &proofstypes.MerkleProof{}}
}

func TestCheckAuditable(t *testing.T) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	module, input := []byte("module"), []byte("input")
	signed, err := wire.SignReceipt(wire.Receipt{ChainId: voteChain, LeaseId: 1, TaskSeq: 1, ModuleHash: wire.Hash(module),
		InputHash: wire.Hash(input), OutputHash: wire.Hash([]byte("out")), WorkerPubkey: pub}, key)
	require.NoError(t, err)
	a := anchored(signed)
	require.NoError(t, customer.CheckAuditable(a, module, input))

	require.ErrorContains(t, customer.CheckAuditable(a, []byte("other"), input), "not the module the receipt names")
	require.ErrorContains(t, customer.CheckAuditable(a, module, nil), "not the input the receipt names")
	err = customer.CheckAuditable(&wire.AnchoredReceipt{Receipt: &signed}, module, input)
	require.True(t, errors.Is(err, customer.ErrNotAnchored), "%v", err)
	require.ErrorContains(t, err, "batch_id 0")
	forged := signed
	rc := *signed.Receipt
	rc.OutputHash = wire.Hash([]byte("another output"))
	forged.Receipt = &rc
	require.ErrorContains(t, customer.CheckAuditable(anchored(forged), module, input), "signature does not verify")
	require.ErrorContains(t, customer.CheckAuditable(&wire.AnchoredReceipt{}, module, input), "no receipt")
}

// committee is an audit ledger with three verifiers, each a worker serving its committee duty
// (offchain/auditor) with its own libp2p host and data directory, on one runtime.
func committee(t *testing.T, l *auditortest.Ledger, rt *runtime.Runtime) {
	lim := runtime.DefaultLimits()
	lim.Timeout = 5 * time.Second
	for i := byte(0); i < 3; i++ {
		member := sdk.AccAddress(bytes.Repeat([]byte{0xa0 + i}, 20))
		l.AddVerifier(member.String())
		svc, err := auditor.New(l.Account(member), newHost(t, true), rt, auditor.Config{Limits: lim, FetchTimeout: 5 * time.Second},
			t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, err)
		require.NoError(t, svc.Start(context.Background()))
		t.Cleanup(svc.Stop)
	}
	require.Eventually(t, func() bool { return l.Subscribers() == 3 }, 5*time.Second, 5*time.Millisecond)
}

// drive runs f while the ledger makes blocks (waiting, at each height, for every vote the committee
// may still cast), and returns once f did; f's own context bounds it.
func drive(l *auditortest.Ledger, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	l.Drive(done, 0)
}

// The audit of a receipt, end to end but for the chain: a worker that cheats (--unsafe-wrong-output)
// and an honest one each serve a task; the customer requests an audit of each receipt and serves the
// module and input; a committee of three workers fetches them, re-executes the task and votes; the
// cheat's audit FAILS, the honest one PASSES.
func TestAuditOfACheatingAndAnHonestWorker(t *testing.T) {
	rt, err := runtime.New(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close(context.Background()) })
	own := owner{secp256k1.GenPrivKey()}
	module, input := wasmtest.Echo(), []byte("re-execute me")

	// the cheat serves lease 10, the honest worker lease 11
	order, ls, provs := replicatedOrder(t, own, module, unsafeWrongOutput{rt}, rt)
	h := newHost(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var receipts []*wire.AnchoredReceipt
	l := auditortest.NewLedger(100, 5, 5, 3)
	for i, lease := range ls {
		rep, err := customer.DeliverTask(ctx, h, voteChain, provs[i], lease, voteSeq, module, input, own)
		require.NoError(t, err, "the customer's checks pass: the cheat's receipt matches its output")
		receipts = append(receipts, anchored(rep.Receipt))
		l.AddLease(lease, order)
	}
	require.NotEqual(t, wire.Hash(input), receipts[0].Receipt.Receipt.OutputHash)
	committee(t, l, rt)

	var out syncBuffer
	requester := sdk.AccAddress(own.priv.PubKey().Address())
	aud := &customer.Auditing{Chain: l.Account(requester), Host: newHost(t, true), Out: &out}
	var outs []customer.AuditOutcome
	drive(l, func() { outs, err = aud.Run(ctx, module, input, receipts...) })
	require.NoError(t, err, out.String())
	require.Len(t, outs, 2)

	cheat, honest := outs[0], outs[1]
	require.True(t, cheat.Decided(), "%v", cheat.Err)
	require.Equal(t, quorumtypes.AuditFailed, cheat.Audit.State)
	require.Equal(t, wire.Hash(input), cheat.Audit.MajorityOutputHash, "the committee computed the honest output")
	require.Equal(t, "1000ufog", cheat.Audit.BondSlashed.String())
	require.Len(t, cheat.Requested.Committee, 3)
	for _, v := range cheat.Audit.Committee {
		require.True(t, v.WithMajority, "every member voted: %s", v.Auditor)
	}
	require.True(t, honest.Decided(), "%v", honest.Err)
	require.Equal(t, quorumtypes.AuditPassed, honest.Audit.State)

	printed := out.String()
	require.Contains(t, printed, "audit 1 requested: lease 10 task 1 of provider "+ls[0].Provider)
	require.Contains(t, printed, "audit 1: committee of 3: ")
	require.Contains(t, printed, "revealed output hash")
	require.Contains(t, printed, "audit 1 FAILED at height ")
	require.Contains(t, printed, "audit 1: the provider's lease bond slashed: 1000ufog; paid to the requester: 1000ufog")
	require.Contains(t, printed, "audit 2 PASSED at height ")

	report := cheat.Report()
	require.Equal(t, "failed", report.State)
	require.Equal(t, uint64(1), report.AuditID)
	require.Equal(t, ls[0].Id, report.LeaseID)
	require.Equal(t, "1000ufog", report.BondSlashed)
	require.Empty(t, report.SlashedAuditors)
	require.Len(t, report.Committee, 3)
	t.Logf("printed:\n%s", printed)
}

// A request the chain refuses is the receipt's outcome, not a verdict; a receipt that is not anchored
// is not sent at all.
func TestAuditRequestRefused(t *testing.T) {
	l := auditortest.NewLedger(100, 5, 5, 3) // no verifier: the chain draws no committee
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	module, input := []byte("module"), []byte("input")
	signed, err := wire.SignReceipt(wire.Receipt{LeaseId: 3, TaskSeq: 1, ModuleHash: wire.Hash(module), InputHash: wire.Hash(input), WorkerPubkey: pub}, key)
	require.NoError(t, err)
	aud := &customer.Auditing{Chain: l.Account(sdk.AccAddress(bytes.Repeat([]byte{4}, 20))), Host: newHost(t, true)}
	var outs []customer.AuditOutcome
	drive(l, func() {
		outs, err = aud.Run(context.Background(), module, input, anchored(signed), &wire.AnchoredReceipt{Receipt: &signed})
	})
	require.NoError(t, err)
	require.ErrorContains(t, outs[0].Err, "requesting an audit of lease 3 task 1")
	require.False(t, outs[0].Decided())
	require.True(t, errors.Is(outs[1].Err, customer.ErrNotAnchored))
	require.Empty(t, auditortest.SentOf[*quorumtypes.MsgRequestAudit](l))
}

// A replicated order whose replicas disagree has each disagreeing receipt audited: a gold order with
// one lying replica gets the liar's receipt audited (FAILED); a receipt the worker never anchors is
// reported as not audited once the proof's wait is over.
func TestRunAuditsTheDisagreement(t *testing.T) {
	rt, err := runtime.New(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close(context.Background()) })
	own := owner{secp256k1.GenPrivKey()}
	module, input := wasmtest.Echo(), []byte("the same bytes everywhere")
	order, ls, provs := replicatedOrder(t, own, module, rt, flipper{rt}, rt)
	res, _, err := deliverAll(t, own, order, ls, provs, module, input)
	require.NoError(t, err)
	d := res.Disagreement
	require.NotNil(t, d)
	require.Len(t, d.Disagreeing, 1)

	l := auditortest.NewLedger(100, 5, 5, 3)
	for _, lease := range ls {
		l.AddLease(lease, order)
	}
	committee(t, l, rt)
	requester := sdk.AccAddress(own.priv.PubKey().Address())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	t.Run("never anchored", func(t *testing.T) {
		// these workers serve no /fog/receipt-proof/1: the receipt never shows up anchored
		var out syncBuffer
		c := &customer.Client{Out: &out, ProofBlocks: 3, AuditListen: []string{"/ip4/127.0.0.1/tcp/0"}}
		var outs []customer.AuditOutcome
		drive(l, func() { outs, err = c.AuditDisagreement(ctx, l.Account(requester), d, module, input) })
		require.NoError(t, err)
		require.Len(t, outs, 1)
		require.ErrorContains(t, outs[0].Err, "not audited: its receipt was not anchored by height")
		require.Contains(t, out.String(), "asking its worker for the proof for up to 3 blocks")
		require.Empty(t, auditortest.SentOf[*quorumtypes.MsgRequestAudit](l))
	})
	t.Run("anchored", func(t *testing.T) {
		d.Disagreeing[0].Anchored = anchored(d.Disagreeing[0].Receipt)
		var out syncBuffer
		c := &customer.Client{Out: &out, AuditListen: []string{"/ip4/127.0.0.1/tcp/0"}}
		var outs []customer.AuditOutcome
		drive(l, func() { outs, err = c.AuditDisagreement(ctx, l.Account(requester), d, module, input) })
		require.NoError(t, err, out.String())
		require.Len(t, outs, 1)
		require.True(t, outs[0].Decided(), "%v\n%s", outs[0].Err, out.String())
		require.Equal(t, quorumtypes.AuditFailed, outs[0].Audit.State)
		require.Equal(t, ls[1].Id, outs[0].Audit.LeaseId, "the liar's lease")
		require.True(t, strings.Contains(out.String(), "FAILED"), out.String())
	})
}

// unsafeWrongOutput marks the executor of a worker started with --unsafe-wrong-output:
// replicatedOrder starts its task server with task.Config.UnsafeWrongOutput.
type unsafeWrongOutput struct{ task.Executor }
