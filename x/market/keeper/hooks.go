package keeper

import (
	"context"
	"sort"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// afterHook runs one After hook of every subscriber, each in a cache context of its own: a
// subscriber's writes are kept when it succeeds; its error is logged and the next one runs, for the
// market's own transition has happened and stands.
func (k Keeper) afterHook(ctx context.Context, name string, call func(context.Context, types.MarketHooks) error) {
	for _, h := range k.hooks {
		cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
		if err := call(cacheCtx, h.Hooks); err != nil {
			k.Logger(ctx).Error("market hook failed; its writes are dropped", "hook", name, "subscriber", h.Name, "err", err)
			continue
		}
		write()
	}
}

// chooseWinners asks the subscribers, in order, to choose an order's winners among its ranked
// revealed bids; the first that chooses decides. It returns the winners' indexes in ranked order,
// the market's default (the replicas cheapest) when nobody chooses, and nil when the order has no
// eligible set: a subscriber chose none, chose badly, or failed (logged).
func (k Keeper) chooseWinners(ctx context.Context, o types.Order, ranked []types.Bid) []int {
	for _, h := range k.hooks {
		cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
		winners, chosen, err := h.Hooks.BeforeSettlement(cacheCtx, o, append([]types.Bid(nil), ranked...))
		if err == nil && chosen {
			err = types.CheckSelection(winners, len(ranked), o.Replicas)
		}
		if err != nil {
			k.Logger(ctx).Error("BeforeSettlement failed: the order has no eligible set", "subscriber", h.Name, "order", o.Id, "err", err)
			return nil
		}
		if !chosen {
			continue
		}
		write()
		out := append([]int(nil), winners...)
		sort.Ints(out)
		return out
	}
	out := make([]int, min(int(o.Replicas), len(ranked)))
	for i := range out {
		out[i] = i
	}
	return out
}

// SelectionPrice is the uniform clearing price of winners (indexes in ranked order) among ranked
// bids: the cheapest bid not chosen ranked after the dearest winner, or maxPrice when there is none.
// With the replicas cheapest bids as winners it is the Vickrey price of the reverse auction.
func SelectionPrice(ranked []types.Bid, winners []int, maxPrice sdk.Coin) sdk.Coin {
	if len(winners) == 0 {
		return maxPrice
	}
	if next := winners[len(winners)-1] + 1; next < len(ranked) {
		return ranked[next].Price
	}
	return maxPrice
}
