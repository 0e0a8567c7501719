package chain_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// fakeSource is a node in memory: the test sends blocks on the open subscription, breaks it, and
// sets the height the node reports.
type fakeSource struct {
	mu     sync.Mutex
	height int64
	opened chan *fakeSub // every subscription opened, in order
}

type fakeSub struct {
	blocks chan chain.Block
	once   sync.Once
}

func (s *fakeSub) close() { s.once.Do(func() { close(s.blocks) }) }

func newFakeSource() *fakeSource { return &fakeSource{opened: make(chan *fakeSub, 16)} }

func (f *fakeSource) Subscribe(context.Context) (<-chan chain.Block, func(), error) {
	sub := &fakeSub{blocks: make(chan chain.Block)}
	f.opened <- sub
	return sub.blocks, sub.close, nil
}

func (f *fakeSource) Height(context.Context) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.height, nil
}

func (f *fakeSource) setHeight(h int64) {
	f.mu.Lock()
	f.height = h
	f.mu.Unlock()
}

// send delivers a block on sub and makes it the node's height.
func (f *fakeSource) send(t *testing.T, sub *fakeSub, h int64, events ...proto.Message) {
	t.Helper()
	b := chain.Block{Height: h}
	for _, m := range events {
		ev, err := sdk.TypedEventToEvent(m)
		require.NoError(t, err)
		b.Events = append(b.Events, abci.Event(ev))
	}
	f.setHeight(h)
	select {
	case sub.blocks <- b:
	case <-time.After(10 * time.Second):
		t.Fatalf("the hub did not take block %d", h)
	}
}

func nextSub(t *testing.T, f *fakeSource) *fakeSub {
	t.Helper()
	select {
	case s := <-f.opened:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the hub opened no subscription")
		return nil
	}
}

func next(t *testing.T, ch <-chan chain.Event) chain.Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		require.True(t, ok, "subscription closed")
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
		return chain.Event{}
	}
}

