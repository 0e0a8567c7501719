package keeper_test

import (
	"fmt"
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/calib"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

// anchorGas is the gas of one MsgAnchorBatch of n receipts.
func anchorGas(t *testing.T, n int) uint64 {
	f := fixture.New(t)
	l := activeLease(t, f)
	root, _ := types.MerkleProofs(receipts(n))
	ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	_, err := keeper.NewMsgServerImpl(f.Proofs).AnchorBatch(ctx, &types.MsgAnchorBatch{
		Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root, LeafCount: uint64(n)})
	require.NoError(t, err)
	return ctx.GasMeter().GasConsumed()
}

// One transaction anchors a whole batch, so the cost per receipt falls as 1/N (the gas of the
// message does not depend on N; gas is deterministic, so this is asserted, not timed).
func TestAnchorGasPerReceiptFallsAsOneOverN(t *testing.T) {
	var base uint64
	for _, n := range []int{1, 16, 256, 4096} {
		g := anchorGas(t, n)
		if n == 1 {
			base = g
		}
		t.Logf("anchor %5d receipts: %d gas, %.1f gas per receipt", n, g, float64(g)/float64(n))
		// only the stored leaf count's varint grows with N
		require.LessOrEqual(t, float64(g), float64(base)*1.01, "the message's gas does not depend on the batch size")
	}
}

// BenchmarkAnchorBatch is one MsgAnchorBatch of n receipts: its time, its gas and the gas per receipt.
func BenchmarkAnchorBatch(b *testing.B) {
	for _, n := range []int{1, 16, 256, 4096} {
		b.Run(fmt.Sprintf("receipts=%d", n), func(b *testing.B) {
			f := fixture.New(b)
			l := activeLease(b, f)
			root, _ := types.MerkleProofs(receipts(n))
			msg := keeper.NewMsgServerImpl(f.Proofs)
			var gas uint64
			for b.Loop() {
				ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				if _, err := msg.AnchorBatch(ctx, &types.MsgAnchorBatch{
					Submitter: l.Provider, LeaseId: l.Id, Kind: types.BatchKindExecution, MerkleRoot: root, LeafCount: uint64(n)}); err != nil {
					b.Fatal(err)
				}
				gas = ctx.GasMeter().GasConsumed()
			}
			b.ReportMetric(float64(gas), "gas/op")
			b.ReportMetric(float64(gas)/float64(n), "gas/receipt")
		})
	}
}

// BenchmarkMsgVerifyProof is one MsgVerifyProof through the message server, as a transaction runs
// it: circuit and params reads, the charge, the verification (key cached after the first) and the
// claim's write. Its gas and time are compared with a secp256k1 check (1000 gas) in BENCHMARKS.md.
func BenchmarkMsgVerifyProof(b *testing.B) {
	witnesses := map[string][]byte{
		"range":          []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`),
		"norm_bound_64":  normWitness(),
		"set_membership": []byte(`{"value": 7, "set": [1, 3, 7, 9]}`),
	}
	for _, name := range []string{"range", "norm_bound_64", "set_membership"} {
		b.Run(name, func(b *testing.B) {
			f := fixture.New(b)
			k := setup(b, name)
			n, err := prover.PublicInputCount(name)
			require.NoError(b, err)
			id, err := register(b, f, name, k.vk, uint32(n))
			require.NoError(b, err)
			proof, inputs, err := prover.Prove(name, k.pk, witnesses[name])
			require.NoError(b, err)
			msg := keeper.NewMsgServerImpl(f.Proofs)
			submitter := f.NewAccount(b, 0).String()
			var gas uint64
			calib.VsSecp256k1(b, func() {
				ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				if _, err := msg.VerifyProof(ctx, &types.MsgVerifyProof{Submitter: submitter, CircuitId: id, PublicInputs: inputs, Proof: proof}); err != nil {
					b.Fatal(err)
				}
				gas = ctx.GasMeter().GasConsumed()
			})
			params, err := f.Proofs.Params.Get(f.Ctx)
			require.NoError(b, err)
			b.ReportMetric(float64(gas), "gas/op")
			b.ReportMetric(float64(types.VerifyGas(params, uint32(n))), "charge-gas")
			b.ReportMetric(float64(n), "inputs")
		})
	}
}
