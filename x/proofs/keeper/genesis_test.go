package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
)

// Genesis validation refuses, naming the field, every state the module could not have produced;
// one case per rule, for every field.
func TestGenesisValidation(t *testing.T) {
	rng := setup(t, "range")
	alice := sdk.AccAddress(make([]byte, 20)).String()
	foreign, err := addresscodec.NewBech32Codec("cosmos").BytesToString(make([]byte, 20))
	require.NoError(t, err)
	b32 := bytesOf(7, 32)
	valid := func() types.GenesisState {
		return types.GenesisState{
			Params:  types.DefaultParams(),
			Batches: []types.Batch{{Id: 1, Submitter: alice, LeaseId: 1, Kind: types.BatchKindExecution, MerkleRoot: b32, LeafCount: 4, Height: 5}},
			Circuits: []types.Circuit{
				{Id: 1, Name: "range", VerifyingKey: rng.vk, PublicInputCount: 3, Active: true},
				{Id: 2, Name: "range-old", VerifyingKey: rng.vk, PublicInputCount: 3, RegisteredHeight: 3},
			},
			Claims:       []types.Claim{{Id: 1, CircuitId: 1, PublicInputsHash: b32, Submitter: alice, Height: 6}},
			WarmCircuits: []types.WarmCircuit{{CircuitId: 1, LastUsedHeight: 6}},
			NextBatchId:  2, NextCircuitId: 3, NextClaimId: 2,
		}
	}
	g := valid()
	require.NoError(t, keeper.ValidateGenesis(&g))
	require.NoError(t, keeper.ValidateGenesis(types.DefaultGenesis()))
	// governance narrowed the key size bound after circuit 2 was registered: it stays importable
	g = valid()
	g.WarmCircuits = nil
	g.Params.MaxVerifyingKeyBytes = uint32(len(rng.vk) - 1)
	require.NoError(t, keeper.ValidateGenesis(&g), "a cold circuit's key is checked under the widest limits")

	for _, c := range []struct {
		name   string
		mutate func(*types.GenesisState)
		field  string
		want   error
	}{
		{"params out of bounds", func(g *types.GenesisState) { g.Params.MaxWarmCircuits = 0 }, "max_warm_circuits", types.ErrInvalidParams},
		{"next_batch_id 0", func(g *types.GenesisState) { g.NextBatchId, g.Batches = 0, nil }, "next_batch_id", types.ErrInvalidGenesis},
		{"next_circuit_id 0", func(g *types.GenesisState) { g.NextCircuitId = 0 }, "next_circuit_id", types.ErrInvalidGenesis},
		{"next_claim_id 0", func(g *types.GenesisState) { g.NextClaimId, g.Claims = 0, nil }, "next_claim_id", types.ErrInvalidGenesis},
		{"batch id 0", func(g *types.GenesisState) { g.Batches[0].Id = 0 }, "batches[0].id", types.ErrInvalidGenesis},
		{"batch id not below next_batch_id", func(g *types.GenesisState) { g.NextBatchId = 1 }, "batches[0].id", types.ErrInvalidGenesis},
		{"batch id repeated", func(g *types.GenesisState) { g.Batches = append(g.Batches, g.Batches[0]) }, "batches[1].id", types.ErrInvalidGenesis},
		{"batch lease_id 0", func(g *types.GenesisState) { g.Batches[0].LeaseId = 0 }, "batches[0].lease_id", types.ErrInvalidGenesis},
		{"batch kind unspecified", func(g *types.GenesisState) { g.Batches[0].Kind = types.BatchKindUnspecified }, "batches[0].kind", types.ErrInvalidGenesis},
		{"batch kind unknown", func(g *types.GenesisState) { g.Batches[0].Kind = 4 }, "batches[0].kind", types.ErrInvalidGenesis},
		{"batch merkle_root short", func(g *types.GenesisState) { g.Batches[0].MerkleRoot = b32[:31] }, "batches[0].merkle_root", types.ErrInvalidGenesis},
		{"batch leaf_count 0", func(g *types.GenesisState) { g.Batches[0].LeafCount = 0 }, "batches[0].leaf_count", types.ErrInvalidGenesis},
		{"batch leaf_count past any params", func(g *types.GenesisState) { g.Batches[0].LeafCount = types.MaxLeafCountLimit + 1 }, "batches[0].leaf_count", types.ErrInvalidGenesis},
		{"batch height 0", func(g *types.GenesisState) { g.Batches[0].Height = 0 }, "batches[0].height", types.ErrInvalidGenesis},
		{"batch submitter upper case", func(g *types.GenesisState) { g.Batches[0].Submitter = strings.ToUpper(alice) }, "batches[0].submitter", types.ErrInvalidGenesis},
		{"batch submitter of another chain", func(g *types.GenesisState) { g.Batches[0].Submitter = foreign }, "batches[0].submitter", types.ErrInvalidGenesis},
		{"batch submitter empty", func(g *types.GenesisState) { g.Batches[0].Submitter = "" }, "batches[0].submitter", types.ErrInvalidGenesis},
		{"circuit id 0", func(g *types.GenesisState) { g.Circuits[1].Id = 0 }, "circuits[1].id", types.ErrInvalidGenesis},
		{"circuit id not below next_circuit_id", func(g *types.GenesisState) { g.NextCircuitId = 2 }, "circuits[1].id", types.ErrInvalidGenesis},
		{"circuit id repeated", func(g *types.GenesisState) { g.Circuits[1].Id = 1 }, "circuits[1].id", types.ErrInvalidGenesis},
		{"circuit name repeated", func(g *types.GenesisState) { g.Circuits[1].Name = "range" }, "circuits[1].name", types.ErrInvalidGenesis},
		{"circuit name empty", func(g *types.GenesisState) { g.Circuits[1].Name = "" }, "circuits[1].name", types.ErrInvalidGenesis},
		{"circuit description too long", func(g *types.GenesisState) {
			g.Circuits[1].Description = strings.Repeat("x", types.MaxDescriptionBytesLimit)
		}, "circuits[1].name and description", types.ErrInvalidGenesis},
		{"circuit registered_height negative", func(g *types.GenesisState) { g.Circuits[1].RegisteredHeight = -1 }, "circuits[1].registered_height", types.ErrInvalidGenesis},
		{"circuit verifying_key empty", func(g *types.GenesisState) { g.Circuits[1].VerifyingKey = nil }, "circuits[1].verifying_key", types.ErrInvalidGenesis},
		{"circuit verifying_key past any params", func(g *types.GenesisState) {
			g.Circuits[1].VerifyingKey = make([]byte, types.MaxVerifyingKeyBytesLimit+1)
		}, "circuits[1].verifying_key", types.ErrInvalidGenesis},
		{"circuit verifying_key garbage", func(g *types.GenesisState) { g.Circuits[1].VerifyingKey = b32 }, "circuits[1].verifying_key", types.ErrInvalidGenesis},
		{"circuit public_input_count 0", func(g *types.GenesisState) { g.Circuits[1].PublicInputCount = 0 }, "circuits[1].public_input_count", types.ErrInvalidGenesis},
		{"circuit public_input_count past any params", func(g *types.GenesisState) {
			g.Circuits[1].PublicInputCount = types.MaxPublicInputsLimit + 1
		}, "circuits[1].public_input_count", types.ErrInvalidGenesis},
		{"circuit public_input_count not the key's", func(g *types.GenesisState) { g.Circuits[1].PublicInputCount = 2 }, "circuits[1].verifying_key", types.ErrInvalidGenesis},
		{"claim id 0", func(g *types.GenesisState) { g.Claims[0].Id = 0 }, "claims[0].id", types.ErrInvalidGenesis},
		{"claim id not below next_claim_id", func(g *types.GenesisState) { g.NextClaimId = 1 }, "claims[0].id", types.ErrInvalidGenesis},
		{"claim id repeated", func(g *types.GenesisState) { g.Claims = append(g.Claims, g.Claims[0]) }, "claims[1].id", types.ErrInvalidGenesis},
		{"claim of an unknown circuit", func(g *types.GenesisState) { g.Claims[0].CircuitId = 9 }, "claims[0].circuit_id", types.ErrInvalidGenesis},
		{"claim public_inputs_hash short", func(g *types.GenesisState) { g.Claims[0].PublicInputsHash = nil }, "claims[0].public_inputs_hash", types.ErrInvalidGenesis},
		{"claim height 0", func(g *types.GenesisState) { g.Claims[0].Height = 0 }, "claims[0].height", types.ErrInvalidGenesis},
		{"claim before its circuit", func(g *types.GenesisState) { g.Claims[0].CircuitId, g.Claims[0].Height = 2, 2 }, "claims[0].height", types.ErrInvalidGenesis},
		{"claim submitter upper case", func(g *types.GenesisState) { g.Claims[0].Submitter = strings.ToUpper(alice) }, "claims[0].submitter", types.ErrInvalidGenesis},
		{"claim submitter of another chain", func(g *types.GenesisState) { g.Claims[0].Submitter = foreign }, "claims[0].submitter", types.ErrInvalidGenesis},
		{"warm set larger than max_warm_circuits", func(g *types.GenesisState) {
			g.Params.MaxWarmCircuits = 1
			g.Circuits[1].Active = true
			g.WarmCircuits = append(g.WarmCircuits, types.WarmCircuit{CircuitId: 2, LastUsedHeight: 6})
		}, "warm_circuits", types.ErrInvalidGenesis},
		{"warm circuit unknown", func(g *types.GenesisState) { g.WarmCircuits[0].CircuitId = 9 }, "warm_circuits[0].circuit_id", types.ErrInvalidGenesis},
		{"warm circuit repeated", func(g *types.GenesisState) { g.WarmCircuits = append(g.WarmCircuits, g.WarmCircuits[0]) }, "warm_circuits[1].circuit_id", types.ErrInvalidGenesis},
		{"warm circuit deactivated", func(g *types.GenesisState) { g.WarmCircuits[0].CircuitId = 2 }, "warm_circuits[0].circuit_id", types.ErrInvalidGenesis},
		{"warm last_used_height 0", func(g *types.GenesisState) { g.WarmCircuits[0].LastUsedHeight = 0 }, "warm_circuits[0].last_used_height", types.ErrInvalidGenesis},
		{"warm before its circuit", func(g *types.GenesisState) {
			g.Circuits[1].Active = true
			g.WarmCircuits[0] = types.WarmCircuit{CircuitId: 2, LastUsedHeight: 2}
		}, "warm_circuits[0].last_used_height", types.ErrInvalidGenesis},
		{"warm circuit whose key the params refuse", func(g *types.GenesisState) {
			g.Params.MaxVerifyingKeyBytes = uint32(len(rng.vk) - 1)
		}, "circuits[0].verifying_key", types.ErrInvalidGenesis},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := valid()
			c.mutate(&g)
			err := keeper.ValidateGenesis(&g)
			require.ErrorIs(t, err, c.want)
			require.ErrorContains(t, err, c.field)
			f := fixture.New(t)
			require.ErrorIs(t, f.Proofs.InitGenesis(f.Ctx, &g), c.want, "InitGenesis validates too")
		})
	}
}
