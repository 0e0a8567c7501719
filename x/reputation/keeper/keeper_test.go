package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/reputation/keeper"
	"github.com/fogchain/fog/x/reputation/types"
)

func TestUnknownAccountHasThePrior(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Reputation)
	addr := f.NewAccount(t, 0)
	res, err := q.Score(f.Ctx, &types.QueryScoreRequest{Address: addr.String()})
	require.NoError(t, err)
	require.False(t, res.Found)
	require.Equal(t, "1.000000000000000000", res.Score.Alpha.String())
	require.Equal(t, "0.500000000000000000", res.Score.Mean.String())
	require.Equal(t, types.TierBronze, res.Score.Tier)
	_, err = q.Score(f.Ctx, &types.QueryScoreRequest{Address: "fog1nothing"})
	require.ErrorContains(t, err, "invalid address")
}

func TestRecordOutcomeAndLazyDecay(t *testing.T) {
	f := fixture.New(t)
	addr := f.NewAccount(t, 0)
	require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeLeaseCompleted, math.LegacyNewDec(5)))
	s, found, err := f.Reputation.Score(f.Ctx, addr)
	require.NoError(t, err)
	require.True(t, found)
	require.Equal(t, "6.000000000000000000", s.Alpha.String(), "prior 1 + 5 × weight 1")
	require.Equal(t, uint64(1), s.Outcomes)

	require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeLeaseStartTimeout, math.LegacyOneDec()))
	s, _, _ = f.Reputation.Score(f.Ctx, addr)
	require.Equal(t, "3.000000000000000000", s.Beta.String(), "prior 1 + 1 × weight 2")

	// a half-life later, read without any write: α − α₀ and β − β₀ have halved
	p := types.DefaultParams()
	f.SetHeight(f.Height() + int64(p.HalfLifeBlocks))
	s, _, _ = f.Reputation.Score(f.Ctx, addr)
	require.Equal(t, "3.500000000000000000", s.Alpha.String())
	require.Equal(t, "2.000000000000000000", s.Beta.String())

	require.ErrorIs(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeUnspecified, math.LegacyOneDec()), types.ErrInvalidOutcome)
	require.ErrorIs(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeAuditPassed, math.LegacyNewDec(-1)), types.ErrInvalidOutcome)
}

func TestParamsOnlyByGovernanceAndOnlyValid(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Reputation)
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	p := types.DefaultParams()
	p.HalfLifeBlocks = 0
	_, err := msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	p = types.DefaultParams()
	p.Platinum, p.Gold = p.Gold, p.Platinum
	_, err = msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidParams)
	_, err = msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.NewAccount(t, 0).String(), Params: types.DefaultParams()})
	require.ErrorIs(t, err, types.ErrInvalidAuthority)
	p = types.DefaultParams()
	p.HalfLifeBlocks = 42
	_, err = msg.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: p})
	require.NoError(t, err)
	got, _ := f.Reputation.Params.Get(f.Ctx)
	require.Equal(t, uint64(42), got.HalfLifeBlocks)
}

func TestGenesisAndAnalytics(t *testing.T) {
	f := fixture.New(t)
	for i := 0; i < 12; i++ {
		addr := f.NewAccount(t, 0)
		require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeLeaseCompleted, math.LegacyNewDec(int64(i*10))))
	}
	gs, err := f.Reputation.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.Records, 12)
	g := fixture.New(t)
	g.SetHeight(f.Height())
	require.NoError(t, g.Reputation.InitGenesis(g.Ctx, gs))
	again, err := g.Reputation.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)

	q := keeper.NewQueryServerImpl(g.Reputation)
	tiers, err := q.Tiers(g.Ctx, &types.QueryTiersRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 12, tiers.Accounts)
	var members uint64
	for _, ti := range tiers.Tiers {
		members += ti.Members
	}
	require.EqualValues(t, 12, members)
	an, err := q.Analytics(g.Ctx, &types.QueryAnalyticsRequest{Pagination: &query.PageRequest{Limit: 5}})
	require.NoError(t, err)
	require.Len(t, an.Top, 5)
	require.EqualValues(t, 12, an.Pagination.Total)
	for i := 1; i < len(an.Top); i++ {
		require.True(t, an.Top[i-1].LowerBound.GTE(an.Top[i].LowerBound), "top list sorted by lower bound")
	}
	var histTotal uint64
	for _, n := range an.Histogram {
		histTotal += n
	}
	require.EqualValues(t, 12, histTotal)
	page2, err := q.Analytics(g.Ctx, &types.QueryAnalyticsRequest{Pagination: &query.PageRequest{Offset: 10, Limit: 5}})
	require.NoError(t, err)
	require.Len(t, page2.Top, 2)
}
