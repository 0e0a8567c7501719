// Package cli holds the quorum module's hand-written transaction commands.
package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/govcli"
	"github.com/fogchain/fog/x/quorum/types"
)

// NewTxCmd is the root of the quorum transaction commands.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Quorum transactions: auditors sign provider attributes; governance approves auditors and sets the tiers",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		signAttributesCmd(),
		deleteAttributesCmd(),
		govcli.UpdateParamsProposalCmd(types.ModuleName, func(authority string, p *types.Params) sdk.Msg {
			return &types.MsgUpdateParams{Authority: authority, Params: *p}
		}),
	)
	return cmd
}

// ParseAttributes reads key=value arguments.
func ParseAttributes(args []string) ([]types.Attribute, error) {
	out := make([]types.Attribute, 0, len(args))
	for _, a := range args {
		key, value, ok := strings.Cut(a, "=")
		if !ok {
			return nil, fmt.Errorf("attribute %q: want key=value", a)
		}
		out = append(out, types.Attribute{Key: key, Value: value})
	}
	return out, nil
}

func signAttributesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign-attributes [provider] [key=value...]",
		Short: "Sign attributes of a provider as an approved auditor (asn and power-region count for SLA diversity)",
		Example: "fogd tx quorum sign-attributes fog1prov... asn=AS64500 power-region=eu-west-grid-2 --from auditor\n" +
			"Keys signed before keep their values unless given again; the attributes count while the signer stays approved.",
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			attrs, err := ParseAttributes(args[1:])
			if err != nil {
				return err
			}
			msg := &types.MsgSignProviderAttributes{Auditor: clientCtx.GetFromAddress().String(), Provider: args[0], Attributes: attrs}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func deleteAttributesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "delete-attributes [provider] [key...]",
		Short:   "Delete attributes of a provider that you signed: the keys given, or all of them",
		Example: "fogd tx quorum delete-attributes fog1prov... asn --from auditor",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			msg := &types.MsgDeleteProviderAttributes{Auditor: clientCtx.GetFromAddress().String(), Provider: args[0], Keys: args[1:]}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}
