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
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "fog/x/quorum/MsgUpdateParams")
	legacy.RegisterAminoMsg(cdc, &MsgAddAuditor{}, "fog/x/quorum/MsgAddAuditor")
	legacy.RegisterAminoMsg(cdc, &MsgRemoveAuditor{}, "fog/x/quorum/MsgRemoveAuditor")
	legacy.RegisterAminoMsg(cdc, &MsgSignProviderAttributes{}, "fog/x/quorum/MsgSignProviderAttrs")
	legacy.RegisterAminoMsg(cdc, &MsgDeleteProviderAttributes{}, "fog/x/quorum/MsgDeleteProviderAttrs")
	legacy.RegisterAminoMsg(cdc, &MsgJoinVerifierPool{}, "fog/x/quorum/MsgJoinVerifierPool")
	legacy.RegisterAminoMsg(cdc, &MsgLeaveVerifierPool{}, "fog/x/quorum/MsgLeaveVerifierPool")
	legacy.RegisterAminoMsg(cdc, &MsgRequestAudit{}, "fog/x/quorum/MsgRequestAudit")
	legacy.RegisterAminoMsg(cdc, &MsgCommitAuditVote{}, "fog/x/quorum/MsgCommitAuditVote")
	legacy.RegisterAminoMsg(cdc, &MsgRevealAuditVote{}, "fog/x/quorum/MsgRevealAuditVote")
	legacy.RegisterAminoMsg(cdc, &MsgWatchLease{}, "fog/x/quorum/MsgWatchLease")
	legacy.RegisterAminoMsg(cdc, &MsgSubmitSlaReport{}, "fog/x/quorum/MsgSubmitSlaReport")
	cdc.RegisterConcrete(&Params{}, "fog/x/quorum/Params", nil)
}

// RegisterInterfaces registers the messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgUpdateParams{}, &MsgAddAuditor{}, &MsgRemoveAuditor{}, &MsgSignProviderAttributes{}, &MsgDeleteProviderAttributes{},
		&MsgJoinVerifierPool{}, &MsgLeaveVerifierPool{}, &MsgRequestAudit{}, &MsgCommitAuditVote{}, &MsgRevealAuditVote{},
		&MsgWatchLease{}, &MsgSubmitSlaReport{})
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
