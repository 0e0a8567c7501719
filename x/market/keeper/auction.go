package keeper

import (
	"bytes"
	"context"
	"sort"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// queueKind names the market's height queues; at equal heights they are served in this order.
type queueKind int

const (
	settlementQueue queueKind = iota
	sweepQueue
	startQueue
	endQueue
)

// dueEntry is one due entry of one of the queues.
type dueEntry struct {
	key  HeightID
	kind queueKind
}

// EndBlocker settles the auctions whose reveal deadline has come, returns and burns the deposits of
// settled and cancelled orders' bids, times out leases nobody started, and completes leases that
// reach their end height. It does at most params.max_work_per_block units of work (a settlement
// costs 1 + the order's bids, a deposit 1, a lease closure 1), the oldest due entries first; what is
// left stays in its queue for the next block. At least one entry is processed per block, so every
// queue drains whatever the param.
func (k Keeper) EndBlocker(ctx context.Context) error {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	budget := int64(params.MaxWorkPerBlock)
	for budget > 0 {
		// Processing adds entries (a settlement queues its deposit sweep): read again after each
		// batch so that they are served in this block when the budget allows.
		due, err := k.dueEntries(ctx, h, int(budget))
		if err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		for _, e := range due {
			if budget <= 0 {
				return nil
			}
			budget -= k.serveDue(ctx, params, e, budget)
		}
	}
	return nil
}

// keyIterator is what dueEntries needs of a collections iterator, of a key set or of a map.
type keyIterator interface {
	Valid() bool
	Next()
	Key() (HeightID, error)
	Close() error
}

// firstKeys appends the first n keys of iter, as entries of queue kind, and closes iter.
func firstKeys(out []dueEntry, iter keyIterator, n int, kind queueKind) ([]dueEntry, error) {
	defer iter.Close()
	for i := 0; i < n && iter.Valid(); i++ {
		key, err := iter.Key()
		if err != nil {
			return nil, err
		}
		out = append(out, dueEntry{key: key, kind: kind})
		iter.Next()
	}
	return out, nil
}

// dueEntries reads up to n due entries (height <= h) of each queue and merges them oldest first.
// Every entry costs at least one unit, so n of each are all a budget of n can use.
func (k Keeper) dueEntries(ctx context.Context, h int64, n int) ([]dueEntry, error) {
	rng := new(collections.Range[HeightID]).EndInclusive(collections.Join(h, uint64(1<<64-1)))
	var out []dueEntry
	for _, q := range []struct {
		kind queueKind
		set  collections.KeySet[HeightID]
	}{{settlementQueue, k.SettlementQueue}, {startQueue, k.StartQueue}, {endQueue, k.EndQueue}} {
		iter, err := q.set.Iterate(ctx, rng)
		if err != nil {
			return nil, err
		}
		if out, err = firstKeys(out, iter, n, q.kind); err != nil {
			return nil, err
		}
	}
	sweeps, err := k.DepositSweeps.Iterate(ctx, rng)
	if err != nil {
		return nil, err
	}
	if out, err = firstKeys(out, sweeps, n, sweepQueue); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.key.K1() != b.key.K1() {
			return a.key.K1() < b.key.K1()
		}
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		return a.key.K2() < b.key.K2()
	})
	return out, nil
}

// serveDue serves one due entry in a cache context and returns the work it took. An entry that
// fails (which no state validation admits) is logged and left in its queue, its writes dropped: an
// error here must not halt the chain, and the entry's money stays accounted for where it was.
func (k Keeper) serveDue(ctx context.Context, params types.Params, e dueEntry, budget int64) int64 {
	cacheCtx, write := sdk.UnwrapSDKContext(ctx).CacheContext()
	cost, err := k.processDue(cacheCtx, params, e, budget)
	if err != nil {
		k.Logger(ctx).Error("market EndBlock: a due entry failed and stays queued", "queue", e.kind, "height", e.key.K1(), "id", e.key.K2(), "err", err)
		return 1
	}
	write()
	return cost
}

