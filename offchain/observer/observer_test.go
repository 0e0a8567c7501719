package observer_test

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	p2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/observer"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

const lease = 5

var (
	self     = sdk.AccAddress([]byte("observer-address-01.")).String()
	other    = sdk.AccAddress([]byte("observer-address-02.")).String()
	provider = sdk.AccAddress([]byte("provider-address-01.")).String()
)

// report is a broadcast SlaReport and the observer's height when it was sent.
type report struct {
	msg    quorumtypes.MsgSubmitSlaReport
	height int64
}

// fakeChain is a node for the observer: the test feeds heights and events to Observer.Handle itself,
// so the subscription delivers nothing.
type fakeChain struct {
	mu        sync.Mutex
	params    quorumtypes.Params
	providers map[string]markettypes.Provider
	// watch is what the Watch query answers; nil: an error (as x/quorum's stub does)
	watch   *quorumtypes.QueryWatchResponse
	watches int
	reports []report
	// fail, if set, decides the outcome of each broadcast (nil: delivered)
	fail   func(n int) error
	height func() int64
}

func newFakeChain() *fakeChain {
	return &fakeChain{
		params:    quorumtypes.Params{SlaReportBlocks: 4, MaxProbesPerWindow: 1000},
		providers: map[string]markettypes.Provider{},
	}
}

func (c *fakeChain) Address() sdk.AccAddress { return sdk.MustAccAddressFromBech32(self) }

func (c *fakeChain) Subscribe(ctx context.Context, _ chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}

func (c *fakeChain) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := msgs[0].(*quorumtypes.MsgSubmitSlaReport)
	if c.fail != nil {
		if err := c.fail(len(c.reports)); err != nil {
			c.reports = append(c.reports, report{msg: quorumtypes.MsgSubmitSlaReport{Window: 1 << 31}})
			return nil, err
		}
	}
	c.reports = append(c.reports, report{*m, c.height()})
	return &ctypes.ResultTx{}, nil
}

func (c *fakeChain) Provider(_ context.Context, addr string) (markettypes.Provider, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.providers[addr]
	return p, ok, nil
}

func (c *fakeChain) Watch(_ context.Context, id uint64) (quorumtypes.QueryWatchResponse, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.watches++
	if c.watch == nil {
		return quorumtypes.QueryWatchResponse{}, false, errors.New("the node answers no Watch query") // as a node that failed to answer
	}
	return *c.watch, c.watch.Watch.LeaseId == id, nil
}

func (c *fakeChain) QuorumParams(context.Context) (quorumtypes.Params, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.params, nil
}

// delivered are the reports the chain took, in order.
func (c *fakeChain) delivered() []report {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []report
	for _, r := range c.reports {
		if r.msg.Window != 1<<31 {
			out = append(out, r)
		}
	}
	return out
}

func (c *fakeChain) broadcasts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.reports)
}

// registerProvider registers a provider with a fresh peer id at a loopback address.
func (c *fakeChain) registerProvider(t *testing.T, addr string) peer.ID {
	_, pub, err := p2pcrypto.GenerateEd25519Key(rand.Reader)
	require.NoError(t, err)
	id, err := peer.IDFromPublicKey(pub)
	require.NoError(t, err)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.providers[addr] = markettypes.Provider{Owner: addr, PeerId: id.String(), Multiaddrs: []string{"/ip4/127.0.0.1/tcp/1"}}
	return id
}

// prober answers every probe after rtt, or none when failEvery divides the call's number.
type prober struct {
	rtt       time.Duration
	failEvery int64
	calls     atomic.Int64
	answered  atomic.Int64
	target    atomic.Pointer[peer.AddrInfo]
}

func (p *prober) probe(_ context.Context, target peer.AddrInfo, id uint64) (time.Duration, error) {
	n := p.calls.Add(1)
	p.target.Store(&target)
	if id != lease || p.failEvery > 0 && n%p.failEvery == 0 {
		return 0, errors.New("no answer")
	}
	p.answered.Add(1)
	return p.rtt, nil
}

