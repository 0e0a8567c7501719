package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// MarketHooks is how x/tee learns which providers hold active leases of orders that require a TEE
// (such a provider's record is pinned, and its expiry reports them): it subscribes to x/market's
// hooks, so that it holds no keeper of x/market.
type MarketHooks struct {
	markettypes.NoMarketHooks
	k Keeper
}

var _ markettypes.MarketHooks = MarketHooks{}

// MarketHooks returns the keeper's subscription to the market's hooks.
func (k Keeper) MarketHooks() MarketHooks { return MarketHooks{k: k} }

// AfterLeaseStarted records a started lease of an order that requires a TEE.
func (h MarketHooks) AfterLeaseStarted(ctx context.Context, o markettypes.Order, l markettypes.Lease) error {
	if !o.TeeRequired {
		return nil
	}
	provider, err := h.k.addressCodec.StringToBytes(l.Provider)
	if err != nil {
		return err
	}
	return h.k.TeeLeases.Set(ctx, collections.Join(sdk.AccAddress(provider), l.Id))
}

// AfterLeaseClosed forgets a closed lease.
func (h MarketHooks) AfterLeaseClosed(ctx context.Context, l markettypes.Lease, _ markettypes.CloseReason) error {
	provider, err := h.k.addressCodec.StringToBytes(l.Provider)
	if err != nil {
		return err
	}
	return h.k.TeeLeases.Remove(ctx, collections.Join(sdk.AccAddress(provider), l.Id))
}

// ActiveTeeLeases are provider's active leases of orders that require a TEE.
func (k Keeper) ActiveTeeLeases(ctx context.Context, provider sdk.AccAddress) ([]uint64, error) {
	var out []uint64
	err := k.TeeLeases.Walk(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, uint64](provider),
		func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
			out = append(out, key.K2())
			return false, nil
		})
	return out, err
}
