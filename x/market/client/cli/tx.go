// Package cli holds the market's hand-written transaction commands: those whose input needs more
// than autocli gives (hex keys and hashes, key=value attributes, sealed bids kept on disk).
package cli

import (
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/govcli"
	"github.com/fogchain/fog/x/market/client/sealedbid"
	"github.com/fogchain/fog/x/market/types"
)

const (
	flagMultiaddrs   = "multiaddrs"
	flagWorkerPubkey = "worker-pubkey"
	flagAttributes   = "attributes"
	flagCPU          = "cpu"
	flagMemory       = "memory"
	flagStorage      = "storage"
	flagGPUs         = "gpus"
	flagBidsDir      = "bids-dir"
	flagReplace      = "replace"
)

// NewTxCmd is the root of the market's transaction commands.
func NewTxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Market transactions: providers, orders, sealed bids, leases",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		providerCmd("register-provider", "Register the signer as a compute provider", false),
		providerCmd("update-provider", "Replace the signer's provider registration", true),
		createOrderCmd(),
		commitBidCmd(),
		revealBidCmd(),
		updateParamsProposalCmd(),
	)
	return cmd
}

// addResourceFlags adds --cpu, --memory, --storage and --gpus: a provider's capacity or an order's
// needs.
func addResourceFlags(fs *pflag.FlagSet, cpu, mem uint64) {
	fs.Uint64(flagCPU, cpu, "CPU in millicores")
	fs.Uint64(flagMemory, mem, "memory in MiB")
	fs.Uint64(flagStorage, 0, "storage in MiB")
	fs.Uint32(flagGPUs, 0, "GPUs")
}

func readResources(fs *pflag.FlagSet) (types.Resources, error) {
	var r types.Resources
	var err error
	if r.CpuMillicores, err = fs.GetUint64(flagCPU); err != nil {
		return r, err
	}
	if r.MemoryMib, err = fs.GetUint64(flagMemory); err != nil {
		return r, err
	}
	if r.StorageMib, err = fs.GetUint64(flagStorage); err != nil {
		return r, err
	}
	r.Gpus, err = fs.GetUint32(flagGPUs)
	return r, err
}

