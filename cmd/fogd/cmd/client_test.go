package cmd

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"

	"github.com/fogchain/fog/x/market"
	marketcli "github.com/fogchain/fog/x/market/client/cli"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// `fogd tx market create-order` and `fogd client run` take the same order flags and read them into
// the same order; only the defaults of OrderDefaults differ.
func TestOrderFlagsOfCreateOrderAndClientRun(t *testing.T) {
	orderFlags := pflag.NewFlagSet("order", pflag.ContinueOnError)
	marketcli.AddOrderFlags(orderFlags, marketcli.OrderDefaults{})
	createOrder, _, err := marketcli.NewTxCmd().Find([]string{"create-order"})
	require.NoError(t, err)
	for _, c := range []struct {
		name     string
		flags    *pflag.FlagSet
		defaults marketcli.OrderDefaults
	}{
		{"create-order", createOrder.Flags(), marketcli.CreateOrderDefaults},
		{"client run", clientRunCmd().Flags(), clientRunOrderDefaults},
	} {
		t.Run(c.name, func(t *testing.T) {
			orderFlags.VisitAll(func(f *pflag.Flag) {
				got := c.flags.Lookup(f.Name)
				require.NotNil(t, got, "--%s", f.Name)
				require.Equal(t, f.Value.Type(), got.Value.Type(), "--%s", f.Name)
				require.Equal(t, f.Usage, got.Usage, "--%s", f.Name)
			})
			defaults, err := marketcli.ReadOrderFlags(c.flags)
			require.NoError(t, err)
			require.Equal(t, c.defaults, marketcli.OrderDefaults{CPUMillicores: defaults.Resources.CpuMillicores,
				MemoryMiB: defaults.Resources.MemoryMib, LeaseBlocks: defaults.LeaseBlocks,
				CommitBlocks: defaults.CommitBlocks, RevealBlocks: defaults.RevealBlocks})
		})
	}

	args := []string{"--cpu", "2000", "--memory", "1024", "--storage", "5", "--gpus", "1", "--lease-blocks", "70",
		"--sla-tier", "silver", "--privacy", "private", "--commit-blocks", "30", "--reveal-blocks", "12",
		"--min-reputation-tier", "gold", "--tee-type", "simulated"}
	owner := sdk.AccAddress(bytes.Repeat([]byte{1}, 20)).String()
	hash := bytes.Repeat([]byte{0xab}, markettypes.WorkloadHashSize)

	// create-order builds its message from the flags (--generate-only prints it)
	enc := moduletestutil.MakeTestEncodingConfig(market.AppModule{})
	var out bytes.Buffer
	clientCtx := client.Context{}.WithCodec(enc.Codec).WithInterfaceRegistry(enc.InterfaceRegistry).
		WithTxConfig(enc.TxConfig).WithKeyring(keyring.NewInMemory(enc.Codec)).WithHomeDir(t.TempDir()).WithOutput(&out)
	txCmd := marketcli.NewTxCmd()
	txCmd.SetOut(&out)
	txCmd.SetErr(&out)
	txCmd.SetArgs(append([]string{"create-order", hex.EncodeToString(hash), "10ufog",
		"--generate-only", "--from", owner, "--chain-id", "fog-test"}, args...))
	require.NoError(t, txCmd.ExecuteContext(context.WithValue(context.Background(), client.ClientContextKey, &clientCtx)), out.String())
	tx, err := enc.TxConfig.TxJSONDecoder()(out.Bytes())
	require.NoError(t, err, out.String())
	require.Len(t, tx.GetMsgs(), 1)
	created := tx.GetMsgs()[0].(*markettypes.MsgCreateOrder)

	// client run reads the same flags into the order it posts
	wasm := filepath.Join(t.TempDir(), "w.wasm")
	require.NoError(t, os.WriteFile(wasm, []byte("\x00asm"), 0o600))
	run := clientRunCmd()
	require.NoError(t, run.ParseFlags(append([]string{"--wasm", wasm, "--max-price", "10ufog"}, args...)))
	o, err := readOrder(run)
	require.NoError(t, err)

	require.Equal(t, markettypes.MsgCreateOrder{
		Owner: owner, WorkloadHash: hash, MaxPricePerBlock: o.MaxPrice, Resources: o.Resources, Tier: o.Tier,
		Privacy: o.Privacy, LeaseBlocks: o.LeaseBlocks, CommitBlocks: o.CommitBlocks, RevealBlocks: o.RevealBlocks,
		MinReputationTier: o.MinReputationTier, TeeRequired: o.TeeRequired, TeeType: o.TeeType,
	}, *created)
	require.Equal(t, markettypes.Resources{CpuMillicores: 2000, MemoryMib: 1024, StorageMib: 5, Gpus: 1}, created.Resources)
	require.True(t, created.TeeRequired, "--tee-type implies --tee-required")
}
