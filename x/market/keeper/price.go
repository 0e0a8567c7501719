package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// updatePriceBand folds a clearing price into its tier's band: the EMA of the clearing price per
// milli-CPU-block, divided by the tier multiplier so that bands of all tiers are comparable.
func (k Keeper) updatePriceBand(ctx context.Context, p types.Params, o types.Order, clearing sdk.Coin) error {
	tp, err := p.Tier(o.Tier)
	if err != nil {
		return err
	}
	sample := math.LegacyNewDecFromInt(clearing.Amount).
		QuoInt(math.NewIntFromUint64(o.Resources.CpuMillicores)).
		Quo(tp.Multiplier)
	key := collections.Join(int32(o.Tier), clearing.Denom)
	band, err := k.PriceBands.Get(ctx, key)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		band = types.PriceBand{Tier: o.Tier, Denom: clearing.Denom, PricePerMcpuBlock: sample}
	case err != nil:
		return err
	default:
		band.PricePerMcpuBlock = p.EmaWeight.Mul(sample).Add(math.LegacyOneDec().Sub(p.EmaWeight).Mul(band.PricePerMcpuBlock))
	}
	band.Samples++
	band.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	return k.PriceBands.Set(ctx, key, band)
}

// Quote suggests a max price per block for an order: the tier's band (or, while the tier has no
// settled auctions, the band of the nearest cheaper or dearer tier with data) × the tier multiplier ×
// the order's milli-CPUs, rounded up.
func (k Keeper) Quote(ctx context.Context, p types.Params, r types.Resources, tier types.Tier, leaseBlocks uint64, denom string) (*types.QueryQuoteResponse, error) {
	tp, err := p.Tier(tier)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryQuoteResponse{
		Replicas:         tp.Replicas,
		MaxPricePerBlock: sdk.NewCoin(denom, math.ZeroInt()),
		Escrow:           sdk.NewCoin(denom, math.ZeroInt()),
		Band:             types.PriceBand{Tier: tier, Denom: denom, PricePerMcpuBlock: math.LegacyZeroDec()},
	}
	for _, t := range append([]types.Tier{tier}, types.TierBronze, types.TierSilver, types.TierGold) {
		band, err := k.PriceBands.Get(ctx, collections.Join(int32(t), denom))
		if errors.Is(err, collections.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		price := band.PricePerMcpuBlock.Mul(tp.Multiplier).MulInt(math.NewIntFromUint64(r.CpuMillicores)).Ceil().TruncateInt()
		escrow, err := mulAmount(price, leaseBlocks, uint64(tp.Replicas))
		if err != nil {
			return nil, err
		}
		resp.HasData, resp.Band = true, band
		resp.MaxPricePerBlock = sdk.NewCoin(denom, price)
		resp.Escrow = sdk.NewCoin(denom, escrow)
		break
	}
	return resp, nil
}