// ParseAttributes reads "k=v,k2=v2" into attributes, in the order given.
func ParseAttributes(s string) ([]types.Attribute, error) {
	var out []types.Attribute
	if strings.TrimSpace(s) == "" {
		return out, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("attribute %q: want key=value", kv)
		}
		out = append(out, types.Attribute{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out, nil
}

func providerCmd(use, short string, update bool) *cobra.Command {
	cmd := &cobra.Command{
		Use:   use + " [peer-id]",
		Short: short,
		Example: fmt.Sprintf("fogd tx market %s 12D3KooW... --multiaddrs /ip4/127.0.0.1/tcp/4001 "+
			"--worker-pubkey <hex ed25519> --attributes region=eu-west --cpu 4000 --memory 8192 --from provider1", use),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			addrs, err := cmd.Flags().GetStringSlice(flagMultiaddrs)
			if err != nil {
				return err
			}
			keyHex, err := cmd.Flags().GetString(flagWorkerPubkey)
			if err != nil {
				return err
			}
			key, err := hex.DecodeString(keyHex)
			if err != nil {
				return fmt.Errorf("--%s: %w", flagWorkerPubkey, err)
			}
			attrStr, err := cmd.Flags().GetString(flagAttributes)
			if err != nil {
				return err
			}
			attrs, err := ParseAttributes(attrStr)
			if err != nil {
				return err
			}
			capacity, err := readResources(cmd.Flags())
			if err != nil {
				return err
			}
			owner := clientCtx.GetFromAddress().String()
			var msg sdk.Msg = &types.MsgRegisterProvider{Owner: owner, PeerId: args[0], Multiaddrs: addrs, WorkerPubkey: key, Capacity: capacity, Attributes: attrs}
			if update {
				msg = &types.MsgUpdateProvider{Owner: owner, PeerId: args[0], Multiaddrs: addrs, WorkerPubkey: key, Capacity: capacity, Attributes: attrs}
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().StringSlice(flagMultiaddrs, nil, "libp2p multiaddrs of the worker, comma separated")
	cmd.Flags().String(flagWorkerPubkey, "", "hex ed25519 public key the worker signs receipts with (optional until a worker registers)")
	cmd.Flags().String(flagAttributes, "", "self-declared attributes, key=value,key=value")
	addResourceFlags(cmd.Flags(), 1000, 1024)
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func createOrderCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create-order [workload-hash-hex] [max-price-per-block]",
		Short: "Post a compute order; escrows max-price × lease-blocks × replicas",
		Example: "fogd tx market create-order $(sha256sum app.wasm | cut -d' ' -f1) 10ufog --cpu 1000 --memory 512 " +
			"--storage 100 --lease-blocks 100 --sla-tier bronze --privacy public --commit-blocks 20 --reveal-blocks 5 --from customer",
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			hash, err := hex.DecodeString(args[0])
			if err != nil || len(hash) != types.WorkloadHashSize {
				return fmt.Errorf("workload hash: want %d bytes of hex, got %q", types.WorkloadHashSize, args[0])
			}
			maxPrice, err := sdk.ParseCoinNormalized(args[1])
			if err != nil {
				return fmt.Errorf("max price per block: %w", err)
			}
			msg, err := ReadOrderFlags(cmd.Flags())
			if err != nil {
				return err
			}
			msg.Owner, msg.WorkloadHash, msg.MaxPricePerBlock = clientCtx.GetFromAddress().String(), hash, maxPrice
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	AddOrderFlags(cmd.Flags(), CreateOrderDefaults)
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func bidsDir(cmd *cobra.Command, clientCtx client.Context) string {
	if dir, _ := cmd.Flags().GetString(flagBidsDir); dir != "" {
		return dir
	}
	return filepath.Join(clientCtx.HomeDir, "bids")
}

func commitBidCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "commit-bid [order-id] [price]",
		Short: "Commit a sealed bid; the price and a random salt are saved under <home>/bids before broadcasting",
		Long: "Commit a sealed bid on an order and lock the bid deposit. The price stays secret until " +
			"reveal-bid: only sha256(order id ‖ provider ‖ price ‖ salt) goes on chain. The salt is kept " +
			"in <home>/bids (or --bids-dir); losing it forfeits the deposit.",
		Example: "fogd tx market commit-bid 1 4ufog --from provider1",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			orderID, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("order id: %w", err)
			}
			price, err := sdk.ParseCoinNormalized(args[1])
			if err != nil {
				return fmt.Errorf("price: %w", err)
			}
			sealed, err := sealedbid.New(clientCtx.ChainID, orderID, clientCtx.GetFromAddress(), price)
			if err != nil {
				return err
			}
			if !clientCtx.GenerateOnly {
				replace, _ := cmd.Flags().GetBool(flagReplace)
				if err := sealed.Save(bidsDir(cmd, clientCtx), replace); err != nil {
					return fmt.Errorf("saving the sealed bid before broadcasting: %w", err)
				}
			}
			msg := &types.MsgCommitBid{Provider: sealed.Provider, OrderId: orderID, Commitment: sealed.Commitment}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(flagBidsDir, "", "where sealed bids are kept (default <home>/bids)")
	cmd.Flags().Bool(flagReplace, false, "replace a saved sealed bid of the same order (only after withdraw-bid, or if its commit never made it on chain)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func revealBidCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "reveal-bid [order-id]",
		Short:   "Reveal a sealed bid committed from this home during the order's reveal phase",
		Example: "fogd tx market reveal-bid 1 --from provider1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			orderID, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("order id: %w", err)
			}
			sealed, err := sealedbid.Load(bidsDir(cmd, clientCtx), clientCtx.ChainID, orderID, clientCtx.GetFromAddress().String())
			if err != nil {
				return err
			}
			msg := &types.MsgRevealBid{Provider: sealed.Provider, OrderId: orderID, Price: sealed.Price, Salt: sealed.Salt}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), msg)
		},
	}
	cmd.Flags().String(flagBidsDir, "", "where sealed bids are kept (default <home>/bids)")
	flags.AddTxFlagsToCmd(cmd)
	return cmd
}

func updateParamsProposalCmd() *cobra.Command {
	return govcli.UpdateParamsProposalCmd(types.ModuleName, func(authority string, p *types.Params) sdk.Msg {
		return &types.MsgUpdateParams{Authority: authority, Params: *p}
	})
}
