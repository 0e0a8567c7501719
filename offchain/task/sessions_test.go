package task_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// countingSigner counts the signatures an owner key makes.
type countingSigner struct {
	ownerKey
	signs atomic.Int64
}

func (k *countingSigner) Sign(msg []byte) ([]byte, []byte, error) {
	k.signs.Add(1)
	return k.ownerKey.Sign(msg)
}

func ctx10s(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// openSession opens a session of e.client on the lease, signed by the lease's owner.
func (e *env) openSession(leaseID uint64, signer task.Signer) (*task.Session, error) {
	return task.OpenSession(ctx10s(e.t), e.client, e.info, chainID, leaseID, signer, time.Hour)
}

// sendOn sends a task with the next sequence number on a session.
func (e *env) sendOn(s *task.Session, module, input []byte) (*wire.TaskResponse, error) {
	e.seq++
	return s.Send(ctx10s(e.t), task.Task{Seq: e.seq, Module: module, Input: input})
}

// grant is a grant of the lease to peer h, signed by signer, that ends at notAfter.
func (e *env) grant(leaseID uint64, h host.Host, notAfter time.Time, signer task.Signer) *wire.SessionGrant {
	g, err := task.NewSessionGrant(chainID, leaseID, h.ID(), notAfter, signer)
	require.NoError(e.t, err)
	return g
}

// request sends a grant from host h and returns the worker's answer.
func (e *env) request(h host.Host, g *wire.SessionGrant) *wire.SessionResponse {
	resp, err := task.RequestSession(ctx10s(e.t), h, e.info, g)
	require.NoError(e.t, err)
	return resp
}

// sessionTask sends an unsigned header for the lease from host h, and its body if accepted.
func (e *env) sessionTask(h host.Host, leaseID uint64, module, input []byte) wire.TaskResponse {
	e.seq++
	header := wire.TaskHeader{ChainId: chainID, LeaseId: leaseID, TaskSeq: e.seq, ModuleSize: uint64(len(module)), ModuleHash: wire.Hash(module),
		InputSize: uint64(len(input)), InputHash: wire.Hash(input)}
	return e.rawFrom(e.t, h, func(w io.Writer) {
		require.NoError(e.t, wire.WriteFrame(w, &header))
		_, _ = w.Write(module)
		_, _ = w.Write(input)
	})
}

func requireNoSession(t *testing.T, resp wire.TaskResponse) {
	t.Helper()
	require.Equal(t, wire.TaskRefusal_TASK_REFUSAL_NO_SESSION, resp.Refusal, "answer %+v", resp)
	require.Contains(t, resp.Error, "no session for lease")
	require.Nil(t, resp.Receipt)
}

// Tasks on a session run without an owner signature each, and without asking the chain each: their
// receipts are those of signed tasks.
func TestSessionTasksRunAndReceiptsVerify(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	signer := &countingSigner{ownerKey: e.owner}
	s, err := e.openSession(1, signer)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(time.Hour), s.NotAfter(), 2*time.Second)
	require.Equal(t, 1, task.SessionCount(e.srv))
	queries := e.chain.queries.Load()

	for i := range 5 {
		input := []byte{byte(i), 'x'}
		resp, err := e.sendOn(s, echo, input)
		require.NoError(t, err)
		require.Equal(t, input, resp.Output)
		require.NoError(t, resp.Receipt.Verify(e.key.Public().(ed25519.PublicKey)))
		r := resp.Receipt.Receipt
		require.Equal(t, uint64(1), r.LeaseId)
		require.Equal(t, e.seq, r.TaskSeq)
		require.Equal(t, wire.Hash(echo), r.ModuleHash)
		require.Equal(t, wire.Hash(input), r.InputHash)
		require.Equal(t, int32(runtime.StatusOK), r.Status)
		stored, err := e.receipts.Get(1, e.seq)
		require.NoError(t, err)
		require.Equal(t, *resp.Receipt, stored, "stored before the answer")
	}
	require.Equal(t, int64(1), signer.signs.Load(), "one signature: the grant")
	require.Equal(t, queries, e.chain.queries.Load(), "no chain query per task within the recheck interval")

	// signed tasks keep working next to the session
	resp, err := e.send(1, echo, []byte("signed"), e.owner)
	require.NoError(t, err)
	require.Equal(t, "signed", string(resp.Output))

	// a session task still has to be the order's workload
	_, err = e.sendOn(s, wasmtest.Trap(), nil)
	require.ErrorContains(t, err, "not the order's workload hash")
	// and a session's task stays on its lease
	_, err = s.Send(ctx10s(t), task.Task{LeaseID: 2, Seq: 1000, Module: echo})
	require.ErrorContains(t, err, "sent on the session of chain")
}

