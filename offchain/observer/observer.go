// Package observer is the worker's SLA observer duty (proof of SLA, x/quorum): when the chain draws
// the worker's provider as an observer of a watched lease (EventLeaseWatched), the worker probes the
// lease's provider on /fog/probe/1 (offchain/probe) while the chain's height is inside one of the
// watch's windows, and after each window submits MsgSubmitSlaReport with the probes sent, the probes
// answered and the 95th-percentile round trip of the answered ones.
//
// Heights come from the chain subscription, never from a clock: a probe counts in the window of the
// latest height the node had reported when the probe was sent. See ledger for the accounting and
// store for what survives a restart.
package observer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cosmos/gogoproto/proto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// ProbeFunc probes the worker at target for a lease and returns the answer's round trip; any error
// (no answer in time, a refusal, a failed dial) is a probe not answered. offchain/probe.Probe on the
// worker's host is one.
type ProbeFunc func(ctx context.Context, target peer.AddrInfo, leaseID uint64) (time.Duration, error)

// Config of the observer duty.
type Config struct {
	// ProbeInterval: one probe of each watched provider per interval while the height is in a window.
	ProbeInterval time.Duration
	// ProbeTimeout: a probe not answered within it counts as sent and not answered.
	ProbeTimeout time.Duration
	// Dir keeps the state of the watches served (store).
	Dir string
	// RetryInterval is how long a report whose broadcast failed, or a failed read of a watch or of
	// its provider, waits before it is tried again (default 2 s).
	RetryInterval time.Duration
	// Ticked, when set, is told what each probe tick of a watch decided (for tests, which wait for
	// decisions instead of sleeping, and for metrics).
	Ticked func(Tick)
}

// Tick is what one probe tick of a watch decided, at the height the observer had then.
type Tick struct {
	Lease  uint64
	Height int64
	// Target: the watched provider was resolved; Probed: a probe was sent; Reporting: a report of a
	// window is being broadcast.
	Target, Probed, Reporting bool
}