// processDue serves one due entry and returns the work it took.
func (k Keeper) processDue(ctx context.Context, params types.Params, e dueEntry, budget int64) (int64, error) {
	switch e.kind {
	case settlementQueue:
		if err := k.SettlementQueue.Remove(ctx, e.key); err != nil {
			return 0, err
		}
		o, err := k.Orders.Get(ctx, e.key.K2())
		if err != nil {
			return 0, err
		}
		if err := k.SettleAuction(ctx, o); err != nil {
			return 0, err
		}
		return 1 + int64(o.BidCount), nil
	case sweepQueue:
		return k.sweepDeposits(ctx, e.key, max(budget, 1))
	default:
		l, err := k.Leases.Get(ctx, e.key.K2())
		if err != nil {
			return 0, err
		}
		reason := types.CloseReasonCompleted
		if e.kind == startQueue {
			reason = types.CloseReasonStartTimeout
		}
		return 1, k.closeLease(ctx, l, reason)
	}
}

// rankedBid is a revealed bid with the keys it is ranked by.
type rankedBid struct {
	bid        types.Bid
	provider   sdk.AccAddress
	lowerBound math.LegacyDec
	tie        [32]byte
}

// less orders revealed bids cheapest first: by price, then the provider's reputation lower bound
// (higher first), then commit height (earlier first), then sha256(order id ‖ provider).
func less(a, b rankedBid) bool {
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
}

// rankBids orders revealed bids as less does, reading reputation only where it can change who
// wins: first by price alone, then, for the bids up to the last winner's price (every winner and
// every bid tied with the last one), with their providers' lower bounds. Bids dearer than the last
// winner lose whatever their reputation, so their order among themselves is left at price,
// commit height and tie-breaker. It returns the ranked bids.
func (k Keeper) rankBids(ctx context.Context, bids []rankedBid, replicas int) []rankedBid {
	zero := math.LegacyZeroDec()
	for i := range bids {
		bids[i].lowerBound = zero
	}
	sort.Slice(bids, func(i, j int) bool { return less(bids[i], bids[j]) })
	if len(bids) == 0 || replicas == 0 {
		return bids
	}
	last := bids[min(replicas, len(bids))-1].bid.Price.Amount
	n := sort.Search(len(bids), func(i int) bool { return bids[i].bid.Price.Amount.GT(last) })
	for i := range bids[:n] {
		lb, err := k.reputation.LowerBound(ctx, bids[i].provider)
		if err != nil {
			// Reputation only orders equal bids: a failure there must not stop settlement.
			k.Logger(ctx).Error("reading a bidder's reputation", "provider", bids[i].bid.Provider, "err", err)
			lb = zero
		}
		bids[i].lowerBound = lb
	}
	head := bids[:n]
	sort.Slice(head, func(i, j int) bool { return less(head[i], head[j]) })
	return bids
}