// A session serves the peer the grant names, and only that peer: another peer's unsigned tasks are
// refused for want of a session, and so is the grant when it replays it.
func TestSessionServesOnlyTheGrantedPeer(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	other := newHost(t, false)

	requireNoSession(t, e.sessionTask(e.client, 1, echo, nil))
	s, err := e.openSession(1, e.owner)
	require.NoError(t, err)
	resp := e.sessionTask(e.client, 1, echo, []byte("mine"))
	require.Empty(t, resp.Error)
	require.Equal(t, "mine", string(resp.Output))

	requireNoSession(t, e.sessionTask(other, 1, echo, []byte("theirs")))
	// the other peer got hold of the grant itself: it names the client's peer, not the other
	g := e.grant(1, e.client, time.Now().Add(time.Hour), e.owner)
	answer := e.request(other, g)
	require.Contains(t, answer.Error, "a grant serves only the peer it names")
	require.Zero(t, answer.NotAfterUnix)
	requireNoSession(t, e.sessionTask(other, 1, echo, []byte("theirs")))
	require.Equal(t, 1, task.SessionCount(e.srv))

	// the session of the client serves its lease only
	e.lease(2, echo)
	requireNoSession(t, e.sessionTask(e.client, 2, echo, nil))
	_, err = e.sendOn(s, echo, []byte("still mine"))
	require.NoError(t, err)

	// a session ends at the grant's end
	e.clock.advance(time.Hour)
	requireNoSession(t, e.sessionTask(e.client, 1, echo, nil))
	require.Zero(t, task.SessionCount(e.srv))
}

// A header with an owner key but no signature, or a signature but no key, is neither a signed task
// nor a session task.
func TestHalfSignedHeadersAreRefused(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	_, err := e.openSession(1, e.owner)
	require.NoError(t, err)
	for _, c := range []struct {
		name string
		edit func(*wire.TaskHeader)
		want string
	}{
		{"owner key, no signature", func(h *wire.TaskHeader) { h.Signature = nil }, "owner key but no signature"},
		{"signature, no owner key", func(h *wire.TaskHeader) { h.OwnerPubkey = nil }, "signature but no owner key"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := e.header(echo, nil, e.owner)
			c.edit(&h)
			resp := e.raw(t, func(w io.Writer) {
				require.NoError(t, wire.WriteFrame(w, &h))
				_, _ = w.Write(echo)
			})
			require.Contains(t, resp.Error, c.want)
			require.Equal(t, wire.TaskRefusal_TASK_REFUSAL_UNSPECIFIED, resp.Refusal)
			require.Nil(t, resp.Receipt)
		})
	}
}