// Observer serves the SLA observer duties of one provider.
type Observer struct {
	cfg   Config
	chain Chain
	probe ProbeFunc
	store store
	log   *slog.Logger
	self  string

	// height is the latest height the chain subscription delivered.
	height atomic.Int64
	params atomic.Pointer[quorumtypes.Params]
	// refreshing: a read of the params is under way.
	refreshing atomic.Bool

	mu      sync.Mutex
	watches map[uint64]*watch

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// watch is one watch served: its lease and provider, its state, its accounting, and what wakes its
// goroutine.
type watch struct {
	lease    uint64
	provider string
	// state is the watch's saved state; only the watch's goroutine touches it once it runs.
	state  watchState
	ledger *ledger
	// recheck asks the watch's goroutine to read the watch and its provider again.
	recheck chan struct{}
}

func (w *watch) poke() {
	select {
	case w.recheck <- struct{}{}:
	default:
	}
}

// New builds the observer duty of the provider chain signs for.
func New(c Chain, probe ProbeFunc, cfg Config, log *slog.Logger) (*Observer, error) {
	if cfg.ProbeInterval <= 0 || cfg.ProbeTimeout <= 0 {
		return nil, fmt.Errorf("observer: probe interval and probe timeout must be positive")
	}
	if cfg.Dir == "" {
		return nil, fmt.Errorf("observer: no state directory")
	}
	if cfg.RetryInterval <= 0 {
		cfg.RetryInterval = 2 * time.Second
	}
	return &Observer{cfg: cfg, chain: c, probe: probe, store: store{cfg.Dir}, log: log,
		self: c.Address().String(), watches: map[uint64]*watch{}}, nil
}

// Start reads x/quorum's params and the watches saved by an earlier run, resumes them and follows the
// chain for new ones until Stop.
func (o *Observer) Start(ctx context.Context) error {
	params, err := o.chain.QuorumParams(ctx)
	if err != nil {
		return fmt.Errorf("observer: reading x/quorum params: %w", err)
	}
	o.params.Store(&params)
	saved, err := o.store.load()
	if err != nil {
		return fmt.Errorf("observer: %w", err)
	}
	o.ctx, o.cancel = context.WithCancel(ctx)
	events := o.chain.Subscribe(o.ctx, o.follows)
	for _, st := range saved {
		o.add(st, "resumed")
	}
	o.wg.Add(1)
	go o.run(events)
	return nil
}

// Stop stops probing and reporting; the watches' state stays on disk for the next start.
func (o *Observer) Stop() {
	if o.cancel != nil {
		o.cancel()
		o.wg.Wait()
	}
}

// Height is the latest chain height the observer knows.
func (o *Observer) Height() int64 { return o.height.Load() }

// Watching lists the leases whose watches the observer serves, sorted.
func (o *Observer) Watching() []uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]uint64, 0, len(o.watches))
	for id := range o.watches {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// follows selects the events that matter to the observer; which of them concern its watches is
// decided in run (the filter must not read its state).
func (o *Observer) follows(m proto.Message) bool {
	switch m.(type) {
	case *quorumtypes.EventLeaseWatched, *quorumtypes.EventParamsUpdated,
		*markettypes.EventLeaseClosed, *markettypes.EventProviderUpdated:
		return true
	}
	return false
}

func (o *Observer) run(events <-chan chain.Event) {
	defer o.wg.Done()
	for ev := range events {
		o.Handle(ev)
	}
}

// Handle takes one event of the chain subscription: its height first (probes sent from now on count
// in its window), then the block's events. A resync reads the params again and has every watch
// read again (events may have been missed: a watch drawn meanwhile is not learnt of, see the README).
func (o *Observer) Handle(ev chain.Event) {
	o.height.Store(ev.Height)
	if ev.Resync {
		o.refreshParams()
		o.mu.Lock()
		for _, w := range o.watches {
			w.poke()
		}
		o.mu.Unlock()
	}
	for _, m := range ev.Events {
		switch m := m.(type) {
		case *quorumtypes.EventLeaseWatched:
			if !slices.Contains(m.Observers, o.self) {
				continue
			}
			if m.Provider == o.self {
				o.log.Warn("drawn to observe a lease of this provider itself; not serving it", "lease", m.LeaseId)
				continue
			}
			st := watchState{LeaseID: m.LeaseId, Provider: m.Provider, FirstWindowStart: m.FirstWindowStart,
				WindowBlocks: m.WindowBlocks, Windows: m.Windows}
			if err := o.store.save(st); err != nil {
				o.log.Error("saving a new watch; serving it without a saved state", "lease", m.LeaseId, "err", err)
			}
			o.add(st, "drawn")
		case *quorumtypes.EventParamsUpdated:
			p := m.Params
			o.params.Store(&p)
		case *markettypes.EventLeaseClosed:
			o.pokeWhere(func(w *watch) bool { return w.lease == m.LeaseId })
		case *markettypes.EventProviderUpdated:
			o.pokeWhere(func(w *watch) bool { return w.provider == m.Provider })
		}
	}
}

func (o *Observer) pokeWhere(match func(*watch) bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, w := range o.watches {
		if match(w) {
			w.poke()
		}
	}
}

// refreshParams reads the params again in the background (one read at a time).
func (o *Observer) refreshParams() {
	if !o.refreshing.CompareAndSwap(false, true) {
		return
	}
	o.wg.Add(1)
	go func() {
		defer o.wg.Done()
		defer o.refreshing.Store(false)
		ctx, cancel := context.WithTimeout(o.ctx, 10*time.Second)
		defer cancel()
		p, err := o.chain.QuorumParams(ctx)
		if err != nil {
			if o.ctx.Err() == nil {
				o.log.Warn("reading x/quorum params again; keeping the last", "err", err)
			}
			return
		}
		o.params.Store(&p)
	}()
}

// add starts serving a watch, unless it is served already.
func (o *Observer) add(st watchState, how string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.watches[st.LeaseID] != nil {
		return
	}
	w := &watch{lease: st.LeaseID, provider: st.Provider, state: st, ledger: newLedger(st.windows(), st.NextWindow),
		recheck: make(chan struct{}, 1)}
	w.poke() // read the watch and resolve its provider first
	o.watches[st.LeaseID] = w
	first, _ := st.windows().Bounds(0)
	_, last := st.windows().Bounds(st.Windows - 1)
	o.log.Info("observing a lease", "how", how, "lease", st.LeaseID, "provider", st.Provider, "windows", st.Windows,
		"next_window", st.NextWindow, "first_block", first, "end_block", last)
	o.wg.Add(1)
	go o.serve(w)
}

// checked is what a read of a watch and its provider found.
type checked struct {
	// target is the provider's worker; nil when it could not be resolved (keep the last).
	target *peer.AddrInfo
	// over says why the watch is no longer served ("" while it is).
	over string
	// next is the observer's next_window on chain (0 when unknown).
	next uint32
	// failed: the provider could not be resolved; try again after a backoff.
	failed bool
}

// submitted is how a report's broadcast ended.
type submitted struct {
	report Report
	err    error
}

// serve runs one watch: a probe per interval while the height is in a window, reports when due,
// until every window is reported or given up, or the watch is over.
func (o *Observer) serve(w *watch) {
	defer o.wg.Done()
	ctx := o.ctx
	lease := w.lease
	log := o.log.With("lease", lease)
	var probes sync.WaitGroup
	defer probes.Wait()

	tick := time.NewTicker(o.cfg.ProbeInterval)
	defer tick.Stop()
	var (
		target     *peer.AddrInfo
		checking   bool
		recheck    bool
		checkAfter time.Time
		backoff    time.Duration
		checks     = make(chan checked, 1)
		reporting  bool
		reportAt   time.Time
		reports    = make(chan submitted, 1)
		lastWindow = int64(-1)
		ticked     bool
	)
	for {
		ticked = false
		select {
		case <-ctx.Done():
			return
		case <-w.recheck:
			recheck = true
		case c := <-checks:
			checking = false
			if c.failed {
				// back off from RetryInterval to a minute while the provider cannot be resolved
				backoff = min(max(2*backoff, o.cfg.RetryInterval), time.Minute)
				recheck, checkAfter = true, time.Now().Add(backoff)
			}
			if c.target != nil {
				target, backoff = c.target, 0
			}
			if c.next > 0 {
				w.ledger.Advance(c.next)
			}
			if c.over != "" {
				o.finish(w, c.over)
				return
			}
		case s := <-reports:
			reporting = false
			if over := o.submittedReport(log, w, s); over != "" {
				o.finish(w, over)
				return
			}
			if s.err != nil {
				reportAt = time.Now().Add(o.cfg.RetryInterval)
			}
		case <-tick.C:
			ticked = true
		}
		now := time.Now()
		if recheck && !checking && !now.Before(checkAfter) {
			recheck, checking = false, true
			o.wg.Add(1)
			go func() {
				defer o.wg.Done()
				checks <- o.check(ctx, w)
			}()
		}

		h := o.height.Load()
		params := o.params.Load()
		probed := false
		if ticked && target != nil {
			if win, ok := w.ledger.Sent(h, params.MaxProbesPerWindow); ok {
				if int64(win) != lastWindow {
					lastWindow = int64(win)
					log.Debug("probing in window", "window", win, "height", h, "peer", target.ID)
				}
				probed = true
				probes.Add(1)
				go func(t peer.AddrInfo) {
					defer probes.Done()
					pctx, cancel := context.WithTimeout(ctx, o.cfg.ProbeTimeout)
					rtt, err := o.probe(pctx, t, lease)
					cancel()
					w.ledger.Done(win, err == nil, rtt)
				}(*target)
			}
		}

		if !reporting && !now.Before(reportAt) {
			before := w.ledger.Next()
			rep, skipped := w.ledger.Due(h, params.SlaReportBlocks)
			for _, s := range skipped {
				log.Warn("SLA window not reported", "window", s.Window, "reason", s.Reason, "height", h)
			}
			if rep != nil || w.ledger.Next() != before {
				st := w.state
				st.NextWindow = w.ledger.Next()
				if err := o.store.save(st); err != nil {
					// without the saved state a restart could report the window again: not now
					log.Error("saving the watch state; the report waits", "err", err)
					if rep != nil {
						w.ledger.Retry(*rep)
						reportAt = now.Add(o.cfg.RetryInterval)
					}
					continue
				}
				w.state = st
			}
			if rep != nil {
				reporting = true
				o.wg.Add(1)
				go func(r Report) {
					defer o.wg.Done()
					reports <- submitted{r, o.submit(ctx, lease, r)}
				}(*rep)
			}
		}
		if ticked && o.cfg.Ticked != nil {
			o.cfg.Ticked(Tick{Lease: lease, Height: h, Target: target != nil, Probed: probed, Reporting: reporting})
		}
		if !reporting && w.ledger.Finished() {
			o.finish(w, "every window reported or given up")
			return
		}
	}
}

// check reads the watch and its provider's registration.
func (o *Observer) check(ctx context.Context, w *watch) checked {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var c checked
	res, found, err := o.chain.Watch(ctx, w.lease)
	switch {
	case err != nil:
		// the event (or the saved state) says enough to go on; the watch is read again at the next
		// resync, lease closure or provider update
		if ctx.Err() == nil {
			o.log.Warn("reading the watch; going on with what the watch event said", "lease", w.lease, "err", err)
		}
	case !found:
		c.over = "the watch is gone"
		return c
	case res.Watch.Ended:
		c.over = "the watch ended"
		return c
	default:
		i := res.Watch.Observer(o.self)
		if i < 0 {
			c.over = "this provider is not an observer of the watch"
			return c
		}
		c.next = res.Watch.Observers[i].NextWindow
	}
	p, found, err := o.chain.Provider(ctx, w.provider)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			o.log.Warn("reading the watched provider's registration", "lease", w.lease, "provider", w.provider, "err", err)
		}
		c.failed = true
	case !found:
		o.log.Warn("the watched provider is not registered; not probing", "lease", w.lease, "provider", w.provider)
		c.failed = true
	default:
		info, err := addrInfo(p)
		if err != nil {
			o.log.Warn("the watched provider's registration has no usable address; not probing", "lease", w.lease,
				"provider", w.provider, "err", err)
			c.failed = true
			break
		}
		c.target = &info
	}
	return c
}

