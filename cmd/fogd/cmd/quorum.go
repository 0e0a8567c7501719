package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/app"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// genesisAddAuditorCmd is `fogd genesis add-genesis-auditor`: an x/quorum auditor approved from the
// first block, as governance would approve one later (MsgAddAuditor).
func genesisAddAuditorCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-genesis-auditor [address] [description]",
		Short: "Approve an x/quorum auditor in genesis.json (it may sign providers' asn and power-region from the first block)",
		Long: "Later auditors are approved by governance (fogd tx quorum add-auditor-proposal). An approved auditor signs " +
			"providers' attributes with `fogd tx quorum sign-attributes`; see x/quorum/README.md.",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := sdk.AccAddressFromBech32(args[0])
			if err != nil {
				return fmt.Errorf("auditor: %w", err)
			}
			var gs quorumtypes.GenesisState
			return editModuleGenesis(cmd, quorumtypes.ModuleName, &gs, func(string) error {
				for _, a := range gs.Auditors {
					if a.Address == addr.String() {
						return fmt.Errorf("%s is an auditor already", addr)
					}
				}
				gs.Auditors = append(gs.Auditors, quorumtypes.Auditor{Address: addr.String(), Description: args[1]})
				return gs.Validate()
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	return cmd
}
