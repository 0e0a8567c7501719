package task_test

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

const chainID = "fog-test"

// fakeChain is a keeper-less view of leases for one worker's tests.
type fakeChain struct {
	mu     sync.Mutex
	leases map[uint64]markettypes.Lease
	orders map[uint64]markettypes.Order
	// queries counts LeaseAndOrder calls; down makes them fail as an unreachable node would
	queries atomic.Int64
	down    atomic.Bool
}

func (c *fakeChain) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	c.queries.Add(1)
	if c.down.Load() {
		return markettypes.Lease{}, markettypes.Order{}, fmt.Errorf("node unreachable")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.leases[id]
	if !ok {
		return l, markettypes.Order{}, fmt.Errorf("lease %d not found", id)
	}
	return l, c.orders[l.OrderId], nil
}

// ownerKey signs task headers like a keyring key would.
type ownerKey struct {
	priv *secp256k1.PrivKey
	pub  []byte
}

func newOwnerKey() ownerKey {
	priv := secp256k1.GenPrivKey()
	return ownerKey{priv, priv.PubKey().Bytes()}
}

func (k ownerKey) Sign(msg []byte) ([]byte, []byte, error) {
	sig, err := k.priv.Sign(msg)
	return sig, k.pub, err
}

func (k ownerKey) PublicKey() ([]byte, error) { return k.pub, nil }

func (k ownerKey) addr() string { return sdk.AccAddress(k.priv.PubKey().Address()).String() }

type env struct {
	t        *testing.T
	chain    *fakeChain
	worker   host.Host
	client   host.Host
	info     peer.AddrInfo
	key      ed25519.PrivateKey
	owner    ownerKey
	provider string
	seq      uint64
	// receipts is the worker's store, kept in receiptsDir
	receipts    *task.ReceiptStore
	receiptsDir string
	// attestation is what the server puts in receipts as attestation_hash
	attestation atomic.Pointer[[]byte]
	// srv is the running server, made from cfg on worker with rt; clock is the time it checks
	// sessions against
	srv   *task.Server
	cfg   task.Config
	rt    *runtime.Runtime
	clock *clock
}

// clock is a time that moves only when a test moves it.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newHost makes a host as the worker and the customer do (task.HostOptions), listening on loopback
// or not at all.
func newHost(t testing.TB, listen bool) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	if listen {
		opts = append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	} else {
		opts = append(opts, libp2p.NoListenAddrs)
	}
	h, err := libp2p.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// newEnv starts a worker (its config changed by opts) and a customer host.
func newEnv(t *testing.T, opts ...func(*task.Config)) *env {
	e := &env{t: t, chain: &fakeChain{leases: map[uint64]markettypes.Lease{}, orders: map[uint64]markettypes.Order{}},
		owner: newOwnerKey(), provider: sdk.AccAddress(make([]byte, 20)).String(), clock: &clock{t: time.Now()}}
	_, e.key, _ = ed25519.GenerateKey(rand.Reader)
	e.worker, e.client = newHost(t, true), newHost(t, false)
	e.info = peer.AddrInfo{ID: e.worker.ID(), Addrs: e.worker.Addrs()}
	rt, err := runtime.New(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close(context.Background()) })
	e.rt = rt
	e.receiptsDir = t.TempDir()
	receipts, err := task.OpenReceiptStore(e.receiptsDir)
	require.NoError(t, err)
	e.receipts = receipts
	lim := runtime.DefaultLimits()
	lim.Timeout, lim.MaxModuleBytes, lim.MaxInputBytes = 300*time.Millisecond, 1<<20, 64<<10
	e.cfg = task.Config{ChainID: chainID, Provider: e.provider, Key: e.key, Limits: lim,
		AttestationHash: func() []byte {
			if h := e.attestation.Load(); h != nil {
				return *h
			}
			return nil
		}}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.startServer()
	return e
}

// startServer starts a new server on the worker's host and receipt store (after stopping the
// running one, if any): a worker restarted, which remembers its receipts but no session.
func (e *env) startServer() {
	if e.srv != nil {
		e.srv.Stop()
	}
	e.srv = task.NewServer(e.cfg, e.worker, e.chain, e.rt, e.receipts, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
	task.SetClock(e.srv, e.clock.now)
	require.NoError(e.t, e.srv.Start(context.Background()))
	srv := e.srv
	e.t.Cleanup(srv.Stop)
}

// lease adds an active lease of this worker on an order of owner for module.
func (e *env) lease(id uint64, module []byte) {
	e.chain.mu.Lock()
	defer e.chain.mu.Unlock()
	e.chain.orders[id] = markettypes.Order{Id: id, Owner: e.owner.addr(), WorkloadHash: wire.Hash(module),
		Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 1}}
	e.chain.leases[id] = markettypes.Lease{Id: id, OrderId: id, Provider: e.provider, State: markettypes.LeaseActive}
}

func (e *env) send(leaseID uint64, module, input []byte, signer task.Signer) (*wire.TaskResponse, error) {
	e.seq++
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return task.Send(ctx, e.client, e.info, task.Task{ChainID: chainID, LeaseID: leaseID, Seq: e.seq, Module: module, Input: input}, signer)
}

