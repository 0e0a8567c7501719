package task_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/anchor"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// anchorBlock is how often the benchmark's anchorers run, standing for the blocks at which the
// worker's anchoring service runs (a localnet block takes about a second: this is more often).
const anchorBlock = 200 * time.Millisecond

// BenchmarkTaskProtocol measures tasks per second through /fog/task/1 on loopback: three workers,
// customers sending a tiny echo workload (64-byte input) in parallel; every task is authorized
// and run under wazero.
//
//   - secured: as the worker runs: each answer carries a receipt signed with ed25519 that holds
//     the worker's attestation hash and that was appended to the receipt log and fsynced before
//     the answer; each worker's anchoring service runs every anchorBlock over its log, building
//     the Merkle roots of full batches and syncing its anchors.log (the chain transaction is
//     answered at once by a fake chain);
//   - plain: the same tasks through the same protocol and runtime, answered with the receipt
//     unsigned, not stored, not synced, not anchored, without an attestation hash.
//
// Both send their tasks on sessions (one owner-signed grant per worker, opened before the timer
// starts; each task is authorized by the session of the customer's peer): secured ÷ plain is what
// security costs the main job. secured-signed-headers is secured with the owner's secp256k1
// signature on every task header instead (verified by the worker, as `fogd client run` sends):
// the cost sessions save.
//
// The echo task costs the runtime about 40 µs, so its figures are the protocol's and security's
// fixed cost per task. plain-1ms and secured-1ms run a workload that computes for about a
// millisecond first (wasmtest.Busy, 500,000 iterations), the scale of a small real task: their
// ratio is what security costs a job whose tasks do some work.
func BenchmarkTaskProtocol(b *testing.B) {
	for _, c := range []struct {
		name             string
		secured, signing bool
		module           []byte
	}{
		{"plain", false, false, wasmtest.Echo()},
		{"secured", true, false, wasmtest.Echo()},
		{"secured-signed-headers", true, true, wasmtest.Echo()},
		{"plain-1ms", false, false, wasmtest.Busy(500_000)},
		{"secured-1ms", true, false, wasmtest.Busy(500_000)},
	} {
		b.Run(c.name, func(b *testing.B) { benchmarkTasks(b, c.secured, c.signing, c.module) })
	}
}

