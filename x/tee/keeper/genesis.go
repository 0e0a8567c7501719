package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/tee/types"
)

// InitGenesis loads the state.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.SetParams(ctx, gs.Params); err != nil {
		return err
	}
	for _, e := range gs.Enclaves {
		addr, err := k.addressCodec.StringToBytes(e.Provider)
		if err != nil {
			return err
		}
		if err := k.Enclaves.Set(ctx, sdk.AccAddress(addr), e); err != nil {
			return err
		}
		// only records still valid wait in the expiry queue (their expiry was reported already)
		if e.ExpiryHeight > sdk.UnwrapSDKContext(ctx).BlockHeight() {
			if err := k.ExpiryQueue.Set(ctx, collections.Join(e.ExpiryHeight, sdk.AccAddress(addr))); err != nil {
				return err
			}
		}
	}
	for _, n := range gs.Nonces {
		if err := k.Nonces.Set(ctx, n.Height, n.Hash); err != nil {
			return err
		}
	}
	for _, l := range gs.TeeLeases {
		addr, err := k.addressCodec.StringToBytes(l.Provider)
		if err != nil {
			return err
		}
		if err := k.TeeLeases.Set(ctx, collections.Join(sdk.AccAddress(addr), l.LeaseId)); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps the state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.GetParams(ctx); err != nil {
		return nil, err
	}
	if err := k.Enclaves.Walk(ctx, nil, func(_ sdk.AccAddress, e types.Enclave) (bool, error) {
		gs.Enclaves = append(gs.Enclaves, e)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Nonces.Walk(ctx, nil, func(h int64, hash []byte) (bool, error) {
		gs.Nonces = append(gs.Nonces, types.Nonce{Height: h, Hash: hash})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.TeeLeases.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		provider, err := k.addressCodec.BytesToString(key.K1())
		gs.TeeLeases = append(gs.TeeLeases, types.TeeLease{Provider: provider, LeaseId: key.K2()})
		return false, err
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
