package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/task"
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
	flagModule     = "module"
	flagNoAudit    = "no-audit"
	flagKeepLease  = "keep-lease"
	// flagAuditListen and flagAuditAnnounce: where the host serving an audit's data listens, and the
	// multiaddrs the audit request names instead of its listen addresses
	flagAuditListen   = "audit-listen"
	flagAuditAnnounce = "audit-announce"
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
	cmd.AddCommand(clientRunCmd(), verifyReceiptCmd(), clientAuditCmd())
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
			"reported with a WARNING on stderr. On a disagreement it then requests an audit (x/quorum's proof of " +
			"audit) of each disagreeing replica's anchored receipt, as `fogd client audit` does, serves the module " +
			"and input to each committee and waits for the verdicts (--no-audit turns this off); the disagreeing " +
			"receipts are saved with the others. Without a majority (for example 1 against 1 on silver, or every " +
			"replica failed) no output is written and the command fails, after auditing every replica that " +
			"answered.\n\n" +
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
			noAudit, _ := cmd.Flags().GetBool(flagNoAudit)
			keep, _ := cmd.Flags().GetBool(flagKeepLease)
			listen, _ := cmd.Flags().GetStringSlice(flagAuditListen)
			announce, _ := cmd.Flags().GetStringSlice(flagAuditAnnounce)
			cust := &customer.Client{Chain: c, Keyring: clientCtx.Keyring, KeyName: clientCtx.FromName, Out: cmd.ErrOrStderr(),
				StartWait: wait, AnchorWait: time.Minute, NoAudit: noAudit, KeepLeases: keep, AuditListen: listen, AuditAnnounce: announce}
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
	cmd.Flags().Bool(flagNoAudit, false, "request no audit when the replicas of a silver or gold order disagree")
	cmd.Flags().Bool(flagKeepLease, false, "leave the leases open after the run (for `fogd client audit` of a receipt, "+
		"`fogd tx quorum watch-lease`, or more tasks); close them with `fogd tx market close-lease`")
	addAuditHostFlags(cmd)
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
	if res.Gained.Denom != "" && res.Gained.IsPositive() {
		fmt.Fprintf(cmd.ErrOrStderr(), "order %d brought in %s net (refunds and audit payouts minus escrow; fees excluded)\n", res.Order.Id, res.Gained)
	} else if res.Spent.Denom != "" {
		fmt.Fprintf(cmd.ErrOrStderr(), "order %d cost %s in all (escrow minus refunds; fees excluded)\n", res.Order.Id, res.Spent)
	}
	if d := res.Disagreement; d != nil && d.Majority != nil {
		// a success for the customer, but the last word: a replica signed a wrong result
		audits := "no audit was requested (--no-audit)"
		if noAudit, _ := cmd.Flags().GetBool(flagNoAudit); !noAudit {
			audits = "audits: " + auditSummary(res.Audits, res.AuditErr)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "WARNING: order %d: %d of its %d replicas disagreed with the majority (see the vote above; their receipts are saved); %s\n",
			res.Order.Id, len(d.Disagreeing), res.Order.Replicas, audits)
	} else if noAudit, _ := cmd.Flags().GetBool(flagNoAudit); d != nil && !noAudit {
		fmt.Fprintf(cmd.ErrOrStderr(), "order %d: audits: %s\n", res.Order.Id, auditSummary(res.Audits, res.AuditErr))
	}
	return nil
}

// auditSummary is one phrase per audit of a run: the lease, and the verdict or why there is none;
// err is why the audits were not requested or not followed to the end.
func auditSummary(outs []customer.AuditOutcome, err error) string {
	if len(outs) == 0 && err != nil {
		return fmt.Sprintf("none requested: %v", err)
	} else if len(outs) == 0 {
		return "none requested"
	}
	parts := make([]string, len(outs))
	for i, o := range outs {
		lease := uint64(0)
		if o.Receipt != nil && o.Receipt.Receipt != nil && o.Receipt.Receipt.Receipt != nil {
			lease = o.Receipt.Receipt.Receipt.LeaseId
		}
		switch {
		case o.Decided():
			parts[i] = fmt.Sprintf("lease %d %s (audit %d)", lease, strings.ToUpper(customer.StateName(o.Audit.State)), o.Requested.AuditId)
		case o.Requested != nil:
			parts[i] = fmt.Sprintf("lease %d: audit %d not decided yet (fogd q quorum audit %d)", lease, o.Requested.AuditId, o.Requested.AuditId)
		default:
			parts[i] = fmt.Sprintf("lease %d not audited: %v", lease, o.Err)
		}
	}
	if err != nil {
		parts = append(parts, fmt.Sprintf("following them stopped: %v", err))
	}
	return strings.Join(parts, "; ")
}

func addAuditHostFlags(cmd *cobra.Command) {
	cmd.Flags().StringSlice(flagAuditListen, customer.DefaultAuditListen,
		"libp2p listen multiaddrs of the host that serves the module and input to an audit's committee")
	cmd.Flags().StringSlice(flagAuditAnnounce, nil,
		fmt.Sprintf("multiaddrs an audit request names for the committee to fetch from, instead of that host's listen addresses (at most %d are named)", customer.MaxDataAddrs))
}

func clientAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit [anchored-receipt.json]",
		Short: "Have a committee of verifiers re-execute an anchored receipt's task (x/quorum's proof of audit) and print the verdict",
		Long: "Reads a receipt saved by `fogd client run` (an anchored receipt: with its batch id and inclusion proof), checks " +
			"that --module and --input are the module and input it names (their sha256), and pays x/quorum's audit fee " +
			"(MsgRequestAudit) for a committee drawn from the verifier pool to re-execute the task. Meanwhile it serves the " +
			"module and input to the committee over libp2p (/fog/audit-data/1) from a host listening on --audit-listen, named " +
			"in the request (--audit-announce instead, if given). It prints the audit id, the committee and the deadlines, " +
			"follows the commits and reveals at the heights the chain reports, and once the audit is decided (at the end of " +
			"its reveal deadline's block) prints the verdict: PASSED (the majority computed the receipt's output hash), " +
			"FAILED (it computed another: the provider's lease bond is slashed and the requester gets its share) or " +
			"INCONCLUSIVE (no output hash has a majority; the fee comes back). Progress goes to stderr, the verdict to " +
			"stdout (--output json: one JSON object). The exit status is 0 for any verdict, and non-zero when no verdict " +
			"was reached (the files do not match, the receipt is not anchored, the request was refused, the node was lost).",
		Example: "fogd client audit receipt.json.1 --module build/workloads/wordcount.wasm --input README.md " +
			"--from customer --chain-id fog-localnet --keyring-backend test",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			format, _ := cmd.Flags().GetString(flags.FlagOutput)
			if format != "text" && format != "json" {
				return fmt.Errorf("--%s %q: want text or json", flags.FlagOutput, format)
			}
			c, clientCtx, err := chainClient(cmd)
			if err != nil {
				return err
			}
			anchored, module, input, err := readAuditFiles(cmd, clientCtx.Codec, args[0])
			if err != nil {
				return err
			}
			// nothing is paid for a request that cannot be made
			if err := customer.CheckAuditable(anchored, module, input); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := c.Start(ctx); err != nil {
				return err
			}
			defer c.Stop()
			listen, _ := cmd.Flags().GetStringSlice(flagAuditListen)
			announce, _ := cmd.Flags().GetStringSlice(flagAuditAnnounce)
			opts, err := task.HostOptions()
			if err != nil {
				return err
			}
			h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings(listen...))...)
			if err != nil {
				return fmt.Errorf("--%s %v: %w", flagAuditListen, listen, err)
			}
			defer h.Close()
			aud := &customer.Auditing{Chain: c, Host: h, Addrs: announce, Out: cmd.ErrOrStderr()}
			outs, err := aud.Run(ctx, module, input, anchored)
			if err != nil {
				return err
			}
			return printAudit(cmd, format, outs[0])
		},
	}
	cmd.Flags().String(flagModule, "", "the WASM module the receipt names (its sha256 is the receipt's module_hash)")
	cmd.Flags().String(flagInput, "", "the input the receipt names (its sha256 is the receipt's input_hash; empty: no input)")
	addAuditHostFlags(cmd)
	cmd.Flags().String(flags.FlagGRPC, "127.0.0.1:9090", "node gRPC address")
	_ = cmd.MarkFlagRequired(flagModule)
	flags.AddTxFlagsToCmd(cmd)
	// the verdict is text unless asked otherwise (the transaction flags default to json)
	out := cmd.Flags().Lookup(flags.FlagOutput)
	out.DefValue, out.Usage = "text", "the verdict's format: text or json"
	_ = out.Value.Set("text")
	return cmd
}

// readAuditFiles reads the anchored receipt saved by `fogd client run`, the module and the input.
func readAuditFiles(cmd *cobra.Command, cdc codec.JSONCodec, path string) (*wire.AnchoredReceipt, []byte, []byte, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, nil, err
	}
	var anchored wire.AnchoredReceipt
	if err := cdc.UnmarshalJSON(bz, &anchored); err != nil || anchored.Receipt == nil || anchored.Receipt.Receipt == nil {
		return nil, nil, nil, fmt.Errorf("%s: not a receipt saved by fogd client run", path)
	}
	modulePath, _ := cmd.Flags().GetString(flagModule)
	module, err := os.ReadFile(filepath.Clean(modulePath))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("--%s: %w", flagModule, err)
	}
	var input []byte
	if p, _ := cmd.Flags().GetString(flagInput); p != "" {
		if input, err = os.ReadFile(filepath.Clean(p)); err != nil {
			return nil, nil, nil, fmt.Errorf("--%s: %w", flagInput, err)
		}
	}
	return &anchored, module, input, nil
}

// printAudit prints an audit's verdict on stdout, or fails when it has none.
func printAudit(cmd *cobra.Command, format string, o customer.AuditOutcome) error {
	if !o.Decided() {
		if o.Err != nil {
			return o.Err
		}
		return fmt.Errorf("audit %d was not decided", o.Requested.AuditId)
	}
	if format == "json" {
		bz, err := json.MarshalIndent(o.Report(), "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
		return err
	}
	for _, line := range customer.VerdictLines(o) {
		fmt.Fprintln(cmd.OutOrStdout(), line)
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