// SettleAuction closes the auction of an open order: the cheapest revealed bids win at the clearing
// price (or the set and the prices a BeforeSettlement hook chose) and become leases, and the escrow
// beyond what the leases need is refunded. With fewer
// revealed bids than replicas the order fails and its escrow goes back. Either way the other bids'
// deposits are returned (revealed) or burned (never revealed) by the deposit sweep that follows,
// so that settling an order with many bids does not move every deposit in one block.
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
		if kv.Value.State == types.BidRevealed {
			revealed = append(revealed, rankedBid{bid: kv.Value, provider: kv.Key.K2(), tie: types.BidTieBreaker(o.Id, kv.Key.K2())})
		}
	}
	replicas := int(o.Replicas)
	if len(revealed) < replicas {
		return k.failAuction(ctx, o, types.CloseReasonInsufficientBids, len(revealed))
	}

	revealed = k.rankBids(ctx, revealed, replicas)
	ranked := make([]types.Bid, len(revealed))
	for i, rb := range revealed {
		ranked[i] = rb.bid
	}
	winners, prices, standbys := k.chooseWinners(ctx, o, ranked)
	if len(winners) == 0 {
		return k.failAuction(ctx, o, types.CloseReasonNoEligibleSet, len(revealed))
	}
	// Each lease escrows its winner's pay for the whole lease; the order's clearing price is the
	// dearest winner's (all winners' with the market's uniform price).
	clearing := prices[0]
	refund := o.Escrow
	leaseEscrows := make([]sdk.Coin, len(winners))
	for i, p := range prices {
		if p.Amount.GT(clearing.Amount) {
			clearing = p
		}
		leaseEscrows[i] = sdk.NewCoin(p.Denom, p.Amount.Mul(math.NewIntFromUint64(o.LeaseBlocks)))
		refund = refund.Sub(leaseEscrows[i])
	}
	if err := k.pay(ctx, o.Owner, refund); err != nil {
		return err
	}

	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	settled := types.EventAuctionSettled{OrderId: o.Id, ClearingPrice: clearing, RevealedBids: uint32(len(revealed)), Refunded: refund}
	leases := make([]types.Lease, 0, replicas)
	for i, w := range winners {
		rb := revealed[w]
		price, leaseEscrow := prices[i], leaseEscrows[i]
		id, err := k.LeaseSeq.Next(ctx)
		if err != nil {
			return err
		}
		l := types.Lease{
			Id: id, OrderId: o.Id, Owner: o.Owner, Provider: rb.bid.Provider, PricePerBlock: price,
			LeaseBlocks: o.LeaseBlocks, CreatedHeight: h, StartDeadline: h + int64(params.StartTimeoutBlocks),
			State: types.LeasePending, Escrow: leaseEscrow, Bond: rb.bid.Deposit,
			Paid: sdk.NewCoin(price.Denom, math.ZeroInt()),
		}
		if err := k.Leases.Set(ctx, l.Id, l); err != nil {
			return err
		}
		if err := k.StartQueue.Set(ctx, collections.Join(l.StartDeadline, l.Id)); err != nil {
			return err
		}
		won := rb.bid
		won.State = types.BidWon
		if err := k.setBid(ctx, rb.provider, won); err != nil {
			return err
		}
		settled.Winners = append(settled.Winners, l.Provider)
		settled.LeaseIds = append(settled.LeaseIds, l.Id)
		leases = append(leases, l)
		if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLeaseCreated{
			LeaseId: l.Id, OrderId: o.Id, Provider: l.Provider, PricePerBlock: price, Escrow: l.Escrow, Bond: l.Bond, StartDeadline: l.StartDeadline,
		}); err != nil {
			return err
		}
	}

	// Standbys keep their deposits locked to replace a winner that fails; one whose bid is above
	// every winner's price could replace none (a replacement takes the failed lease's price), so it
	// loses as any other bid.
	var held []types.Bid
	for _, i := range standbys {
		rb := revealed[i]
		if rb.bid.Price.Amount.GT(clearing.Amount) {
			continue
		}
		b := rb.bid
		b.State = types.BidStandby
		if err := k.setBid(ctx, rb.provider, b); err != nil {
			return err
		}
		held = append(held, b)
		settled.Standbys = append(settled.Standbys, b.Provider)
	}

	o.State, o.ClearingPrice = types.OrderMatched, clearing
	o.Escrow = sdk.NewCoin(o.Escrow.Denom, math.ZeroInt())
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return err
	}
	if len(kvs) > replicas {
		if err := k.scheduleSweep(ctx, h, o); err != nil {
			return err
		}
	}
	if err := k.updatePriceBand(ctx, params, o, clearing); err != nil {
		return err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&settled); err != nil {
		return err
	}
	k.afterHook(ctx, "AfterAuctionSettled", func(ctx context.Context, h types.MarketHooks) error {
		return h.AfterAuctionSettled(ctx, o, leases, held, clearing)
	})
	return nil
}

// failAuction ends an open order without winners, for reason: the escrow goes back to the owner and
// the deposit sweep that follows returns the revealed bids' deposits and burns the unrevealed ones'.
func (k Keeper) failAuction(ctx context.Context, o types.Order, reason types.CloseReason, revealed int) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	refunded := o.Escrow
	if err := k.pay(ctx, o.Owner, refunded); err != nil {
		return err
	}
	o.State, o.CloseReason, o.ClosedHeight = types.OrderFailed, reason, h
	o.Escrow = sdk.NewCoin(o.Escrow.Denom, math.ZeroInt())
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return err
	}
	if err := k.scheduleSweep(ctx, h, o); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventOrderFailed{
		OrderId: o.Id, Reason: o.CloseReason, RevealedBids: uint32(revealed), Replicas: o.Replicas, Refunded: refunded,
	})
}

// scheduleSweep queues the deposit sweep of a settled or cancelled order with bids.
func (k Keeper) scheduleSweep(ctx context.Context, h int64, o types.Order) error {
	if o.BidCount == 0 {
		return nil
	}
	return k.DepositSweeps.Set(ctx, collections.Join(h, o.Id), nil)
}

