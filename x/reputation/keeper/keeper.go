// Package keeper keeps each account's Beta(α, β) reputation, decays it toward the prior lazily (on
// read and on write, never per block), and records outcomes reported by other modules.
package keeper

import (
	"context"
	"errors"
	"fmt"
	stdmath "math"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/reputation/types"
)

// Keeper of the reputation module.
type Keeper struct {
	addressCodec  address.Codec
	authority     string
	authorityAddr sdk.AccAddress

	Schema  collections.Schema
	Params  collections.Item[types.Params]
	Records collections.Map[sdk.AccAddress, types.Record]
}

// NewKeeper builds the keeper; authority may change params (gov).
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService, authority string) Keeper {
	authorityAddr, canonical, err := accaddr.Parse(addressCodec, "authority", authority)
	if err != nil {
		panic(fmt.Errorf("invalid reputation authority: %w", err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		addressCodec:  addressCodec,
		authority:     canonical,
		authorityAddr: authorityAddr,
		Params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Records:       collections.NewMap(sb, types.RecordsKey, "records", sdk.AccAddressKey, codec.CollValue[types.Record](cdc)),
	}
	if k.Schema, err = sb.Build(); err != nil {
		panic(err)
	}
	return k
}

// Authority may change params.
func (k Keeper) Authority() string { return k.authority }

// ScoreOf computes a record's score at height h with params p.
func ScoreOf(p types.Params, r types.Record, h int64) types.Score {
	blocks := h - r.LastHeight
	alpha := types.Decay(r.Alpha, p.PriorAlpha, blocks, p.HalfLifeBlocks)
	beta := types.Decay(r.Beta, p.PriorBeta, blocks, p.HalfLifeBlocks)
	mean, variance, lower := types.Stats(alpha, beta, p.Z)
	return types.Score{
		Address: r.Address, Alpha: alpha, Beta: beta, Mean: mean, Variance: variance, LowerBound: lower,
		Tier: p.TierOf(lower), LastUpdateHeight: r.LastHeight, AsOfHeight: h, Outcomes: r.Outcomes,
	}
}

// prior is the record of an account with no outcomes, as of height h.
func prior(p types.Params, addr string, h int64) types.Record {
	return types.Record{Address: addr, Alpha: p.PriorAlpha, Beta: p.PriorBeta, LastHeight: h}
}

// Score is an account's score as of the current block; found is false for an account without
// outcomes (its score is the prior's).
func (k Keeper) Score(ctx context.Context, addr sdk.AccAddress) (s types.Score, found bool, err error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return s, false, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	r, err := k.Records.Get(ctx, addr)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		canonical, err := k.addressCodec.BytesToString(addr)
		if err != nil {
			return s, false, err
		}
		return ScoreOf(p, prior(p, canonical, h), h), false, nil
	case err != nil:
		return s, false, err
	}
	return ScoreOf(p, r, h), true, nil
}

// LowerBound is an account's lower bound as of the current block (the market ranks equal bids by it).
func (k Keeper) LowerBound(ctx context.Context, addr sdk.AccAddress) (math.LegacyDec, error) {
	s, _, err := k.Score(ctx, addr)
	return s.LowerBound, err
}

// TierOf is an account's tier as of the current block.
func (k Keeper) TierOf(ctx context.Context, addr sdk.AccAddress) (types.Tier, error) {
	s, _, err := k.Score(ctx, addr)
	return s.Tier, err
}

// RecordOutcome adds an outcome of kind for an account: the record is decayed to the current block,
// then α (success) or β (failure) grows by weight × the kind's weight param, saturating at
// types.MaxEvidence so that no sequence of outcomes can overflow the statistics.
func (k Keeper) RecordOutcome(ctx context.Context, addr sdk.AccAddress, kind types.OutcomeKind, weight math.LegacyDec) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	kindWeight, success, ok := p.Weight(kind)
	if !ok {
		return errorsmod.Wrapf(types.ErrInvalidOutcome, "kind %d", kind)
	}
	if weight.IsNil() || weight.IsNegative() || weight.GT(types.MaxWeight) {
		return errorsmod.Wrapf(types.ErrInvalidOutcome, "weight %s not in [0, %s]", weight, types.MaxWeight)
	}
	canonical, err := k.addressCodec.BytesToString(addr)
	if err != nil || canonical == "" {
		return errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "account %X", []byte(addr))
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	r, err := k.Records.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		r = prior(p, canonical, h)
	} else if err != nil {
		return err
	}
	before := ScoreOf(p, r, h)
	add := weight.Mul(kindWeight)
	r.Alpha, r.Beta, r.LastHeight = before.Alpha, before.Beta, h
	if success {
		r.Alpha = math.LegacyMinDec(r.Alpha.Add(add), types.MaxEvidence)
	} else {
		r.Beta = math.LegacyMinDec(r.Beta.Add(add), types.MaxEvidence)
	}
	if r.Outcomes < stdmath.MaxUint64 {
		r.Outcomes++
	}
	if err := k.Records.Set(ctx, addr, r); err != nil {
		return err
	}
	after := ScoreOf(p, r, h)
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventReputationUpdated{
		Address: r.Address, Kind: kind, Weight: add, Alpha: r.Alpha, Beta: r.Beta,
		LowerBound: after.LowerBound, Tier: after.Tier, PreviousTier: before.Tier,
	})
}
