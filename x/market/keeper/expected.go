package keeper

import (
	"context"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// LeaseParties is a lease's owner and provider, for x/proofs (who may anchor the lease's batches). A
// missing lease is an error wrapping collections.ErrNotFound.
func (k Keeper) LeaseParties(ctx context.Context, id uint64) (owner, provider sdk.AccAddress, err error) {
	l, err := k.Leases.Get(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("lease %d: %w", id, err)
	}
	if owner, err = k.addressCodec.StringToBytes(l.Owner); err != nil {
		return nil, nil, fmt.Errorf("lease %d's owner: %w", id, err)
	}
	if provider, err = k.addressCodec.StringToBytes(l.Provider); err != nil {
		return nil, nil, fmt.Errorf("lease %d's provider: %w", id, err)
	}
	return owner, provider, nil
}
