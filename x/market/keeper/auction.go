package keeper

import (
	"bytes"
	"context"
	"sort"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// EndBlocker settles the auctions whose reveal deadline is this block, times out leases nobody
// started, and completes leases that reach their end height. Only due queue entries are touched.
func (k Keeper) EndBlocker(ctx context.Context) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	due, err := dueKeys(ctx, k.SettlementQueue, h)
	if err != nil {
		return err
	}
	for _, key := range due {
		if err := k.SettlementQueue.Remove(ctx, key); err != nil {
			return err
		}
		o, err := k.Orders.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if err := k.SettleAuction(ctx, o); err != nil {
			return err
		}
	}
	for _, q := range []struct {
		queue  collections.KeySet[HeightID]
		reason types.CloseReason
	}{
		{k.StartQueue, types.CloseReasonStartTimeout},
		{k.EndQueue, types.CloseReasonCompleted},
	} {
		due, err := dueKeys(ctx, q.queue, h)
		if err != nil {
			return err
		}
		for _, key := range due {
			l, err := k.Leases.Get(ctx, key.K2())
			if err != nil {
				return err
			}
			if err := k.closeLease(ctx, l, q.reason); err != nil {
				return err
			}
		}
	}
	return nil
}

// rankedBid is a revealed bid with the keys it is ranked by.
type rankedBid struct {
	bid        types.Bid
	provider   sdk.AccAddress
	lowerBound math.LegacyDec
	tie        [32]byte
}

// rankBids orders revealed bids cheapest first: by price, then the provider's reputation lower bound
// (higher first), then commit height (earlier first), then sha256(order id ‖ provider).
func rankBids(bids []rankedBid) {
	sort.Slice(bids, func(i, j int) bool {
		a, b := bids[i], bids[j]
		if !a.bid.Price.Amount.Equal(b.bid.Price.Amount) {
			return a.bid.Price.Amount.LT(b.bid.Price.Amount)
		}
		if !a.lowerBound.Equal(b.lowerBound) {
			return a.lowerBound.GT(b.lowerBound)
		}
		if a.bid.CommitHeight != b.bid.CommitHeight {
			return a.bid.CommitHeight < b.bid.CommitHeight
		}
		return bytes.Compare(a.tie[:], b.tie[:]) < 0
	})
}

// ClearingPrice is the Vickrey price of a reverse auction over ranked bids: the lowest revealed price
// not among the winners, or the order's max price when every revealed bid won.
func ClearingPrice(ranked []types.Bid, replicas int, maxPrice sdk.Coin) sdk.Coin {
	if len(ranked) > replicas {
		return ranked[replicas].Price
	}
	return maxPrice
}

