package app

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankcli "github.com/cosmos/cosmos-sdk/x/bank/client/cli"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// bankBasic is x/bank's module basic with fogd's default genesis: the ufog / FOG denom metadata.
type bankBasic struct {
	bank.AppModuleBasic
}

// DefaultGenesis is bank's default genesis with the metadata of the base denom.
func (bankBasic) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := banktypes.DefaultGenesisState()
	gs.DenomMetadata = []banktypes.Metadata{FogMetadata()}
	return cdc.MustMarshalJSON(gs)
}

// GetTxCmd returns bank's hand-written transaction commands.
func (bankBasic) GetTxCmd() *cobra.Command {
	return bankcli.NewTxCmd(addresscodec.NewBech32Codec(Bech32Prefix))
}

// FogMetadata describes the base denom: 1 FOG = 10^6 ufog.
func FogMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "The staking and fee token of the fog chain.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: BaseDenom, Exponent: 0, Aliases: []string{"microfog"}},
			{Denom: "fog", Exponent: DisplayExponent},
		},
		Base:    BaseDenom,
		Display: "fog",
		Name:    DisplayDenom,
		Symbol:  DisplayDenom,
	}
}
