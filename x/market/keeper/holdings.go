package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// Holdings is what the market module account must hold, derived from the records that justify it.
type Holdings struct {
	OpenOrders, PendingLeases, ActiveLeases, Providers, DepositSweeps uint64
	// LiveBids is the number of bids holding a deposit.
	LiveBids uint64
	// Escrowed: open orders' escrow plus the unpaid escrow of pending and active leases.
	Escrowed sdk.Coins
	// Deposits: deposits of bids on open orders and of bids the deposit sweep has not reached yet.
	Deposits sdk.Coins
	// Bonded: winners' bonds of pending and active leases.
	Bonded sdk.Coins
	// ProviderBonds: registration bonds of registered providers.
	ProviderBonds sdk.Coins
	// Standbys is the number of bids held as standbys; StandbyDeposits the deposits they lock.
	Standbys        uint64
	StandbyDeposits sdk.Coins
}

// Total is everything the module account must hold.
func (h Holdings) Total() sdk.Coins {
	return h.Escrowed.Add(h.Deposits...).Add(h.Bonded...).Add(h.ProviderBonds...).Add(h.StandbyDeposits...)
}

// Holdings walks the providers, the open orders, the orders being swept, the standbys and the
// unfinished leases (through the state indexes and queues, never all orders or leases) and adds up
// the money they lock.
func (k Keeper) Holdings(ctx context.Context) (Holdings, error) {
	var h Holdings
	err := k.Providers.Walk(ctx, nil, func(_ sdk.AccAddress, p types.Provider) (bool, error) {
		h.Providers++
		h.ProviderBonds = h.ProviderBonds.Add(p.Bond)
		return false, nil
	})
	if err != nil {
		return h, err
	}
	liveDeposits := func(orderID uint64) error {
		return k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](orderID),
			func(_ collections.Pair[uint64, sdk.AccAddress], b types.Bid) (bool, error) {
				if liveBid(b.State) {
					h.LiveBids++
					h.Deposits = h.Deposits.Add(b.Deposit)
				}
				return false, nil
			})
	}
	err = k.Orders.Indexes.State.walkPrimary(ctx, int32(types.OrderOpen), func(id uint64) (bool, error) {
		o, err := k.Orders.Get(ctx, id)
		if err != nil {
			return true, err
		}
		h.OpenOrders++
		h.Escrowed = h.Escrowed.Add(o.Escrow)
		return false, liveDeposits(o.Id)
	})
	if err != nil {
		return h, err
	}
	err = k.DepositSweeps.Walk(ctx, nil, func(key HeightID, _ []byte) (bool, error) {
		h.DepositSweeps++
		return false, liveDeposits(key.K2())
	})
	if err != nil {
		return h, err
	}
	err = k.Standbys.Walk(ctx, nil, func(key BidKey) (bool, error) {
		b, err := k.Bids.Get(ctx, key)
		if err != nil {
			return true, err
		}
		if b.State != types.BidStandby {
			return true, fmt.Errorf("standby entry (%d, %s) holds a %s bid", key.K1(), key.K2(), b.State)
		}
		h.Standbys++
		h.StandbyDeposits = h.StandbyDeposits.Add(b.Deposit)
		return false, nil
	})
	if err != nil {
		return h, err
	}
	for _, state := range openLeaseStates {
		err := k.Leases.Indexes.State.walkPrimary(ctx, int32(state), func(id uint64) (bool, error) {
			l, err := k.Leases.Get(ctx, id)
			if err != nil {
				return true, err
			}
			if state == types.LeasePending {
				h.PendingLeases++
			} else {
				h.ActiveLeases++
			}
			h.Escrowed = h.Escrowed.Add(l.Escrow)
			h.Bonded = h.Bonded.Add(l.Bond)
			return false, nil
		})
		if err != nil {
			return h, err
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
		return fmt.Errorf("market module holds %s, records justify %s (escrow %s, deposits %s, standby deposits %s, bonds %s, provider bonds %s)",
			moduleBalance, want, h.Escrowed, h.Deposits, h.StandbyDeposits, h.Bonded, h.ProviderBonds)
	}
	return nil
}

// CheckQueues fails unless every open order, pending lease and active lease has exactly the queue
// entry that will settle or close it, every queue entry belongs to such a record, every deposit
// sweep belongs to a closed order, every bid that holds a deposit belongs to an open order or a
// sweep or is a standby, Standbys holds exactly the STANDBY bids, and every standby can still be
// promoted or released: its order is matched and has an open lease priced at least its bid (the
// market releases the others at once). It reads every bid: it is a test and audit check, not one
// for a transaction.
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
	err = k.DepositSweeps.Walk(ctx, nil, func(key HeightID, _ []byte) (bool, error) {
		o, err := k.Orders.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		if o.State == types.OrderOpen {
			return true, fmt.Errorf("deposit sweep (%d, %d) of an open order", key.K1(), key.K2())
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	// every bid that holds a deposit belongs to an open order or a sweep (Holdings counted those):
	// a live bid of any other order is money nobody would return
	var live, standbys uint64
	err = k.Bids.Walk(ctx, nil, func(key BidKey, b types.Bid) (bool, error) {
		if liveBid(b.State) {
			live++
		}
		if b.State != types.BidStandby {
			return false, nil
		}
		standbys++
		if has, err := k.Standbys.Has(ctx, key); err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("standby bid of %s on order %d is not in Standbys", b.Provider, b.OrderId))
		}
		o, err := k.Orders.Get(ctx, b.OrderId)
		if err != nil {
			return true, err
		}
		if o.State != types.OrderMatched {
			return true, fmt.Errorf("standby bid of %s on %s order %d", b.Provider, o.State, o.Id)
		}
		open, err := k.openLeasesOf(ctx, o.Id, 0)
		if err != nil {
			return true, err
		}
		for _, l := range open {
			if b.Price.Amount.LTE(l.PricePerBlock.Amount) {
				return false, nil
			}
		}
		return true, fmt.Errorf("standby bid of %s (%s) on order %d: no open lease it could replace, its deposit would never come back", b.Provider, b.Price, o.Id)
	})
	if err != nil {
		return err
	}
	if live != h.LiveBids {
		return fmt.Errorf("%d bids hold deposits, open orders and sweeps have %d of them", live, h.LiveBids)
	}
	if standbys != h.Standbys {
		return fmt.Errorf("%d standby bids, Standbys holds %d", standbys, h.Standbys)
	}
	return nil
}