// addrInfo is where a provider's worker listens, from its registration.
func addrInfo(p markettypes.Provider) (peer.AddrInfo, error) {
	id, err := peer.Decode(p.PeerId)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("peer id %q: %w", p.PeerId, err)
	}
	info := peer.AddrInfo{ID: id}
	for _, s := range p.Multiaddrs {
		if a, err := ma.NewMultiaddr(s); err == nil {
			info.Addrs = append(info.Addrs, a)
		}
	}
	if len(info.Addrs) == 0 {
		return info, fmt.Errorf("none of the multiaddrs %v parses", p.Multiaddrs)
	}
	return info, nil
}

// submit broadcasts one report.
func (o *Observer) submit(ctx context.Context, lease uint64, r Report) error {
	_, err := o.chain.Broadcast(ctx, &quorumtypes.MsgSubmitSlaReport{
		Observer: o.self, LeaseId: lease, Window: r.Window,
		ProbesSent: r.Sent, ProbesAnswered: r.Answered, P95LatencyMs: r.P95Ms,
	})
	return err
}

// submittedReport logs how a report's broadcast ended and decides what follows: a failure that may
// pass puts the report back for a retry within its period; a refusal of this report is final; a
// refusal that says the watch is no longer this observer's ends it (returned as the reason).
func (o *Observer) submittedReport(log *slog.Logger, w *watch, s submitted) (over string) {
	r, err := s.report, s.err
	attrs := []any{"window", r.Window, "probes_sent", r.Sent, "probes_answered", r.Answered, "p95_latency_ms", r.P95Ms}
	switch {
	case err == nil:
		log.Info("SLA report submitted", attrs...)
	case o.ctx.Err() != nil:
	case errors.Is(err, quorumtypes.ErrWatchNotFound), errors.Is(err, quorumtypes.ErrNotObserver):
		log.Warn("SLA report refused; no longer observing the lease", append(attrs, "err", err)...)
		return "the chain refused a report: " + err.Error()
	case errors.Is(err, quorumtypes.ErrDuplicateReport), errors.Is(err, quorumtypes.ErrStaleReport),
		errors.Is(err, quorumtypes.ErrInvalidReport):
		log.Warn("SLA report refused", append(attrs, "err", err)...)
	default:
		log.Warn("submitting the SLA report failed; trying again within its report period", append(attrs, "err", err)...)
		w.ledger.Retry(r)
	}
	return ""
}

// finish stops serving a watch and forgets it on disk.
func (o *Observer) finish(w *watch, why string) {
	o.mu.Lock()
	delete(o.watches, w.lease)
	o.mu.Unlock()
	if err := o.store.remove(w.lease); err != nil {
		o.log.Warn("removing the watch state", "lease", w.lease, "err", err)
	}
	o.log.Info("no longer observing the lease", "lease", w.lease, "why", why)
}
