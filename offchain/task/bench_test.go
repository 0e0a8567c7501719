package task_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// BenchmarkTaskProtocol measures tasks per second through /fog/task/1 on loopback: three workers,
// customers sending a tiny echo workload (64-byte input) in parallel; every task is authorized,
// run under wazero, and answered with a signed receipt stored durably (fsync).
func BenchmarkTaskProtocol(b *testing.B) {
	owner := ownerKey{secp256k1.GenPrivKey()}
	echo := wasmtest.Echo()
	rt, err := runtime.New(context.Background())
	require.NoError(b, err)
	defer rt.Close(context.Background())

	const workers = 3
	infos := make([]peer.AddrInfo, workers)
	for i := range infos {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		provider := "fog1worker" + string(rune('a'+i))
		chain := &fakeChain{
			leases: map[uint64]markettypes.Lease{1: {Id: 1, OrderId: 1, Provider: provider, State: markettypes.LeaseActive}},
			orders: map[uint64]markettypes.Order{1: {Id: 1, Owner: owner.addr(), WorkloadHash: wire.Hash(echo),
				Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 16}}},
		}
		h := newHost(b, true)
		receipts, err := task.OpenReceiptStore(b.TempDir())
		require.NoError(b, err)
		srv := task.NewServer(task.Config{ChainID: chainID, Provider: provider, Key: key, Limits: runtime.DefaultLimits()},
			h, chain, rt, receipts, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(b, srv.Start(context.Background()))
		defer srv.Stop()
		infos[i] = peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()}
	}
	client := newHost(b, false)
	input := make([]byte, 64)
	var seq atomic.Uint64
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err := task.Send(ctx, client, infos[n%workers], task.Task{ChainID: chainID, LeaseID: 1, Seq: n, Module: echo, Input: input}, owner)
			cancel()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "tasks/s")
}
