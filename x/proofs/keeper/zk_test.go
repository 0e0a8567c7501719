package keeper_test

import (
	"sync"
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

type keys struct{ pk, vk []byte }

var (
	setupOnce sync.Map // circuit name → keys
)

func setup(t testing.TB, name string) keys {
	if k, ok := setupOnce.Load(name); ok {
		return k.(keys)
	}
	pk, vk, err := prover.Setup(name)
	require.NoError(t, err)
	k := keys{pk, vk}
	setupOnce.Store(name, k)
	return k
}

var gov = authtypes.NewModuleAddress(govtypes.ModuleName).String()

func register(t testing.TB, f *fixture.Fixture, name string, vk []byte, inputs uint32) (uint64, error) {
	res, err := keeper.NewMsgServerImpl(f.Proofs).RegisterCircuit(f.Ctx, &types.MsgRegisterCircuit{
		Authority: gov, Name: name, Description: "test", VerifyingKey: vk, PublicInputCount: inputs})
	if err != nil {
		return 0, err
	}
	return res.CircuitId, nil
}

func TestCircuitRegistry(t *testing.T) {
	f := fixture.New(t)
	rng := setup(t, "range")
	msg := keeper.NewMsgServerImpl(f.Proofs)
	id, err := register(t, f, "range", rng.vk, 3)
	require.NoError(t, err)
	require.Equal(t, uint64(1), id)

	_, err = register(t, f, "range", rng.vk, 3)
	require.ErrorIs(t, err, types.ErrCircuitExists)
	_, err = register(t, f, "range-2", rng.vk, 2)
	require.ErrorIs(t, err, types.ErrInvalidCircuit, "the key has 3 public inputs")
	_, err = register(t, f, "garbage", []byte("not a key"), 3)
	require.ErrorIs(t, err, types.ErrInvalidCircuit)
	_, err = register(t, f, "huge", make([]byte, 1<<20), 3)
	require.ErrorIs(t, err, types.ErrInvalidCircuit)
	_, err = msg.RegisterCircuit(f.Ctx, &types.MsgRegisterCircuit{Authority: f.NewAccount(t, 0).String(), Name: "x", VerifyingKey: rng.vk, PublicInputCount: 3})
	require.ErrorIs(t, err, types.ErrInvalidAuthority)

	_, err = msg.DeactivateCircuit(f.Ctx, &types.MsgDeactivateCircuit{Authority: gov, CircuitId: id})
	require.NoError(t, err)
	c, err := f.Proofs.Circuits.Get(f.Ctx, id)
	require.NoError(t, err)
	require.False(t, c.Active)
}

func TestVerifyProofOnChain(t *testing.T) {
	f := fixture.New(t)
	rng, norm := setup(t, "range"), setup(t, "norm_bound_64")
	rangeID, err := register(t, f, "range", rng.vk, 3)
	require.NoError(t, err)
	normID, err := register(t, f, "norm_bound_64", norm.vk, 2)
	require.NoError(t, err)
	msg := keeper.NewMsgServerImpl(f.Proofs)
	submitter := f.NewAccount(t, 0).String()

	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)

	ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	res, err := msg.VerifyProof(ctx, &types.MsgVerifyProof{Submitter: submitter, CircuitId: rangeID, PublicInputs: inputs, Proof: proof})
	require.NoError(t, err)
	params, _ := f.Proofs.Params.Get(f.Ctx)
	require.GreaterOrEqual(t, ctx.GasMeter().GasConsumed(), keeper.VerifyGas(params, 3), "verification is charged")
	claim, err := f.Proofs.Claims.Get(f.Ctx, res.ClaimId)
	require.NoError(t, err)
	require.Equal(t, keeper.PublicInputsHash(inputs), claim.PublicInputsHash)
	require.Equal(t, rangeID, claim.CircuitId)

	other := append([][]byte{}, inputs...)
	other[1] = make([]byte, 32) // lo = 0 instead of 10
	normProof, normInputs, err := prover.Prove("norm_bound_64", norm.pk, normWitness())
	require.NoError(t, err)

	for _, c := range []struct {
		name    string
		circuit uint64
		inputs  [][]byte
		proof   []byte
		want    error
	}{
		{"other public inputs", rangeID, other, proof, types.ErrInvalidProof},
		{"proof of another circuit", rangeID, append(normInputs, inputs[2]), normProof, types.ErrInvalidProof},
		{"wrong number of inputs", normID, inputs, proof, types.ErrMalformedProof},
		{"truncated proof", rangeID, inputs, proof[:len(proof)/2], types.ErrMalformedProof},
		{"oversized proof", rangeID, inputs, make([]byte, 4096), types.ErrTooLarge},
		{"garbage proof", rangeID, inputs, make([]byte, len(proof)), types.ErrMalformedProof},
		{"input above the field modulus", rangeID, [][]byte{inputs[0], inputs[1], bytesOf(0xff, 32)}, proof, types.ErrMalformedProof},
		{"unknown circuit", 99, inputs, proof, types.ErrCircuitNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, err := f.Proofs.ClaimSeq.Peek(f.Ctx)
			require.NoError(t, err)
			_, err = msg.VerifyProof(f.Ctx, &types.MsgVerifyProof{Submitter: submitter, CircuitId: c.circuit, PublicInputs: c.inputs, Proof: c.proof})
			require.ErrorIs(t, err, c.want)
			after, err := f.Proofs.ClaimSeq.Peek(f.Ctx)
			require.NoError(t, err)
			require.Equal(t, before, after, "a rejected proof stores no claim")
		})
	}

	_, err = msg.DeactivateCircuit(f.Ctx, &types.MsgDeactivateCircuit{Authority: gov, CircuitId: rangeID})
	require.NoError(t, err)
	_, err = msg.VerifyProof(f.Ctx, &types.MsgVerifyProof{Submitter: submitter, CircuitId: rangeID, PublicInputs: inputs, Proof: proof})
	require.ErrorIs(t, err, types.ErrCircuitInactive)

	// genesis carries circuits and claims
	gs, err := f.Proofs.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.Circuits, 2)
	require.Len(t, gs.Claims, 1)
	g := fixture.New(t)
	require.NoError(t, g.Proofs.InitGenesis(g.Ctx, gs))
	again, err := g.Proofs.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
}

