package keeper_test

import (
	"fmt"
	"sync"
	"testing"

	storetypes "cosmossdk.io/store/types"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
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
	require.GreaterOrEqual(t, ctx.GasMeter().GasConsumed(), types.VerifyGas(params, 3), "verification is charged")
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

// A verification against a circuit outside the warm set pays exactly the key-load gas more than one
// against a warm circuit; the gas depends on the consensus warm set only, so a node that has just
// started (no parsed key in memory) charges what a node with the key parsed charges, and a failing
// proof costs what a valid one does.
func TestKeyLoadGasFollowsTheWarmSetNotTheMemoryCache(t *testing.T) {
	f := fixture.New(t)
	rng := setup(t, "range")
	id, err := register(t, f, "range", rng.vk, 3)
	require.NoError(t, err)
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	params, err := f.Proofs.Params.Get(f.Ctx)
	require.NoError(t, err)
	bad := append([][]byte{}, inputs...)
	bad[1] = make([]byte, 32)

	// gasOf runs a verification with k on a copy of the current state, which it keeps if commit.
	gasOf := func(k keeper.Keeper, inputs [][]byte, commit bool) (uint64, error) {
		ctx, write := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter()).CacheContext()
		err := k.VerifyProof(ctx, id, inputs, proof)
		if commit {
			write()
		}
		return ctx.GasMeter().GasConsumed(), err
	}

	fresh := f.Proofs.WithEmptyKeyCache()
	coldFresh, err := gasOf(fresh, inputs, false)
	require.NoError(t, err)
	cold, err := gasOf(f.Proofs, inputs, true)
	require.NoError(t, err)
	require.Equal(t, cold, coldFresh, "cold: the same gas whatever the node holds")
	require.True(t, f.Proofs.KeyCached(id))

	warm, err := gasOf(f.Proofs, inputs, false)
	require.NoError(t, err)
	warmFresh, err := gasOf(f.Proofs.WithEmptyKeyCache(), inputs, false)
	require.NoError(t, err)
	require.Equal(t, warm, warmFresh, "warm: the same gas on a node that must parse the key again")
	require.Equal(t, types.KeyLoadGas(params, 3), cold-warm, "cold costs exactly the key-load gas more")
	require.Equal(t, uint64(5_210), types.KeyLoadGas(params, 3))

	f.SetHeight(f.Height() + 1)
	later, err := gasOf(f.Proofs, inputs, true)
	require.NoError(t, err)
	require.Equal(t, warm, later, "a warm circuit used in a later block costs the same")
	failed, err := gasOf(f.Proofs, bad, false)
	require.ErrorIs(t, err, types.ErrInvalidProof)
	require.Equal(t, warm, failed, "a failing proof costs the same gas: the pairing ran")
	require.GreaterOrEqual(t, warm, types.VerifyGas(params, 3))
	require.Less(t, warm-types.VerifyGas(params, 3), uint64(5_000), "the rest is the store reads of the circuit (its key) and params")
	require.LessOrEqual(t, types.VerifyGas(params, 3), uint64(10_000), "at most 10 secp256k1 checks (1000 gas each)")

	// governance lowers the key size bound below this key's size: the warm set empties, and the
	// cached parse does not hide that the key no longer parses
	params.MaxVerifyingKeyBytes = uint32(len(rng.vk) - 1)
	_, err = keeper.NewMsgServerImpl(f.Proofs).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: params})
	require.NoError(t, err)
	has, err := f.Proofs.Warm.Has(f.Ctx, id)
	require.NoError(t, err)
	require.False(t, has, "new key limits empty the warm set")
	refused, err := gasOf(f.Proofs, inputs, false)
	require.ErrorIs(t, err, types.ErrInvalidCircuit)
	require.GreaterOrEqual(t, refused, types.VerifyGas(params, 3)+types.KeyLoadGas(params, 3), "the load was charged before the key was parsed")
}

// The warm set holds max_warm_circuits circuits and evicts the one with the lowest (last use height,
// circuit id): the same on every node. Deactivation and a smaller bound make room at once.
func TestWarmSetEvictionOrder(t *testing.T) {
	f := fixture.New(t)
	rng := setup(t, "range")
	ids := make([]uint64, 4)
	for i := range ids {
		var err error
		ids[i], err = register(t, f, fmt.Sprintf("range-%d", i), rng.vk, 3)
		require.NoError(t, err)
	}
	proof, inputs, err := prover.Prove("range", rng.pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)
	msg := keeper.NewMsgServerImpl(f.Proofs)
	params, err := f.Proofs.Params.Get(f.Ctx)
	require.NoError(t, err)
	params.MaxWarmCircuits = 2
	_, err = msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: params})
	require.NoError(t, err)

	// use verifies against circuit i and returns the key-load event's evicted circuit (0: none), or
	// -1 if the circuit was warm.
	use := func(i int) int64 {
		ctx := f.Ctx.WithEventManager(sdk.NewEventManager())
		require.NoError(t, f.Proofs.VerifyProof(ctx, ids[i], inputs, proof))
		for _, ev := range ctx.EventManager().Events() {
			if ev.Type == "fog.proofs.v1.EventCircuitKeyLoaded" {
				parsed, err := sdk.ParseTypedEvent(abci.Event(ev))
				require.NoError(t, err)
				return int64(parsed.(*types.EventCircuitKeyLoaded).EvictedCircuitId)
			}
		}
		return -1
	}
	warmSet := func() (out []uint64) {
		require.NoError(t, f.Proofs.Warm.Walk(f.Ctx, nil, func(id uint64, _ int64) (bool, error) {
			out = append(out, id)
			return false, nil
		}))
		return out
	}

	require.Equal(t, int64(0), use(1), "cold, room left")
	require.Equal(t, int64(0), use(0), "cold, room left")
	require.Equal(t, int64(-1), use(1), "warm")
	// both last used at this height: the lower id leaves first, whatever the order of use
	require.Equal(t, int64(ids[0]), use(2))
	require.Equal(t, []uint64{ids[1], ids[2]}, warmSet())
	f.SetHeight(f.Height() + 1)
	require.Equal(t, int64(-1), use(1), "warm, now last used at a later height")
	require.Equal(t, int64(ids[2]), use(3), "the circuit last used longest ago leaves")
	require.Equal(t, []uint64{ids[1], ids[3]}, warmSet())

	// deactivation frees its place at once
	_, err = msg.DeactivateCircuit(f.Ctx, &types.MsgDeactivateCircuit{Authority: gov, CircuitId: ids[3]})
	require.NoError(t, err)
	require.Equal(t, []uint64{ids[1]}, warmSet())
	require.Equal(t, int64(0), use(0), "cold, the freed place is taken without an eviction")

	// a smaller bound evicts the coldest at once
	f.SetHeight(f.Height() + 1)
	require.Equal(t, int64(-1), use(0))
	params.MaxWarmCircuits = 1
	_, err = msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: params})
	require.NoError(t, err)
	require.Equal(t, []uint64{ids[0]}, warmSet())
	n, err := f.Proofs.WarmCount.Get(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, uint64(1), n)

	// the warm set is consensus state: it survives export and import
	gs, err := f.Proofs.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, []types.WarmCircuit{{CircuitId: ids[0], LastUsedHeight: f.Height()}}, gs.WarmCircuits)
	g := fixture.New(t)
	require.NoError(t, g.Proofs.InitGenesis(g.Ctx, gs))
	again, err := g.Proofs.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
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
