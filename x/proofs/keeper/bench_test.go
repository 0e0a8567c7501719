package keeper_test

import (
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
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
