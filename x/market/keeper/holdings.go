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

// CheckQueues fails unless every open order, pending lease and active lease has exactly the queue
// entry that will settle or close it, and every queue entry belongs to such a record.
func (k Keeper) CheckQueues(ctx context.Context) error {
	check := func(name string, q collections.KeySet[HeightID], due func(id uint64) (int64, bool, error)) (int, error) {
		n := 0
		err := q.Walk(ctx, nil, func(key HeightID) (bool, error) {
			h, ok, err := due(key.K2())
			if err != nil {
				return true, err
			}
			if !ok || h != key.K1() {
				return true, fmt.Errorf("%s queue entry (%d, %d) matches no record due then", name, key.K1(), key.K2())
			}
			n++
			return false, nil
		})
		return n, err
	}
	order := func(id uint64) (int64, bool, error) {
		o, err := k.Orders.Get(ctx, id)
		return o.RevealDeadline, err == nil && o.State == types.OrderOpen, err
	}
	lease := func(state types.LeaseState) func(id uint64) (int64, bool, error) {
		return func(id uint64) (int64, bool, error) {
			l, err := k.Leases.Get(ctx, id)
			if state == types.LeasePending {
				return l.StartDeadline, err == nil && l.State == state, err
			}
			return l.EndHeight, err == nil && l.State == state, err
		}
	}
	h, err := k.Holdings(ctx)
	if err != nil {
		return err
	}
	for _, c := range []struct {
		name  string
		q     collections.KeySet[HeightID]
		due   func(uint64) (int64, bool, error)
		count uint64
	}{
		{"settlement", k.SettlementQueue, order, h.OpenOrders},
		{"start", k.StartQueue, lease(types.LeasePending), h.PendingLeases},
		{"end", k.EndQueue, lease(types.LeaseActive), h.ActiveLeases},
	} {
		n, err := check(c.name, c.q, c.due)
		if err != nil {
			return err
		}
		if uint64(n) != c.count {
			return fmt.Errorf("%s queue has %d entries for %d records", c.name, n, c.count)
		}
	}
	// the active-by-provider index holds exactly the active leases, under their providers
	n := uint64(0)
	err = k.ActiveLeasesByProvider.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		l, err := k.Leases.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		if l.State != types.LeaseActive || l.Provider != key.K1().String() {
			return true, fmt.Errorf("active-by-provider entry (%s, %d) is not an active lease of that provider", key.K1(), key.K2())
		}
		n++
		return false, nil
	})
	if err != nil {
		return err
	}
	if n != h.ActiveLeases {
		return fmt.Errorf("active-by-provider index has %d entries for %d active leases", n, h.ActiveLeases)
	}
	return nil
}
