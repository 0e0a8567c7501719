package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/app"
	"github.com/fogchain/fog/internal/loadgen"
)

const (
	flagSeed     = "seed"
	flagAccounts = "accounts"
)

func benchCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Benchmarks against a running node: confirmed transactions per second and query latency",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(benchGenesisCmd(), benchLoadCmd())
	return cmd
}

func benchGenesisCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "genesis",
		Short: "Fund the load accounts of a seed in a node home's genesis, before `fogd start`",
		Long: "Adds the customer and --accounts load accounts derived from --seed to the genesis of the " +
			"--home node, each with --amount, and raises x/market's max_bids_per_order to --accounts if it " +
			"is lower (in the commit scenario every load account bids on every order). Run it between " +
			"`fogd init` and `fogd genesis collect-gentxs`.",
		Example: "fogd bench genesis --home ~/.fogd --accounts 250 --seed fog-bench",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cctx := client.GetClientContextFromCmd(cmd)
			home, _ := cmd.Flags().GetString(flags.FlagHome)
			seed, _ := cmd.Flags().GetString(flagSeed)
			n, _ := cmd.Flags().GetInt(flagAccounts)
			amount, _ := cmd.Flags().GetString("amount")
			coins, err := sdk.ParseCoinsNormalized(amount)
			if err != nil {
				return err
			}
			return loadgen.AddToGenesis(cctx.Codec, cctx.TxConfig.SigningContext().AddressCodec(),
				filepath.Join(home, "config", "genesis.json"), loadgen.Derive(seed, n), coins)
		},
	}
	cmd.Flags().String(flags.FlagHome, app.DefaultNodeHome, "node home")
	cmd.Flags().String(flagSeed, "fog-bench", "seed the accounts are derived from")
	cmd.Flags().Int(flagAccounts, 250, "load accounts")
	cmd.Flags().String("amount", "1000000000000"+app.BaseDenom, "coins of each account")
	return cmd
}

func benchLoadCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "load",
		Short: "Measure confirmed tx/s of MsgSend, MsgCommitBid and MsgRevealBid, and gRPC query latency, on one node",
		Long: `Runs the scenarios against the node at --rpc and --grpc, in this order:

  send    every load account sends 1 base unit to the next, --sends-per-account times
  commit  the load accounts register as providers (once), the customer posts --orders orders, and
          every load account commits a bid on every order
  reveal  once the commit phase is over, every bid is revealed; then the auctions settle, the
          winners start their leases and the run waits for the leases to end; then send runs
          again ("send again"), and the ratios' MsgSend baseline is the mean of the two
  query   --query-clients concurrent gRPC clients (one connection each), --queries-per-client
          requests each, on each of: market Order, Orders by owner, LeasesByOrder, ProviderLeases
          and reputation Score; first in a closed loop (each client sends its next request when
          the previous is answered: the node's saturation, where latency is mostly queueing),
          then paced at --query-rate requests per second per client (latency from the scheduled
          send time, so a node that falls behind is charged for the wait)

Accounts come from --seed and must be funded in genesis by 'fogd bench genesis' with the same seed
and at least as many accounts. Every transaction of a scenario is signed offline before the first is
broadcast (account numbers and sequences read once), then broadcast with --in-flight
broadcast_tx_sync calls outstanding, one lane per account so each account's sequences stay in order.
The blocks are read from the first broadcast on: a transaction is confirmed when a block holds it
with code 0 (non-zero codes are counted per codespace/code). Confirmed tx/s = confirmed / (commit
time of the last block holding one − first broadcast); each scenario starts right after a block
and the blocks are read once the mempool has drained, so reading them costs the node nothing during
the measurement. Latency = commit time of the including block (CometBFT's time of its precommits,
the next block's header time) − broadcast. The commit/send and reveal/send ratios are of tx/s
measured in the same run.`,
		Example: "fogd bench load --rpc tcp://127.0.0.1:26657 --grpc 127.0.0.1:9090 --accounts 250 --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			cfg := loadgen.Config{Denom: app.BaseDenom, Log: cmd.ErrOrStderr()}
			cfg.RPC, _ = f.GetString(flagRPC)
			cfg.GRPC, _ = f.GetString(flagGRPC)
			cfg.ChainID, _ = f.GetString(flags.FlagChainID)
			cfg.Seed, _ = f.GetString(flagSeed)
			cfg.Accounts, _ = f.GetInt(flagAccounts)
			cfg.SendsPerAccount, _ = f.GetInt("sends-per-account")
			cfg.Orders, _ = f.GetInt("orders")
			cfg.CommitBlocks, _ = f.GetUint64("commit-blocks")
			cfg.RevealBlocks, _ = f.GetUint64("reveal-blocks")
			cfg.InFlight, _ = f.GetInt("in-flight")
			cfg.Gas, _ = f.GetUint64(flags.FlagGas)
			cfg.QueryClients, _ = f.GetInt("query-clients")
			cfg.QueriesPerClient, _ = f.GetInt("queries-per-client")
			cfg.QueryRate, _ = f.GetFloat64("query-rate")
			cfg.Patience, _ = f.GetDuration("patience")
			scenarios, _ := f.GetString("scenarios")
			cfg.Scenarios = strings.Split(scenarios, ",")
			asJSON, _ := f.GetBool("json")
			jsonOut, _ := f.GetString("json-out")

			b, err := loadgen.NewBench(client.GetClientContextFromCmd(cmd), cfg)
			if err != nil {
				return err
			}
			report, err := b.Run(cmd.Context())
			if err != nil {
				return err
			}
			if jsonOut != "" {
				bz, err := json.MarshalIndent(report, "", "  ")
				if err != nil {
					return err
				}
				if err := os.WriteFile(jsonOut, append(bz, '\n'), 0o644); err != nil {
					return err
				}
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(report)
			}
			return report.Print(cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.String(flagRPC, "tcp://127.0.0.1:26657", "node CometBFT RPC address")
	f.String(flagGRPC, "127.0.0.1:9090", "node gRPC address")
	f.String(flags.FlagChainID, "", "chain id (default: the node's)")
	f.String(flagSeed, "fog-bench", "seed the accounts are derived from (as given to fogd bench genesis)")
	f.Int(flagAccounts, 250, "load accounts")
	f.Int("sends-per-account", 48, "send: MsgSend transactions per account")
	f.Int("orders", 48, "commit/reveal: orders, each bid on by every load account")
	f.Uint64("commit-blocks", 0, "the orders' commit phase in blocks (0: sized from the send rate)")
	f.Uint64("reveal-blocks", 0, "the orders' reveal phase in blocks (0: sized from the send rate)")
	f.Int("in-flight", 64, "broadcasts outstanding at once")
	f.Uint64(flags.FlagGas, 200000, "gas limit per message (fees are zero)")
	f.Int("query-clients", 100, "query: concurrent gRPC clients")
	f.Int("queries-per-client", 100, "query: requests per client and query kind")
	f.Float64("query-rate", 10, "query: after the closed loop, the same queries again with each client paced at this many per second (0: no paced round)")
	f.Duration("patience", 20*time.Second, "after the last broadcast, stop waiting for the mempool to drain once it has not shrunk for this long (what is left is reported missing)")
	f.String("scenarios", "send,commit,reveal,query", "scenarios to run (commit is needed by reveal, reveal by query)")
	f.Bool("json", false, "print the report as JSON instead of tables")
	f.String("json-out", "", "also write the report as JSON to this file")
	return cmd
}
