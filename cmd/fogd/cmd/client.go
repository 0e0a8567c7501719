package cmd

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/wire"
	marketcli "github.com/fogchain/fog/x/market/client/cli"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

const (
	flagWasm       = "wasm"
	flagInput      = "input"
	flagOut        = "out"
	flagReceiptOut = "receipt-out"
	flagMaxPrice   = "max-price"
	flagStartWait  = "start-wait"
	flagWorkerKey  = "worker-key"
)

// clientRunOrderDefaults are the order flags' defaults of `fogd client run`, which waits for its
// auction interactively: shorter phases and lease than `fogd tx market create-order`'s, and a
// workload-sized memory limit.
var clientRunOrderDefaults = marketcli.OrderDefaults{CPUMillicores: 1000, MemoryMiB: 256, LeaseBlocks: 50, CommitBlocks: 10, RevealBlocks: 10}

func clientCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "client",
		Short: "The customer side: run a WASM workload on the fog and check its receipt",
		RunE:  client.ValidateCmd,
	}
	cmd.AddCommand(clientRunCmd(), verifyReceiptCmd())
	return cmd
}

// chainClient connects to the node named by the standard --node / --grpc-addr / --chain-id flags,
// signing with --from.
func chainClient(cmd *cobra.Command) (*chain.Client, client.Context, error) {
	clientCtx, err := client.GetClientTxContext(cmd)
	if err != nil {
		return nil, clientCtx, err
	}
	grpcAddr, _ := cmd.Flags().GetString(flags.FlagGRPC)
	fees, _ := cmd.Flags().GetString(flags.FlagFees)
	gasPrices, _ := cmd.Flags().GetString(flags.FlagGasPrices)
	if fees == "" && gasPrices == "" {
		gasPrices = "0" + markettypes.DefaultBondDenom
	}
	gasStr, _ := cmd.Flags().GetString(flags.FlagGas)
	gas, err := flags.ParseGasSetting(gasStr)
	if err != nil {
		return nil, clientCtx, err
	}
	if gas.Simulate {
		return nil, clientCtx, fmt.Errorf("--gas auto is not supported here: give a gas limit per transaction")
	}
	log := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	c, err := chain.New(clientCtx, clientCtx.Keyring, chain.Config{
		RPC: clientCtx.NodeURI, GRPC: grpcAddr, ChainID: clientCtx.ChainID, KeyName: clientCtx.FromName,
		GasLimit: max(gas.Gas, 400_000), GasPrice: gasPrices, Fees: fees,
	}, nil, log)
	if err != nil {
		return nil, clientCtx, err
	}
	return c, clientCtx, nil
}

func clientRunCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Post an order for a WASM workload, deliver it to the auction's winners, check their receipts and print the result",
		Long: "Creates the order (escrowing max-price × lease-blocks × replicas), shows the auction's progress, " +
			"finds each winner's worker from the chain, delivers the workload over libp2p (/fog/task/1), " +
			"verifies each receipt against the provider's registered worker key and its anchoring on chain, " +
			"saves it (--receipt-out), and closes the leases early so the unused escrow comes back. When the " +
			"order requires a TEE (--tee-required, --tee-type, or --privacy confidential or secret), the workload " +
			"goes only to winners with a valid x/tee attestation of their registered worker key, and each receipt " +
			"must carry that attestation's evidence hash.\n\n" +
			"A bronze order has one replica: its output is the result, and any failure of its lease makes the " +
			"command fail. A silver (2 replicas) or gold (3 or more) order runs the workload on every replica and " +
			"compares what their receipts sign (output hash, status, exit code); a replica whose receipt failed a " +
			"check counts as failed, not as a vote. It prints one line per replica (lease, provider, output hash, " +
			"verdict: majority, disagrees or failed) and the vote. The result is the output signed by more than " +
			"half of the replicas that answered with a valid receipt. With such a majority the command succeeds " +
			"(exit status 0) and writes the majority's output, even when replicas failed or disagree: those are " +
			"reported with a WARNING on stderr. An audit of a disagreement is not requested yet (x/quorum's proof " +
			"of audit is not built); the disagreeing receipts are saved with the others. Without a majority (for " +
			"example 1 against 1 on silver, or every replica failed) no output is written and the command fails.\n\n" +
			"The output (the result) goes to stdout or --out; progress, the vote and warnings go to stderr.",
		Example: "fogd client run --wasm build/workloads/wordcount.wasm --input README.md --max-price 10ufog " +
			"--lease-blocks 50 --sla-tier bronze --from customer --chain-id fog-localnet --keyring-backend test\n" +
			"# two replicas (primary and canary) whose outputs must agree: the result goes to result.txt, receipts to receipt.json.0 and .1\n" +
			"fogd client run --wasm build/workloads/wordcount.wasm --input README.md --max-price 10ufog " +
			"--sla-tier silver --out result.txt --from customer --chain-id fog-localnet --keyring-backend test",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			order, err := readOrder(cmd)
			if err != nil {
				return err
			}
			c, clientCtx, err := chainClient(cmd)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := c.Start(ctx); err != nil {
				return err
			}
			defer c.Stop()
			wait, _ := cmd.Flags().GetDuration(flagStartWait)
			cust := &customer.Client{Chain: c, Keyring: clientCtx.Keyring, KeyName: clientCtx.FromName, Out: cmd.ErrOrStderr(),
				StartWait: wait, AnchorWait: time.Minute}
			res, runErr := cust.Run(ctx, order)
			if res == nil {
				return runErr
			}
			if err := writeResult(cmd, clientCtx.Codec, res); err != nil {
				return errors.Join(runErr, err)
			}
			return runErr
		},
	}
	cmd.Flags().String(flagWasm, "", "WASM module (WASI preview 1) to run")
	cmd.Flags().String(flagInput, "", "file given to the workload on stdin (empty: no input)")
	cmd.Flags().String(flagOut, "", "write the output (a replicated order's majority output) here instead of stdout")
	cmd.Flags().String(flagReceiptOut, "receipt.json", "where to save the receipt (with several replicas: <path>.0, <path>.1, ...)")
	cmd.Flags().String(flagMaxPrice, "", "max price per block, e.g. 10ufog")
	marketcli.AddOrderFlags(cmd.Flags(), clientRunOrderDefaults)
	cmd.Flags().Duration(flagStartWait, time.Minute, "how long to wait for a winner to start its lease")
	cmd.Flags().String(flags.FlagGRPC, "127.0.0.1:9090", "node gRPC address")
	_ = cmd.MarkFlagRequired(flagWasm)
	_ = cmd.MarkFlagRequired(flagMaxPrice)
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

// writeResult saves the receipts of a run (--receipt-out; <path>.<i> when there are several, with
// each one's verdict in a replicated order), writes the result (the single replica's output, or the
// majority's) to --out or stdout, none without a majority, and prints what the order cost.
func writeResult(cmd *cobra.Command, cdc codec.JSONCodec, res *customer.Result) error {
	outPath, _ := cmd.Flags().GetString(flagOut)
	receiptPath, _ := cmd.Flags().GetString(flagReceiptOut)
	for i, rep := range res.Replicas {
		saved := rep.Anchored
		if saved == nil {
			saved = &wire.AnchoredReceipt{Receipt: &rep.Receipt}
		}
		bz, err := cdc.MarshalJSON(saved)
		if err != nil {
			return err
		}
		path := receiptPath
		if len(res.Replicas) > 1 {
			path = fmt.Sprintf("%s.%d", receiptPath, i)
		}
		if err := os.WriteFile(path, bz, 0o644); err != nil {
			return err
		}
		verdict := ""
		if res.Tally != nil {
			verdict = fmt.Sprintf(" (%s)", res.Tally.Verdict(rep.Lease.Id))
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "receipt of lease %d%s saved to %s\n", rep.Lease.Id, verdict, path)
	}
	switch {
	case res.Tally != nil && res.Tally.Majority == nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "no output written: the replicas of order %d have no majority\n", res.Order.Id)
	case len(res.Replicas) == 0:
	case outPath != "":
		if err := os.WriteFile(outPath, res.Output, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "output written to %s\n", outPath)
	default:
		_, _ = cmd.OutOrStdout().Write(res.Output)
	}
	if res.Spent.Denom != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "order %d cost %s in all (escrow minus refunds; fees excluded)\n", res.Order.Id, res.Spent)
	}
	if d := res.Disagreement; d != nil && d.Majority != nil {
		// a success for the customer, but the last word: a replica signed a wrong result
		fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: order %d: %d of its %d replicas disagreed with the majority (see the vote above; their receipts are saved); no audit was requested: proof of audit is not built yet\n",
			res.Order.Id, len(d.Disagreeing), res.Order.Replicas)
	}
	return nil
}

