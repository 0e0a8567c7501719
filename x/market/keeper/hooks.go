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
// revealed bids; the first that chooses decides. It returns the winners' indexes in ranked order
// with each one's pay per block: the market's default (the replicas cheapest, all at the Vickrey
// price) when nobody chooses, and no winners when the order has no eligible set: a subscriber chose
// none, chose badly, or failed (logged).
func (k Keeper) chooseWinners(ctx context.Context, o types.Order, ranked []types.Bid) ([]int, []sdk.Coin) {
	for _, h := range k.hooks {
		cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
		sel, chosen, err := h.Hooks.BeforeSettlement(cacheCtx, o, append([]types.Bid(nil), ranked...))
		if err == nil && chosen {
			err = types.CheckSelection(sel, ranked, o)
		}
		if err != nil {
			k.Logger(ctx).Error("BeforeSettlement failed: the order has no eligible set", "subscriber", h.Name, "order", o.Id, "err", err)
			return nil, nil
		}
		if !chosen {
			continue
		}
		write()
		return pricedWinners(ranked, sel, o.MaxPricePerBlock)
	}
	winners := make([]int, min(int(o.Replicas), len(ranked)))
	for i := range winners {
		winners[i] = i
	}
	return pricedWinners(ranked, types.Selection{Winners: winners}, o.MaxPricePerBlock)
}

// pricedWinners sorts a checked selection's winners into ranked order and gives each its pay per
// block: the selection's price, or the uniform SelectionPrice when it sets none.
func pricedWinners(ranked []types.Bid, sel types.Selection, maxPrice sdk.Coin) ([]int, []sdk.Coin) {
	order := make([]int, len(sel.Winners))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return sel.Winners[order[a]] < sel.Winners[order[b]] })
	winners := make([]int, len(order))
	for i, j := range order {
		winners[i] = sel.Winners[j]
	}
	prices := make([]sdk.Coin, len(winners))
	uniform := SelectionPrice(ranked, winners, maxPrice)
	for i, j := range order {
		prices[i] = uniform
		if sel.Prices != nil {
			prices[i] = sdk.NewCoin(maxPrice.Denom, sel.Prices[j])
		}
	}
	return winners, prices
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