type env struct {
	t     *testing.T
	chain *fakeChain
	dir   string
	obs   *observer.Observer

	mu    sync.Mutex
	ticks []observer.Tick
}

func newEnv(t *testing.T, c *fakeChain, probe observer.ProbeFunc) *env {
	e := &env{t: t, chain: c, dir: t.TempDir()}
	e.start(probe)
	return e
}

func (e *env) start(probe observer.ProbeFunc) {
	o, err := observer.New(e.chain, probe, observer.Config{ProbeInterval: 5 * time.Millisecond, ProbeTimeout: time.Second,
		Dir: e.dir, RetryInterval: 20 * time.Millisecond, Ticked: e.ticked}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(e.t, err)
	e.chain.mu.Lock()
	e.chain.height = o.Height
	e.chain.mu.Unlock()
	require.NoError(e.t, o.Start(context.Background()))
	e.t.Cleanup(o.Stop)
	e.obs = o
}

func (e *env) ticked(t observer.Tick) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ticks = append(e.ticks, t)
}

// tickAt waits for the next probe tick of the watch at height h (the observer at that height,
// with the provider resolved when resolved is set) and returns what it decided: the tests look at
// what the observer decided, not at what did not happen within a sleep.
func (e *env) tickAt(h int64, resolved bool) observer.Tick {
	e.t.Helper()
	e.mu.Lock()
	from := len(e.ticks)
	e.mu.Unlock()
	var got observer.Tick
	require.Eventually(e.t, func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, t := range e.ticks[from:] {
			if t.Height == h && (t.Target || !resolved) {
				got = t
				return true
			}
		}
		return false
	}, 5*time.Second, time.Millisecond, "a probe tick at height %d", h)
	return got
}

func (e *env) block(h int64, events ...proto.Message) {
	e.obs.Handle(chain.Event{Height: h, Events: events})
}

// watched is the event drawing self (and another) to watch the lease: windows of 3 blocks from 11,
// so window 0 is [11, 14) and window 1 [14, 17); reports are taken in the 4 blocks after each.
func watched(observers ...string) *quorumtypes.EventLeaseWatched {
	return &quorumtypes.EventLeaseWatched{LeaseId: lease, Provider: provider, Payer: other, Observers: observers,
		FirstWindowStart: 11, WindowBlocks: 3, Windows: 2}
}

// probeAt moves the chain to height h and waits until the observer has sent n more probes.
func (e *env) probeAt(p *prober, h int64, n int64) {
	before := p.calls.Load()
	e.block(h)
	require.Eventually(e.t, func() bool { return p.calls.Load() >= before+n }, 5*time.Second, time.Millisecond)
}

func (e *env) waitReports(n int) []report {
	require.Eventually(e.t, func() bool { return len(e.chain.delivered()) >= n }, 5*time.Second, time.Millisecond)
	return e.chain.delivered()
}

func (e *env) stateFile() string { return filepath.Join(e.dir, "lease-5.json") }