func benchmarkTasks(b *testing.B, secured, signedHeaders bool, echo []byte) {
	owner := newOwnerKey()
	rt, err := runtime.New(context.Background())
	require.NoError(b, err)
	defer rt.Close(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var anchoring sync.WaitGroup
	defer anchoring.Wait()
	defer cancel()

	const workers = 3
	var syncs, syncNanos atomic.Int64
	infos := make([]peer.AddrInfo, workers)
	for i := range infos {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		provider := "fog1worker" + string(rune('a'+i))
		node := &fakeChain{
			leases: map[uint64]markettypes.Lease{1: {Id: 1, OrderId: 1, Provider: provider, State: markettypes.LeaseActive}},
			orders: map[uint64]markettypes.Order{1: {Id: 1, Owner: owner.addr(), WorkloadHash: wire.Hash(echo),
				Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 16}}},
		}
		h := newHost(b, true)
		receipts, err := task.OpenReceiptStore(b.TempDir())
		require.NoError(b, err)
		task.HookSync(receipts, func(sync func() error) error {
			t0 := time.Now()
			err := sync()
			syncs.Add(1)
			syncNanos.Add(int64(time.Since(t0)))
			return err
		})
		cfg := task.Config{ChainID: chainID, Provider: provider, Key: key, Limits: runtime.DefaultLimits()}
		if secured {
			attestation := newAttestation()
			cfg.AttestationHash = attestation.evidenceHash
			a, err := anchor.New(&anchorChain{}, receipts, anchor.DefaultSchedule(), b.TempDir(), log)
			require.NoError(b, err)
			anchoring.Add(1)
			go func() {
				defer anchoring.Done()
				t := time.NewTicker(anchorBlock)
				defer t.Stop()
				for height := int64(1); ; height++ {
					select {
					case <-ctx.Done():
						return
					case <-t.C:
					}
					if err := a.Step(ctx, chain.Event{Height: height}); err != nil && ctx.Err() == nil {
						b.Error(err)
					}
				}
			}()
		}
		srv := task.NewServer(cfg, h, node, rt, receipts, nil, log)
		if !secured {
			task.Unsecured(srv)
		}
		require.NoError(b, srv.Start(context.Background()))
		defer srv.Stop()
		infos[i] = peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}
	}
	client := newHost(b, false)
	sessions := make([]*task.Session, workers)
	if !signedHeaders {
		for i, info := range infos {
			sessions[i], err = task.OpenSession(ctx, client, info, chainID, 1, owner, time.Hour)
			require.NoError(b, err)
		}
	}
	input := make([]byte, 64)
	var seq atomic.Uint64
	b.SetParallelism(8)
	b.ResetTimer()
	cpuBefore := cpuTime()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			t := task.Task{ChainID: chainID, LeaseID: 1, Seq: n, Module: echo, Input: input}
			var resp *wire.TaskResponse
			var err error
			if signedHeaders {
				resp, err = task.Send(ctx, client, infos[n%workers], t, owner)
			} else {
				resp, err = sessions[n%workers].Send(ctx, t)
			}
			cancel()
			if err != nil {
				b.Error(err)
				return
			}
			if secured && len(resp.Receipt.Signature) == 0 || !secured && len(resp.Receipt.Signature) != 0 {
				b.Errorf("secured %v, receipt signature of %d bytes", secured, len(resp.Receipt.Signature))
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tasks/s")
	b.ReportMetric(float64((cpuTime()-cpuBefore).Microseconds())/float64(b.N), "cpu-µs/task")
	if n := syncs.Load(); n > 0 {
		b.ReportMetric(float64(b.N)/float64(n), "receipts/fsync")
		b.ReportMetric(float64(syncNanos.Load())/float64(n)/1e3, "fsync-µs")
	}
}

// cpuTime is the CPU time (user and system) the process used so far: customers, workers and
// anchoring together. Per task, it measures the work a task costs whatever else the machine runs,
// which tasks/s on a shared machine does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// attestation stands for the worker's attest.Attester: what a task reads of it is the evidence
// hash of the enclave record, under a lock, checked against the latest height.
type attestation struct {
	mu     sync.Mutex
	hash   []byte
	expiry int64
	height int64
}

func newAttestation() *attestation {
	return &attestation{hash: wire.Hash([]byte("evidence")), expiry: 1 << 40, height: 1}
}

func (a *attestation) evidenceHash() []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.expiry > a.height {
		return a.hash
	}
	return nil
}

// anchorChain answers MsgAnchorBatch at once with a new batch id.
type anchorChain struct {
	mu      sync.Mutex
	batches uint64
}

func (c *anchorChain) Address() sdk.AccAddress { return sdk.AccAddress(make([]byte, 20)) }

func (c *anchorChain) Subscribe(context.Context, chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	close(ch)
	return ch
}

func (c *anchorChain) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	c.batches++
	id := c.batches
	c.mu.Unlock()
	if _, ok := msgs[0].(*proofstypes.MsgAnchorBatch); !ok {
		panic("anchorChain: not a MsgAnchorBatch")
	}
	resp, err := codectypes.NewAnyWithValue(&proofstypes.MsgAnchorBatchResponse{BatchId: id})
	if err != nil {
		return nil, err
	}
	data, err := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{resp}}).Marshal()
	if err != nil {
		return nil, err
	}
	res := &ctypes.ResultTx{}
	res.TxResult.Data = data
	return res, nil
}

func (c *anchorChain) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	return markettypes.Lease{Id: id, State: markettypes.LeaseActive}, markettypes.Order{}, nil
}