func normWitness() []byte {
	xs := make([]byte, 0, 64*4)
	xs = append(xs, '[')
	for i := 0; i < 64; i++ {
		if i > 0 {
			xs = append(xs, ',')
		}
		xs = append(xs, '3')
	}
	xs = append(xs, ']')
	return []byte(`{"x": ` + string(xs) + `, "salt": "0x1234", "bound": 1000}`)
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// The gas of a verification is the params' price for the circuit's input count, the same for a node
// that has the key parsed in its cache and one that has just started; and the cache never lets a key
// through that the current params refuse.
func TestVerifyGasIsFlatAndTheKeyCacheInvisible(t *testing.T) {
	f := fixture.New(t)
	rng := setup(t, "range")
	id, err := register(t, f, "range", rng.vk, 3)
	require.NoError(t, err)
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	params, err := f.Proofs.Params.Get(f.Ctx)
	require.NoError(t, err)

	gasOf := func(k keeper.Keeper, inputs [][]byte) (uint64, error) {
		ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
		before := ctx.GasMeter().GasConsumed()
		err := k.VerifyProof(ctx, id, inputs, proof)
		return ctx.GasMeter().GasConsumed() - before, err
	}
	cold, err := gasOf(f.Proofs, inputs)
	require.NoError(t, err)
	warm, err := gasOf(f.Proofs, inputs)
	require.NoError(t, err)
	require.Equal(t, cold, warm, "a cached key costs the same gas")
	bad := append([][]byte{}, inputs...)
	bad[1] = make([]byte, 32)
	failed, err := gasOf(f.Proofs, bad)
	require.ErrorIs(t, err, types.ErrInvalidProof)
	require.Equal(t, warm, failed, "a failing proof costs the same gas: the pairing ran")
	require.GreaterOrEqual(t, warm, keeper.VerifyGas(params, 3))
	require.Less(t, warm-keeper.VerifyGas(params, 3), uint64(5_000), "the rest is the store reads of the circuit (its key) and params")
	require.LessOrEqual(t, keeper.VerifyGas(params, 3), uint64(10_000), "at most 10 secp256k1 checks (1000 gas each)")

	// governance lowers the key size bound below this key's size: the cached parse must not hide it
	params.MaxVerifyingKeyBytes = uint32(len(rng.vk) - 1)
	require.NoError(t, f.Proofs.Params.Set(f.Ctx, params))
	_, err = gasOf(f.Proofs, inputs)
	require.ErrorIs(t, err, types.ErrInvalidCircuit)
}

func TestVerifyGasParamsCannotOverflow(t *testing.T) {
	p := types.DefaultParams()
	p.VerifyGasPerInput = 1 << 63
	require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
	p = types.DefaultParams()
	p.VerifyGas = 1 << 63
	require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
	require.NoError(t, types.DefaultParams().Validate())
}
