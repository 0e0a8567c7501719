// Package cli holds the tee module's hand-written transaction commands.
package cli

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/govcli"
	"github.com/fogchain/fog/x/tee/types"
)

// NewTxCmd is `fogd tx tee`.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "TEE attestation transactions",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		submitAttestationCmd(),
		govcli.UpdateParamsProposalCmd(types.ModuleName, func(authority string, p *types.Params) sdk.Msg {
			return &types.MsgUpdateParams{Authority: authority, Params: *p}
		}),
	)
	return cmd
}

// submitAttestationCmd sends evidence produced elsewhere; `fogd worker` attests by itself.
func submitAttestationCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "submit-attestation [sev-snp|tdx|simulated] [evidence-file] [nonce-height]",
		Short: "Submit TEE evidence (protobuf SevSnpEvidence, TdxEvidence or SimulatedEvidence) for the sender's worker key",
		Long: "The evidence's report data must be SHA-512(\"fog-tee-v1\" ‖ provider address ‖ registered worker key ‖ " +
			"hash of block nonce-height), with nonce-height one of the last nonce_window_blocks blocks (`fogd q tee nonce`). " +
			"`fogd worker` with a [tee] section attests and renews by itself.",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			t, err := types.ParseTeeType(args[0])
			if err != nil {
				return err
			}
			evidence, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			h, err := strconv.ParseInt(args[2], 10, 64)
			if err != nil || h <= 0 {
				return fmt.Errorf("nonce height: want a positive block height, got %q", args[2])
			}
			msg := &types.MsgSubmitAttestation{Provider: clientCtx.GetFromAddress().String(), TeeType: t, Evidence: evidence, NonceHeight: h}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}