// Every grant the worker must refuse is refused with the reason, and leaves no session behind.
func TestSessionGrantsTheWorkerMustRefuse(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	e.chain.leases[2] = markettypes.Lease{Id: 2, OrderId: 1, Provider: e.provider, State: markettypes.LeasePending}
	e.chain.leases[3] = markettypes.Lease{Id: 3, OrderId: 1, Provider: sdk.AccAddress(make([]byte, 20)).String() + "x", State: markettypes.LeaseActive}
	e.chain.leases[4] = markettypes.Lease{Id: 4, OrderId: 1, Provider: e.provider, State: markettypes.LeaseClosed}
	stranger := newOwnerKey()
	hour := time.Now().Add(time.Hour)

	for _, c := range []struct {
		name  string
		grant func() *wire.SessionGrant
		want  string
	}{
		{"bad signature", func() *wire.SessionGrant {
			g := e.grant(1, e.client, hour, e.owner)
			g.Signature[5] ^= 1
			return g
		}, "signature does not verify"},
		{"signed for another lease", func() *wire.SessionGrant {
			g := e.grant(1, e.client, hour, e.owner)
			g.LeaseId = 4
			return g
		}, "signature does not verify"},
		{"unsigned", func() *wire.SessionGrant {
			g := e.grant(1, e.client, hour, e.owner)
			g.Signature = nil
			return g
		}, "signature does not verify"},
		{"no owner key", func() *wire.SessionGrant {
			g := e.grant(1, e.client, hour, e.owner)
			g.OwnerPubkey = nil
			return g
		}, "owner key must be a 33-byte"},
		{"wrong chain", func() *wire.SessionGrant {
			g, err := task.NewSessionGrant("other-chain", 1, e.client.ID(), hour, e.owner)
			require.NoError(t, err)
			return g
		}, `session grant for chain "other-chain"`},
		{"expired", func() *wire.SessionGrant { return e.grant(1, e.client, time.Now().Add(-time.Minute), e.owner) }, "session grant expired at"},
		{"ttl too long", func() *wire.SessionGrant { return e.grant(1, e.client, time.Now().Add(25*time.Hour), e.owner) }, "more than this worker's max session TTL of 24h0m0s"},
		{"not a peer id", func() *wire.SessionGrant {
			g := e.grant(1, e.client, hour, e.owner)
			g.PeerId = []byte("nobody")
			return g
		}, "peer_id is not a peer ID"},
		{"not the order owner", func() *wire.SessionGrant { return e.grant(1, e.client, hour, stranger) }, "session granted by " + stranger.addr() + ", but order 1 belongs to"},
		{"unknown lease", func() *wire.SessionGrant { return e.grant(99, e.client, hour, e.owner) }, "lease 99 not found"},
		{"lease not started", func() *wire.SessionGrant { return e.grant(2, e.client, hour, e.owner) }, "lease 2 is LEASE_STATE_PENDING, not active"},
		{"another provider's lease", func() *wire.SessionGrant { return e.grant(3, e.client, hour, e.owner) }, "not to this worker"},
		{"closed lease", func() *wire.SessionGrant { return e.grant(4, e.client, hour, e.owner) }, "lease 4 is LEASE_STATE_CLOSED, not active"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.request(e.client, c.grant())
			require.Contains(t, resp.Error, c.want)
			require.Zero(t, resp.NotAfterUnix)
			require.Zero(t, task.SessionCount(e.srv), "no session stored")
			for _, lease := range []uint64{1, 2, 3, 4} {
				requireNoSession(t, e.sessionTask(e.client, lease, echo, nil))
			}
		})
	}
	t.Run("malformed grant", func(t *testing.T) {
		ctx := ctx10s(t)
		st, err := e.client.NewStream(ctx, e.info.ID, wire.SessionProtocolID)
		require.NoError(t, err)
		defer st.Close()
		_, _ = st.Write([]byte{0x05, 0xff, 0xff, 0xff, 0xff, 0xff})
		_ = st.CloseWrite()
		var resp wire.SessionResponse
		require.NoError(t, wire.ReadFrame(bufio.NewReader(st), wire.MaxHeaderBytes, &resp))
		require.Contains(t, resp.Error, "malformed session grant")
		require.Zero(t, task.SessionCount(e.srv))
	})
	// OpenSession says why the worker refused
	_, err := task.OpenSession(ctx10s(t), e.client, e.info, chainID, 4, e.owner, time.Hour)
	require.ErrorContains(t, err, "worker refused the session: lease 4 is LEASE_STATE_CLOSED, not active")
	_, err = task.OpenSession(ctx10s(t), e.client, e.info, chainID, 1, e.owner, 48*time.Hour)
	require.ErrorContains(t, err, "max session TTL")

	// the worker's limit on the grant's end is its config
	e2 := newEnv(t, func(c *task.Config) { c.Sessions.MaxTTL = time.Hour })
	e2.lease(1, echo)
	resp := e2.request(e2.client, e2.grant(1, e2.client, time.Now().Add(2*time.Hour), e2.owner))
	require.Contains(t, resp.Error, "max session TTL of 1h0m0s")
	resp = e2.request(e2.client, e2.grant(1, e2.client, time.Now().Add(time.Hour), e2.owner))
	require.Empty(t, resp.Error)
}

// A session serves from its snapshot of the lease for at most the recheck interval: a lease closed on
// chain is served until the snapshot is that old, then read again, refused, and the session ends.
// A node that does not answer refuses the task but keeps the session.
func TestSessionEndsWhenTheLeaseCloses(t *testing.T) {
	const recheck = 2 * time.Second
	e := newEnv(t, func(c *task.Config) { c.Sessions.RecheckInterval = recheck })
	echo := wasmtest.Echo()
	e.lease(1, echo)
	s, err := e.openSession(1, e.owner)
	require.NoError(t, err)
	_, err = e.sendOn(s, echo, nil)
	require.NoError(t, err)

	// the node is down when the snapshot is due: the task is refused, the session stays
	e.clock.advance(recheck)
	e.chain.down.Store(true)
	_, err = e.sendOn(s, echo, nil)
	require.ErrorContains(t, err, "lease 1: node unreachable")
	require.Equal(t, 1, task.SessionCount(e.srv))
	e.chain.down.Store(false)
	queries := e.chain.queries.Load()
	_, err = e.sendOn(s, echo, nil)
	require.NoError(t, err)
	require.Equal(t, queries+1, e.chain.queries.Load(), "the snapshot was read again")

	e.chain.mu.Lock()
	l := e.chain.leases[1]
	l.State = markettypes.LeaseClosed
	e.chain.leases[1] = l
	e.chain.mu.Unlock()
	// within the recheck interval, the snapshot serves: the documented staleness
	e.clock.advance(recheck - time.Millisecond)
	_, err = e.sendOn(s, echo, nil)
	require.NoError(t, err)
	e.clock.advance(time.Millisecond)
	_, err = e.sendOn(s, echo, nil)
	require.ErrorContains(t, err, "lease 1 is LEASE_STATE_CLOSED, not active")
	require.Zero(t, task.SessionCount(e.srv), "the session ended with its lease")
	// the next task finds no session, and the session cannot be opened again
	_, err = e.sendOn(s, echo, nil)
	require.ErrorContains(t, err, "opening one again failed: worker refused the session: lease 1 is LEASE_STATE_CLOSED")
}

