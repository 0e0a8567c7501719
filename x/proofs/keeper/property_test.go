package keeper_test

import (
	"errors"
	"math/big"
	"testing"

	errorsmod "cosmossdk.io/errors"
	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/paramsgen"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

// The charges never overflow: for every params governance can set and every circuit size there can
// be, VerifyGas and KeyLoadGas are the exact sums, and both together fit a gas meter.
func TestGasChargesNeverOverflow(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		p := paramsgen.Proofs().Draw(rt, "params")
		n := paramsgen.Uint32(0, types.MaxPublicInputsLimit).Draw(rt, "inputs")
		exact := func(base, perInput uint64) *big.Int {
			v := new(big.Int).Mul(new(big.Int).SetUint64(perInput), big.NewInt(int64(n)))
			return v.Add(v, new(big.Int).SetUint64(base))
		}
		verify, load := types.VerifyGas(p, n), types.KeyLoadGas(p, n)
		require.Equal(rt, exact(p.VerifyGas, p.VerifyGasPerInput), new(big.Int).SetUint64(verify))
		require.Equal(rt, exact(p.KeyLoadGas, p.KeyLoadGasPerInput), new(big.Int).SetUint64(load))
		require.Less(rt, verify+load, uint64(1)<<63)
	})
}

// For every params governance can set — including after a circuit was registered under others —
// VerifyProof never panics: it accepts exactly the genuine proof against the active circuit, refuses
// everything else with one of the module's errors, always charges at least the verification gas
// once past the cheap checks, and keeps the warm set within its bound.
func TestVerifyProofHoldsForAllValidParams(t *testing.T) {
	base := fixture.New(t)
	rng := setup(t, "range")
	active, err := register(t, base, "range", rng.vk, 3)
	require.NoError(t, err)
	inactive, err := register(t, base, "range-off", rng.vk, 3)
	require.NoError(t, err)
	_, err = keeper.NewMsgServerImpl(base.Proofs).DeactivateCircuit(base.Ctx, &types.MsgDeactivateCircuit{Authority: gov, CircuitId: inactive})
	require.NoError(t, err)
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	refusals := []*errorsmod.Error{types.ErrCircuitNotFound, types.ErrCircuitInactive, types.ErrTooLarge, types.ErrMalformedProof,
		types.ErrInvalidProof, types.ErrInvalidCircuit}

	rapid.Check(t, func(rt *rapid.T) {
		f := base.Fork()
		for i := rapid.IntRange(1, 3).Draw(rt, "params changes"); i > 0; i-- {
			p := paramsgen.Proofs().Draw(rt, "params")
			_, err := keeper.NewMsgServerImpl(f.Proofs).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
			require.NoError(rt, err)
		}
		p, err := f.Proofs.Params.Get(f.Ctx)
		require.NoError(rt, err)
		k := f.Proofs
		if rapid.Bool().Draw(rt, "node just started") {
			k = k.WithEmptyKeyCache()
		}
		for step := rapid.IntRange(1, 4).Draw(rt, "verifications"); step > 0; step-- {
			f.SetHeight(f.Height() + paramsgen.Int64(0, 3).Draw(rt, "blocks"))
			circuit := rapid.SampledFrom([]uint64{active, active, inactive, 0, 99}).Draw(rt, "circuit")
			pr, in := proof, inputs
			tamper := rapid.IntRange(0, 4).Draw(rt, "tamper")
			switch tamper {
			case 1:
				pr = rapid.SliceOfN(rapid.Byte(), 0, 2048).Draw(rt, "proof bytes")
			case 2:
				pr = pr[:rapid.IntRange(0, len(pr)-1).Draw(rt, "truncated")]
			case 3:
				in = rapid.SliceOfN(rapid.SliceOfN(rapid.Byte(), 0, 40), 0, 6).Draw(rt, "inputs")
			case 4:
				in = append([][]byte{}, inputs...)
				in[1] = make([]byte, 32)
			}
			ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
			err := k.VerifyProof(ctx, circuit, in, pr)
			genuine := circuit == active && tamper == 0
			if err == nil {
				require.True(rt, genuine, "only the genuine proof verifies")
				require.GreaterOrEqual(rt, ctx.GasMeter().GasConsumed(), types.VerifyGas(p, 3))
			} else {
				known := false
				for _, r := range refusals {
					known = known || errors.Is(err, r)
				}
				require.True(rt, known, "refused with a registered error: %v", err)
			}
			n, err := f.Proofs.WarmCount.Get(f.Ctx)
			if err == nil {
				require.LessOrEqual(rt, n, uint64(p.MaxWarmCircuits))
			}
		}
		gs, err := f.Proofs.ExportGenesis(f.Ctx)
		require.NoError(rt, err)
		require.NoError(rt, keeper.ValidateGenesis(gs), "the state stays one genesis accepts")
	})
}