// SettleAuction closes the auction of an open order: unrevealed bids forfeit their deposits, the
// cheapest revealed bids win at the clearing price, losers get their deposits back, and the escrow
// beyond what the leases need is refunded. With fewer revealed bids than replicas the order fails
// and everything goes back.
func (k Keeper) SettleAuction(ctx context.Context, o types.Order) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	iter, err := k.Bids.Iterate(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](o.Id))
	if err != nil {
		return err
	}
	kvs, err := iter.KeyValues()
	if err != nil {
		return err
	}
	revealed := make([]rankedBid, 0, len(kvs))
	for _, kv := range kvs {
		bid := kv.Value
		if bid.State == types.BidRevealed {
			lb, err := k.reputation.LowerBound(ctx, kv.Key.K2())
			if err != nil {
				// Reputation only orders equal bids: a failure there must not stop settlement.
				k.Logger(ctx).Error("reading a bidder's reputation", "provider", bid.Provider, "err", err)
				lb = math.LegacyZeroDec()
			}
			revealed = append(revealed, rankedBid{bid: bid, provider: kv.Key.K2(), lowerBound: lb, tie: types.BidTieBreaker(o.Id, kv.Key.K2())})
			continue
		}
		// Committed but never revealed: the deposit is burned.
		if err := k.burn(ctx, bid.Deposit); err != nil {
			return err
		}
		bid.State = types.BidForfeited
		if err := k.Bids.Set(ctx, kv.Key, bid); err != nil {
			return err
		}
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventBidForfeited{OrderId: o.Id, Provider: bid.Provider, Burned: bid.Deposit}); err != nil {
			return err
		}
		k.recordOutcome(ctx, bid.Provider, reputationtypes.OutcomeBidUnrevealed)
	}
	rankBids(revealed)

	prev := o
	replicas := int(o.Replicas)
	if len(revealed) < replicas {
		for _, rb := range revealed {
			if err := k.returnDeposit(ctx, rb.bid, types.BidReturned); err != nil {
				return err
			}
		}
		refunded := o.Escrow
		if err := k.pay(ctx, o.Owner, refunded); err != nil {
			return err
		}
		o.State, o.CloseReason, o.ClosedHeight = types.OrderFailed, types.CloseReasonInsufficientBids, h
		o.Escrow = sdk.NewCoin(o.Escrow.Denom, math.ZeroInt())
		if err := k.setOrder(ctx, &prev, o); err != nil {
			return err
		}
		return sdkCtx.EventManager().EmitTypedEvent(&types.EventOrderFailed{
			OrderId: o.Id, Reason: o.CloseReason, RevealedBids: uint32(len(revealed)), Replicas: o.Replicas, Refunded: refunded,
		})
	}

	ranked := make([]types.Bid, len(revealed))
	for i, rb := range revealed {
		ranked[i] = rb.bid
	}
	clearing := ClearingPrice(ranked, replicas, o.MaxPricePerBlock)
	leaseEscrow := sdk.NewCoin(clearing.Denom, clearing.Amount.Mul(math.NewIntFromUint64(o.LeaseBlocks)))
	refund := o.Escrow.Sub(sdk.NewCoin(clearing.Denom, leaseEscrow.Amount.MulRaw(int64(replicas))))
	if err := k.pay(ctx, o.Owner, refund); err != nil {
		return err
	}

	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	settled := types.EventAuctionSettled{OrderId: o.Id, ClearingPrice: clearing, RevealedBids: uint32(len(revealed)), Refunded: refund}
	for _, rb := range revealed[:replicas] {
		id, err := k.LeaseSeq.Next(ctx)
		if err != nil {
			return err
		}
		l := types.Lease{
			Id: id, OrderId: o.Id, Owner: o.Owner, Provider: rb.bid.Provider, PricePerBlock: clearing,
			LeaseBlocks: o.LeaseBlocks, CreatedHeight: h, StartDeadline: h + int64(params.StartTimeoutBlocks),
			State: types.LeasePending, Escrow: leaseEscrow, Bond: rb.bid.Deposit,
			Paid: sdk.NewCoin(clearing.Denom, math.ZeroInt()),
		}
		if err := k.setLease(ctx, nil, l); err != nil {
			return err
		}
		if err := k.StartQueue.Set(ctx, collections.Join(l.StartDeadline, l.Id)); err != nil {
			return err
		}
		won := rb.bid
		won.State = types.BidWon
		if err := k.Bids.Set(ctx, collections.Join(o.Id, rb.provider), won); err != nil {
			return err
		}
		settled.Winners = append(settled.Winners, l.Provider)
		settled.LeaseIds = append(settled.LeaseIds, l.Id)
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLeaseCreated{
			LeaseId: l.Id, OrderId: o.Id, Provider: l.Provider, PricePerBlock: clearing, Escrow: l.Escrow, Bond: l.Bond, StartDeadline: l.StartDeadline,
		}); err != nil {
			return err
		}
	}
	for _, rb := range revealed[replicas:] {
		if err := k.returnDeposit(ctx, rb.bid, types.BidLost); err != nil {
			return err
		}
	}

	o.State, o.ClearingPrice = types.OrderMatched, clearing
	o.Escrow = sdk.NewCoin(o.Escrow.Denom, math.ZeroInt())
	if err := k.setOrder(ctx, &prev, o); err != nil {
		return err
	}
	if err := k.updatePriceBand(ctx, params, o, clearing); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&settled)
}

// returnDeposit gives a bid's deposit back and records why.
func (k Keeper) returnDeposit(ctx context.Context, bid types.Bid, state types.BidState) error {
	provider, err := k.addressCodec.StringToBytes(bid.Provider)
	if err != nil {
		return err
	}
	if err := k.pay(ctx, bid.Provider, bid.Deposit); err != nil {
		return err
	}
	bid.State = state
	if err := k.Bids.Set(ctx, collections.Join(bid.OrderId, sdk.AccAddress(provider)), bid); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBidReturned{
		OrderId: bid.OrderId, Provider: bid.Provider, State: state, Refunded: bid.Deposit,
	})
}

