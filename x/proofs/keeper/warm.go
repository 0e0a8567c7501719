package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/proofs/types"
)

// The warm set is the consensus record of which circuits' keys every node holds parsed: the
// max_warm_circuits circuits verified against most recently. A verification against a circuit
// outside it pays the key-load gas, as a node may have to parse the key; one against a warm
// circuit does not, and every node's cache keeps warm keys (vkcache.go). Gas so depends only on
// consensus state, never on one node's memory. When the set is full the circuit with the lowest
// (last use height, id) leaves it: eviction is the same on every node.

// unmetered is ctx without a gas meter for the warm set's bookkeeping: its few bounded reads and
// writes (one read, at most one eviction and two writes per verification) are within the margin of
// the verification gas, and metering them would make a warm verification pay more in the first
// block it is used than in the next.
func unmetered(ctx context.Context) sdk.Context {
	return sdk.UnwrapSDKContext(ctx).WithGasMeter(storetypes.NewInfiniteGasMeter())
}

// verifyingKey returns circuit c's parsed key. Outside the warm set, the key-load gas is charged
// before the key is parsed, and c enters the set; inside, c's last use moves to this height.
func (k Keeper) verifyingKey(ctx context.Context, p types.Params, c types.Circuit) (*types.VerifyingKey, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	free := unmetered(ctx)
	h := sdkCtx.BlockHeight()
	lastUsed, err := k.Warm.Get(free, c.Id)
	warm := err == nil
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	var gas uint64
	if !warm {
		gas = types.KeyLoadGas(p, c.PublicInputCount)
		sdkCtx.GasMeter().ConsumeGas(gas, "groth16 verifying key load")
	}
	vk, err := k.vks.get(c, p.KeyLimits(), func(id uint64) bool {
		has, err := k.Warm.Has(free, id)
		return err == nil && has
	})
	if err != nil {
		return nil, errorsmod.Wrapf(err, "stored key of circuit %d", c.Id)
	}
	switch {
	case warm && lastUsed == h:
		return vk, nil
	case warm:
		return vk, k.Warm.Set(free, c.Id, h)
	}
	evicted, err := k.warmUp(free, p.MaxWarmCircuits, c.Id, h)
	if err != nil {
		return nil, err
	}
	return vk, sdkCtx.EventManager().EmitTypedEvent(&types.EventCircuitKeyLoaded{CircuitId: c.Id, Gas: gas, EvictedCircuitId: evicted})
}

// warmUp adds circuit id to the warm set at height h, evicting the coldest circuit if the set holds
// max already; it returns the evicted circuit (0: none).
func (k Keeper) warmUp(ctx context.Context, max uint32, id uint64, h int64) (evicted uint64, err error) {
	n, err := k.warmCount(ctx)
	if err != nil {
		return 0, err
	}
	for ; n >= uint64(max); n-- {
		if evicted, err = k.evictColdest(ctx); err != nil {
			return 0, err
		}
	}
	if err := k.Warm.Set(ctx, id, h); err != nil {
		return 0, err
	}
	return evicted, k.WarmCount.Set(ctx, n+1)
}

func (k Keeper) warmCount(ctx context.Context) (uint64, error) {
	n, err := k.WarmCount.Get(ctx)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

// evictColdest removes the circuit with the lowest (last use height, id) from the warm set.
func (k Keeper) evictColdest(ctx context.Context) (uint64, error) {
	it, err := k.Warm.Indexes.ByUse.Iterate(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Valid() {
		return 0, errors.New("proofs: warm set count above its entries")
	}
	id, err := it.PrimaryKey()
	if err != nil {
		return 0, err
	}
	return id, k.Warm.Remove(ctx, id)
}

// coolDown removes circuit id from the warm set if it is there.
func (k Keeper) coolDown(ctx context.Context, id uint64) error {
	has, err := k.Warm.Has(ctx, id)
	if err != nil || !has {
		return err
	}
	if err := k.Warm.Remove(ctx, id); err != nil {
		return err
	}
	n, err := k.warmCount(ctx)
	if err != nil {
		return err
	}
	return k.WarmCount.Set(ctx, n-1)
}

// paramsChanged keeps the warm set consistent with new params: a change of the limits keys are
// parsed under empties it (every node parses again, and each circuit pays the load once more), and
// a smaller max_warm_circuits evicts the coldest circuits at once. It touches at most
// MaxWarmCircuitsLimit entries, and only governance causes it.
func (k Keeper) paramsChanged(ctx context.Context, old, p types.Params) error {
	n, err := k.warmCount(ctx)
	if err != nil {
		return err
	}
	target := uint64(p.MaxWarmCircuits)
	if old.KeyLimits() != p.KeyLimits() {
		target = 0
	}
	for ; n > target; n-- {
		if _, err := k.evictColdest(ctx); err != nil {
			return err
		}
	}
	return k.WarmCount.Set(ctx, n)
}
