package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/internal/draw"
	"github.com/fogchain/fog/x/quorum/types"
)

// The verifier pool: registered providers that locked the verifier deposit, from which audit
// committees and SLA observers are drawn, weighted by reputation.

// weightScale turns a reputation lower bound in [0, 1] into a draw weight in [1, 10^6].
const weightScale = 1_000_000

// market is the market keeper, which the app sets after construction.
func (k Keeper) market() (MarketKeeper, error) {
	if k.late.market == nil {
		return nil, errors.New("x/quorum: the market keeper was not set (app wiring)")
	}
	return k.late.market, nil
}

// JoinVerifierPool locks the verifier deposit of a registered provider.
func (k msgServer) JoinVerifierPool(ctx context.Context, msg *types.MsgJoinVerifierPool) (*types.MsgJoinVerifierPoolResponse, error) {
	addr, canonical, err := k.address("provider", msg.Provider)
	if err != nil {
		return nil, err
	}
	m, err := k.market()
	if err != nil {
		return nil, err
	}
	if _, err := m.GetProvider(ctx, addr); err != nil {
		if errors.Is(err, markettypes.ErrProviderNotFound) {
			return nil, errorsmod.Wrapf(types.ErrNotProvider, "%s: register with the market first (its provider bond is what an identity costs)", canonical)
		}
		return nil, err
	}
	if has, err := k.Verifiers.Has(ctx, addr); err != nil || has {
		return nil, errors.Join(err, errorsmod.Wrapf(types.ErrVerifierExists, "%s", canonical))
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	n, err := k.poolSize(ctx)
	if err != nil {
		return nil, err
	}
	if n >= int(p.MaxVerifiers) {
		return nil, errorsmod.Wrapf(types.ErrPoolFull, "%d verifiers, at most %d", n, p.MaxVerifiers)
	}
	if err := k.collect(ctx, addr, p.VerifierDeposit); err != nil {
		return nil, err
	}
	v := types.Verifier{Address: canonical, Deposit: p.VerifierDeposit, JoinedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.Verifiers.Set(ctx, addr, v); err != nil {
		return nil, err
	}
	return &types.MsgJoinVerifierPoolResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventVerifierJoined{Verifier: canonical, Deposit: v.Deposit})
}

// LeaveVerifierPool returns the deposit of a verifier with no open duty.
func (k msgServer) LeaveVerifierPool(ctx context.Context, msg *types.MsgLeaveVerifierPool) (*types.MsgLeaveVerifierPoolResponse, error) {
	addr, canonical, err := k.address("provider", msg.Provider)
	if err != nil {
		return nil, err
	}
	v, err := k.Verifiers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrVerifierNotFound, "%s", canonical)
	}
	if err != nil {
		return nil, err
	}
	if v.OpenDuties > 0 {
		return nil, errorsmod.Wrapf(types.ErrOpenDuties, "%s serves %d open audits or watches", canonical, v.OpenDuties)
	}
	if err := k.Verifiers.Remove(ctx, addr); err != nil {
		return nil, err
	}
	if err := k.payOut(ctx, addr, v.Deposit); err != nil {
		return nil, err
	}
	return &types.MsgLeaveVerifierPoolResponse{Refunded: v.Deposit}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventVerifierLeft{Verifier: canonical, Refunded: v.Deposit, Reason: "left"})
}

func (k Keeper) poolSize(ctx context.Context) (int, error) {
	n := 0
	err := k.Verifiers.Walk(ctx, nil, func(sdk.AccAddress, types.Verifier) (bool, error) {
		n++
		return false, nil
	})
	return n, err
}

// collect moves c from addr to the module account (nothing for a zero amount), with a clear error
// when addr cannot pay.
func (k Keeper) collect(ctx context.Context, addr sdk.AccAddress, c sdk.Coin) error {
	if !c.IsPositive() {
		return nil
	}
	if have := k.bank.SpendableCoins(ctx, addr).AmountOf(c.Denom); have.LT(c.Amount) {
		return errorsmod.Wrapf(types.ErrInsufficientFunds, "%s has %s%s spendable, needs %s", addr, have, c.Denom, c)
	}
	return k.bank.SendCoinsFromAccountToModule(ctx, addr, types.ModuleName, sdk.NewCoins(c))
}

// payOut sends c from the module account to addr (nothing for a zero amount).
func (k Keeper) payOut(ctx context.Context, addr sdk.AccAddress, c sdk.Coin) error {
	if !c.IsPositive() {
		return nil
	}
	return k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, addr, sdk.NewCoins(c))
}

