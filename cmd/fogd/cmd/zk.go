package cmd

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/fogchain/fog/app"

	"github.com/fogchain/fog/x/proofs/client/cli"
	proofskeeper "github.com/fogchain/fog/x/proofs/keeper"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

func zkCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "zk",
		Short: "Zero-knowledge predicates shipped with the chain: setup, prove, verify locally",
		Long: "The predicates (norm_bound_64/256/1024, set_membership, range) are Groth16 circuits over BN254. " +
			"`setup` is a single-party setup, fit for localnet and tests only: production keys need a multi-party " +
			"ceremony, since whoever knows the setup's randomness can forge proofs.",
		RunE: client.ValidateCmd,
	}
	cmd.AddCommand(zkListCmd(), zkSetupCmd(), zkProveCmd(), zkVerifyCmd(), zkAddGenesisCircuitCmd())
	return cmd
}

func zkListCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the circuits and how many public inputs each takes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, s := range circuits.All() {
				n, err := prover.PublicInputCount(s.Name)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-16s %d public inputs  %s\n", s.Name, n, s.Description)
			}
			return nil
		},
	}
}

func zkSetupCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "setup [circuit]",
		Short:   "Write a proving key and a verifying key (single-party setup: localnet and tests only)",
		Example: "fogd zk setup range --out-dir keys/   # writes keys/range.pk and keys/range.vk",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, _ := cmd.Flags().GetString("out-dir")
			pk, vk, err := prover.Setup(args[0])
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return err
			}
			for ext, bz := range map[string][]byte{"pk": pk, "vk": vk} {
				if err := os.WriteFile(filepath.Join(dir, args[0]+"."+ext), bz, 0o600); err != nil {
					return err
				}
			}
			n, _ := prover.PublicInputCount(args[0])
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s.pk and %s.vk in %s (%d public inputs)\n", args[0], args[0], dir, n)
			return nil
		},
	}
	cmd.Flags().String("out-dir", ".", "where to write <circuit>.pk and <circuit>.vk")
	return cmd
}

func zkProveCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "prove [circuit]",
		Short: "Prove a witness (JSON) and write the proof and public inputs (hex) for `fogd tx proofs verify-proof`",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pkPath, _ := cmd.Flags().GetString("pk")
			witnessPath, _ := cmd.Flags().GetString("witness")
			out, _ := cmd.Flags().GetString("out")
			pk, err := os.ReadFile(pkPath)
			if err != nil {
				return err
			}
			witness, err := os.ReadFile(witnessPath)
			if err != nil {
				return err
			}
			proof, inputs, err := prover.Prove(args[0], pk, witness)
			if err != nil {
				return err
			}
			f := cli.ProofFile{Circuit: args[0], Proof: hex.EncodeToString(proof)}
			for _, in := range inputs {
				f.PublicInputs = append(f.PublicInputs, hex.EncodeToString(in))
			}
			bz, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				return err
			}
			if out == "" {
				_, err = cmd.OutOrStdout().Write(append(bz, '\n'))
				return err
			}
			return os.WriteFile(out, bz, 0o644)
		},
	}
	cmd.Flags().String("pk", "", "proving key written by `fogd zk setup`")
	cmd.Flags().String("witness", "", "witness JSON (format per circuit: see zk/prover)")
	cmd.Flags().String("out", "", "write the proof file here instead of stdout")
	_ = cmd.MarkFlagRequired("pk")
	_ = cmd.MarkFlagRequired("witness")
	return cmd
}

func zkVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify [circuit] [proof-file]",
		Short: "Verify a proof file locally against a verifying key, as the chain does under the default params",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := prover.PublicInputCount(args[0])
			if err != nil {
				return err
			}
			vkPath, _ := cmd.Flags().GetString("vk")
			vk, err := os.ReadFile(vkPath)
			if err != nil {
				return err
			}
			_, proof, inputs, err := cli.ReadProofFile(args[1])
			if err != nil {
				return err
			}
			c := proofstypes.Circuit{Name: args[0], VerifyingKey: vk, PublicInputCount: uint32(n), Active: true}
			if err := proofstypes.VerifyProof(proofstypes.DefaultParams(), c, inputs, proof, proofstypes.VerifyHooks{}); err != nil {
				return fmt.Errorf("proof does NOT verify: %w", err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "proof verifies")
			return nil
		},
	}
	cmd.Flags().String("vk", "", "verifying key written by `fogd zk setup`")
	_ = cmd.MarkFlagRequired("vk")
	return cmd
}

// zkAddGenesisCircuitCmd registers a circuit in a genesis file (localnet, tests), as governance would
// on a running chain.
func zkAddGenesisCircuitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-genesis-circuit [circuit] [verifying-key-file]",
		Short: "Register a circuit's verifying key in genesis.json (localnet; on a live chain use a governance proposal)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, ok := circuits.Lookup(args[0])
			if !ok {
				return fmt.Errorf("unknown circuit %q (see fogd zk list)", args[0])
			}
			n, err := prover.PublicInputCount(args[0])
			if err != nil {
				return err
			}
			vk, err := os.ReadFile(args[1])
			if err != nil {
				return err
			}
			var gs proofstypes.GenesisState
			var path string
			err = editModuleGenesis(cmd, proofstypes.ModuleName, &gs, func(p string) error {
				path = p
				for _, c := range gs.Circuits {
					if c.Name == spec.Name {
						return fmt.Errorf("circuit %s is already in %s", spec.Name, path)
					}
				}
				gs.Circuits = append(gs.Circuits, proofstypes.Circuit{Id: gs.NextCircuitId, Name: spec.Name, Description: spec.Description,
					VerifyingKey: vk, PublicInputCount: uint32(n), Active: true})
				gs.NextCircuitId++
				// genesis accepts keys under the widest limits; a new circuit must verify under these params
				if err := proofstypes.ValidateCircuitKey(gs.Params, vk, uint32(n)); err != nil {
					return fmt.Errorf("%s: %w", args[1], err)
				}
				if err := proofskeeper.ValidateGenesis(&gs); err != nil {
					return fmt.Errorf("%s: %w", args[1], err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "circuit %d: %s (%d public inputs) added to %s\n", gs.NextCircuitId-1, spec.Name, n, path)
			return nil
		},
	}
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	return cmd
}