func TestObserverReportsEachWindowOnceAfterItsEnd(t *testing.T) {
	c := newFakeChain()
	pid := c.registerProvider(t, provider)
	p := &prober{rtt: 4 * time.Millisecond, failEvery: 4}
	e := newEnv(t, c, p.probe)

	e.obs.Handle(chain.Event{Height: 10, Resync: true})
	e.block(10, watched(other, self))
	require.Equal(t, []uint64{lease}, e.obs.Watching())
	require.FileExists(t, e.stateFile())
	require.False(t, e.tickAt(10, true).Probed, "no probe before the first window")
	require.Zero(t, p.calls.Load())

	for h := int64(11); h < 14; h++ {
		e.probeAt(p, h, 3)
	}
	require.Equal(t, pid, p.target.Load().ID)
	require.Empty(t, e.chain.delivered(), "no report while the window runs")

	e.probeAt(p, 14, 3) // window 0 ends, window 1 begins
	reports := e.waitReports(1)
	r0 := reports[0]
	require.Equal(t, uint32(0), r0.msg.Window)
	require.Equal(t, int64(14), r0.height)
	require.Equal(t, self, r0.msg.Observer)
	require.Equal(t, uint64(lease), r0.msg.LeaseId)
	require.GreaterOrEqual(t, r0.msg.ProbesSent, uint32(9))
	require.Less(t, r0.msg.ProbesAnswered, r0.msg.ProbesSent, "every fourth probe is not answered")
	require.Equal(t, uint64(4), r0.msg.P95LatencyMs)
	bz, err := os.ReadFile(e.stateFile())
	require.NoError(t, err)
	require.Contains(t, string(bz), `"next_window":1`)

	e.probeAt(p, 15, 3)
	e.probeAt(p, 16, 3)
	e.block(17)
	reports = e.waitReports(2)
	require.Equal(t, uint32(1), reports[1].msg.Window)
	require.Equal(t, int64(17), reports[1].height)

	// every window reported: the watch is over and forgotten
	require.Eventually(t, func() bool { return len(e.obs.Watching()) == 0 }, 5*time.Second, time.Millisecond)
	require.NoFileExists(t, e.stateFile())
	e.obs.Stop() // waits for every goroutine of the observer: nothing probes after it
	calls := p.calls.Load()
	e.block(18)
	require.Equal(t, calls, p.calls.Load())
	require.Len(t, e.chain.delivered(), 2)
	// every probe sent is in one report
	require.Equal(t, calls, int64(reports[0].msg.ProbesSent+reports[1].msg.ProbesSent))
	require.Equal(t, p.answered.Load(), int64(reports[0].msg.ProbesAnswered+reports[1].msg.ProbesAnswered))
}

// A worker restarted within a window's report period does not report it again.
func TestObserverRestartDoesNotReportTwice(t *testing.T) {
	c := newFakeChain()
	c.registerProvider(t, provider)
	p := &prober{rtt: 2 * time.Millisecond}
	e := newEnv(t, c, p.probe)
	e.obs.Handle(chain.Event{Height: 10, Resync: true})
	e.block(10, watched(self))
	e.probeAt(p, 12, 3)
	e.block(14)
	e.waitReports(1)
	e.obs.Stop()

	e.start(p.probe)
	require.Equal(t, []uint64{lease}, e.obs.Watching(), "resumed from its saved state")
	e.obs.Handle(chain.Event{Height: 15, Resync: true})
	e.probeAt(p, 15, 3)
	e.probeAt(p, 16, 3)
	require.False(t, e.tickAt(16, true).Reporting, "window 0 is not reported again within its period")
	require.Len(t, e.chain.delivered(), 1)
	e.block(17)
	reports := e.waitReports(2)
	require.Equal(t, uint32(1), reports[1].msg.Window)
	require.Eventually(t, func() bool { return len(e.obs.Watching()) == 0 }, 5*time.Second, time.Millisecond)
	require.Len(t, e.chain.delivered(), 2)
}

// Windows whose report period passed (here, while the chain jumped ahead) are given up, not reported.
func TestObserverSkipsWindowsWhosePeriodPassed(t *testing.T) {
	c := newFakeChain()
	c.registerProvider(t, provider)
	p := &prober{rtt: time.Millisecond}
	e := newEnv(t, c, p.probe)
	e.block(10, watched(self))
	e.probeAt(p, 12, 3)
	e.block(17) // window 0's period is [14, 18): a report sent at 17 would land at 18
	require.Eventually(t, func() bool { return len(e.obs.Watching()) == 0 }, 5*time.Second, time.Millisecond)
	require.Zero(t, c.broadcasts())
	require.NoFileExists(t, e.stateFile())
}

