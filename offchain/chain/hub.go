package chain

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Block is one committed block as a Source delivers it: its height and its ABCI events in the order
// the block emitted them (BeginBlock's, then each successful transaction's, then EndBlock's).
type Block struct {
	Height int64
	Events []abci.Event
}

// Source is where a Hub gets blocks from: a node's CometBFT websocket, or a fake in tests.
type Source interface {
	// Subscribe opens one subscription to new blocks. Blocks arrive on the channel until the
	// subscription breaks (the channel is closed) or stop is called.
	Subscribe(ctx context.Context) (blocks <-chan Block, stop func(), err error)
	// Height is the node's latest committed height.
	Height(ctx context.Context) (int64, error)
}

// Event is what a subscriber receives: a new height and the typed events of its block that the
// subscriber's filter selected, in block order.
type Event struct {
	Height int64
	// Resync says that the subscriber may have missed blocks up to Height, so it must re-read from
	// queries whatever state it follows. A subscription's first event is always one; so is the first
	// after the hub reconnected, saw a gap in heights, or dropped the subscriber's backlog.
	Resync bool
	Events []proto.Message
}

// Filter selects the typed events a subscriber wants; nil selects none (heights only). It runs on the
// hub's goroutine, so it must be quick and safe for concurrent use with the subscriber.
type Filter func(proto.Message) bool

// Tuning of a Hub. Zero values take the defaults.
type HubConfig struct {
	// Backlog bounds the events waiting for one subscriber (default 256). A subscriber that falls
	// further behind loses its backlog and gets one resync instead.
	Backlog int
	// Check is how long the subscription may stay silent before the hub asks the node whether it is
	// behind (default 5 s).
	Check time.Duration
	// Quiet is how long the subscription may stay silent before the hub reopens it (default 30 s).
	Quiet time.Duration
}

// Hub shares one block subscription among the subscribers of a process and fans each block out to
// them. Subscribers never block each other or the hub: each has a bounded backlog, heights that
// carry no selected event coalesce into the latest, a typed event is never dropped silently, and a
// subscriber whose backlog overflows gets a resync in its place. While the subscription is down the
// hub reconnects with backoff and meanwhile delivers each new height the node reports as a resync.
type Hub struct {
	src Source
	cfg HubConfig
	obs Observer
	log *slog.Logger

	mu      sync.Mutex
	subs    map[*subscription]struct{}
	height  int64 // last height delivered; 0 until the first connection
	opened  int   // subscriptions opened on the source
	running bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{}
}

// NewHub builds a hub on src. It opens its subscription at the first Subscribe.
func NewHub(src Source, cfg HubConfig, obs Observer, log *slog.Logger) *Hub {
	if cfg.Backlog <= 0 {
		cfg.Backlog = 256
	}
	if cfg.Check <= 0 {
		cfg.Check = 5 * time.Second
	}
	if cfg.Quiet <= 0 {
		cfg.Quiet = 30 * time.Second
	}
	return &Hub{src: src, cfg: cfg, obs: obs, log: log, subs: map[*subscription]struct{}{}}
}

// Subscribe delivers events until ctx ends or the hub stops; then the channel is closed. The first
// event is a resync at the hub's current height (as soon as the hub knows one).
func (h *Hub) Subscribe(ctx context.Context, filter Filter) <-chan Event {
	s := &subscription{filter: filter, backlog: h.cfg.Backlog, wake: make(chan struct{}, 1),
		out: make(chan Event), done: make(chan struct{})}
	h.mu.Lock()
	if h.stopped {
		h.mu.Unlock()
		close(s.out)
		return s.out
	}
	h.subs[s] = struct{}{}
	if h.height > 0 {
		s.push(Event{Height: h.height, Resync: true})
	}
	if !h.running {
		h.running = true
		var runCtx context.Context
		runCtx, h.cancel = context.WithCancel(context.Background())
		h.done = make(chan struct{})
		go h.run(runCtx)
	}
	h.mu.Unlock()
	go s.pump()
	go func() {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			delete(h.subs, s)
			h.mu.Unlock()
			s.close()
		case <-s.done:
		}
	}()
	return s.out
}

// Connections is how many subscriptions the hub has opened on its source, one per websocket
// connection: one while the first connection lasts, whatever the number of subscribers.
func (h *Hub) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.opened
}

// Stop closes the subscription and every subscriber's channel.
func (h *Hub) Stop() {
	h.mu.Lock()
	h.stopped = true
	cancel, done := h.cancel, h.done
	h.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	h.mu.Lock()
	subs := h.subs
	h.subs = map[*subscription]struct{}{}
	h.mu.Unlock()
	for s := range subs {
		s.close()
	}
}

func (h *Hub) run(ctx context.Context) {
	defer close(h.done)
	backoff := 200 * time.Millisecond
	for ctx.Err() == nil {
		blocks, stop, err := h.src.Subscribe(ctx)
		if err != nil {
			h.fail("subscribe")
			h.log.Warn("block subscription failed; following the node's height until it reconnects", "err", err, "retry_in", backoff)
			h.follow(ctx, backoff)
			backoff = min(backoff*2, 5*time.Second)
			continue
		}
		backoff = 200 * time.Millisecond
		h.mu.Lock()
		h.opened++
		h.mu.Unlock()
		if h.obs != nil {
			h.obs.ChainSubscribed()
		}
		// Blocks may have passed while no subscription was open: everyone re-reads.
		if cur, err := h.src.Height(ctx); err == nil {
			h.resync(cur)
		}
		h.consume(ctx, blocks)
		stop()
	}
}

