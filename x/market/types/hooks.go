package types

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// MarketHooks are the points of the market's life cycle where other modules plug in, as x/staking's
// StakingHooks are for validators. The app gives the market keeper the list at construction (with
// depinject, every module that outputs a MarketHooksWrapper). Each hook runs in a cache context of
// its own: what a hook writes is kept only when it returns no error.
//
// What an error does, per hook:
//   - BeforeSettlement: an error fails the order, as a choice of no winners does (the escrow goes
//     back to the owner, the deposits to the bidders, reason CLOSE_REASON_NO_ELIGIBLE_SET); the market
//     never falls back to a set that a selecting module refused.
//   - the After hooks: the error is logged and the next hook runs; the market's own transition has
//     happened and stands (a subscriber's failure must not block payments or halt EndBlock).
type MarketHooks interface {
	// BeforeSettlement may choose the winners of order among its revealed bids, given ranked
	// cheapest first (by price, then reputation, then commit height, then a per-order tie-breaker).
	// It returns its Selection and chosen = true, or chosen = false to leave the choice to the next
	// hook and finally to the market (the order's replicas cheapest bids at the Vickrey price). A
	// selection must name exactly order.Replicas distinct bids, or none (no eligible set: the order
	// fails); see Selection for what each winner is paid.
	BeforeSettlement(ctx context.Context, order Order, ranked []Bid) (sel Selection, chosen bool, err error)
	// AfterAuctionSettled follows a settlement with winners: order is matched, leases are its new
	// pending leases, one per winner in ranked order (cheapest bid first), each at its own price per
	// block (the uniform clearingPrice unless the choosing hook priced each winner; clearingPrice is
	// the dearest), and standbys are the revealed bids held as standbys (BidStandby), in ranked order.
	AfterAuctionSettled(ctx context.Context, order Order, leases []Lease, standbys []Bid, clearingPrice sdk.Coin) error
	// AfterBidForfeited follows the burning of the deposit of a bid never revealed.
	AfterBidForfeited(ctx context.Context, order Order, bid Bid) error
	// AfterLeaseStarted follows a provider's start of a lease of order.
	AfterLeaseStarted(ctx context.Context, order Order, lease Lease) error
	// AfterLeaseClosed follows the closing of a lease, pending or active, for reason.
	AfterLeaseClosed(ctx context.Context, lease Lease, reason CloseReason) error
	// ChooseReplacement may choose, when closed (a lease of order, closed now for a reason of
	// ReplaceableReason) ended at its provider's fault, the standby that takes its place: an index
	// into standbys (the order's bids held as standbys, cheapest first: by price, then commit
	// height, then the order's tie-breaker), given leases, the order's other pending and active
	// leases. It returns chosen = false to leave the choice to the next hook; when no hook chooses,
	// nobody replaces the lease (its escrow left goes back to the owner). The market checks the
	// choice: an index out of range, or a standby whose bid is above closed's price per block, means
	// no replacement, as does an error. It runs before AfterLeaseClosed, and is asked only when the
	// order holds standbys.
	ChooseReplacement(ctx context.Context, order Order, closed Lease, leases []Lease, standbys []Bid) (index int, chosen bool, err error)
	// AfterStandbyPromoted follows a replacement: closed (already reported by AfterLeaseClosed) was
	// replaced by lease, the promoted standby's new pending lease.
	AfterStandbyPromoted(ctx context.Context, order Order, closed Lease, lease Lease) error
	// AfterStandbyReleased follows the return of a standby's deposit: bid is LOST now.
	AfterStandbyReleased(ctx context.Context, order Order, bid Bid) error
}

// NoMarketHooks implements every hook as doing nothing; a subscriber embeds it and overrides the
// hooks it needs, so that hooks added later do not break it.
type NoMarketHooks struct{}

var _ MarketHooks = NoMarketHooks{}

// BeforeSettlement leaves the choice to others.
func (NoMarketHooks) BeforeSettlement(context.Context, Order, []Bid) (Selection, bool, error) {
	return Selection{}, false, nil
}

// AfterAuctionSettled does nothing.
func (NoMarketHooks) AfterAuctionSettled(context.Context, Order, []Lease, []Bid, sdk.Coin) error {
	return nil
}

// AfterBidForfeited does nothing.
func (NoMarketHooks) AfterBidForfeited(context.Context, Order, Bid) error { return nil }

// AfterLeaseStarted does nothing.
func (NoMarketHooks) AfterLeaseStarted(context.Context, Order, Lease) error { return nil }

// AfterLeaseClosed does nothing.
func (NoMarketHooks) AfterLeaseClosed(context.Context, Lease, CloseReason) error { return nil }

// ChooseReplacement leaves the choice to others.
func (NoMarketHooks) ChooseReplacement(context.Context, Order, Lease, []Lease, []Bid) (int, bool, error) {
	return 0, false, nil
}

// AfterStandbyPromoted does nothing.
func (NoMarketHooks) AfterStandbyPromoted(context.Context, Order, Lease, Lease) error { return nil }

// AfterStandbyReleased does nothing.
func (NoMarketHooks) AfterStandbyReleased(context.Context, Order, Bid) error { return nil }

