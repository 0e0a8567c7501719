package auditor_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/auditdata"
	"github.com/fogchain/fog/offchain/auditor"
	"github.com/fogchain/fog/offchain/auditor/auditortest"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

func addr(b byte) sdk.AccAddress { return sdk.AccAddress(bytes.Repeat([]byte{b}, 20)) }

// logBuffer collects a service's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHost(t *testing.T) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// env is one worker on an audit committee: the ledger, the worker's host, runtime and data directory,
// and a requester whose host serves the audited task's module and input.
type env struct {
	t         *testing.T
	l         *auditortest.Ledger
	self      sdk.AccAddress
	worker    host.Host
	requester host.Host
	rt        *runtime.Runtime
	dir       string
	log       *logBuffer
	cfg       auditor.Config
	svc       *auditor.Service

	module, input []byte
	stopServing   func()
}

const (
	leaseID   = 5
	start     = 9 // the ledger's height when a test starts
	commitLen = 10
	revealLen = 10
)

func newEnv(t *testing.T) *env {
	e := &env{t: t, l: auditortest.NewLedger(start, commitLen, revealLen, 3), self: addr(1), worker: newHost(t), requester: newHost(t),
		dir: t.TempDir(), log: &logBuffer{}, module: wasmtest.Echo(), input: []byte("audit me")}
	rt, err := runtime.New(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close(context.Background()) })
	e.rt = rt
	lim := runtime.DefaultLimits()
	lim.Timeout = 5 * time.Second
	e.cfg = auditor.Config{Limits: lim, FetchTimeout: 5 * time.Second}
	for _, v := range []sdk.AccAddress{e.self, addr(2), addr(3)} {
		e.l.AddVerifier(v.String())
	}
	e.l.AddLease(markettypes.Lease{Id: leaseID, OrderId: 7, Provider: addr(9).String(), State: markettypes.LeaseActive},
		markettypes.Order{Id: 7, WorkloadHash: wire.Hash(e.module), Resources: markettypes.Resources{MemoryMib: 1}})
	e.stopServing = auditdata.Serve(e.requester, e.module, e.input)
	t.Cleanup(func() { e.stopServing() })
	return e
}

// start starts the service (again) on the env's data directory and waits for its subscription.
func (e *env) start() {
	svc, err := auditor.New(e.l.Account(e.self), e.worker, e.rt, e.cfg, e.dir, slog.New(slog.NewTextHandler(e.log, nil)))
	require.NoError(e.t, err)
	require.NoError(e.t, svc.Start(context.Background()))
	e.svc = svc
	e.t.Cleanup(svc.Stop)
	require.Eventually(e.t, func() bool { return e.l.Subscribers() > 0 }, 5*time.Second, 5*time.Millisecond)
}

func (e *env) stop() {
	e.svc.Stop()
	e.svc = nil
}

// request has the requester ask for an audit of a receipt of the lease claiming output claimed; it
// lands in the next block.
func (e *env) request(claimed []byte) {
	addrs := make([]string, 0, len(e.requester.Addrs()))
	for _, a := range e.requester.Addrs() {
		addrs = append(addrs, a.String())
	}
	receipt := wire.Receipt{ChainId: "fog-test", LeaseId: leaseID, TaskSeq: 1, ModuleHash: wire.Hash(e.module), InputHash: wire.Hash(e.input),
		OutputHash: wire.Hash(claimed), Provider: addr(9).String()}
	_, err := e.l.Account(addr(8)).Broadcast(context.Background(), &quorumtypes.MsgRequestAudit{Requester: addr(8).String(),
		Receipt: proofstypes.SignedReceipt{Receipt: &receipt}, BatchId: 1, DataPeerId: e.requester.ID().String(), DataMultiaddrs: addrs})
	require.NoError(e.t, err)
}

func (e *env) commits() []*quorumtypes.MsgCommitAuditVote {
	return auditortest.SentOf[*quorumtypes.MsgCommitAuditVote](e.l)
}

func (e *env) reveals() []*quorumtypes.MsgRevealAuditVote {
	return auditortest.SentOf[*quorumtypes.MsgRevealAuditVote](e.l)
}

func (e *env) duty(id uint64) auditor.Duty {
	bz, err := os.ReadFile(filepath.Join(e.dir, "audits", "1.json"))
	require.NoError(e.t, err)
	var d auditor.Duty
	require.NoError(e.t, json.Unmarshal(bz, &d))
	require.Equal(e.t, id, d.AuditID)
	return d
}

