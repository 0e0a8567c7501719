package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/tee/types"
)

// CheckInvariants fails unless x/tee's records agree with each other after a block's EndBlock:
// every record valid at this height has exactly its expiry queue entry and every queue entry is the
// expiry, still ahead, of its record; the recorded block hashes lie within the nonce window; and every
// provider holding an active TEE lease has an enclave record. It reads every record: it is a test and
// audit check, not one for a transaction. (That the TEE leases are exactly the market's active leases
// of TEE orders is a check across modules: the app's.)
func (k Keeper) CheckInvariants(ctx context.Context) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	queued := 0
	err := k.ExpiryQueue.Walk(ctx, nil, func(key collections.Pair[int64, sdk.AccAddress]) (bool, error) {
		queued++
		e, err := k.Enclaves.Get(ctx, key.K2())
		if err != nil {
			return true, fmt.Errorf("expiry queue entry (%d, %s): %w", key.K1(), key.K2(), err)
		}
		if e.ExpiryHeight != key.K1() || key.K1() <= h {
			return true, fmt.Errorf("expiry queue entry (%d, %s): the record expires at %d, now %d", key.K1(), key.K2(), e.ExpiryHeight, h)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	valid := 0
	if err := k.Enclaves.Walk(ctx, nil, func(_ sdk.AccAddress, e types.Enclave) (bool, error) {
		if e.ExpiryHeight > h {
			valid++
		}
		return false, nil
	}); err != nil {
		return err
	}
	if valid != queued {
		return fmt.Errorf("%d valid enclave records, %d expiry queue entries", valid, queued)
	}
	p, err := k.params.Get(ctx)
	if err != nil {
		return err
	}
	err = k.Nonces.Walk(ctx, nil, func(height int64, _ []byte) (bool, error) {
		if height <= h-p.NonceWindowBlocks || height > h {
			return true, fmt.Errorf("block hash of height %d kept outside the window of %d blocks up to %d", height, p.NonceWindowBlocks, h)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	return k.TeeLeases.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		if has, err := k.Enclaves.Has(ctx, key.K1()); err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("TEE lease %d of %s, who has no enclave record", key.K2(), key.K1()))
		}
		return false, nil
	})
}
