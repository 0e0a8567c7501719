package cmd

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/wire"
	"github.com/fogchain/fog/x/market"
	marketcli "github.com/fogchain/fog/x/market/client/cli"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
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

// What `fogd client run` writes once the run is over: every receipt (with its verdict in a
// replicated order), and the result, which is the majority's output; without a majority, no output.
func TestClientRunWritesTheMajorityResult(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	replica := func(id uint64, output string) customer.Replica {
		return customer.Replica{Lease: markettypes.Lease{Id: id, Provider: fmt.Sprintf("provider-%d", id)}, Output: []byte(output),
			Receipt: wire.SignedReceipt{Receipt: &wire.Receipt{LeaseId: id, TaskSeq: 1, OutputHash: wire.Hash([]byte(output))}, Signature: []byte{1}}}
	}
	ballot := func(r customer.Replica, v customer.Verdict) customer.Ballot {
		return customer.Ballot{Lease: r.Lease, Replica: &r, Verdict: v}
	}
	honest, liar, other := replica(10, "right"), replica(11, "wrong"), replica(12, "right")
	majority := customer.OutcomeOf(honest.Receipt.Receipt)
	run := func(t *testing.T, res *customer.Result, flags ...string) (dir, stdout, stderr string) {
		dir = t.TempDir()
		cmd := clientRunCmd()
		require.NoError(t, cmd.ParseFlags(append([]string{"--receipt-out", filepath.Join(dir, "receipt.json"), "--out", filepath.Join(dir, "out")}, flags...)))
		var o, e bytes.Buffer
		cmd.SetOut(&o)
		cmd.SetErr(&e)
		require.NoError(t, writeResult(cmd, cdc, res))
		return dir, o.String(), e.String()
	}

	t.Run("majority with a disagreement", func(t *testing.T) {
		res := &customer.Result{Order: markettypes.Order{Id: 7, Replicas: 3}, Replicas: []customer.Replica{honest, liar, other},
			Output: honest.Output, Tally: &customer.Tally{OrderID: 7, Majority: &majority, Output: honest.Output,
				Ballots: []customer.Ballot{ballot(honest, customer.VerdictMajority), ballot(liar, customer.VerdictDisagrees), ballot(other, customer.VerdictMajority)}},
			Disagreement: &customer.Disagreement{OrderID: 7, Majority: &majority, Agreeing: []customer.Replica{honest, other}, Disagreeing: []customer.Replica{liar}}}
		dir, stdout, stderr := run(t, res)
		out, err := os.ReadFile(filepath.Join(dir, "out"))
		require.NoError(t, err)
		require.Equal(t, "right", string(out))
		require.Empty(t, stdout)
		for i, r := range res.Replicas {
			bz, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("receipt.json.%d", i)))
			require.NoError(t, err)
			var saved wire.AnchoredReceipt
			require.NoError(t, cdc.UnmarshalJSON(bz, &saved))
			require.Equal(t, r.Lease.Id, saved.Receipt.Receipt.LeaseId)
		}
		require.Contains(t, stderr, "receipt of lease 11 (disagrees) saved to "+filepath.Join(dir, "receipt.json.1"))
		require.Contains(t, stderr, "receipt of lease 10 (majority) saved to")
		require.Contains(t, stderr, "output written to "+filepath.Join(dir, "out"))
		require.Contains(t, stderr, "WARNING: order 7: 1 of its 3 replicas disagreed with the majority")
		require.Contains(t, stderr, "audits: none requested\n")

		// the audit of the liar's receipt is in the last word
		res.Audits = []customer.AuditOutcome{{Receipt: &wire.AnchoredReceipt{Receipt: &liar.Receipt},
			Requested: &quorumtypes.MsgRequestAuditResponse{AuditId: 3}, Audit: quorumtypes.Audit{Id: 3, State: quorumtypes.AuditFailed}}}
		_, _, stderr = run(t, res)
		require.Contains(t, stderr, "disagreed with the majority (see the vote above; their receipts are saved); audits: lease 11 FAILED (audit 3)\n")

		_, _, stderr = run(t, res, "--no-audit")
		require.Contains(t, stderr, "their receipts are saved); no audit was requested (--no-audit)\n")
	})

	t.Run("no majority", func(t *testing.T) {
		res := &customer.Result{Order: markettypes.Order{Id: 8, Replicas: 2}, Replicas: []customer.Replica{honest, liar},
			Tally:        &customer.Tally{OrderID: 8, Ballots: []customer.Ballot{ballot(honest, customer.VerdictNoMajority), ballot(liar, customer.VerdictNoMajority)}},
			Disagreement: &customer.Disagreement{OrderID: 8, Disagreeing: []customer.Replica{honest, liar}}}
		dir, stdout, stderr := run(t, res)
		require.NoFileExists(t, filepath.Join(dir, "out"))
		require.Empty(t, stdout)
		require.FileExists(t, filepath.Join(dir, "receipt.json.0"))
		require.FileExists(t, filepath.Join(dir, "receipt.json.1"))
		require.Contains(t, stderr, "no output written: the replicas of order 8 have no majority")
	})

	t.Run("bronze", func(t *testing.T) {
		res := &customer.Result{Order: markettypes.Order{Id: 9, Replicas: 1}, Replicas: []customer.Replica{honest}, Output: honest.Output}
		dir, _, stderr := run(t, res)
		out, err := os.ReadFile(filepath.Join(dir, "out"))
		require.NoError(t, err)
		require.Equal(t, "right", string(out))
		require.FileExists(t, filepath.Join(dir, "receipt.json"))
		require.Contains(t, stderr, "receipt of lease 10 saved to "+filepath.Join(dir, "receipt.json")+"\n")
	})
}
