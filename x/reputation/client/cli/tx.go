// Package cli holds the reputation module's hand-written transaction commands.
package cli

import (
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/govcli"
	"github.com/fogchain/fog/x/reputation/types"
)

// NewTxCmd is the root of the reputation transaction commands.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Reputation transactions (governance only: outcomes come from other modules)",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(govcli.UpdateParamsProposalCmd(types.ModuleName, func(authority string, p *types.Params) sdk.Msg {
		return &types.MsgUpdateParams{Authority: authority, Params: *p}
	}))
	return cmd
}