// drawVerifiers draws k verifiers for seed, weighted by reputation (lower bound × 10^6, at least
// 1), among those not excluded and serving fewer than maxDuties open duties; it fails with
// ErrTooFewVerifiers when fewer than k are eligible. It reads the whole pool (at most
// max_verifiers).
func (k Keeper) drawVerifiers(ctx context.Context, seed []byte, n int, maxDuties uint32, exclude map[string]bool) ([]types.Verifier, error) {
	var pool []types.Verifier
	var cands []draw.Candidate
	err := k.Verifiers.Walk(ctx, nil, func(addr sdk.AccAddress, v types.Verifier) (bool, error) {
		if exclude[string(addr)] || v.OpenDuties >= maxDuties {
			return false, nil
		}
		lb, err := k.reputation.LowerBound(ctx, addr)
		if err != nil {
			return true, err
		}
		w := uint64(1)
		if !lb.IsNil() && lb.IsPositive() {
			w = max(1, lb.MulInt64(weightScale).TruncateInt().Uint64())
		}
		pool = append(pool, v)
		cands = append(cands, draw.Candidate{ID: addr, Weight: min(w, weightScale)})
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if len(pool) < n {
		return nil, errorsmod.Wrapf(types.ErrTooFewVerifiers, "%d eligible verifiers (in the pool, not party to the lease, below max_open_duties), %d needed", len(pool), n)
	}
	chosen := draw.Draw(seed, cands, n)
	out := make([]types.Verifier, len(chosen))
	for i, c := range chosen {
		out[i] = pool[c]
	}
	return out, nil
}

// addDuty changes a verifier's open duties by delta, for a duty it was drawn for at height drawnAt.
// A verifier removed since is skipped, and so is one that joined the pool after drawnAt: it was
// slashed out of the pool for another duty and joined again, and its new membership did not take
// this duty (its open duties count only the duties drawn since it joined).
func (k Keeper) addDuty(ctx context.Context, address string, delta int, drawnAt int64) error {
	addr, err := k.addressCodec.StringToBytes(address)
	if err != nil {
		return err
	}
	v, err := k.Verifiers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if v.JoinedHeight > drawnAt {
		return nil
	}
	switch {
	case delta > 0:
		v.OpenDuties += uint32(delta)
	case uint32(-delta) > v.OpenDuties:
		v.OpenDuties = 0
	default:
		v.OpenDuties -= uint32(-delta)
	}
	return k.Verifiers.Set(ctx, addr, v)
}

// slashVerifier burns a verifier's deposit for a duty it was drawn for at height drawnAt and failed,
// and removes it from the pool; it returns what was burned (zero for one removed already, or one
// that joined again after drawnAt: see addDuty).
func (k Keeper) slashVerifier(ctx context.Context, address, why string, drawnAt int64) (sdk.Coin, error) {
	addr, err := k.addressCodec.StringToBytes(address)
	if err != nil {
		return sdk.Coin{}, err
	}
	v, err := k.Verifiers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return sdk.Coin{Denom: types.DefaultDenom, Amount: math.ZeroInt()}, nil
	}
	if err != nil {
		return sdk.Coin{}, err
	}
	if v.JoinedHeight > drawnAt {
		return sdk.Coin{Denom: v.Deposit.Denom, Amount: math.ZeroInt()}, nil
	}
	if err := k.Verifiers.Remove(ctx, addr); err != nil {
		return sdk.Coin{}, err
	}
	if v.Deposit.IsPositive() {
		if err := k.bank.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(v.Deposit)); err != nil {
			return sdk.Coin{}, err
		}
	}
	return v.Deposit, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventVerifierLeft{
		Verifier: v.Address, Refunded: sdk.NewCoin(v.Deposit.Denom, math.ZeroInt()), Reason: "slashed: " + why,
	})
}

// partiesOf are the accounts that may not verify a lease: its provider and owner, every provider
// of its order's quorum (members and standbys), and extra (the requester or payer).
func (k Keeper) partiesOf(ctx context.Context, l markettypes.Lease, extra sdk.AccAddress) (map[string]bool, error) {
	out := map[string]bool{string(extra): true}
	for _, s := range []string{l.Provider, l.Owner} {
		a, err := k.addressCodec.StringToBytes(s)
		if err != nil {
			return nil, err
		}
		out[string(a)] = true
	}
	q, found, err := k.record(ctx, l.OrderId)
	if err != nil {
		return nil, err
	}
	if found {
		for _, m := range q.Members {
			if a, err := k.addressCodec.StringToBytes(m.Provider); err == nil {
				out[string(a)] = true
			}
		}
		for _, s := range q.Standbys {
			if a, err := k.addressCodec.StringToBytes(s.Provider); err == nil {
				out[string(a)] = true
			}
		}
	}
	return out, nil
}
