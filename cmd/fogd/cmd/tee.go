package cmd

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/app"
	"github.com/fogchain/fog/offchain/attest/testvendor"
	"github.com/fogchain/fog/x/tee/simtee"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// teeCommand is `fogd tee`: the tools of development networks' simulated TEE, and genesis edits.
func teeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tee",
		Short: "Simulated TEE keys, software measurements and TEE genesis settings (development networks)",
		Long: "A simulated TEE proves nothing about hardware: whoever holds its root key can attest anything. " +
			"x/tee accepts it only while the param allow_simulated is true (localnet); real networks use SEV-SNP or TDX. " +
			"The test-vendor backends (worker [tee] type test-sev-snp, test-tdx) prove nothing either: their keys are public, " +
			"and x/tee accepts their evidence only where a genesis trusts their roots (add-genesis-test-roots).",
		RunE: client.ValidateCmd,
	}
	cmd.AddCommand(teeSimRootCmd(), teeSimDeviceCmd(), teeMeasurementCmd(), teeAddGenesisSimulatedRootCmd(), teeAddGenesisMeasurementCmd(),
		teeAddGenesisTestRootsCmd(), teeSimEvidenceCmd())
	return cmd
}

func teeSimRootCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim-root",
		Short: "Create a simulated TEE root key (hex seed, mode 0600) and print its public key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, _ := cmd.Flags().GetString("out")
			seed := make([]byte, 32)
			if _, err := rand.Read(seed); err != nil {
				return err
			}
			root, err := simtee.NewRoot(seed)
			if err != nil {
				return err
			}
			if err := os.WriteFile(out, []byte(hex.EncodeToString(seed)+"\n"), 0o600); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), hex.EncodeToString(root.Public()))
			return nil
		},
	}
	cmd.Flags().String("out", "sim-root.key", "where to write the root's seed")
	return cmd
}

func loadRoot(path string) (simtee.Root, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return simtee.Root{}, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(bz)))
	if err != nil {
		return simtee.Root{}, fmt.Errorf("%s: not a hex seed: %w", path, err)
	}
	return simtee.NewRoot(seed)
}

func teeSimDeviceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim-device",
		Short: "Certify a new simulated TEE device with a root key; the worker's [tee] simulated_device reads the file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rootPath, _ := cmd.Flags().GetString("root")
			out, _ := cmd.Flags().GetString("out")
			days, _ := cmd.Flags().GetInt("valid-days")
			tcb, _ := cmd.Flags().GetUint64("tcb")
			if days <= 0 {
				return fmt.Errorf("--valid-days must be positive")
			}
			root, err := loadRoot(rootPath)
			if err != nil {
				return err
			}
			seed := make([]byte, 32)
			if _, err := rand.Read(seed); err != nil {
				return err
			}
			now := time.Now()
			dev, err := root.NewDevice(seed, now.Add(-time.Hour), now.AddDate(0, 0, days), tcb)
			if err != nil {
				return err
			}
			if err := simtee.WriteDevice(out, dev); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "simulated device written to %s, valid %d days\n", out, days)
			return nil
		},
	}
	cmd.Flags().String("root", "sim-root.key", "the root key written by `fogd tee sim-root`")
	cmd.Flags().String("out", "sim-device.json", "where to write the device")
	cmd.Flags().Int("valid-days", 365, "validity of the device certificate")
	cmd.Flags().Uint64("tcb", 1, "the device's TCB version")
	return cmd
}

func teeMeasurementCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "measurement [file]",
		Short: "Print the measurement a simulated TEE reports for a program: SHA-384 of the file (default: this fogd)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := os.Executable()
			if err != nil {
				return err
			}
			if len(args) == 1 {
				path = args[0]
			}
			m, err := simtee.Measurement(path)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), teetypes.MeasurementHex(m))
			return nil
		},
	}
}

// editTeeGenesis applies f to the tee genesis state in home's genesis.json and validates the result.
func editTeeGenesis(cmd *cobra.Command, f func(*teetypes.GenesisState) error) error {
	var gs teetypes.GenesisState
	return editModuleGenesis(cmd, teetypes.ModuleName, &gs, func(string) error {
		if err := f(&gs); err != nil {
			return err
		}
		return gs.Validate()
	})
}

func teeAddGenesisSimulatedRootCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-genesis-simulated-root [root-key-file]",
		Short: "Trust a simulated TEE root in genesis.json and set allow_simulated (development networks only)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			root, err := loadRoot(args[0])
			if err != nil {
				return err
			}
			return editTeeGenesis(cmd, func(gs *teetypes.GenesisState) error {
				gs.Params.AllowSimulated = true
				gs.Params.SimulatedRoots = append(gs.Params.SimulatedRoots, root.Public())
				return nil
			})
		},
	}
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	return cmd
}

func teeAddGenesisMeasurementCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-genesis-measurement [sev-snp|tdx|simulated] [measurement-hex]",
		Short: "Allow a launch measurement (48 bytes, lower-case hex, as `fogd tee measurement` prints it) for a TEE type in genesis.json",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			t, err := teetypes.ParseTeeType(args[0])
			if err != nil {
				return err
			}
			if _, err := teetypes.ParseMeasurement(args[1]); err != nil {
				return fmt.Errorf("measurement: %w", err)
			}
			desc, _ := cmd.Flags().GetString("description")
			return editTeeGenesis(cmd, func(gs *teetypes.GenesisState) error {
				gs.Params.AllowedMeasurements = append(gs.Params.AllowedMeasurements, teetypes.Measurement{TeeType: t, Value: args[1], Description: desc})
				return nil
			})
		},
	}
	cmd.Flags().String("description", "", "which software this measurement is")
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	return cmd
}

func teeAddGenesisTestRootsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "add-genesis-test-roots",
		Short: "DEVELOPMENT ONLY: trust the published SEV-SNP and TDX test chains in genesis.json and allow a measurement for both types",
		Long: "Adds the roots of the test chains that workers with [tee] type = \"test-sev-snp\" or \"test-tdx\" sign with " +
			"(package offchain/attest/testvendor) to x/tee's sev_snp_roots and tdx_roots, next to AMD's and Intel's, and allows " +
			"--measurement (default: this fogd's, as `fogd tee measurement` prints it) for SEV-SNP and TDX. The test keys are " +
			"public: whoever has this fogd can sign anything with them. Never on a network whose TEE guarantees matter.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			mHex, _ := cmd.Flags().GetString("measurement")
			desc, _ := cmd.Flags().GetString("description")
			if mHex == "" {
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				m, err := simtee.Measurement(exe)
				if err != nil {
					return err
				}
				mHex = teetypes.MeasurementHex(m)
			} else if _, err := teetypes.ParseMeasurement(mHex); err != nil {
				return fmt.Errorf("measurement: %w", err)
			}
			return editTeeGenesis(cmd, func(gs *teetypes.GenesisState) error {
				testvendor.AddRoots(&gs.Params)
				for _, t := range []teetypes.TeeType{teetypes.TeeTypeSevSnp, teetypes.TeeTypeTdx} {
					if !gs.Params.Allowed(t, mHex) {
						gs.Params.AllowedMeasurements = append(gs.Params.AllowedMeasurements, teetypes.Measurement{TeeType: t, Value: mHex, Description: desc})
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().String("measurement", "", "measurement to allow for SEV-SNP and TDX, lower-case hex (default: this fogd's)")
	cmd.Flags().String("description", "fogd (test-vendor backends, development only)", "description of the allowed measurement")
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	return cmd
}

func teeSimEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sim-evidence [provider-address] [worker-pubkey-hex] [nonce-hex]",
		Short: "Write simulated TEE evidence binding a provider, its worker key and a nonce (for `fogd tx tee submit-attestation`)",
		Long: "The nonce is a recorded block hash (`fogd q tee nonce`). The measurement is that of this fogd " +
			"(or --measurement). `fogd worker` with [tee] type = \"simulated\" does all this by itself.",
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			devicePath, _ := cmd.Flags().GetString("device")
			out, _ := cmd.Flags().GetString("out")
			mHex, _ := cmd.Flags().GetString("measurement")
			dev, err := simtee.LoadDevice(devicePath)
			if err != nil {
				return err
			}
			provider, err := sdk.AccAddressFromBech32(args[0])
			if err != nil {
				return fmt.Errorf("provider: %w", err)
			}
			workerKey, err := hex.DecodeString(args[1])
			if err != nil {
				return fmt.Errorf("worker key: %w", err)
			}
			nonce, err := hex.DecodeString(args[2])
			if err != nil {
				return fmt.Errorf("nonce: %w", err)
			}
			var m []byte
			if mHex != "" {
				if m, err = teetypes.ParseMeasurement(mHex); err != nil {
					return fmt.Errorf("measurement: %w", err)
				}
			} else {
				exe, err := os.Executable()
				if err != nil {
					return err
				}
				if m, err = simtee.Measurement(exe); err != nil {
					return err
				}
			}
			ev, err := dev.Evidence(m, teetypes.ReportData(provider, workerKey, nonce), false)
			if err != nil {
				return err
			}
			return os.WriteFile(out, ev, 0o644)
		},
	}
	cmd.Flags().String("device", "sim-device.json", "the device written by `fogd tee sim-device`")
	cmd.Flags().String("out", "evidence.bin", "where to write the evidence")
	cmd.Flags().String("measurement", "", "measurement to report, lower-case hex (default: this fogd's)")
	return cmd
}
