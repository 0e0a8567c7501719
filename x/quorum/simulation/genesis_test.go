package simulation_test

import (
	"encoding/json"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/simulation"
	"github.com/fogchain/fog/x/quorum/types"
)

// RandomParams draws valid params of every kind: bronze and silver without diversity, and gold
// tiers that the simulation can meet (for the market's gold replicas), that are larger, and that it
// never meets (a TEE vendor).
func TestRandomParams(t *testing.T) {
	kinds := map[string]int{}
	for seed := range int64(2000) {
		r := rand.New(rand.NewSource(seed))
		replicas := uint32(seed % 5) // 0: unknown
		p := simulation.RandomParams(r, replicas)
		require.NoError(t, p.Validate())
		require.False(t, p.Bronze.HasDiversity(), "seed %d", seed)
		require.False(t, p.Silver.HasDiversity(), "seed %d", seed)
		require.Equal(t, uint32(1), p.Bronze.MinReplicas)
		require.True(t, p.Gold.HasDiversity(), "seed %d: %+v", seed, p.Gold)
		g := p.Gold
		switch {
		case g.MinTeeVendors > 0:
			kinds["tee vendor"]++
		case replicas >= 2 && g.MinReplicas <= replicas && g.MinAsns <= min(replicas, uint32(len(simulation.ASNs))) &&
			g.MinPowerRegions <= min(replicas, uint32(len(simulation.Regions))):
			kinds["meetable"]++
		default:
			kinds["other"]++
		}
		if p.MaxAttributeBytes < uint32(len(types.AttributePowerRegion)) {
			kinds["short attributes"]++
		}
	}
	t.Logf("%v", kinds)
	for _, k := range []string{"tee vendor", "meetable", "other", "short attributes"} {
		require.Positive(t, kinds[k], k)
	}
	require.Greater(t, kinds["meetable"], 2000/4)
}

// RandomizedGenState writes a valid genesis, with auditors and the attributes they signed, and
// draws its params for the gold replicas of the market's genesis when that was drawn before.
func TestRandomizedGenState(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	signed, withAuditors := 0, 0
	for seed := range int64(60) {
		accs := simtypes.RandomAccounts(rand.New(rand.NewSource(-seed)), 1+int(seed))
		simState := &module.SimulationState{Cdc: cdc, Rand: rand.New(rand.NewSource(seed)), Accounts: accs, GenState: map[string]json.RawMessage{}}
		replicas := uint32(0)
		if seed%2 == 0 {
			replicas = uint32(2 + seed%3)
			market := markettypes.DefaultGenesis()
			market.Params.Gold.Replicas = replicas
			simState.GenState[markettypes.ModuleName] = cdc.MustMarshalJSON(market)
		}
		simulation.RandomizedGenState(simState)
		var gs types.GenesisState
		cdc.MustUnmarshalJSON(simState.GenState[types.ModuleName], &gs)
		require.NoError(t, gs.Validate(), "seed %d", seed)
		require.Equal(t, simulation.RandomParams(rand.New(rand.NewSource(seed)), replicas), gs.Params, "seed %d", seed)
		require.LessOrEqual(t, len(gs.Auditors), int(gs.Params.MaxAuditors))
		if len(gs.Auditors) > 0 {
			withAuditors++
		}
		signed += len(gs.Attributes)
	}
	require.Greater(t, withAuditors, 30)
	require.Greater(t, signed, 60*30/2)
}
