// Package cli holds the tee module's hand-written transaction commands.
package cli

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/govcli"
	markettypes "github.com/fogchain/fog/x/market/types"
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
		Long: "The evidence's report data must be SHA-512(\"fog-tee-v1\" ‖ provider address ‖ worker key ‖ " +
			"hash of block nonce-height), with nonce-height one of the last nonce_window_blocks blocks (`fogd q tee nonce`). " +
			"The worker key is the one the sender registered in the market unless --worker-pubkey (hex) names another. " +
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
			workerKey, err := workerPubkey(cmd, clientCtx)
			if err != nil {
				return err
			}
			msg := &types.MsgSubmitAttestation{
				Provider: clientCtx.GetFromAddress().String(), TeeType: t, Evidence: evidence, NonceHeight: h, WorkerPubkey: workerKey,
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(flagWorkerPubkey, "", "the worker's ed25519 public key in hex (default: the key the sender registered in the market)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

const flagWorkerPubkey = "worker-pubkey"

// workerPubkey is the --worker-pubkey flag, or the worker key the sender registered in the market.
func workerPubkey(cmd *cobra.Command, clientCtx client.Context) ([]byte, error) {
	if s, _ := cmd.Flags().GetString(flagWorkerPubkey); s != "" {
		key, err := hex.DecodeString(s)
		if err != nil || len(key) != types.WorkerKeySize {
			return nil, fmt.Errorf("--%s: want %d bytes in hex, got %q", flagWorkerPubkey, types.WorkerKeySize, s)
		}
		return key, nil
	}
	res, err := markettypes.NewQueryClient(clientCtx).Provider(cmd.Context(), &markettypes.QueryProviderRequest{Address: clientCtx.GetFromAddress().String()})
	if err != nil {
		return nil, fmt.Errorf("reading the sender's registered worker key (or pass --%s): %w", flagWorkerPubkey, err)
	}
	return res.Provider.WorkerPubkey, nil
}
