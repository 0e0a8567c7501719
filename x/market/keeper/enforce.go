package keeper

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// What modules that prove a provider's fault (x/quorum's proofs of audit and of SLA) do to its
// lease. The market trusts them with this: the app wires them at construction, no message reaches
// these methods directly.

// Withheld is what the lease still keeps from its provider's coming pay (zero in the lease's denom
// when none; leases from before the field read as zero).
func Withheld(l types.Lease) sdk.Coin {
	if l.Withheld.Amount.IsNil() || l.Withheld.Denom == "" {
		return sdk.NewCoin(l.PricePerBlock.Denom, math.ZeroInt())
	}
	return l.Withheld
}

// GetLease is a lease by id (an error wrapping ErrLeaseNotFound when there is none).
func (k Keeper) GetLease(ctx context.Context, id uint64) (types.Lease, error) {
	return k.getLease(ctx, id)
}

// GetProvider is a registered provider (an error wrapping ErrProviderNotFound when there is none).
func (k Keeper) GetProvider(ctx context.Context, addr sdk.AccAddress) (types.Provider, error) {
	return k.provider(ctx, addr)
}

// SlashLeaseBond closes an open lease for a fault another module proved (reason
// CLOSE_REASON_AUDIT_FAILED or CLOSE_REASON_SLA_VIOLATION) and hands its bond to module toModule;
// the provider is paid what accrued before, the owner gets the escrow left, and a standby may take
// the lease's place as after any fault. It returns the bond handed over (less what the bond paid of
// pay still withheld); a lease already closed has none left (zero, no error).
func (k Keeper) SlashLeaseBond(ctx context.Context, leaseID uint64, reason types.CloseReason, toModule string) (sdk.Coin, error) {
	l, err := k.getLease(ctx, leaseID)
	if err != nil {
		return sdk.Coin{}, err
	}
	if l.State == types.LeaseClosed {
		return sdk.NewCoin(l.Bond.Denom, math.ZeroInt()), nil
	}
	if toModule == "" || toModule == types.ModuleName {
		return sdk.Coin{}, errors.New("slashed bond needs another module to receive it")
	}
	if reason != types.CloseReasonAuditFailed && reason != types.CloseReasonSlaViolation {
		return sdk.Coin{}, fmt.Errorf("a bond is slashed for a failed audit or an SLA violation, not %s", reason)
	}
	handed := sdk.NewCoin(l.Bond.Denom, math.ZeroInt())
	return handed, k.closeLeaseSlashing(ctx, l, reason, toModule, &handed)
}

// WithholdPayout refunds up to amount of an active lease's pay to its owner now and keeps it from
// the provider's coming pay (proof of SLA cutting a breached window). It takes at most what the
// lease's escrow still holds beyond what it already withholds, and returns what it took (zero for
// a lease that is not active).
func (k Keeper) WithholdPayout(ctx context.Context, leaseID uint64, amount sdk.Coin) (sdk.Coin, error) {
	l, err := k.getLease(ctx, leaseID)
	if err != nil {
		return sdk.Coin{}, err
	}
	zero := sdk.NewCoin(l.PricePerBlock.Denom, math.ZeroInt())
	if l.State != types.LeaseActive {
		return zero, nil
	}
	if amount.Denom != l.PricePerBlock.Denom || amount.Amount.IsNil() || amount.IsNegative() {
		return zero, errorsmod.Wrapf(types.ErrInvalidPrice, "withhold %s from a lease paid in %s", amount, l.PricePerBlock.Denom)
	}
	// the escrow is price × unsettled blocks less what is withheld already (settleLease keeps the
	// withheld part of what accrues): every coin refunded now is one less paid later
	cut := math.MinInt(amount.Amount, l.Escrow.Amount)
	if !cut.IsPositive() {
		return zero, nil
	}
	cutCoin := sdk.NewCoin(l.PricePerBlock.Denom, cut)
	if err := k.pay(ctx, l.Owner, cutCoin); err != nil {
		return zero, err
	}
	l.Escrow = l.Escrow.Sub(cutCoin)
	l.Withheld = Withheld(l).Add(cutCoin)
	if err := k.Leases.Set(ctx, l.Id, l); err != nil {
		return zero, err
	}
	return cutCoin, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventPayoutWithheld{
		LeaseId: l.Id, Owner: l.Owner, Cut: cutCoin, Withheld: l.Withheld,
	})
}