// returnDeposits returns the deposit of every bid on an order (the order was cancelled).
func (k Keeper) returnDeposits(ctx context.Context, orderID uint64) error {
	iter, err := k.Bids.Iterate(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](orderID))
	if err != nil {
		return err
	}
	bids, err := iter.Values()
	if err != nil {
		return err
	}
	for _, bid := range bids {
		if err := k.returnDeposit(ctx, bid, types.BidReturned); err != nil {
			return err
		}
	}
	return nil
}

// Accrued is what an active lease owes its provider at height h: price × blocks since the last
// settlement, up to the end height.
func Accrued(l types.Lease, h int64) sdk.Coin {
	if l.State != types.LeaseActive {
		return sdk.NewCoin(l.PricePerBlock.Denom, math.ZeroInt())
	}
	upTo := min(h, l.EndHeight)
	if upTo <= l.SettledThrough {
		return sdk.NewCoin(l.PricePerBlock.Denom, math.ZeroInt())
	}
	return sdk.NewCoin(l.PricePerBlock.Denom, l.PricePerBlock.Amount.MulRaw(upTo-l.SettledThrough))
}

// settleLease pays the provider what the lease has accrued and moves settled_through forward.
func (k Keeper) settleLease(ctx context.Context, l *types.Lease) (sdk.Coin, error) {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	amount := Accrued(*l, h)
	if err := k.pay(ctx, l.Provider, amount); err != nil {
		return amount, err
	}
	l.Escrow = l.Escrow.Sub(amount)
	l.Paid = l.Paid.Add(amount)
	if upTo := min(h, l.EndHeight); upTo > l.SettledThrough {
		l.SettledThrough = upTo
	}
	return amount, nil
}

// closeLease settles a lease for good: the provider is paid what accrued, the owner gets the rest of
// the escrow, and the bond goes back, unless the provider walked away or never started (burned).
func (k Keeper) closeLease(ctx context.Context, l types.Lease, reason types.CloseReason) error {
	prev := l
	switch l.State {
	case types.LeasePending:
		if err := k.StartQueue.Remove(ctx, collections.Join(l.StartDeadline, l.Id)); err != nil {
			return err
		}
	case types.LeaseActive:
		if err := k.EndQueue.Remove(ctx, collections.Join(l.EndHeight, l.Id)); err != nil {
			return err
		}
	}
	paid, err := k.settleLease(ctx, &l)
	if err != nil {
		return err
	}
	refunded := l.Escrow
	if err := k.pay(ctx, l.Owner, refunded); err != nil {
		return err
	}
	zero := sdk.NewCoin(l.Bond.Denom, math.ZeroInt())
	returned, burned := l.Bond, zero
	if reason == types.CloseReasonProviderClosed || reason == types.CloseReasonStartTimeout {
		returned, burned = zero, l.Bond
	}
	// A lease the owner closes is no outcome: customers cannot grief providers' reputation.
	switch reason {
	case types.CloseReasonCompleted:
		k.recordOutcome(ctx, l.Provider, reputationtypes.OutcomeLeaseCompleted)
	case types.CloseReasonStartTimeout:
		k.recordOutcome(ctx, l.Provider, reputationtypes.OutcomeLeaseStartTimeout)
	case types.CloseReasonProviderClosed:
		k.recordOutcome(ctx, l.Provider, reputationtypes.OutcomeLeaseAbandoned)
	}
	if err := k.pay(ctx, l.Provider, returned); err != nil {
		return err
	}
	if err := k.burn(ctx, burned); err != nil {
		return err
	}
	l.Escrow = sdk.NewCoin(l.Escrow.Denom, math.ZeroInt())
	l.State, l.CloseReason, l.ClosedHeight = types.LeaseClosed, reason, sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.setLease(ctx, &prev, l); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventLeaseClosed{
		LeaseId: l.Id, OrderId: l.OrderId, Reason: reason, PaidToProvider: paid, RefundedToOwner: refunded,
		BondReturned: returned, BondBurned: burned,
	})
}