func newHub(src chain.Source, cfg chain.HubConfig) *chain.Hub {
	return chain.NewHub(src, cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func ordersOnly(m proto.Message) bool {
	_, ok := m.(*markettypes.EventOrderCreated)
	return ok
}

func leasesOnly(m proto.Message) bool {
	_, ok := m.(*markettypes.EventLeaseCreated)
	return ok
}

// Every subscriber of a process shares one subscription; each starts with a resync and then gets
// each block's height with the typed events its filter selects.
func TestHubFansOneSubscriptionOut(t *testing.T) {
	src := newFakeSource()
	src.setHeight(5)
	hub := newHub(src, chain.HubConfig{})
	defer hub.Stop()
	ctx := context.Background()
	orders, leases, heights := hub.Subscribe(ctx, ordersOnly), hub.Subscribe(ctx, leasesOnly), hub.Subscribe(ctx, nil)
	sub := nextSub(t, src)
	for _, ch := range []<-chan chain.Event{orders, leases, heights} {
		require.Equal(t, chain.Event{Height: 5, Resync: true}, next(t, ch), "the first event says: read the state")
	}

	src.send(t, sub, 6, &markettypes.EventOrderCreated{OrderId: 1}, &markettypes.EventLeaseCreated{LeaseId: 2, OrderId: 1})
	got := next(t, orders)
	require.Equal(t, int64(6), got.Height)
	require.False(t, got.Resync)
	require.Len(t, got.Events, 1)
	require.Equal(t, uint64(1), got.Events[0].(*markettypes.EventOrderCreated).OrderId, "a typed event, parsed")
	got = next(t, leases)
	require.Len(t, got.Events, 1)
	require.Equal(t, uint64(2), got.Events[0].(*markettypes.EventLeaseCreated).LeaseId)
	require.Equal(t, chain.Event{Height: 6}, next(t, heights))

	late := hub.Subscribe(ctx, ordersOnly)
	require.Equal(t, chain.Event{Height: 6, Resync: true}, next(t, late), "a late subscriber starts at the current height")
	require.Equal(t, 1, hub.Connections(), "one websocket for every subscriber")
	select {
	case <-src.opened:
		t.Fatal("a second subscription was opened")
	default:
	}
}

// A subscriber that does not read holds up nobody. Its heights coalesce; once its backlog is full it
// loses it for a resync, so every block it did not get is covered by a resync at or above it.
func TestHubSlowSubscriberGetsAResync(t *testing.T) {
	src := newFakeSource()
	src.setHeight(1)
	hub := newHub(src, chain.HubConfig{Backlog: 4})
	defer hub.Stop()
	ctx := context.Background()
	fast, slow := hub.Subscribe(ctx, ordersOnly), hub.Subscribe(ctx, ordersOnly)
	sub := nextSub(t, src)
	require.True(t, next(t, fast).Resync)

	const last = 40
	for h := int64(2); h <= last; h++ {
		if h%2 == 0 {
			src.send(t, sub, h, &markettypes.EventOrderCreated{OrderId: uint64(h)})
		} else {
			src.send(t, sub, h)
		}
		ev := next(t, fast)
		require.Equal(t, h, ev.Height, "the fast subscriber is not held up")
		require.False(t, ev.Resync)
	}

	var got []chain.Event
	for {
		ev := next(t, slow)
		got = append(got, ev)
		if ev.Height == last {
			break
		}
	}
	require.Less(t, len(got), last/2, "the backlog is bounded")
	delivered := map[int64]bool{}
	var resyncs []int64
	for i, ev := range got {
		if i > 0 {
			require.Greater(t, ev.Height, got[i-1].Height, "heights increase")
		}
		if ev.Resync {
			resyncs = append(resyncs, ev.Height)
		}
		for _, m := range ev.Events {
			delivered[int64(m.(*markettypes.EventOrderCreated).OrderId)] = true
		}
	}
	require.NotEmpty(t, resyncs)
	require.Greater(t, resyncs[len(resyncs)-1], int64(1), "the overflow's resync")
	for h := int64(2); h <= last; h += 2 {
		covered := delivered[h]
		for _, r := range resyncs {
			covered = covered || r >= h
		}
		require.True(t, covered, "the order created at height %d is neither delivered nor covered by a resync", h)
	}
}

// Heights without selected events reach a slow reader coalesced: the one its channel already held,
// then the latest.
func TestHubCoalescesHeights(t *testing.T) {
	src := newFakeSource()
	src.setHeight(1)
	hub := newHub(src, chain.HubConfig{})
	defer hub.Stop()
	ctx := context.Background()
	pace, heights := hub.Subscribe(ctx, nil), hub.Subscribe(ctx, nil)
	sub := nextSub(t, src)
	next(t, pace)
	for h := int64(2); h <= 10; h++ {
		src.send(t, sub, h)
		require.Equal(t, h, next(t, pace).Height)
	}
	first := next(t, heights)
	require.True(t, first.Resync)
	if first.Height < 10 {
		require.Equal(t, chain.Event{Height: 10}, next(t, heights), "heights 3 to 10 in one event")
	}
}

// After the subscription breaks (a node restart), the hub opens a new one and every subscriber
// re-reads; a gap in heights is a resync too; so is a subscription that falls behind the node.
func TestHubResyncsAfterAReconnectAndAGap(t *testing.T) {
	src := newFakeSource()
	src.setHeight(3)
	hub := newHub(src, chain.HubConfig{Check: 20 * time.Millisecond, Quiet: time.Hour})
	defer hub.Stop()
	events := hub.Subscribe(context.Background(), ordersOnly)
	sub := nextSub(t, src)
	require.Equal(t, chain.Event{Height: 3, Resync: true}, next(t, events))
	src.send(t, sub, 4)
	require.Equal(t, chain.Event{Height: 4}, next(t, events))

	src.setHeight(6) // blocks made while the node's websocket was down
	sub.close()
	sub = nextSub(t, src)
	require.Equal(t, chain.Event{Height: 6, Resync: true}, next(t, events), "re-read after the reconnect")
	require.Equal(t, 2, hub.Connections())

	src.send(t, sub, 9, &markettypes.EventOrderCreated{OrderId: 7})
	ev := next(t, events)
	require.True(t, ev.Resync, "heights 7 and 8 were missed")
	require.Len(t, ev.Events, 1, "and the block's own events still come")

	src.setHeight(12) // the node is two blocks ahead of a silent subscription
	sub = nextSub(t, src)
	require.Equal(t, chain.Event{Height: 12, Resync: true}, next(t, events))
	require.Equal(t, 3, hub.Connections())
	_ = sub
}

// Subscriptions end with their context, and all of them when the hub stops.
func TestHubClosesSubscriptions(t *testing.T) {
	src := newFakeSource()
	src.setHeight(1)
	hub := newHub(src, chain.HubConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	mine, other := hub.Subscribe(ctx, nil), hub.Subscribe(context.Background(), nil)
	nextSub(t, src)
	next(t, mine)
	cancel()
	for range mine {
	}
	hub.Stop()
	for range other {
	}
	_, ok := <-hub.Subscribe(context.Background(), nil)
	require.False(t, ok, "a stopped hub has nothing to deliver")
}

// The typed events of a block are parsed from their ABCI form, including the attribute the SDK adds to
// EndBlock events; events that are not typed are skipped.
func TestTypedEvents(t *testing.T) {
	settled, err := sdk.TypedEventToEvent(&markettypes.EventAuctionSettled{OrderId: 3, Winners: []string{"a", "b"}, LeaseIds: []uint64{4, 5},
		ClearingPrice: sdk.NewInt64Coin("ufog", 5)})
	require.NoError(t, err)
	settled.Attributes = append(settled.Attributes, abci.EventAttribute{Key: "mode", Value: "EndBlock"})
	got := chain.TypedEvents([]abci.Event{
		{Type: "transfer", Attributes: []abci.EventAttribute{{Key: "amount", Value: "5ufog"}}},
		abci.Event(settled),
	})
	require.Len(t, got, 1)
	s := got[0].(*markettypes.EventAuctionSettled)
	require.Equal(t, uint64(3), s.OrderId)
	require.Equal(t, []uint64{4, 5}, s.LeaseIds)
	require.Equal(t, "5ufog", s.ClearingPrice.String())
}

// heightless is a node whose status cannot be read.
type heightless struct{ *fakeSource }

func (heightless) Height(context.Context) (int64, error) { return 0, context.DeadlineExceeded }

// When the node's height cannot be read at the connection, the first block is the resync.
func TestHubFirstBlockIsAResyncWithoutAHeight(t *testing.T) {
	src := newFakeSource()
	hub := newHub(heightless{src}, chain.HubConfig{Check: time.Hour, Quiet: time.Hour})
	defer hub.Stop()
	events := hub.Subscribe(context.Background(), ordersOnly)
	sub := nextSub(t, src)
	src.send(t, sub, 7, &markettypes.EventOrderCreated{OrderId: 1})
	ev := next(t, events)
	require.True(t, ev.Resync)
	require.Equal(t, int64(7), ev.Height)
	require.Len(t, ev.Events, 1)
	src.send(t, sub, 8)
	require.Equal(t, chain.Event{Height: 8}, next(t, events))
}