// sweepDeposits walks up to limit bids of a settled or cancelled order, from where the sweep
// stopped: revealed bids and the bids of a cancelled order get their deposits back, bids never
// revealed forfeit theirs (burned, once for the batch) and their providers' reputation records it.
// Winners' and standbys' deposits are not the sweep's: a winner's is its lease's bond, a standby's
// stays locked until it is promoted or released (standby.go). It returns the bids walked; the sweep
// ends when the order's last bid is done.
func (k Keeper) sweepDeposits(ctx context.Context, key HeightID, limit int64) (int64, error) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	o, err := k.Orders.Get(ctx, key.K2())
	if err != nil {
		return 0, err
	}
	after, err := k.DepositSweeps.Get(ctx, key)
	if err != nil {
		return 0, err
	}
	rng := collections.NewPrefixedPairRange[uint64, sdk.AccAddress](o.Id)
	if len(after) > 0 {
		rng = rng.StartExclusive(sdk.AccAddress(after))
	}
	iter, err := k.Bids.Iterate(ctx, rng)
	if err != nil {
		return 0, err
	}
	var batch []collections.KeyValue[collections.Pair[uint64, sdk.AccAddress], types.Bid]
	for ; iter.Valid() && int64(len(batch)) < limit; iter.Next() {
		kv, err := iter.KeyValue()
		if err != nil {
			iter.Close()
			return 0, err
		}
		batch = append(batch, kv)
	}
	done := !iter.Valid()
	iter.Close()

	burned := sdk.NewCoins()
	for _, kv := range batch {
		bid, provider := kv.Value, kv.Key.K2()
		switch {
		case bid.State == types.BidCommitted && o.State != types.OrderCancelled:
			// Committed but never revealed: the deposit is burned.
			burned = burned.Add(bid.Deposit)
			bid.State = types.BidForfeited
			if err := k.setBid(ctx, provider, bid); err != nil {
				return 0, err
			}
			if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventBidForfeited{OrderId: o.Id, Provider: bid.Provider, Burned: bid.Deposit}); err != nil {
				return 0, err
			}
			k.afterHook(ctx, "AfterBidForfeited", func(ctx context.Context, h types.MarketHooks) error {
				return h.AfterBidForfeited(ctx, o, bid)
			})
		case liveBid(bid.State):
			state := types.BidReturned
			if o.State == types.OrderMatched {
				state = types.BidLost
			}
			if err := k.returnDeposit(ctx, provider, bid, state); err != nil {
				return 0, err
			}
		}
	}
	if !burned.IsZero() {
		if err := k.bank.BurnCoins(ctx, types.ModuleName, burned); err != nil {
			return 0, err
		}
	}
	if done {
		err = k.DepositSweeps.Remove(ctx, key)
	} else {
		err = k.DepositSweeps.Set(ctx, key, batch[len(batch)-1].Key.K2())
	}
	return max(int64(len(batch)), 1), err
}

// returnDeposit gives a bid's deposit back and records why.
func (k Keeper) returnDeposit(ctx context.Context, provider sdk.AccAddress, bid types.Bid, state types.BidState) error {
	if err := k.pay(ctx, bid.Provider, bid.Deposit); err != nil {
		return err
	}
	bid.State = state
	if err := k.setBid(ctx, provider, bid); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBidReturned{
		OrderId: bid.OrderId, Provider: bid.Provider, State: state, Refunded: bid.Deposit,
	})
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
	// pay already refunded to the owner for breached SLA windows is kept from what accrues
	if withheld := Withheld(*l); withheld.IsPositive() {
		keep := math.MinInt(withheld.Amount, amount.Amount)
		amount.Amount = amount.Amount.Sub(keep)
		l.Withheld = sdk.NewCoin(l.PricePerBlock.Denom, withheld.Amount.Sub(keep))
	}
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

// closeLease settles a lease for good: the provider is paid what accrued, the bond goes back unless
// the provider walked away or never started (burned), and the rest of the escrow goes back to the
// owner, unless the lease ended at its provider's fault and a standby of the order replaces it
// (chosen by a ChooseReplacement hook): the escrow left then moves to the standby's new lease, for
// the blocks the closed one had left at the same price. Standbys no open lease of the order can use
// any more are released after.
func (k Keeper) closeLease(ctx context.Context, l types.Lease, reason types.CloseReason) error {
	return k.closeLeaseSlashing(ctx, l, reason, "", nil)
}

