package keeper

import (
	"context"

	"cosmossdk.io/math"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/reputation/types"
)

// MarketHooks is how x/reputation learns the market's outcomes: it subscribes to the market's hooks
// (the app wires it with depinject) instead of being called by the market.
type MarketHooks struct {
	markettypes.NoMarketHooks
	k Keeper
}

var _ markettypes.MarketHooks = MarketHooks{}

// MarketHooks returns the keeper's subscription to the market's hooks.
func (k Keeper) MarketHooks() MarketHooks { return MarketHooks{k: k} }

// AfterBidForfeited records a bid never revealed against its provider.
func (h MarketHooks) AfterBidForfeited(ctx context.Context, _ markettypes.Order, bid markettypes.Bid) error {
	return h.record(ctx, bid.Provider, types.OutcomeBidUnrevealed)
}

// AfterLeaseClosed records how the provider ended a lease. A lease the owner closes, or one closed
// for any reason but these three, is no outcome: customers cannot grief providers' reputation.
func (h MarketHooks) AfterLeaseClosed(ctx context.Context, l markettypes.Lease, reason markettypes.CloseReason) error {
	switch reason {
	case markettypes.CloseReasonCompleted:
		return h.record(ctx, l.Provider, types.OutcomeLeaseCompleted)
	case markettypes.CloseReasonStartTimeout:
		return h.record(ctx, l.Provider, types.OutcomeLeaseStartTimeout)
	case markettypes.CloseReasonProviderClosed:
		return h.record(ctx, l.Provider, types.OutcomeLeaseAbandoned)
	}
	return nil
}

// record adds one outcome of kind, of weight one, for the account addr.
func (h MarketHooks) record(ctx context.Context, addr string, kind types.OutcomeKind) error {
	acc, err := h.k.addressCodec.StringToBytes(addr)
	if err != nil {
		return err
	}
	return h.k.RecordOutcome(ctx, acc, kind, math.LegacyOneDec())
}
