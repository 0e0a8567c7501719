package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// CheckInvariants runs every check of the market's state: CheckSolvency against moduleBalance,
// CheckQueues and CheckReferences. The app's simulation runs it after every block.
func (k Keeper) CheckInvariants(ctx context.Context, moduleBalance sdk.Coins) error {
	if err := k.CheckSolvency(ctx, moduleBalance); err != nil {
		return fmt.Errorf("market solvency: %w", err)
	}
	if err := k.CheckQueues(ctx); err != nil {
		return fmt.Errorf("market queues: %w", err)
	}
	if err := k.CheckReferences(ctx); err != nil {
		return fmt.Errorf("market references: %w", err)
	}
	return nil
}

// CheckReferences fails unless every record points at records that exist: every bid at its order
// (whose bid_count is its number of bids), every bid that holds a deposit (standbys included) and every pending or
// active lease at a registered provider (deregistration waits for them), and every lease at an
// order that is matched, with the lease's owner. It reads every order, bid and lease: it is a test
// and audit check, not one for a transaction.
func (k Keeper) CheckReferences(ctx context.Context) error {
	bidsPerOrder := map[uint64]uint32{}
	err := k.Bids.Walk(ctx, nil, func(key BidKey, b types.Bid) (bool, error) {
		if key.K1() != b.OrderId || !k.sameAddress(b.Provider, key.K2()) {
			return true, fmt.Errorf("bid stored under (%d, %s) says (%d, %s)", key.K1(), key.K2(), b.OrderId, b.Provider)
		}
		if has, err := k.Orders.Has(ctx, b.OrderId); err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("bid of %s on order %d: no such order", b.Provider, b.OrderId))
		}
		bidsPerOrder[b.OrderId]++
		if heldBid(b.State) {
			if has, err := k.Providers.Has(ctx, key.K2()); err != nil || !has {
				return true, errors.Join(err, fmt.Errorf("live bid on order %d: provider %s is not registered", b.OrderId, b.Provider))
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	err = k.Orders.Walk(ctx, nil, func(id uint64, o types.Order) (bool, error) {
		if o.BidCount != bidsPerOrder[id] {
			return true, fmt.Errorf("order %d counts %d bids, %d are stored", id, o.BidCount, bidsPerOrder[id])
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	return k.Leases.Walk(ctx, nil, func(id uint64, l types.Lease) (bool, error) {
		o, err := k.Orders.Get(ctx, l.OrderId)
		if errors.Is(err, collections.ErrNotFound) {
			return true, fmt.Errorf("lease %d: order %d does not exist", id, l.OrderId)
		} else if err != nil {
			return true, err
		}
		if o.State != types.OrderMatched || o.Owner != l.Owner {
			return true, fmt.Errorf("lease %d: order %d is %s, owned by %s, the lease's owner is %s", id, o.Id, o.State, o.Owner, l.Owner)
		}
		if l.State == types.LeaseClosed {
			return false, nil
		}
		provider, err := k.addressCodec.StringToBytes(l.Provider)
		if err != nil {
			return true, fmt.Errorf("lease %d's provider: %w", id, err)
		}
		if has, err := k.Providers.Has(ctx, provider); err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("%s lease %d: provider %s is not registered", l.State, id, l.Provider))
		}
		return false, nil
	})
}

// Reputation is the reputation reader the market was built with: the simulation asks it for the
// tier a commit will be checked against.
func (k Keeper) Reputation() types.ReputationKeeper { return k.reputation }

// Tee is the attestation reader the market was built with: the simulation asks it whether a
// commit or start on a TEE order will pass.
func (k Keeper) Tee() types.TeeKeeper { return k.tee }