func (e *env) awaitCommits(n int) {
	require.Eventually(e.t, func() bool { return len(e.commits()) == n }, 10*time.Second, 5*time.Millisecond, "%d commit(s) expected\n%s", n, e.log)
	e.l.Settle() // the service has finished with the commit when it takes the next event
}

// blocksTo makes blocks up to height h.
func (e *env) blocksTo(h int64) {
	for e.l.Height() < h {
		e.l.Block()
	}
	e.l.Settle()
}

// The whole duty: drawn at the request's block, the worker fetches the module and input from the
// requester, re-executes the task, writes its vote to disk, commits while the commit phase lasts,
// reveals once it is over, and ends with the decision.
func TestDutyCommitsRevealsAndEnds(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.request(e.input) // echo: the honest output is the input
	h := e.l.Block()   // 10: the request's block
	e.awaitCommits(1)

	d := e.duty(1)
	require.Equal(t, auditor.PhaseCommitted, d.Phase)
	require.Equal(t, task.OutputHash(e.input), d.OutputHash, "the vote is the output hash a receipt signs")
	require.Equal(t, "ok", d.RunStatus)
	require.Len(t, d.Salt, 32)
	c := e.commits()[0]
	require.Equal(t, e.self.String(), c.Auditor)
	require.Equal(t, quorumtypes.AuditCommitment(1, e.self, d.OutputHash, d.Salt), c.Commitment)
	require.Equal(t, h+1, e.l.Sent()[1].Height, "committed in the block after the request's")
	info, err := os.Stat(filepath.Join(e.dir, "audits", "1.json"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the salt is a secret until the reveal")

	// nothing is revealed while the commit phase lasts (a reveal broadcast at the commit deadline's
	// height lands after it)
	e.blocksTo(start + 1 + commitLen - 1)
	require.Empty(t, e.reveals())
	e.blocksTo(start + 1 + commitLen)
	require.Eventually(t, func() bool { return len(e.reveals()) == 1 }, 5*time.Second, 5*time.Millisecond, e.log.String())
	r := e.reveals()[0]
	require.Equal(t, d.OutputHash, r.OutputHash)
	require.Equal(t, d.Salt, r.Salt)
	require.Equal(t, auditor.PhaseRevealed, e.duty(1).Phase)

	// decided at the end of the reveal deadline's block: the other members never voted, so no majority
	e.blocksTo(start + 1 + commitLen + revealLen)
	require.Eventually(t, func() bool { return e.duty(1).Phase == auditor.PhaseDone }, 5*time.Second, 5*time.Millisecond)
	require.Contains(t, e.duty(1).Outcome, "AUDIT_STATE_INCONCLUSIVE")
	require.Len(t, e.commits(), 1)
	require.Len(t, e.reveals(), 1)
}

// A restart after the commit resumes from disk: the vote is revealed with the salt on disk, nothing is
// fetched or committed again.
func TestDutyResumesAfterARestart(t *testing.T) {
	e := newEnv(t)
	e.start()
	e.request(e.input)
	e.l.Block()
	e.awaitCommits(1)
	first := e.duty(1)
	e.stop()
	e.stopServing() // the requester is gone: nothing can be fetched again

	e.l.Block()
	e.l.Block()
	e.start()
	e.blocksTo(start + 1 + commitLen)
	require.Eventually(t, func() bool { return len(e.reveals()) == 1 }, 5*time.Second, 5*time.Millisecond, e.log.String())
	require.Equal(t, first.Salt, e.reveals()[0].Salt)
	require.Len(t, e.commits(), 1, "never committed twice")
	require.Contains(t, e.log.String(), "resumed audit duties")
}

// A commit whose confirmation was lost (included all the same) is found on chain at the next height:
// not committed twice. A commit that did not go through is sent again after a restart, with the same
// commitment, the one on disk.
func TestDutyNeverCommitsTwice(t *testing.T) {
	t.Run("confirmation lost", func(t *testing.T) {
		e := newEnv(t)
		e.l.FailNext(e.self.String(), auditortest.Failure{Err: errors.New("transaction not included within 30s"), Applied: true})
		e.start()
		e.request(e.input)
		e.l.Block()
		e.awaitCommits(1)
		require.Eventually(t, func() bool { return strings.Contains(e.log.String(), "tried again at the next height") }, 5*time.Second, 5*time.Millisecond)
		require.Equal(t, auditor.PhaseComputed, e.duty(1).Phase)
		e.l.Block()
		e.l.Settle()
		require.Equal(t, auditor.PhaseCommitted, e.duty(1).Phase, "the chain says it is committed")
		require.Len(t, e.commits(), 1)
		e.blocksTo(start + 1 + commitLen)
		require.Eventually(t, func() bool { return len(e.reveals()) == 1 }, 5*time.Second, 5*time.Millisecond, e.log.String())
	})
	t.Run("crashed before the commit", func(t *testing.T) {
		e := newEnv(t)
		e.l.FailNext(e.self.String(), auditortest.Failure{Err: errors.New("node unreachable")})
		e.start()
		e.request(e.input)
		e.l.Block()
		require.Eventually(t, func() bool { return strings.Contains(e.log.String(), "tried again at the next height") }, 10*time.Second, 5*time.Millisecond)
		saved := e.duty(1)
		require.Equal(t, auditor.PhaseComputed, saved.Phase)
		require.Empty(t, e.commits())
		e.stop()
		e.stopServing()

		e.start()
		e.l.Block()
		e.awaitCommits(1)
		require.Equal(t, saved.Commitment, e.commits()[0].Commitment, "the commitment on disk, not a new one")
		require.Equal(t, auditor.PhaseCommitted, e.duty(1).Phase)
	})
}

// Data the requester does not serve: the worker tries while it may, then votes data unavailable
// (32 zero bytes) rather than not at all, so that it keeps its deposit when the rest of the
// committee could not get the data either.
func TestDutyVotesDataUnavailableWhenTheDataCannotBeFetched(t *testing.T) {
	e := newEnv(t)
	e.stopServing()
	defer auditdata.Serve(e.requester, e.module)() // the module, not the input
	e.start()
	e.request(e.input)
	e.l.Block()
	require.Eventually(t, func() bool {
		if len(e.commits()) > 0 || e.l.Height() >= start+commitLen {
			return true
		}
		e.l.Block()
		return false
	}, 20*time.Second, 50*time.Millisecond)
	e.l.Settle()
	log := e.log.String()
	require.Contains(t, log, "voting data unavailable")
	require.Contains(t, log, "fetching the input")
	require.Contains(t, log, "does not have it")
	require.Len(t, e.commits(), 1, "a vote is committed")
	saved := e.duty(1)
	require.Equal(t, quorumtypes.DataUnavailable, saved.OutputHash)
	require.Equal(t, saved.Commitment, e.commits()[0].Commitment)
}

// Only the committee's members serve, and only while their commit can still land.
func TestDutyOnlyForTheCommitteeInTime(t *testing.T) {
	t.Run("another committee", func(t *testing.T) {
		e := newEnv(t)
		e.l.CommitteeSize = 2 // addr(2) and addr(3): not this worker
		e.start()
		e.request(e.input)
		e.blocksTo(start + 3)
		require.Empty(t, e.svc.Duties())
		require.Empty(t, e.commits())
	})
	t.Run("drawn while away, found at the resync", func(t *testing.T) {
		e := newEnv(t)
		e.request(e.input)
		e.l.Block() // 10, before the service follows
		e.l.Block()
		e.start() // its first event is a resync at 11
		e.l.Block()
		e.awaitCommits(1)
	})
	t.Run("too late to commit", func(t *testing.T) {
		e := newEnv(t)
		e.request(e.input)
		e.blocksTo(start + 1 + commitLen) // the commit deadline's block is made
		e.start()
		e.l.Block()
		e.l.Settle()
		require.Empty(t, e.commits())
	})
}

// [verifier] join = true puts the provider into the pool once.
func TestJoinTheVerifierPool(t *testing.T) {
	e := newEnv(t)
	e.self = addr(4) // not in the pool
	e.cfg.Join = true
	e.start()
	joins := auditortest.SentOf[*quorumtypes.MsgJoinVerifierPool](e.l)
	require.Len(t, joins, 1)
	require.Equal(t, e.self.String(), joins[0].Provider)
	require.Contains(t, e.log.String(), "joined the verifier pool")
	e.stop()
	e.start()
	require.Len(t, auditortest.SentOf[*quorumtypes.MsgJoinVerifierPool](e.l), 1, "already in it")
	require.Contains(t, e.log.String(), "in the verifier pool")
}
