package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// InitGenesis loads params, auditors, attributes and quorum records (the records build their state
// index as they are written).
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, a := range gs.Auditors {
		addr, err := k.addressCodec.StringToBytes(a.Address)
		if err != nil {
			return err
		}
		if err := k.Auditors.Set(ctx, addr, a); err != nil {
			return err
		}
	}
	for _, e := range gs.Attributes {
		provider, err := k.addressCodec.StringToBytes(e.Provider)
		if err != nil {
			return err
		}
		auditor, err := k.addressCodec.StringToBytes(e.Auditor)
		if err != nil {
			return err
		}
		if err := k.Attributes.Set(ctx, collections.Join(sdk.AccAddress(provider), sdk.AccAddress(auditor)), e); err != nil {
			return err
		}
	}
	for _, q := range gs.Quorums {
		if err := k.Quorums.Set(ctx, q.OrderId, q); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps the state in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if err := k.Auditors.Walk(ctx, nil, func(_ sdk.AccAddress, a types.Auditor) (bool, error) {
		gs.Auditors = append(gs.Auditors, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Attributes.Walk(ctx, nil, func(_ collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
		gs.Attributes = append(gs.Attributes, e)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	err = k.Quorums.Walk(ctx, nil, func(_ uint64, q types.Quorum) (bool, error) {
		gs.Quorums = append(gs.Quorums, q)
		return false, nil
	})
	return gs, err
}
