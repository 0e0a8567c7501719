package keeper

import (
	"context"
	"fmt"
	"slices"
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
// with each one's pay per block, and the standbys' indexes in ranked order: the market's default
// (the replicas cheapest, all at the Vickrey price, no standbys) when nobody chooses, and no
// winners when the order has no eligible set: a subscriber chose none, chose badly, or failed
// (logged).
func (k Keeper) chooseWinners(ctx context.Context, o types.Order, ranked []types.Bid) ([]int, []sdk.Coin, []int) {
	for _, h := range k.hooks {
		cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
		sel, chosen, err := h.Hooks.BeforeSettlement(cacheCtx, o, append([]types.Bid(nil), ranked...))
		if err == nil && chosen {
			err = types.CheckSelection(sel, ranked, o)
		}
		if err != nil {
			k.Logger(ctx).Error("BeforeSettlement failed: the order has no eligible set", "subscriber", h.Name, "order", o.Id, "err", err)
			return nil, nil, nil
		}
		if !chosen {
			continue
		}
		write()
		winners, prices := pricedWinners(ranked, sel, o.MaxPricePerBlock)
		return winners, prices, slices.Sorted(slices.Values(sel.Standbys))
	}
	winners := make([]int, min(int(o.Replicas), len(ranked)))
	for i := range winners {
		winners[i] = i
	}
	w, p := pricedWinners(ranked, types.Selection{Winners: winners}, o.MaxPricePerBlock)
	return w, p, nil
}

// chooseReplacement asks the subscribers, in order, which of standbys (an order's bids held as
// standbys) takes the place of closed, a lease of o that ended at its provider's fault; the first
// that chooses decides. It returns the chosen standby's index, or -1 when nobody chose, or the
// choice was out of range or priced above closed's price per block (so that the owner never pays
// more and the escrow left suffices), or the subscriber failed (both logged): the lease is then
// not replaced.
func (k Keeper) chooseReplacement(ctx context.Context, o types.Order, closed types.Lease, leases []types.Lease, standbys []types.Bid) int {
	for _, h := range k.hooks {
		cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
		i, chosen, err := h.Hooks.ChooseReplacement(cacheCtx, o, closed, append([]types.Lease(nil), leases...), append([]types.Bid(nil), standbys...))
		switch {
		case err == nil && !chosen:
			continue
		case err == nil && (i < 0 || i >= len(standbys)):
			err = fmt.Errorf("standby %d outside the %d standbys", i, len(standbys))
		case err == nil && (standbys[i].Price.Denom != closed.PricePerBlock.Denom || standbys[i].Price.Amount.GT(closed.PricePerBlock.Amount)):
			err = fmt.Errorf("standby %s bid %s, above the closed lease's price %s", standbys[i].Provider, standbys[i].Price, closed.PricePerBlock)
		}
		if err != nil {
			k.Logger(ctx).Error("ChooseReplacement failed: the lease is not replaced", "subscriber", h.Name, "order", o.Id, "lease", closed.Id, "err", err)
			return -1
		}
		write()
		return i
	}
	return -1
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
