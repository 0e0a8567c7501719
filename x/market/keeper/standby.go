package keeper

import (
	"bytes"
	"context"
	"fmt"
	"sort"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// standby is a bid held as a standby, with its provider's address bytes.
type standby struct {
	provider sdk.AccAddress
	bid      types.Bid
}

// standbyBids are the bids of standbys.
func standbyBids(sbs []standby) []types.Bid {
	out := make([]types.Bid, len(sbs))
	for i, s := range sbs {
		out[i] = s.bid
	}
	return out
}

// orderStandbys are the order's bids held as standbys, cheapest first (by price, then commit
// height, then the order's tie-breaker sha256(order id ‖ provider)). It reads the order's entries
// of Standbys only: at most MaxStandbys.
func (k Keeper) orderStandbys(ctx context.Context, orderID uint64) ([]standby, error) {
	var out []standby
	err := k.Standbys.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](orderID), func(key BidKey) (bool, error) {
		b, err := k.Bids.Get(ctx, key)
		if err != nil {
			return true, err
		}
		if b.State != types.BidStandby {
			return true, fmt.Errorf("standby entry (%d, %s) holds a %s bid", key.K1(), key.K2(), b.State)
		}
		out = append(out, standby{provider: key.K2(), bid: b})
		return false, nil
	})
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.bid.Price.Amount.Equal(b.bid.Price.Amount) {
			return a.bid.Price.Amount.LT(b.bid.Price.Amount)
		}
		if a.bid.CommitHeight != b.bid.CommitHeight {
			return a.bid.CommitHeight < b.bid.CommitHeight
		}
		ta, tb := types.BidTieBreaker(orderID, a.provider), types.BidTieBreaker(orderID, b.provider)
		return bytes.Compare(ta[:], tb[:]) < 0
	})
	return out, err
}

// openLeasesOf are the order's pending and active leases but the one of id except, by id. It reads
// the order's entries of the leases-by-order index: its winners' and replacements' leases.
func (k Keeper) openLeasesOf(ctx context.Context, orderID, except uint64) ([]types.Lease, error) {
	var out []types.Lease
	err := k.Leases.Indexes.Order.walkPrimary(ctx, orderID, func(id uint64) (bool, error) {
		if id == except {
			return false, nil
		}
		l, err := k.Leases.Get(ctx, id)
		if err != nil {
			return true, err
		}
		if l.State == types.LeasePending || l.State == types.LeaseActive {
			out = append(out, l)
		}
		return false, nil
	})
	return out, err
}

// promoteStandby gives the standby s the place of closed, a lease of o that ended at its provider's
// fault: a new pending lease at closed's price per block for blocks (what closed had left), whose
// escrow is what closed had left (escrow) and whose bond is the standby's deposit; the bid is WON.
func (k Keeper) promoteStandby(ctx context.Context, o types.Order, closed types.Lease, s standby, escrow sdk.Coin, blocks uint64) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	id, err := k.LeaseSeq.Next(ctx)
	if err != nil {
		return err
	}
	l := types.Lease{
		Id: id, OrderId: o.Id, Owner: closed.Owner, Provider: s.bid.Provider, PricePerBlock: closed.PricePerBlock,
		LeaseBlocks: blocks, CreatedHeight: h, StartDeadline: h + int64(params.StartTimeoutBlocks),
		State: types.LeasePending, Escrow: escrow, Bond: s.bid.Deposit,
		Paid: sdk.NewCoin(closed.PricePerBlock.Denom, math.ZeroInt()),
	}
	if err := k.Leases.Set(ctx, l.Id, l); err != nil {
		return err
	}
	if err := k.StartQueue.Set(ctx, collections.Join(l.StartDeadline, l.Id)); err != nil {
		return err
	}
	key := collections.Join(o.Id, s.provider)
	if err := k.Standbys.Remove(ctx, key); err != nil {
		return err
	}
	won := s.bid
	won.State = types.BidWon
	if err := k.setBid(ctx, s.provider, won); err != nil {
		return err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLeaseCreated{
		LeaseId: l.Id, OrderId: o.Id, Provider: l.Provider, PricePerBlock: l.PricePerBlock, Escrow: l.Escrow, Bond: l.Bond, StartDeadline: l.StartDeadline,
	}); err != nil {
		return err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventStandbyPromoted{
		OrderId: o.Id, ClosedLeaseId: closed.Id, Reason: closed.CloseReason, LeaseId: l.Id, Provider: l.Provider, Bid: s.bid.Price,
		PricePerBlock: l.PricePerBlock, LeaseBlocks: l.LeaseBlocks, Escrow: l.Escrow, Bond: l.Bond,
	}); err != nil {
		return err
	}
	k.afterHook(ctx, "AfterStandbyPromoted", func(ctx context.Context, h types.MarketHooks) error {
		return h.AfterStandbyPromoted(ctx, o, closed, l)
	})
	return nil
}

// releaseStandbys returns the deposits of the order's standbys that no open lease of the order
// could take as a replacement any more: all of them when no lease is pending or active, else those
// whose bid is above every open lease's price per block. A released bid is LOST.
func (k Keeper) releaseStandbys(ctx context.Context, o types.Order) error {
	standbys, err := k.orderStandbys(ctx, o.Id)
	if err != nil || len(standbys) == 0 {
		return err
	}
	open, err := k.openLeasesOf(ctx, o.Id, 0)
	if err != nil {
		return err
	}
	var dearest *math.Int
	for _, l := range open {
		if dearest == nil || l.PricePerBlock.Amount.GT(*dearest) {
			p := l.PricePerBlock.Amount
			dearest = &p
		}
	}
	for _, s := range standbys {
		if dearest != nil && s.bid.Price.Amount.LTE(*dearest) {
			continue
		}
		if err := k.releaseStandby(ctx, o, s); err != nil {
			return err
		}
	}
	return nil
}

// releaseStandby returns a standby's deposit: the bid is LOST.
func (k Keeper) releaseStandby(ctx context.Context, o types.Order, s standby) error {
	if err := k.Standbys.Remove(ctx, collections.Join(o.Id, s.provider)); err != nil {
		return err
	}
	if err := k.pay(ctx, s.bid.Provider, s.bid.Deposit); err != nil {
		return err
	}
	lost := s.bid
	lost.State = types.BidLost
	if err := k.setBid(ctx, s.provider, lost); err != nil {
		return err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventStandbyReleased{
		OrderId: o.Id, Provider: lost.Provider, Refunded: lost.Deposit,
	}); err != nil {
		return err
	}
	k.afterHook(ctx, "AfterStandbyReleased", func(ctx context.Context, h types.MarketHooks) error {
		return h.AfterStandbyReleased(ctx, o, lost)
	})
	return nil
}
