package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/proofs/types"
)

// CheckReferences fails unless every record points at records that exist: every batch at a lease
// the market knows (through MarketKeeper.LeaseParties) and in both of its indexes, every claim at a
// circuit, every circuit under its name, and every warm circuit at an active circuit, with the warm
// count matching. It reads every record: it is a test and audit check, not one for a transaction.
func (k Keeper) CheckReferences(ctx context.Context) error {
	err := k.Batches.Walk(ctx, nil, func(id uint64, b types.Batch) (bool, error) {
		if _, _, err := k.market.LeaseParties(ctx, b.LeaseId); err != nil {
			return true, fmt.Errorf("batch %d: lease %d: %w", id, b.LeaseId, err)
		}
		submitter, err := k.addressCodec.StringToBytes(b.Submitter)
		if err != nil {
			return true, fmt.Errorf("batch %d's submitter: %w", id, err)
		}
		byLease, err1 := k.BatchesByLease.Has(ctx, collections.Join(b.LeaseId, id))
		bySubmitter, err2 := k.BatchesBySubmitter.Has(ctx, collections.Join(sdk.AccAddress(submitter), id))
		if err := errors.Join(err1, err2); err != nil || !byLease || !bySubmitter {
			return true, errors.Join(err, fmt.Errorf("batch %d is missing from an index (by lease %t, by submitter %t)", id, byLease, bySubmitter))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	err = k.Claims.Walk(ctx, nil, func(id uint64, c types.Claim) (bool, error) {
		if has, err := k.Circuits.Has(ctx, c.CircuitId); err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("claim %d: circuit %d does not exist", id, c.CircuitId))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	err = k.Circuits.Walk(ctx, nil, func(id uint64, c types.Circuit) (bool, error) {
		named, err := k.CircuitsByName.Get(ctx, c.Name)
		if err != nil || named != id {
			return true, errors.Join(err, fmt.Errorf("circuit %d (%s) is not registered under its name", id, c.Name))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	var warm uint64
	err = k.Warm.Walk(ctx, nil, func(id uint64, _ int64) (bool, error) {
		warm++
		c, err := k.Circuits.Get(ctx, id)
		if err != nil || !c.Active {
			return true, errors.Join(err, fmt.Errorf("warm circuit %d is missing or inactive", id))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	count, err := k.WarmCount.Get(ctx)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if count != warm {
		return fmt.Errorf("warm count %d, %d circuits are warm", count, warm)
	}
	return nil
}

// LeaseParties asks the market for a lease's owner and provider, as anchoring does: the simulation
// finds the leases it may anchor for through it.
func (k Keeper) LeaseParties(ctx context.Context, leaseID uint64) (owner, provider sdk.AccAddress, err error) {
	return k.market.LeaseParties(ctx, leaseID)
}