func TestTaskRunsAndReceiptVerifies(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	input := []byte("hello fog")
	resp, err := e.send(1, echo, input, e.owner)
	require.NoError(t, err)
	require.Equal(t, input, resp.Output)
	r := resp.Receipt.Receipt
	require.NoError(t, resp.Receipt.Verify(e.key.Public().(ed25519.PublicKey)))
	require.Equal(t, uint64(1), r.LeaseId)
	require.Equal(t, wire.Hash(echo), r.ModuleHash)
	require.Equal(t, wire.Hash(input), r.InputHash)
	require.Equal(t, wire.Hash(input), r.OutputHash)
	require.Equal(t, int32(runtime.StatusOK), r.Status)
	require.Equal(t, e.provider, r.Provider)
	require.Empty(t, r.AttestationHash, "not attested: no attestation hash")

	// a receipt that was tampered with, or checked against another key, does not verify
	tampered := *resp.Receipt
	rc := *tampered.Receipt
	rc.OutputHash = wire.Hash([]byte("something else"))
	tampered.Receipt = &rc
	require.Error(t, tampered.Verify(e.key.Public().(ed25519.PublicKey)))
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	require.Error(t, resp.Receipt.Verify(other.Public().(ed25519.PublicKey)))

	// once attested, receipts carry the enclave record's evidence hash, under the signature
	hash := wire.Hash([]byte("evidence"))
	e.attestation.Store(&hash)
	resp, err = e.send(1, echo, input, e.owner)
	require.NoError(t, err)
	require.Equal(t, hash, resp.Receipt.Receipt.AttestationHash)
	require.NoError(t, resp.Receipt.Verify(e.key.Public().(ed25519.PublicKey)))
	rc = *resp.Receipt.Receipt
	rc.AttestationHash = wire.Hash([]byte("other evidence"))
	tampered = wire.SignedReceipt{Receipt: &rc, Signature: resp.Receipt.Signature}
	require.Error(t, tampered.Verify(e.key.Public().(ed25519.PublicKey)), "the signature covers the attestation hash")
}

// Workloads that fail are answered with a receipt that records the failure, and the worker keeps
// serving.
func TestFailingWorkloadsAreReceiptedAndTheWorkerKeepsServing(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	for i, c := range []struct {
		module []byte
		status runtime.Status
	}{
		{wasmtest.Trap(), runtime.StatusTrap},
		{wasmtest.Spin(), runtime.StatusTimeout},
		{wasmtest.Grow(40), runtime.StatusMemoryLimit}, // the order allows 1 MiB = 16 pages
		{wasmtest.Exit(3), runtime.StatusExit},
	} {
		id := uint64(10 + i)
		e.lease(id, c.module)
		resp, err := e.send(id, c.module, nil, e.owner)
		require.NoError(t, err, c.status)
		require.Equal(t, int32(c.status), resp.Receipt.Receipt.Status, c.status)
		require.NoError(t, resp.Receipt.Verify(e.key.Public().(ed25519.PublicKey)))
		require.NotEmpty(t, resp.WorkloadError, "the customer is told why: %s", c.status)
		require.ErrorContains(t, customer.WorkloadError(resp), c.status.String())

		ok, err := e.send(1, echo, []byte("still here"), e.owner)
		require.NoError(t, err)
		require.Equal(t, "still here", string(ok.Output))
	}
}

func TestTasksTheWorkerMustRefuse(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)
	e.chain.leases[2] = markettypes.Lease{Id: 2, OrderId: 1, Provider: e.provider, State: markettypes.LeasePending}
	e.chain.leases[3] = markettypes.Lease{Id: 3, OrderId: 1, Provider: sdk.AccAddress(make([]byte, 20)).String() + "x", State: markettypes.LeaseActive}
	e.chain.leases[4] = markettypes.Lease{Id: 4, OrderId: 1, Provider: e.provider, State: markettypes.LeaseClosed}
	stranger := newOwnerKey()

	for _, c := range []struct {
		name   string
		lease  uint64
		module []byte
		signer task.Signer
		want   string
	}{
		{"module is not the order's workload", 1, wasmtest.Trap(), e.owner, "not the order's workload hash"},
		{"sender is not the order owner", 1, echo, stranger, "belongs to"},
		{"unknown lease", 99, echo, e.owner, "lease 99"},
		{"lease not started", 2, echo, e.owner, "not active"},
		{"another provider's lease", 3, echo, e.owner, "not to this worker"},
		{"closed lease", 4, echo, e.owner, "not active"},
		{"module over the size limit", 1, make([]byte, 2<<20), e.owner, "module of"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.send(c.lease, c.module, nil, c.signer)
			require.ErrorContains(t, err, "worker refused the task")
			require.ErrorContains(t, err, c.want)
		})
	}
	t.Run("input over the size limit", func(t *testing.T) {
		_, err := e.send(1, echo, make([]byte, 65<<10), e.owner)
		require.ErrorContains(t, err, "input of")
	})
	t.Run("the same task twice", func(t *testing.T) {
		_, err := e.send(1, echo, []byte("once"), e.owner)
		require.NoError(t, err)
		e.seq-- // replay the sequence number
		_, err = e.send(1, echo, []byte("once"), e.owner)
		require.ErrorContains(t, err, "already run")
	})
	// after all that, the worker still serves
	resp, err := e.send(1, echo, []byte("ok"), e.owner)
	require.NoError(t, err)
	require.Equal(t, "ok", string(resp.Output))
}

