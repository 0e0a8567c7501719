// Package cli holds the proofs module's hand-written transaction commands: those that read keys and
// proofs from files.
package cli

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	sdkgovcli "github.com/cosmos/cosmos-sdk/x/gov/client/cli"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/internal/govcli"
	"github.com/fogchain/fog/x/proofs/types"
)

const flagDescription = "description"

// NewTxCmd is the root of the proofs transaction commands.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Proofs transactions: verify ZK proofs on chain; register circuits by governance",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(verifyProofCmd(), registerCircuitProposalCmd(),
		govcli.UpdateParamsProposalCmd(types.ModuleName, func(authority string, p *types.Params) sdk.Msg {
			return &types.MsgUpdateParams{Authority: authority, Params: *p}
		}))
	return cmd
}

// ProofFile is what `fogd zk prove` writes and `fogd tx proofs verify-proof` reads: hex strings.
type ProofFile struct {
	Circuit      string   `json:"circuit"`
	Proof        string   `json:"proof"`
	PublicInputs []string `json:"public_inputs"`
}

// ReadProofFile reads a proof file.
func ReadProofFile(path string) (ProofFile, []byte, [][]byte, error) {
	var f ProofFile
	bz, err := os.ReadFile(path)
	if err != nil {
		return f, nil, nil, err
	}
	if err := json.Unmarshal(bz, &f); err != nil {
		return f, nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	proof, err := hex.DecodeString(f.Proof)
	if err != nil {
		return f, nil, nil, fmt.Errorf("%s: proof: %w", path, err)
	}
	inputs := make([][]byte, len(f.PublicInputs))
	for i, s := range f.PublicInputs {
		if inputs[i], err = hex.DecodeString(s); err != nil {
			return f, nil, nil, fmt.Errorf("%s: public input %d: %w", path, i, err)
		}
	}
	return f, proof, inputs, nil
}

func verifyProofCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "verify-proof [circuit-id] [proof-file]",
		Short:   "Verify a Groth16 proof on chain and record the claim",
		Example: "fogd zk prove range --pk range.pk --witness w.json --out proof.json && fogd tx proofs verify-proof 3 proof.json --from alice",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("circuit id: %w", err)
			}
			_, proof, inputs, err := ReadProofFile(args[1])
			if err != nil {
				return err
			}
			msg := &types.MsgVerifyProof{Submitter: clientCtx.GetFromAddress().String(), CircuitId: id, PublicInputs: inputs, Proof: proof}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func registerCircuitProposalCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "register-circuit-proposal [name] [verifying-key-file] [public-input-count]",
		Short: "Submit a governance proposal to register a Groth16 (BN254) verifying key",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			vk, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			n, err := strconv.ParseUint(args[2], 10, 32)
			if err != nil {
				return fmt.Errorf("public input count: %w", err)
			}
			desc, _ := cmd.Flags().GetString(flagDescription)
			proposal, err := sdkgovcli.ReadGovPropCmdFlags(clientCtx.GetFromAddress().String(), cmd.Flags())
			if err != nil {
				return err
			}
			msg := &types.MsgRegisterCircuit{Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(),
				Name: args[0], Description: desc, VerifyingKey: vk, PublicInputCount: uint32(n)}
			if err := proposal.SetMsgs([]sdk.Msg{msg}); err != nil {
				return err
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), proposal)
		},
	}
	cmd.Flags().String(flagDescription, "", "what the circuit proves")
	flags.AddTxFlagsToCmd(cmd)
	sdkgovcli.AddGovPropFlagsToCmd(cmd)
	return cmd
}
