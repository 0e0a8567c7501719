package cmd

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/wire"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// `fogd client audit` reads the file `fogd client run` saves and checks it against the module and
// input before anything is paid.
func TestClientAuditReadsAndChecksItsFiles(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	dir := t.TempDir()
	module, input := []byte("\x00asm module"), []byte("input")
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	signed, err := wire.SignReceipt(wire.Receipt{LeaseId: 4, TaskSeq: 1, ModuleHash: wire.Hash(module), InputHash: wire.Hash(input),
		OutputHash: wire.Hash([]byte("out")), WorkerPubkey: pub}, key)
	require.NoError(t, err)
	write := func(name string, a *wire.AnchoredReceipt) string {
		bz, err := cdc.MarshalJSON(a)
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, bz, 0o600))
		return path
	}
	anchoredPath := write("anchored.json", &wire.AnchoredReceipt{Receipt: &signed, BatchId: 2, Proof: &proofstypes.MerkleProof{Index: 0, Total: 1}})
	bareReceipt := write("bare.json", &wire.AnchoredReceipt{Receipt: &signed}) // as saved when it was not anchored
	modulePath, inputPath := filepath.Join(dir, "m.wasm"), filepath.Join(dir, "in")
	require.NoError(t, os.WriteFile(modulePath, module, 0o600))
	require.NoError(t, os.WriteFile(inputPath, input, 0o600))

	cmd := clientAuditCmd()
	require.Equal(t, "text", cmd.Flags().Lookup(flags.FlagOutput).Value.String(), "the verdict is text unless --output json")
	require.NoError(t, cmd.ParseFlags([]string{"--module", modulePath, "--input", inputPath}))
	a, m, in, err := readAuditFiles(cmd, cdc, anchoredPath)
	require.NoError(t, err)
	require.Equal(t, uint64(2), a.BatchId)
	require.NoError(t, customer.CheckAuditable(a, m, in))

	a, m, in, err = readAuditFiles(cmd, cdc, bareReceipt)
	require.NoError(t, err)
	require.ErrorIs(t, customer.CheckAuditable(a, m, in), customer.ErrNotAnchored)

	other := clientAuditCmd()
	require.NoError(t, other.ParseFlags([]string{"--module", modulePath})) // no --input: the empty input
	a, m, in, err = readAuditFiles(other, cdc, anchoredPath)
	require.NoError(t, err)
	require.ErrorContains(t, customer.CheckAuditable(a, m, in), "not the input the receipt names")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk.json"), []byte(`{"foo": 1}`), 0o600))
	_, _, _, err = readAuditFiles(cmd, cdc, filepath.Join(dir, "junk.json"))
	require.ErrorContains(t, err, "not a receipt saved by fogd client run")

	require.NotNil(t, clientRunCmd().Flags().Lookup(flagNoAudit))
	require.NotNil(t, clientRunCmd().Flags().Lookup(flagAuditListen))
}

// The verdict, as text or as one JSON object; no verdict is an error (a non-zero exit status).
func TestClientAuditPrintsTheVerdict(t *testing.T) {
	provider := sdk.AccAddress(bytes.Repeat([]byte{9}, 20)).String()
	members := []string{sdk.AccAddress(bytes.Repeat([]byte{1}, 20)).String(), sdk.AccAddress(bytes.Repeat([]byte{2}, 20)).String(),
		sdk.AccAddress(bytes.Repeat([]byte{3}, 20)).String()}
	receipt := wire.SignedReceipt{Receipt: &wire.Receipt{LeaseId: 4, TaskSeq: 1, Provider: provider, OutputHash: bytes.Repeat([]byte{0xaa}, 32)}}
	bond, zero := sdk.NewInt64Coin("ufog", 5000), sdk.NewInt64Coin("ufog", 0)
	au := quorumtypes.Audit{Id: 6, LeaseId: 4, TaskSeq: 1, Provider: provider, ReceiptOutputHash: receipt.Receipt.OutputHash,
		State: quorumtypes.AuditFailed, MajorityOutputHash: bytes.Repeat([]byte{0xbb}, 32), BondSlashed: bond,
		ToRequester: sdk.NewInt64Coin("ufog", 4000), DecidedHeight: 140}
	for i, m := range members {
		v := quorumtypes.AuditVote{Auditor: m, WithMajority: i < 2, Slashed: zero, Paid: zero}
		if i == 2 {
			v.Slashed = sdk.NewInt64Coin("ufog", 1_000_000)
		}
		au.Committee = append(au.Committee, v)
	}
	o := customer.AuditOutcome{Receipt: &wire.AnchoredReceipt{Receipt: &receipt, BatchId: 1},
		Requested: &quorumtypes.MsgRequestAuditResponse{AuditId: 6, Committee: members, CommitDeadline: 120, RevealDeadline: 140}, Audit: au}

	var out bytes.Buffer
	cmd := clientAuditCmd()
	cmd.SetOut(&out)
	require.NoError(t, printAudit(cmd, "text", o))
	require.Contains(t, out.String(), "audit 6 FAILED at height 140: the committee's majority (2 of 3) computed output hash bbbb")
	require.Contains(t, out.String(), "audit 6: the provider's lease bond slashed: 5000ufog; paid to the requester: 4000ufog")
	require.Contains(t, out.String(), "committee members whose verifier deposit was slashed: "+members[2]+" (1000000ufog)")

	out.Reset()
	require.NoError(t, printAudit(cmd, "json", o))
	var report map[string]any
	require.NoError(t, json.Unmarshal(out.Bytes(), &report), out.String())
	require.Equal(t, "failed", report["state"])
	require.Equal(t, float64(6), report["audit_id"])
	require.Equal(t, float64(4), report["lease_id"])
	require.Equal(t, provider, report["provider"])
	require.Equal(t, "5000ufog", report["bond_slashed"])
	require.Equal(t, "4000ufog", report["to_requester"])
	require.Equal(t, []any{members[2]}, report["slashed_auditors"])
	require.Len(t, report["majority_output_hash"], 64)
	require.Equal(t, float64(140), report["reveal_deadline"])

	o.Audit = quorumtypes.Audit{Id: 6, State: quorumtypes.AuditOpen}
	require.ErrorContains(t, printAudit(cmd, "text", o), "audit 6 was not decided")
}
