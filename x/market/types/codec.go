package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names of the messages (for Ledger signing).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRegisterProvider{}, "fog/market/MsgRegisterProvider")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateProvider{}, "fog/market/MsgUpdateProvider")
	legacy.RegisterAminoMsg(cdc, &MsgDeregisterProvider{}, "fog/market/MsgDeregisterProvider")
	legacy.RegisterAminoMsg(cdc, &MsgCreateOrder{}, "fog/market/MsgCreateOrder")
	legacy.RegisterAminoMsg(cdc, &MsgCancelOrder{}, "fog/market/MsgCancelOrder")
	legacy.RegisterAminoMsg(cdc, &MsgCommitBid{}, "fog/market/MsgCommitBid")
	legacy.RegisterAminoMsg(cdc, &MsgRevealBid{}, "fog/market/MsgRevealBid")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawBid{}, "fog/market/MsgWithdrawBid")
	legacy.RegisterAminoMsg(cdc, &MsgStartLease{}, "fog/market/MsgStartLease")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawLease{}, "fog/market/MsgWithdrawLease")
	legacy.RegisterAminoMsg(cdc, &MsgCloseLease{}, "fog/market/MsgCloseLease")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "fog/x/market/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "fog/x/market/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterProvider{},
		&MsgUpdateProvider{},
		&MsgDeregisterProvider{},
		&MsgCreateOrder{},
		&MsgCancelOrder{},
		&MsgCommitBid{},
		&MsgRevealBid{},
		&MsgWithdrawBid{},
		&MsgStartLease{},
		&MsgWithdrawLease{},
		&MsgCloseLease{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
