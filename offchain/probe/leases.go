package probe

import (
	"context"
	"log/slog"
	"sync"

	"github.com/cosmos/gogoproto/proto"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// LeaseChain is what Leases needs from the node (offchain/chain.Client).
type LeaseChain interface {
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	ProviderLeases(ctx context.Context, provider string, state markettypes.LeaseState) ([]markettypes.Lease, error)
}

// Leases is the worker's view of its active leases, kept in memory for the probe server: it lists
// the provider's active leases when it starts and on every resync of the chain subscription, and in
// between follows the market's events (a lease of the provider started, a lease closed). A probe is
// answered from this view and never queries the chain, so a flood of probes costs the node nothing.
//
// The view lags the chain by the delivery of a block: a lease that has just started may be refused
// for that long, and one that has just closed answered.
type Leases struct {
	chain    LeaseChain
	provider string
	log      *slog.Logger

	mu     sync.RWMutex
	active map[uint64]struct{}
	// stale: the last listing failed; list again at the next height.
	stale bool

	cancel context.CancelFunc
	done   chan struct{}
}

// NewLeases builds the view of provider's active leases.
func NewLeases(c LeaseChain, provider string, log *slog.Logger) *Leases {
	return &Leases{chain: c, provider: provider, log: log, active: map[uint64]struct{}{}}
}

// Serves tells whether lease id is one of the provider's active leases.
func (l *Leases) Serves(id uint64) bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	_, ok := l.active[id]
	return ok
}

// Len is the number of active leases in the view.
func (l *Leases) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.active)
}

// Start lists the active leases once, so that probes are answered from the start, and follows the
// chain until Stop. A failed listing is logged and tried again at the next height.
func (l *Leases) Start(ctx context.Context) error {
	l.list(ctx)
	ctx, l.cancel = context.WithCancel(ctx)
	l.done = make(chan struct{})
	events := l.chain.Subscribe(ctx, l.follows)
	go func() {
		defer close(l.done)
		for ev := range events {
			l.Handle(ctx, ev)
		}
	}()
	return nil
}

// Stop stops following the chain.
func (l *Leases) Stop() {
	if l.cancel != nil {
		l.cancel()
		<-l.done
	}
}

// follows selects the provider's started leases and every closed lease (a closure does not name the
// provider; closures of other providers' leases change nothing).
func (l *Leases) follows(m proto.Message) bool {
	switch m := m.(type) {
	case *markettypes.EventLeaseStarted:
		return m.Provider == l.provider
	case *markettypes.EventLeaseClosed:
		return true
	}
	return false
}

// Handle applies one event of the subscription: a resync (or any height after a failed listing)
// lists the active leases again; otherwise the block's events add and remove leases.
func (l *Leases) Handle(ctx context.Context, ev chain.Event) {
	l.mu.RLock()
	stale := l.stale
	l.mu.RUnlock()
	if ev.Resync || stale {
		l.list(ctx)
		// the listing is at least as new as the block's events
		if ev.Resync {
			return
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range ev.Events {
		switch m := m.(type) {
		case *markettypes.EventLeaseStarted:
			if m.Provider == l.provider {
				l.active[m.LeaseId] = struct{}{}
			}
		case *markettypes.EventLeaseClosed:
			delete(l.active, m.LeaseId)
		}
	}
}

// list replaces the view by the chain's listing; on failure the view stays and is marked stale.
func (l *Leases) list(ctx context.Context) {
	leases, err := l.chain.ProviderLeases(ctx, l.provider, markettypes.LeaseActive)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		if !l.stale && ctx.Err() == nil {
			l.log.Warn("listing the provider's active leases for probes; keeping the last view", "err", err)
		}
		l.stale = true
		return
	}
	l.stale = false
	l.active = make(map[uint64]struct{}, len(leases))
	for _, ls := range leases {
		if ls.Provider == l.provider && ls.State == markettypes.LeaseActive {
			l.active[ls.Id] = struct{}{}
		}
	}
}
