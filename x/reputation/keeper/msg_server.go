package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/reputation/types"
)

type msgServer struct{ Keeper }

// NewMsgServerImpl returns the reputation Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k} }

func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	authority, _, err := accaddr.Parse(k.addressCodec, "authority", msg.Authority)
	if err != nil {
		return nil, err
	}
	if !authority.Equals(k.authorityAddr) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: k.authority})
}