// closeLeaseSlashing is closeLease, with the bond handed to module slashTo instead (a lease closed
// for a fault another module proved: a failed audit, an SLA violation), recording in *handed (when
// not nil) the bond handed over.
func (k Keeper) closeLeaseSlashing(ctx context.Context, l types.Lease, reason types.CloseReason, slashTo string, handed *sdk.Coin) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
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
	wasPending := l.State == types.LeasePending
	paid, err := k.settleLease(ctx, &l)
	if err != nil {
		return err
	}
	// Pay withheld for breached SLA windows that the provider's accruals have not covered yet (the
	// provider was paid for those blocks before the breach was found) comes out of its bond, back
	// into the escrow the owner was refunded from: the owner ends up whole for every breached
	// window, whenever the lease closes.
	fromBond := sdk.NewCoin(l.Bond.Denom, math.ZeroInt())
	if w := Withheld(l); w.IsPositive() && w.Denom == l.Bond.Denom && l.Bond.IsPositive() {
		fromBond.Amount = math.MinInt(w.Amount, l.Bond.Amount)
		l.Bond = l.Bond.Sub(fromBond)
		l.Escrow = l.Escrow.Add(fromBond)
		l.Withheld = w.Sub(fromBond)
	}
	standbys, err := k.orderStandbys(ctx, l.OrderId)
	if err != nil {
		return err
	}
	var o types.Order
	if len(standbys) > 0 {
		if o, err = k.Orders.Get(ctx, l.OrderId); err != nil {
			return err
		}
	}

	zero := sdk.NewCoin(l.Bond.Denom, math.ZeroInt())
	returned, burned, slashed := l.Bond, zero, zero
	switch {
	case slashTo != "":
		returned, slashed = zero, l.Bond
	case reason == types.CloseReasonProviderClosed || reason == types.CloseReasonStartTimeout:
		returned, burned = zero, l.Bond
	}
	closed := l
	closed.Escrow = sdk.NewCoin(l.Escrow.Denom, math.ZeroInt())
	if Withheld(l).IsPositive() {
		// what is still withheld was refunded already: the escrow left is short of it
		closed.Withheld = sdk.NewCoin(l.PricePerBlock.Denom, math.ZeroInt())
	}
	closed.State, closed.CloseReason, closed.ClosedHeight = types.LeaseClosed, reason, h

	// A lease that ended at its provider's fault may be replaced by a standby, for the blocks it had
	// left (all of them if it never started); its escrow left is exactly price × those blocks.
	chosen, blocksLeft := -1, uint64(0)
	if len(standbys) > 0 && types.ReplaceableReason(reason) {
		blocksLeft = l.LeaseBlocks
		if !wasPending {
			blocksLeft = uint64(max(l.EndHeight-l.SettledThrough, 0))
		}
		if blocksLeft > 0 && l.Escrow.Amount.Equal(l.PricePerBlock.Amount.Mul(math.NewIntFromUint64(blocksLeft))) {
			others, err := k.openLeasesOf(ctx, l.OrderId, l.Id)
			if err != nil {
				return err
			}
			chosen = k.chooseReplacement(ctx, o, closed, others, standbyBids(standbys))
		}
	}
	refunded, moved := l.Escrow, closed.Escrow
	if chosen >= 0 {
		refunded, moved = closed.Escrow, l.Escrow
	}
	if err := k.pay(ctx, l.Owner, refunded); err != nil {
		return err
	}
	if err := k.pay(ctx, l.Provider, returned); err != nil {
		return err
	}
	if err := k.burn(ctx, burned); err != nil {
		return err
	}
	if slashed.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToModule(ctx, types.ModuleName, slashTo, sdk.NewCoins(slashed)); err != nil {
			return err
		}
	}
	if handed != nil {
		*handed = slashed
	}
	if err := k.Leases.Set(ctx, closed.Id, closed); err != nil {
		return err
	}
	if err := sdkCtx.EventManager().EmitTypedEvent(&types.EventLeaseClosed{
		LeaseId: l.Id, OrderId: l.OrderId, Reason: reason, PaidToProvider: paid, RefundedToOwner: refunded,
		BondReturned: returned, BondBurned: burned, BondSlashed: slashed, WithheldFromBond: fromBond,
	}); err != nil {
		return err
	}
	k.afterHook(ctx, "AfterLeaseClosed", func(ctx context.Context, h types.MarketHooks) error {
		return h.AfterLeaseClosed(ctx, closed, reason)
	})
	if len(standbys) == 0 {
		return nil
	}
	if chosen >= 0 {
		if err := k.promoteStandby(ctx, o, closed, standbys[chosen], moved, blocksLeft); err != nil {
			return err
		}
	}
	return k.releaseStandbys(ctx, o)
}
