package observer_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/probe"
	"github.com/fogchain/fog/offchain/task"
	markettypes "github.com/fogchain/fog/x/market/types"
)

func newHost(t *testing.T) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

type servedLeases map[uint64]bool

func (s servedLeases) Serves(id uint64) bool { return s[id] }

// registration is the worker host's provider registration.
func registration(worker host.Host) markettypes.Provider {
	var addrs []string
	for _, a := range worker.Addrs() {
		addrs = append(addrs, a.String())
	}
	return markettypes.Provider{Owner: provider, PeerId: worker.ID().String(), Multiaddrs: addrs}
}

// observe runs window 0 of a watch of the lease of the registered worker over real hosts and returns
// its report.
func observe(t *testing.T, reg markettypes.Provider, served bool) (sent, answered uint32, p95 uint64) {
	c := newFakeChain()
	c.providers[provider] = reg
	obsHost := newHost(t)
	var calls, errs atomic.Int64
	probeFn := func(ctx context.Context, target peer.AddrInfo, id uint64) (time.Duration, error) {
		rtt, err := probe.Probe(ctx, obsHost, target, id)
		calls.Add(1)
		if err != nil {
			errs.Add(1)
		}
		return rtt, err
	}
	e := newEnv(t, c, probeFn)
	e.block(10, watched(self))
	for h := int64(11); h < 14; h++ {
		before := calls.Load()
		e.block(h)
		require.Eventually(t, func() bool { return calls.Load() >= before+3 }, 10*time.Second, time.Millisecond)
	}
	e.block(14)
	r := e.waitReports(1)[0].msg
	require.Equal(t, uint32(0), r.Window)
	if served {
		require.Zero(t, errs.Load())
	}
	return r.ProbesSent, r.ProbesAnswered, r.P95LatencyMs
}

// A worker with an injected latency is measured at least that slow.
func TestObserverProbesARealWorker(t *testing.T) {
	const delay = 25 * time.Millisecond
	worker := newHost(t)
	probe.Serve(worker, servedLeases{lease: true}, probe.ServerConfig{Delay: delay})

	sent, answered, p95 := observe(t, registration(worker), true)
	require.GreaterOrEqual(t, sent, uint32(9))
	require.Equal(t, sent, answered)
	require.GreaterOrEqual(t, p95, uint64(delay.Milliseconds()))
}

// Probes of a lease the worker does not serve are sent and not answered.
func TestObserverProbesARefusingWorker(t *testing.T) {
	worker := newHost(t)
	probe.Serve(worker, servedLeases{lease + 1: true}, probe.ServerConfig{})
	sent, answered, p95 := observe(t, registration(worker), false)
	require.GreaterOrEqual(t, sent, uint32(9))
	require.Zero(t, answered)
	require.Zero(t, p95)
}

// Probes of a worker that is down are sent and not answered.
func TestObserverProbesAWorkerThatIsDown(t *testing.T) {
	worker := newHost(t)
	reg := registration(worker)
	require.NoError(t, worker.Close())
	sent, answered, _ := observe(t, reg, false)
	require.GreaterOrEqual(t, sent, uint32(9))
	require.Zero(t, answered)
}
