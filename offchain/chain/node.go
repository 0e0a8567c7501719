package chain

import (
	"context"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// subscriber is the name the client's subscription has on the node.
const subscriber = "fog-chain-client"

// node is the Source of a node's CometBFT RPC: one websocket per subscription, on NewBlock, whose
// events carry the whole block's results. The RPC client also redials and resubscribes on its own
// after a drop; the hub then sees the blocks it missed as a gap in heights.
type node struct {
	addr   string
	height func(ctx context.Context) (int64, error)
}

func (n node) Height(ctx context.Context) (int64, error) { return n.height(ctx) }

func (n node) Subscribe(ctx context.Context) (<-chan Block, func(), error) {
	// a stopped RPC client cannot be started again: one per subscription
	ws, err := rpchttp.New(n.addr, "/websocket")
	if err != nil {
		return nil, nil, err
	}
	if err := ws.Start(); err != nil {
		return nil, nil, err
	}
	subCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	// The RPC client drops events when this buffer is full; the hub reads it at once, and sees a
	// dropped block as a gap in heights.
	events, err := ws.Subscribe(subCtx, subscriber, cmttypes.QueryForEvent(cmttypes.EventNewBlock).String(), 64)
	if err != nil {
		_ = ws.Stop()
		return nil, nil, err
	}
	out := make(chan Block)
	quit := make(chan struct{})
	go func() {
		defer close(out)
		for {
			select {
			case <-quit:
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				nb, ok := ev.Data.(cmttypes.EventDataNewBlock)
				if !ok || nb.Block == nil {
					continue
				}
				select {
				case out <- Block{Height: nb.Block.Height, Events: blockEvents(nb.ResultFinalizeBlock)}:
				case <-quit:
					return
				}
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			close(quit)
			// The RPC client redials a dropped websocket by itself, sleeping between attempts without
			// watching for Stop: stopping it can take as long as that sleep, so nobody waits for it.
			go func() {
				unsubCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = ws.UnsubscribeAll(unsubCtx, subscriber)
				_ = ws.Stop()
			}()
		})
	}
	return out, stop, nil
}

// blockEvents orders a block's events as they happened: BeginBlock's (and PreBlock's), the
// successful transactions', then EndBlock's. A failed transaction's events describe nothing that
// happened.
func blockEvents(r abci.ResponseFinalizeBlock) []abci.Event {
	var out, end []abci.Event
	for _, ev := range r.Events {
		if blockMode(ev) == "EndBlock" {
			end = append(end, ev)
		} else {
			out = append(out, ev)
		}
	}
	for _, tx := range r.TxResults {
		if tx != nil && tx.Code == 0 {
			out = append(out, tx.Events...)
		}
	}
	return append(out, end...)
}

// blockMode is the phase the SDK marks a finalize-block event with (its "mode" attribute).
func blockMode(ev abci.Event) string {
	for _, a := range ev.Attributes {
		if a.Key == "mode" {
			return a.Value
		}
	}
	return ""
}