func readOrder(cmd *cobra.Command) (customer.Order, error) {
	var o customer.Order
	wasmPath, _ := cmd.Flags().GetString(flagWasm)
	module, err := os.ReadFile(wasmPath)
	if err != nil {
		return o, fmt.Errorf("--%s: %w", flagWasm, err)
	}
	var input []byte
	if p, _ := cmd.Flags().GetString(flagInput); p != "" {
		if input, err = os.ReadFile(filepath.Clean(p)); err != nil {
			return o, fmt.Errorf("--%s: %w", flagInput, err)
		}
	}
	priceStr, _ := cmd.Flags().GetString(flagMaxPrice)
	price, err := sdk.ParseCoinNormalized(priceStr)
	if err != nil {
		return o, fmt.Errorf("--%s: %w", flagMaxPrice, err)
	}
	msg, err := marketcli.ReadOrderFlags(cmd.Flags())
	if err != nil {
		return o, err
	}
	return customer.Order{Module: module, Input: input, MaxPrice: price, LeaseBlocks: msg.LeaseBlocks, Tier: msg.Tier,
		Privacy: msg.Privacy, Resources: msg.Resources, CommitBlocks: msg.CommitBlocks, RevealBlocks: msg.RevealBlocks,
		MinReputationTier: msg.MinReputationTier, TeeRequired: msg.TeeRequired, TeeType: msg.TeeType}, nil
}

func verifyReceiptCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify-receipt [file]",
		Short: "Check a saved receipt's signature against the provider's registered worker key",
		Long: "Reads a receipt saved by `fogd client run` and verifies its ed25519 signature against the worker " +
			"key the provider registered on chain (or --worker-key, offline).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var anchored wire.AnchoredReceipt
			if err := clientCtx.Codec.UnmarshalJSON(bz, &anchored); err != nil || anchored.Receipt == nil {
				return fmt.Errorf("%s: not a receipt saved by fogd client run", args[0])
			}
			r := *anchored.Receipt
			if r.Receipt == nil {
				return fmt.Errorf("%s: receipt missing", args[0])
			}
			if clientCtx.ChainID != "" && r.Receipt.ChainId != clientCtx.ChainID {
				return fmt.Errorf("receipt is for chain %q, not %q", r.Receipt.ChainId, clientCtx.ChainID)
			}
			key, err := workerKey(cmd, clientCtx, r.Receipt)
			if err != nil {
				return err
			}
			if err := r.Verify(key); err != nil {
				return fmt.Errorf("receipt does NOT verify: %w", err)
			}
			rc := r.Receipt
			if anchored.BatchId != 0 && anchored.Proof != nil {
				if err := anchored.CheckInclusion(cmd.Context(), proofstypes.NewQueryClient(clientCtx)); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "anchored on chain in batch %d: inclusion verifies\n", anchored.BatchId)
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), "not anchored: no inclusion proof in the file")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "receipt verifies: lease %d task %d by provider %s\n  module %x\n  input  %x\n  output %x\n  status %d exit %d, %dµs\n",
				rc.LeaseId, rc.TaskSeq, rc.Provider, rc.ModuleHash, rc.InputHash, rc.OutputHash, rc.Status, rc.ExitCode, rc.DurationMicros)
			if len(rc.AttestationHash) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "  attestation evidence %x (x/tee evidence_hash when it was signed)\n", rc.AttestationHash)
			}
			return nil
		},
	}
	cmd.Flags().String(flagWorkerKey, "", "hex ed25519 worker key to verify against instead of asking the chain")
	flags.AddQueryFlagsToCmd(cmd)
	return cmd
}

// workerKey is the key a receipt must be signed with: --worker-key, or the registered worker key of
// the provider that holds the receipt's lease on chain.
func workerKey(cmd *cobra.Command, clientCtx client.Context, r *wire.Receipt) ([]byte, error) {
	if s, _ := cmd.Flags().GetString(flagWorkerKey); s != "" {
		return decodeHex(s)
	}
	q := markettypes.NewQueryClient(clientCtx)
	lease, err := q.Lease(cmd.Context(), &markettypes.QueryLeaseRequest{Id: r.LeaseId})
	if err != nil {
		return nil, fmt.Errorf("lease %d: %w", r.LeaseId, err)
	}
	if lease.Lease.Provider != r.Provider {
		return nil, fmt.Errorf("receipt names provider %s, but lease %d is %s's", r.Provider, r.LeaseId, lease.Lease.Provider)
	}
	res, err := q.Provider(cmd.Context(), &markettypes.QueryProviderRequest{Address: r.Provider})
	if err != nil {
		return nil, fmt.Errorf("provider %s: %w", r.Provider, err)
	}
	return res.Provider.WorkerPubkey, nil
}