// raw opens a task stream and writes bytes as they are, then reads the answer.
func (e *env) raw(t *testing.T, write func(w io.Writer)) wire.TaskResponse {
	return e.rawFrom(t, e.client, write)
}

// rawFrom is raw from host h.
func (e *env) rawFrom(t *testing.T, h host.Host, write func(w io.Writer)) wire.TaskResponse {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, h.Connect(ctx, e.info))
	st, err := h.NewStream(ctx, e.info.ID, wire.ProtocolID)
	require.NoError(t, err)
	defer st.Close()
	r := bufio.NewReader(st)
	write(st)
	_ = st.CloseWrite()
	var resp wire.TaskResponse
	require.NoError(t, wire.ReadFrame(r, wire.MaxResponseBytes, &resp))
	if resp.Accepted { // the header passed; the answer to the body follows
		resp = wire.TaskResponse{}
		require.NoError(t, wire.ReadFrame(r, wire.MaxResponseBytes, &resp))
	}
	return resp
}

func (e *env) header(module, input []byte, signer task.Signer) wire.TaskHeader {
	e.seq++
	h := wire.TaskHeader{ChainId: chainID, LeaseId: 1, TaskSeq: e.seq, ModuleSize: uint64(len(module)), ModuleHash: wire.Hash(module),
		InputSize: uint64(len(input)), InputHash: wire.Hash(input)}
	_, pub, _ := signer.Sign(nil)
	h.OwnerPubkey = pub
	bz, err := h.SignBytes()
	require.NoError(e.t, err)
	h.Signature, _, err = signer.Sign(bz)
	require.NoError(e.t, err)
	return h
}

func TestMalformedProtocolMessages(t *testing.T) {
	e := newEnv(t)
	echo := wasmtest.Echo()
	e.lease(1, echo)

	for _, c := range []struct {
		name  string
		write func(w io.Writer)
		want  string
	}{
		{"garbage instead of a header", func(w io.Writer) { _, _ = w.Write([]byte{0x05, 0xff, 0xff, 0xff, 0xff, 0xff}) }, "malformed task header"},
		{"header frame over its bound", func(w io.Writer) { _, _ = w.Write([]byte{0xff, 0xff, 0x03}) }, "frame larger than allowed"},
		{"nothing at all", func(w io.Writer) {}, "malformed task header"},
		{"body shorter than declared", func(w io.Writer) {
			h := e.header(echo, nil, e.owner)
			require.NoError(t, wire.WriteFrame(w, &h))
			_, _ = w.Write(echo[:10])
		}, "reading module"},
		{"body that is not what the header hashed", func(w io.Writer) {
			h := e.header(echo, []byte("abc"), e.owner)
			require.NoError(t, wire.WriteFrame(w, &h))
			_, _ = w.Write(echo)
			_, _ = w.Write([]byte("xyz"))
		}, "input bytes do not match"},
		{"bad signature", func(w io.Writer) {
			h := e.header(echo, nil, e.owner)
			h.Signature[5] ^= 1
			require.NoError(t, wire.WriteFrame(w, &h))
			_, _ = w.Write(echo)
		}, "signature does not verify"},
		{"wrong chain", func(w io.Writer) {
			h := e.header(echo, nil, e.owner)
			h.ChainId = "other"
			require.NoError(t, wire.WriteFrame(w, &h))
			_, _ = w.Write(echo)
		}, "for chain"},
		{"oversized module refused before its bytes are sent", func(w io.Writer) {
			h := e.header(echo, nil, e.owner)
			h.ModuleSize = 1 << 40
			require.NoError(t, wire.WriteFrame(w, &h))
		}, "module of"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := e.raw(t, c.write)
			require.Contains(t, resp.Error, c.want)
			require.Nil(t, resp.Receipt)
		})
	}
	resp, err := e.send(1, echo, []byte("ok"), e.owner)
	require.NoError(t, err)
	require.Equal(t, "ok", string(resp.Output))
	require.False(t, strings.Contains(resp.Error, "refused"))
}

// Two copies of one task arriving together: one runs, the other is refused, never both.
func TestConcurrentCopiesOfATaskRunOnce(t *testing.T) {
	e := newEnv(t)
	spin := wasmtest.Spin() // runs until the time limit, so the copies overlap
	e.lease(1, spin)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, errs[i] = task.Send(ctx, e.client, e.info, task.Task{ChainID: chainID, LeaseID: 1, Seq: 7, Module: spin}, e.owner)
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