// MarketHooksWrapper is what a module outputs (depinject) to subscribe to the market's hooks; one
// per module.
type MarketHooksWrapper struct{ MarketHooks }

// IsOnePerModuleType implements depinject.OnePerModuleType.
func (MarketHooksWrapper) IsOnePerModuleType() {}

// NamedHooks is one subscriber's hooks with the name its errors are logged under.
type NamedHooks struct {
	Name  string
	Hooks MarketHooks
}

// Selection is a BeforeSettlement choice of winners among an order's ranked revealed bids.
type Selection struct {
	// Winners are indexes into the ranked bids; none means no eligible set (the order fails).
	Winners []int
	// Prices, when set, is each winner's pay per block (same order as Winners, in the order's max
	// price denom): at least the winner's bid and at most the order's max price. The module that
	// chooses the set prices it, for a pay rule that fits its choice (x/quorum pays each member of a
	// diverse set its critical value). When nil every winner is paid the same clearing price: the
	// cheapest bid not chosen that is ranked after the dearest winner, or the order's max price when
	// there is none.
	Prices []math.Int
	// Standbys are indexes into the ranked bids, distinct, none a winner, at most MaxStandbys: bids
	// the market holds (BidStandby, deposit locked) to replace a winner whose lease ends at its
	// provider's fault (ChooseReplacement). A standby whose bid is above every winner's price could
	// replace none, so the market does not hold it (it loses as any other bid).
	Standbys []int
}

// MaxStandbys bounds the standbys one order holds.
const MaxStandbys = 8

// ReplaceableReason is whether a lease closed for reason ended at its provider's fault, so that a
// standby may take its place: it never started (START_TIMEOUT) or its provider walked away
// (PROVIDER_CLOSED), a proof-of-audit committee found its receipt wrong (AUDIT_FAILED), or proof
// of SLA found too many of its windows breached (SLA_VIOLATION).
func ReplaceableReason(reason CloseReason) bool {
	switch reason {
	case CloseReasonStartTimeout, CloseReasonProviderClosed, CloseReasonAuditFailed, CloseReasonSlaViolation:
		return true
	}
	return false
}

// ErrBadSelection is returned by CheckSelection for a choice of winners that is not exactly
// replicas distinct indexes of the ranked bids, whose prices are not between each winner's bid and
// the order's max price, or whose standbys are not distinct indexes of losing bids, at most
// MaxStandbys.
var ErrBadSelection = errors.New("invalid choice of winners")

// CheckSelection checks a BeforeSettlement choice against the order and its ranked bids: no
// winners (and no prices or standbys), or exactly order.Replicas distinct indexes into ranked, each
// with no price or a price between its bid and the order's max price, and at most MaxStandbys
// distinct standbys, indexes into ranked that are not winners.
func CheckSelection(sel Selection, ranked []Bid, order Order) error {
	winners, n, replicas := sel.Winners, len(ranked), order.Replicas
	if len(winners) == 0 {
		if len(sel.Prices) != 0 || len(sel.Standbys) != 0 {
			return fmt.Errorf("%w: %d prices and %d standbys for no winners", ErrBadSelection, len(sel.Prices), len(sel.Standbys))
		}
		return nil
	}
	if len(winners) != int(replicas) {
		return fmt.Errorf("%w: %d winners for %d replicas", ErrBadSelection, len(winners), replicas)
	}
	seen := make(map[int]bool, len(winners))
	for _, w := range winners {
		if w < 0 || w >= n {
			return fmt.Errorf("%w: index %d outside the %d revealed bids", ErrBadSelection, w, n)
		}
		if seen[w] {
			return fmt.Errorf("%w: bid %d chosen twice", ErrBadSelection, w)
		}
		seen[w] = true
	}
	if len(sel.Standbys) > MaxStandbys {
		return fmt.Errorf("%w: %d standbys, at most %d", ErrBadSelection, len(sel.Standbys), MaxStandbys)
	}
	for _, s := range sel.Standbys {
		if s < 0 || s >= n {
			return fmt.Errorf("%w: standby index %d outside the %d revealed bids", ErrBadSelection, s, n)
		}
		if seen[s] {
			return fmt.Errorf("%w: bid %d chosen twice (as a winner or a standby)", ErrBadSelection, s)
		}
		seen[s] = true
	}
	if sel.Prices == nil {
		return nil
	}
	if len(sel.Prices) != len(winners) {
		return fmt.Errorf("%w: %d prices for %d winners", ErrBadSelection, len(sel.Prices), len(winners))
	}
	for i, p := range sel.Prices {
		bid := ranked[winners[i]].Price
		switch {
		case p.IsNil() || bid.Denom != order.MaxPricePerBlock.Denom:
			return fmt.Errorf("%w: no price for bid %d", ErrBadSelection, winners[i])
		case p.LT(bid.Amount):
			return fmt.Errorf("%w: bid %d of %s paid %s, below its bid", ErrBadSelection, winners[i], bid, p)
		case p.GT(order.MaxPricePerBlock.Amount):
			return fmt.Errorf("%w: bid %d paid %s, above the max price %s", ErrBadSelection, winners[i], p, order.MaxPricePerBlock)
		}
	}
	return nil
}
