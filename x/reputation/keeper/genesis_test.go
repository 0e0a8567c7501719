package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/reputation/types"
)

// Genesis validation refuses, naming the field, every state the module could not have produced;
// one case per rule, for every field.
func TestGenesisValidation(t *testing.T) {
	a, b := sdk.AccAddress(make([]byte, 20)), sdk.AccAddress(append(make([]byte, 19), 1))
	foreign, err := addresscodec.NewBech32Codec("cosmos").BytesToString(a)
	require.NoError(t, err)
	valid := func() types.GenesisState {
		return types.GenesisState{Params: types.DefaultParams(), Records: []types.Record{
			{Address: a.String(), Alpha: math.LegacyNewDec(3), Beta: math.LegacyOneDec(), LastHeight: 5, Outcomes: 2},
			{Address: b.String(), Alpha: types.MaxEvidence, Beta: types.MinPrior, LastHeight: 0, Outcomes: 1 << 63},
		}}
	}
	require.NoError(t, valid().Validate())
	require.NoError(t, types.DefaultGenesis().Validate())

	for _, c := range []struct {
		name   string
		mutate func(*types.GenesisState)
		field  string
		want   error
	}{
		{"params out of bounds", func(g *types.GenesisState) { g.Params.PriorAlpha = math.LegacyNewDecWithPrec(1, 12) }, "prior_alpha", types.ErrInvalidParams},
		{"address not an address", func(g *types.GenesisState) { g.Records[0].Address = "fog1nothing" }, "records[0].address", types.ErrInvalidGenesis},
		{"address empty", func(g *types.GenesisState) { g.Records[0].Address = "" }, "records[0].address", types.ErrInvalidGenesis},
		{"address upper case (not canonical)", func(g *types.GenesisState) { g.Records[0].Address = strings.ToUpper(a.String()) }, "records[0].address", types.ErrInvalidGenesis},
		{"address of another chain", func(g *types.GenesisState) { g.Records[0].Address = foreign }, "records[0].address", types.ErrInvalidGenesis},
		{"address twice", func(g *types.GenesisState) { g.Records[1].Address = a.String() }, "records[1].address", types.ErrInvalidGenesis},
		{"alpha below the smallest prior", func(g *types.GenesisState) { g.Records[0].Alpha = math.LegacyNewDecWithPrec(1, 12) }, "records[0].alpha", types.ErrInvalidGenesis},
		{"alpha above the cap", func(g *types.GenesisState) { g.Records[1].Alpha = types.MaxEvidence.Add(math.LegacySmallestDec()) }, "records[1].alpha", types.ErrInvalidGenesis},
		{"alpha unset", func(g *types.GenesisState) { g.Records[0].Alpha = math.LegacyDec{} }, "records[0].alpha", types.ErrInvalidGenesis},
		{"beta zero", func(g *types.GenesisState) { g.Records[0].Beta = math.LegacyZeroDec() }, "records[0].beta", types.ErrInvalidGenesis},
		{"beta above the cap", func(g *types.GenesisState) { g.Records[0].Beta = math.LegacyNewDec(1).MulInt64(1 << 62) }, "records[0].beta", types.ErrInvalidGenesis},
		{"last_height negative", func(g *types.GenesisState) { g.Records[0].LastHeight = -1 }, "records[0].last_height", types.ErrInvalidGenesis},
		{"outcomes zero", func(g *types.GenesisState) { g.Records[1].Outcomes = 0 }, "records[1].outcomes", types.ErrInvalidGenesis},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := valid()
			c.mutate(&g)
			err := g.Validate()
			require.ErrorIs(t, err, c.want)
			require.ErrorContains(t, err, c.field)
			f := fixture.New(t)
			require.ErrorIs(t, f.Reputation.InitGenesis(f.Ctx, &g), c.want, "InitGenesis validates too")
		})
	}
}
