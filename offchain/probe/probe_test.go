package probe_test

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/probe"
	"github.com/fogchain/fog/offchain/task"
)

// newHost makes a host as the worker does (task.HostOptions), listening on loopback.
func newHost(t testing.TB) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// leaseSet is a fixed LeaseSet.
type leaseSet struct {
	mu  sync.Mutex
	ids map[uint64]bool
}

func (s *leaseSet) Serves(id uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ids[id]
}

func (s *leaseSet) set(id uint64, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ids[id] = on
}

// pair starts a worker host serving probes of leases and a prober host.
func pair(t *testing.T, leases probe.LeaseSet, cfg probe.ServerConfig) (prober host.Host, worker peer.AddrInfo) {
	w := newHost(t)
	probe.Serve(w, leases, cfg)
	t.Cleanup(func() { probe.Unserve(w) })
	return newHost(t), peer.AddrInfo{ID: w.ID(), Addrs: w.Addrs()}
}

func probeOnce(t *testing.T, h host.Host, info peer.AddrInfo, lease uint64, timeout time.Duration) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return probe.Probe(ctx, h, info, lease)
}

func TestProbeAnsweredForServedLease(t *testing.T) {
	leases := &leaseSet{ids: map[uint64]bool{7: true}}
	h, info := pair(t, leases, probe.ServerConfig{})
	for range 5 {
		rtt, err := probeOnce(t, h, info, 7, 5*time.Second)
		require.NoError(t, err)
		require.Positive(t, rtt)
		require.Less(t, rtt, 2*time.Second, "a loopback probe")
	}
}

func TestProbeRefusedForOtherLease(t *testing.T) {
	leases := &leaseSet{ids: map[uint64]bool{7: true}}
	h, info := pair(t, leases, probe.ServerConfig{})
	_, err := probeOnce(t, h, info, 8, 5*time.Second)
	var ref *probe.RefusedError
	require.ErrorAs(t, err, &ref)
	require.Equal(t, probe.RefusedNotServed, ref.Code)
	require.Equal(t, uint64(8), ref.LeaseID)

	// the view changes without the server restarting: a closed lease is refused, a new one answered
	leases.set(7, false)
	leases.set(8, true)
	_, err = probeOnce(t, h, info, 7, 5*time.Second)
	require.ErrorAs(t, err, &ref)
	_, err = probeOnce(t, h, info, 8, 5*time.Second)
	require.NoError(t, err)
}

// A worker with --unsafe-inject-latency answers no sooner than the delay, and the prober measures it.
func TestProbeInjectedLatency(t *testing.T) {
	const delay = 150 * time.Millisecond
	h, info := pair(t, &leaseSet{ids: map[uint64]bool{1: true}}, probe.ServerConfig{Delay: delay})
	for range 3 {
		rtt, err := probeOnce(t, h, info, 1, 5*time.Second)
		require.NoError(t, err)
		require.GreaterOrEqual(t, rtt, delay)
	}
	// a refusal is delayed as well
	start := time.Now()
	_, err := probeOnce(t, h, info, 2, 5*time.Second)
	require.ErrorAs(t, err, new(*probe.RefusedError))
	require.GreaterOrEqual(t, time.Since(start), delay)
}

// A probe whose context ends before the delayed answer is an error, not an answer.
func TestProbeTimesOut(t *testing.T) {
	h, info := pair(t, &leaseSet{ids: map[uint64]bool{1: true}}, probe.ServerConfig{Delay: 2 * time.Second})
	// connect first so that the deadline falls on the answer, not the dial
	require.NoError(t, h.Connect(context.Background(), info))
	start := time.Now()
	_, err := probeOnce(t, h, info, 1, 200*time.Millisecond)
	require.Error(t, err)
	require.Less(t, time.Since(start), 1500*time.Millisecond)
}

func TestProbeOfPeerWithoutProtocol(t *testing.T) {
	w := newHost(t) // serves no probes
	h := newHost(t)
	_, err := probeOnce(t, h, peer.AddrInfo{ID: w.ID(), Addrs: w.Addrs()}, 1, 5*time.Second)
	require.Error(t, err)
	require.NotErrorAs(t, err, new(*probe.RefusedError))
}

func TestProbeOfUnreachablePeer(t *testing.T) {
	w := newHost(t)
	info := peer.AddrInfo{ID: w.ID(), Addrs: w.Addrs()}
	require.NoError(t, w.Close())
	_, err := probeOnce(t, newHost(t), info, 1, 2*time.Second)
	require.ErrorContains(t, err, "connecting to")
}

// A request cut short is refused as malformed, and the server reads no more than a request.
func TestServerRefusesShortRequest(t *testing.T) {
	h, info := pair(t, &leaseSet{ids: map[uint64]bool{1: true}}, probe.ServerConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, h.Connect(ctx, info))
	st, err := h.NewStream(ctx, info.ID, probe.ProtocolID)
	require.NoError(t, err)
	_ = st.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = st.Write([]byte{0, 0, 0, 0, 0})
	require.NoError(t, err)
	require.NoError(t, st.CloseWrite())
	answer, err := io.ReadAll(st)
	require.NoError(t, err)
	require.Equal(t, []byte{probe.RefusedMalformed}, answer)
}

// Bytes after the request are not read: the answer comes as soon as the 16 bytes are in.
func TestServerAnswersFirstRequestOnly(t *testing.T) {
	h, info := pair(t, &leaseSet{ids: map[uint64]bool{3: true}}, probe.ServerConfig{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, h.Connect(ctx, info))
	st, err := h.NewStream(ctx, info.ID, probe.ProtocolID)
	require.NoError(t, err)
	_ = st.SetDeadline(time.Now().Add(5 * time.Second))
	req := probe.Request{LeaseID: 3, Nonce: [8]byte{1, 2, 3, 4, 5, 6, 7, 8}}
	bz := req.Encode()
	_, err = st.Write(append(bz[:], make([]byte, 100)...))
	require.NoError(t, err)
	answer := make([]byte, probe.NonceSize)
	_, err = io.ReadFull(st, answer)
	require.NoError(t, err)
	require.Equal(t, req.Nonce[:], answer)
}

func TestReadRequestRoundTrip(t *testing.T) {
	req := probe.Request{LeaseID: 1<<63 + 5, Nonce: [8]byte{9, 8, 7, 6, 5, 4, 3, 2}}
	bz := req.Encode()
	got, err := probe.ReadRequest(bytesReader(bz[:]))
	require.NoError(t, err)
	require.Equal(t, req, got)
	_, err = probe.ReadRequest(bytesReader(nil))
	require.ErrorIs(t, err, io.EOF)
	_, err = probe.ReadRequest(bytesReader(bz[:15]))
	require.True(t, errors.Is(err, io.ErrUnexpectedEOF))
}
