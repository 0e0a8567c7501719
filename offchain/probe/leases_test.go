package probe_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/probe"
	markettypes "github.com/fogchain/fog/x/market/types"
)

const self = "provider-self"

// leaseChain is a node whose provider listing the test sets; events are fed to Handle directly.
type leaseChain struct {
	mu     sync.Mutex
	leases []markettypes.Lease
	down   bool
	lists  int
}

func (c *leaseChain) Subscribe(ctx context.Context, _ chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	go func() { <-ctx.Done(); close(ch) }()
	return ch
}

func (c *leaseChain) ProviderLeases(_ context.Context, provider string, state markettypes.LeaseState) ([]markettypes.Lease, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lists++
	if c.down {
		return nil, errors.New("node unreachable")
	}
	var out []markettypes.Lease
	for _, l := range c.leases {
		if l.Provider == provider && l.State == state {
			out = append(out, l)
		}
	}
	return out, nil
}

func (c *leaseChain) set(down bool, leases ...markettypes.Lease) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down, c.leases = down, leases
}

func active(id uint64, provider string) markettypes.Lease {
	return markettypes.Lease{Id: id, Provider: provider, State: markettypes.LeaseActive}
}

func block(h int64, events ...proto.Message) chain.Event {
	return chain.Event{Height: h, Events: events}
}

func TestLeasesFollowTheChain(t *testing.T) {
	c := &leaseChain{}
	c.set(false, active(1, self), active(2, "other"), markettypes.Lease{Id: 3, Provider: self, State: markettypes.LeasePending})
	l := probe.NewLeases(c, self, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	require.NoError(t, l.Start(ctx))
	t.Cleanup(l.Stop)
	// the listing at start: only the provider's active leases
	require.True(t, l.Serves(1))
	require.False(t, l.Serves(2))
	require.False(t, l.Serves(3))

	// events, without listing
	listed := c.lists
	l.Handle(ctx, block(10, &markettypes.EventLeaseStarted{LeaseId: 3, Provider: self}, &markettypes.EventLeaseStarted{LeaseId: 4, Provider: "other"}))
	require.True(t, l.Serves(3))
	require.False(t, l.Serves(4))
	l.Handle(ctx, block(11, &markettypes.EventLeaseClosed{LeaseId: 1}))
	require.False(t, l.Serves(1))
	require.Equal(t, listed, c.lists, "events are applied without queries")
	require.Equal(t, 1, l.Len())

	// a resync replaces the view by the listing
	c.set(false, active(5, self))
	l.Handle(ctx, chain.Event{Height: 12, Resync: true})
	require.True(t, l.Serves(5))
	require.False(t, l.Serves(3))
}

// A failed listing keeps the last view and is tried again at the next height.
func TestLeasesListAgainAfterFailure(t *testing.T) {
	c := &leaseChain{}
	c.set(false, active(1, self))
	l := probe.NewLeases(c, self, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := context.Background()
	require.NoError(t, l.Start(ctx))
	t.Cleanup(l.Stop)

	c.set(true, active(2, self))
	l.Handle(ctx, chain.Event{Height: 5, Resync: true})
	require.True(t, l.Serves(1), "the last view is kept while the node is down")
	c.mu.Lock()
	c.down = false
	c.mu.Unlock()
	l.Handle(ctx, block(6, &markettypes.EventLeaseStarted{LeaseId: 3, Provider: self}))
	require.False(t, l.Serves(1))
	require.True(t, l.Serves(2))
	require.True(t, l.Serves(3))
}
