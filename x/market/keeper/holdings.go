package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// Holdings is what the market module account must hold, derived from the records that justify it.
type Holdings struct {
	OpenOrders, PendingLeases, ActiveLeases uint64
	// Escrowed: open orders' escrow plus the unpaid escrow of pending and active leases.
	Escrowed sdk.Coins
	// Deposits: bid deposits of open orders.
	Deposits sdk.Coins
	// Bonded: winners' bonds of pending and active leases.
	Bonded sdk.Coins
}

// Total is everything the module account must hold.
func (h Holdings) Total() sdk.Coins {
	return h.Escrowed.Add(h.Deposits...).Add(h.Bonded...)
}

// Holdings walks the open orders and unfinished leases (through the state indexes, never all
// records) and adds up the money they lock.
func (k Keeper) Holdings(ctx context.Context) (Holdings, error) {
	var h Holdings
	open, err := k.OrdersByState.Iterate(ctx, collections.NewPrefixedPairRange[int32, uint64](int32(types.OrderOpen)))
	if err != nil {
		return h, err
	}
	orderKeys, err := open.Keys()
	if err != nil {
		return h, err
	}
	for _, key := range orderKeys {
		o, err := k.Orders.Get(ctx, key.K2())
		if err != nil {
			return h, err
		}
		h.OpenOrders++
		h.Escrowed = h.Escrowed.Add(o.Escrow)
		bids, err := k.Bids.Iterate(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](o.Id))
		if err != nil {
			return h, err
		}
		values, err := bids.Values()
		if err != nil {
			return h, err
		}
		for _, b := range values {
			h.Deposits = h.Deposits.Add(b.Deposit)
		}
	}
	for _, state := range []types.LeaseState{types.LeasePending, types.LeaseActive} {
		iter, err := k.LeasesByState.Iterate(ctx, collections.NewPrefixedPairRange[int32, uint64](int32(state)))
		if err != nil {
			return h, err
		}
		keys, err := iter.Keys()
		if err != nil {
			return h, err
		}
		for _, key := range keys {
			l, err := k.Leases.Get(ctx, key.K2())
			if err != nil {
				return h, err
			}
			if state == types.LeasePending {
				h.PendingLeases++
			} else {
				h.ActiveLeases++
			}
			h.Escrowed = h.Escrowed.Add(l.Escrow)
			h.Bonded = h.Bonded.Add(l.Bond)
		}
	}
	return h, nil
}

// CheckSolvency fails unless the module account holds exactly what the records say it must.
func (k Keeper) CheckSolvency(ctx context.Context, moduleBalance sdk.Coins) error {
	h, err := k.Holdings(ctx)
	if err != nil {
		return err
	}
	if want := h.Total(); !want.Equal(moduleBalance) {
		return fmt.Errorf("market module holds %s, records justify %s (escrow %s, deposits %s, bonds %s)",
			moduleBalance, want, h.Escrowed, h.Deposits, h.Bonded)
	}
	return nil
}
