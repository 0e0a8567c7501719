package cmd

import (
	"context"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"

	"github.com/fogchain/fog/offchain/worker"
)

const (
	flagRPC         = "rpc"
	flagGRPC        = "grpc"
	flagKey         = "key"
	flagListen      = "listen"
	flagMetricsAddr = "metrics-addr"
	flagDataDir     = "data-dir"
	flagLogLevel    = "log-level"

	// flagUnsafeInjectLatency: development networks only (fogd worker start).
	flagUnsafeInjectLatency = "unsafe-inject-latency"

	// flagUnsafeWrongOutput makes the worker cheat, for tests of audits (hidden; DEVELOPMENT ONLY)
	flagUnsafeWrongOutput = "unsafe-wrong-output"
)

func workerCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "The provider's off-chain worker: bids, runs WASM workloads, signs receipts, collects payments",
		Long: "The worker's home (--home) holds worker.toml, its data directory and, by default, the keyring " +
			"with the provider key.",
		RunE: client.ValidateCmd,
	}
	cmd.AddCommand(workerInitCmd(), workerStartCmd())
	return cmd
}

func addWorkerFlags(cmd *cobra.Command) {
	cmd.Flags().String(flags.FlagChainID, "", "chain id")
	cmd.Flags().String(flagRPC, "", "node CometBFT RPC address (tcp://host:26657)")
	cmd.Flags().String(flagGRPC, "", "node gRPC address (host:9090)")
	cmd.Flags().String(flagKey, "", "provider key name in the keyring")
	cmd.Flags().String(flags.FlagKeyringBackend, "", "keyring backend (os|file|test)")
	cmd.Flags().String(flags.FlagKeyringDir, "", "keyring directory (default: the worker home)")
	cmd.Flags().StringSlice(flagListen, nil, "libp2p listen multiaddrs")
	cmd.Flags().String(flagMetricsAddr, "", "Prometheus /metrics address (empty string turns it off)")
	cmd.Flags().String(flagDataDir, "", "data directory (relative to the home)")
}

// applyWorkerFlags overrides config values with the flags the user set.
func applyWorkerFlags(cmd *cobra.Command, cfg *worker.Config) {
	set := func(name string, dst *string) {
		if cmd.Flags().Changed(name) {
			*dst, _ = cmd.Flags().GetString(name)
		}
	}
	set(flags.FlagChainID, &cfg.ChainID)
	set(flagRPC, &cfg.RPC)
	set(flagGRPC, &cfg.GRPC)
	set(flagKey, &cfg.KeyName)
	set(flags.FlagKeyringBackend, &cfg.KeyringBackend)
	set(flags.FlagKeyringDir, &cfg.KeyringDir)
	set(flagMetricsAddr, &cfg.MetricsAddr)
	set(flagDataDir, &cfg.DataDir)
	if cmd.Flags().Changed(flagListen) {
		cfg.Listen, _ = cmd.Flags().GetStringSlice(flagListen)
	}
}

func workerInitCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write a commented worker.toml into the worker home",
		Example: "fogd worker init --home ~/.fogd-worker --chain-id fog-localnet --key provider1 " +
			"--rpc tcp://127.0.0.1:26657 --grpc 127.0.0.1:9090 --listen /ip4/0.0.0.0/tcp/4001",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, _ := cmd.Flags().GetString(flags.FlagHome)
			cfg := worker.DefaultConfig()
			applyWorkerFlags(cmd, &cfg)
			if err := cfg.Validate(); err != nil {
				return fmt.Errorf("invalid worker config:\n%w", err)
			}
			path, err := worker.WriteConfig(home, cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", path)
			return nil
		},
	}
	addWorkerFlags(cmd)
	return cmd
}

func workerStartCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the worker until interrupted (SIGINT / SIGTERM), then shut down cleanly",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, _ := cmd.Flags().GetString(flags.FlagHome)
			cfg, err := worker.LoadConfig(home)
			if err != nil {
				return err
			}
			applyWorkerFlags(cmd, &cfg)
			cfg.UnsafeInjectLatency, _ = cmd.Flags().GetDuration(flagUnsafeInjectLatency)
			cfg.UnsafeWrongOutput, _ = cmd.Flags().GetBool(flagUnsafeWrongOutput)
			cfg = cfg.Resolve(home)
			level := slog.LevelInfo
			if s, _ := cmd.Flags().GetString(flagLogLevel); s != "" {
				if err := level.UnmarshalText([]byte(s)); err != nil {
					return fmt.Errorf("--%s: %w", flagLogLevel, err)
				}
			}
			log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			w, err := worker.New(cfg, clientCtx, log)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := w.Start(ctx); err != nil {
				return err
			}
			<-ctx.Done()
			log.Info("shutting down")
			w.Stop()
			return nil
		},
	}
	addWorkerFlags(cmd)
	cmd.Flags().String(flagLogLevel, "info", "log level: debug, info, warn, error")
	cmd.Flags().Duration(flagUnsafeInjectLatency, 0,
		"DEVELOPMENT ONLY: delay every /fog/probe/1 and /fog/task/1 answer of this worker by this long (e.g. 300ms), to test proof of SLA")
	cmd.Flags().Bool(flagUnsafeWrongOutput, false, "DEVELOPMENT ONLY: return a wrong output for every task, with a receipt signed over it, "+
		"so that audits of this worker's receipts fail (and slash its lease bonds); for testing proof of audit")
	_ = cmd.Flags().MarkHidden(flagUnsafeWrongOutput)
	return cmd
}

func decodeHex(s string) ([]byte, error) {
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("not hex: %w", err)
	}
	return b, nil
}