// The same lease and sequence number run once, whether signed or on a session.
func TestSessionDuplicateTaskRefused(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	s, err := e.openSession(1, e.owner)
	require.NoError(t, err)
	_, err = s.Send(ctx10s(t), task.Task{Seq: 7, Module: echo, Input: []byte("once")})
	require.NoError(t, err)
	_, err = s.Send(ctx10s(t), task.Task{Seq: 7, Module: echo, Input: []byte("once")})
	require.ErrorContains(t, err, "task 7 of lease 1 was already run")
	var refused *task.RefusedError
	require.ErrorAs(t, err, &refused)
	require.Equal(t, wire.TaskRefusal_TASK_REFUSAL_UNSPECIFIED, refused.Refusal)
	e.seq = 6
	_, err = e.send(1, echo, []byte("once"), e.owner)
	require.ErrorContains(t, err, "already run")

	// copies sent at once on the session: one runs
	spin := wasmtest.Spin()
	e.lease(2, spin)
	s2, err := e.openSession(2, e.owner)
	require.NoError(t, err)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = s2.Send(ctx10s(t), task.Task{Seq: 9, Module: spin})
		}()
	}
	wg.Wait()
	ran := 0
	for _, err := range errs {
		if err == nil {
			ran++
		} else {
			require.ErrorContains(t, err, "already run")
		}
	}
	require.Equal(t, 1, ran)
}

// The worker holds at most Max sessions and MaxPerLease on one lease; expired ones make room first,
// and a grant beyond the bounds is refused with the reason.
func TestSessionStoreIsBounded(t *testing.T) {
	e := newEnv(t, func(c *task.Config) { c.Sessions.Max, c.Sessions.MaxPerLease = 3, 2 })
	echo := wasmtest.Echo()
	for id := uint64(1); id <= 3; id++ {
		e.lease(id, echo)
	}
	peers := make([]host.Host, 4)
	for i := range peers {
		peers[i] = newHost(t, false)
	}
	hour := time.Now().Add(time.Hour)
	open := func(leaseID uint64, p host.Host, notAfter time.Time) string {
		return e.request(p, e.grant(leaseID, p, notAfter, e.owner)).Error
	}
	require.Empty(t, open(1, peers[0], time.Now().Add(10*time.Second)))
	require.Empty(t, open(1, peers[1], hour))
	require.Contains(t, open(1, peers[2], hour), "lease 1 already has 2 open sessions, the most this worker holds for one lease")
	require.Empty(t, open(2, peers[2], hour))
	require.Equal(t, 3, task.SessionCount(e.srv))
	require.Contains(t, open(3, peers[3], hour), "this worker already holds 3 open sessions")
	require.Empty(t, open(1, peers[1], hour), "a peer's new grant replaces its session")
	require.Equal(t, 3, task.SessionCount(e.srv))
	requireNoSession(t, e.sessionTask(peers[3], 3, echo, nil))

	// once the short session has expired, it makes room
	e.clock.advance(11 * time.Second)
	require.Empty(t, open(3, peers[3], hour))
	require.Equal(t, 3, task.SessionCount(e.srv))
	resp := e.sessionTask(peers[3], 3, echo, []byte("room"))
	require.Equal(t, "room", string(resp.Output))
	requireNoSession(t, e.sessionTask(peers[0], 1, echo, nil))
}

// A worker that restarts forgets its sessions; Session.Send opens the session again, once for all the
// tasks sent at the same time, and retries them.
func TestSessionReopensAfterTheWorkerForgets(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	signer := &countingSigner{ownerKey: e.owner}
	s, err := e.openSession(1, signer)
	require.NoError(t, err)
	_, err = e.sendOn(s, echo, []byte("before"))
	require.NoError(t, err)

	e.startServer()
	require.Zero(t, task.SessionCount(e.srv))
	const tasks = 12
	errs := make([]error, tasks)
	var wg sync.WaitGroup
	for i := range tasks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var resp *wire.TaskResponse
			resp, errs[i] = s.Send(ctx10s(t), task.Task{Seq: uint64(100 + i), Module: echo, Input: []byte{byte(i)}})
			if errs[i] == nil && string(resp.Output) != string([]byte{byte(i)}) {
				errs[i] = io.ErrUnexpectedEOF
			}
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "task %d", i)
	}
	require.Equal(t, int64(2), signer.signs.Load(), "the first grant, and one more after the restart")
	require.Equal(t, 1, task.SessionCount(e.srv))
}
