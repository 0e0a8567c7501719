package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/tee/types"
)

// BeginBlock records this block's hash as a nonce evidence may bind, and forgets the hashes that left
// the freshness window.
func (k Keeper) BeginBlock(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	if hash := sdkCtx.HeaderHash(); len(hash) == 32 {
		if err := k.Nonces.Set(ctx, h, hash); err != nil {
			return err
		}
	}
	p, err := k.params.Get(ctx) // the window only, not the roots
	if err != nil {
		return err
	}
	return k.pruneNonces(ctx, h, p.NonceWindowBlocks)
}

// pruneNonces forgets the block hashes outside the window of the last window blocks up to height h.
// Each block forgets one; a narrower window, at most MaxNonceWindowBlocks.
func (k Keeper) pruneNonces(ctx context.Context, h, window int64) error {
	var old []int64
	rng := new(collections.Range[int64]).EndInclusive(h - window)
	if err := k.Nonces.Walk(ctx, rng, func(height int64, _ []byte) (bool, error) {
		old = append(old, height)
		return false, nil
	}); err != nil {
		return err
	}
	for _, height := range old {
		if err := k.Nonces.Remove(ctx, height); err != nil {
			return err
		}
	}
	return nil
}

// EndBlock reports the enclave records that expire at this height, with the provider's active leases
// of TEE-requiring orders (a later issue decides penalties). The records stay, marked expired by
// their height; queries and x/market stop counting them.
func (k Keeper) EndBlock(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	rng := collections.NewPrefixUntilPairRange[int64, sdk.AccAddress](sdkCtx.BlockHeight())
	var due []collections.Pair[int64, sdk.AccAddress]
	if err := k.ExpiryQueue.Walk(ctx, rng, func(key collections.Pair[int64, sdk.AccAddress]) (bool, error) {
		due = append(due, key)
		return false, nil
	}); err != nil {
		return err
	}
	for _, key := range due {
		if err := k.ExpiryQueue.Remove(ctx, key); err != nil {
			return err
		}
		e, err := k.Enclaves.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		leases, err := k.ActiveTeeLeases(ctx, key.K2())
		if err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventEnclaveExpired{Provider: e.Provider, TeeType: e.TeeType, ActiveTeeLeases: leases}); err != nil {
			return err
		}
	}
	return nil
}
