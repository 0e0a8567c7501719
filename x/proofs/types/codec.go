package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names of the messages.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgAnchorBatch{}, "fog/proofs/MsgAnchorBatch")
	legacy.RegisterAminoMsg(cdc, &MsgRegisterCircuit{}, "fog/proofs/MsgRegisterCircuit")
	legacy.RegisterAminoMsg(cdc, &MsgDeactivateCircuit{}, "fog/proofs/MsgDeactivateCircuit")
	legacy.RegisterAminoMsg(cdc, &MsgVerifyProof{}, "fog/proofs/MsgVerifyProof")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "fog/x/proofs/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "fog/x/proofs/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgAnchorBatch{}, &MsgRegisterCircuit{}, &MsgDeactivateCircuit{}, &MsgVerifyProof{}, &MsgUpdateParams{})
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