// consume delivers blocks until the subscription breaks, falls behind the node, or stays quiet too
// long.
func (h *Hub) consume(ctx context.Context, blocks <-chan Block) {
	tick := time.NewTicker(h.cfg.Check)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case b, ok := <-blocks:
			if !ok {
				h.log.Warn("block subscription closed; reconnecting")
				return
			}
			last = time.Now()
			h.deliver(b)
		case <-tick.C:
			silent := time.Since(last)
			if silent < h.cfg.Check {
				continue
			}
			if cur, err := h.src.Height(ctx); err == nil && cur > h.lastHeight()+1 {
				h.log.Warn("block subscription is behind the node; reconnecting", "node_height", cur, "delivered", h.lastHeight())
				return
			}
			if silent >= h.cfg.Quiet {
				h.log.Warn("no block for a while; reconnecting the subscription", "silent", silent.Round(time.Second))
				return
			}
		}
	}
}

// follow polls the node's height for d while there is no subscription, delivering each new height
// as a resync: without the blocks' events, subscribers must read the state.
func (h *Hub) follow(ctx context.Context, d time.Duration) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if cur, err := h.src.Height(ctx); err == nil && cur > h.lastHeight() {
			h.resync(cur)
		}
		select {
		case <-ctx.Done():
		case <-time.After(min(d, 250*time.Millisecond)):
		}
	}
}

func (h *Hub) lastHeight() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.height
}

// resync tells every subscriber to re-read state as of height cur. The height is taken as it is, even
// below the last one delivered (a node reset to an earlier height).
func (h *Hub) resync(cur int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.height = cur
	for s := range h.subs {
		s.push(Event{Height: cur, Resync: true})
	}
}

// deliver fans a block out. A block at or below the last height was covered by a resync; a block
// after a gap comes with a resync for the heights in between, and so does the first block when the
// node's height could not be read at the connection.
func (h *Hub) deliver(b Block) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if b.Height <= h.height {
		return
	}
	gap := h.height == 0 || b.Height > h.height+1
	if h.height > 0 && gap {
		h.log.Warn("missed blocks; subscribers re-read state", "from", h.height+1, "to", b.Height-1)
	}
	h.height = b.Height
	typed := TypedEvents(b.Events)
	for s := range h.subs {
		var selected []proto.Message
		if s.filter != nil {
			for _, m := range typed {
				if s.filter(m) {
					selected = append(selected, m)
				}
			}
		}
		s.push(Event{Height: b.Height, Resync: gap, Events: selected})
	}
}

func (h *Hub) fail(kind string) {
	if h.obs != nil {
		h.obs.ChainError(kind)
	}
}

// TypedEvents parses the typed proto events among ABCI events (those whose type names a registered
// proto message, as EmitTypedEvent writes them) and skips the rest.
func TypedEvents(events []abci.Event) []proto.Message {
	var out []proto.Message
	for _, ev := range events {
		if proto.MessageType(ev.Type) == nil {
			continue
		}
		// The SDK adds attributes of its own that are not JSON (mode=EndBlock), which
		// sdk.ParseTypedEvent cannot take; the message's fields are all JSON.
		attrs := make([]abci.EventAttribute, 0, len(ev.Attributes))
		for _, a := range ev.Attributes {
			if json.Valid([]byte(a.Value)) {
				attrs = append(attrs, a)
			}
		}
		m, err := sdk.ParseTypedEvent(abci.Event{Type: ev.Type, Attributes: attrs})
		if err != nil {
			continue
		}
		out = append(out, m)
	}
	return out
}

// subscription is one subscriber's backlog and the goroutine that hands it over.
type subscription struct {
	filter  Filter
	backlog int

	mu     sync.Mutex
	queue  []Event
	closed bool
	wake   chan struct{}
	out    chan Event
	done   chan struct{}
}

// push queues an event without ever blocking the hub. An event that carries no typed event merges
// into a last queued one that carries none either (the subscriber sees the latest height once); a
// full backlog is replaced by a single resync.
func (s *subscription) push(ev Event) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	n := len(s.queue)
	switch {
	case len(ev.Events) == 0 && n > 0 && len(s.queue[n-1].Events) == 0:
		last := &s.queue[n-1]
		last.Height, last.Resync = ev.Height, last.Resync || ev.Resync
	case n >= s.backlog:
		s.queue = append(s.queue[:0], Event{Height: ev.Height, Resync: true})
	default:
		s.queue = append(s.queue, ev)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscription) pump() {
	defer close(s.out)
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.mu.Unlock()
			select {
			case <-s.wake:
				continue
			case <-s.done:
				return
			}
		}
		ev := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		select {
		case s.out <- ev:
		case <-s.done:
			return
		}
	}
}

func (s *subscription) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.queue = nil
		close(s.done)
	}
}