// The chain's next_window (read from the Watch query) moves the observer past windows it reported.
func TestObserverFollowsTheWatchQuery(t *testing.T) {
	c := newFakeChain()
	c.registerProvider(t, provider)
	c.watch = &quorumtypes.QueryWatchResponse{Watch: quorumtypes.Watch{LeaseId: lease, Provider: provider,
		Observers: []quorumtypes.WatchObserver{{Address: self, NextWindow: 1}}, FirstWindowStart: 11, WindowBlocks: 3, Windows: 2}}
	p := &prober{rtt: time.Millisecond}
	e := newEnv(t, c, p.probe)
	e.block(10, watched(self))
	require.Eventually(t, func() bool { c.mu.Lock(); defer c.mu.Unlock(); return c.watches > 0 }, 5*time.Second, time.Millisecond)
	e.block(12)
	require.False(t, e.tickAt(12, true).Probed, "window 0 is behind the chain's next_window: not probed")
	require.Zero(t, p.calls.Load())
	e.probeAt(p, 15, 2)

	// the lease closes and the watch ends: the observer stops
	c.mu.Lock()
	c.watch.Watch.Ended = true
	c.mu.Unlock()
	e.block(16, &markettypes.EventLeaseClosed{LeaseId: lease})
	require.Eventually(t, func() bool { return len(e.obs.Watching()) == 0 }, 5*time.Second, time.Millisecond)
	require.NoFileExists(t, e.stateFile())
	require.Zero(t, c.broadcasts())
}

func TestObserverIgnoresOtherWatches(t *testing.T) {
	c := newFakeChain()
	c.registerProvider(t, provider)
	p := &prober{}
	e := newEnv(t, c, p.probe)
	e.block(10, watched(other))
	own := watched(self)
	own.Provider = self // never its own provider
	e.block(10, own)
	require.Empty(t, e.obs.Watching())
	e.block(12)
	require.Eventually(t, func() bool { return e.obs.Height() == 12 }, 5*time.Second, time.Millisecond)
	require.Empty(t, e.obs.Watching(), "no watch is served, so nothing probes")
	require.Zero(t, p.calls.Load())
}

// A broadcast that fails for a passing reason is retried within the period; a refusal is not.
func TestObserverRetriesFailedReports(t *testing.T) {
	c := newFakeChain()
	c.registerProvider(t, provider)
	c.fail = func(n int) error {
		switch n {
		case 0:
			return errors.New("connection refused")
		case 2:
			return &chain.TxError{Codespace: quorumtypes.ErrDuplicateReport.Codespace(), Code: quorumtypes.ErrDuplicateReport.ABCICode(), Log: "window 1 already reported"}
		}
		return nil
	}
	p := &prober{rtt: time.Millisecond}
	e := newEnv(t, c, p.probe)
	e.block(10, watched(self))
	e.probeAt(p, 12, 3)
	e.probeAt(p, 14, 3)
	reports := e.waitReports(1)
	require.Equal(t, uint32(0), reports[0].msg.Window)
	require.Equal(t, 2, c.broadcasts(), "failed once, then delivered")

	e.probeAt(p, 16, 3)
	e.block(17)
	require.Eventually(t, func() bool { return c.broadcasts() == 3 }, 5*time.Second, time.Millisecond)
	require.Eventually(t, func() bool { return len(e.obs.Watching()) == 0 }, 5*time.Second, time.Millisecond)
	e.obs.Stop() // the watch is over and every goroutine of the observer has returned
	require.Equal(t, 3, c.broadcasts(), "a refused report is not sent again")
}

// No probe is sent while the provider cannot be resolved; its window has nothing to report.
func TestObserverWithoutProviderRegistration(t *testing.T) {
	c := newFakeChain()
	p := &prober{}
	e := newEnv(t, c, p.probe)
	e.block(10, watched(self))
	e.block(12)
	tk := e.tickAt(12, false)
	require.False(t, tk.Target || tk.Probed, "the provider is not resolved: no probe")
	require.Zero(t, p.calls.Load())
	c.registerProvider(t, provider)
	e.block(13, &markettypes.EventProviderUpdated{Provider: provider})
	require.Eventually(t, func() bool { return p.calls.Load() > 0 }, 5*time.Second, time.Millisecond)
}
