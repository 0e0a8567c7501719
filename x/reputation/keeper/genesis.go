package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/reputation/types"
)

// InitGenesis loads params and records.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, r := range gs.Records {
		addr, err := k.addressCodec.StringToBytes(r.Address)
		if err != nil {
			return err
		}
		if err := k.Records.Set(ctx, addr, r); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps params and records (as stored: decay is applied on read).
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	err = k.Records.Walk(ctx, nil, func(_ sdk.AccAddress, r types.Record) (bool, error) {
		gs.Records = append(gs.Records, r)
		return false, nil
	})
	return gs, err
}
