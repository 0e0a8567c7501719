package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/paramsgen"
	"github.com/fogchain/fog/x/reputation/types"
)

// checkScore fails unless s is a sane score: mean and lower bound in [0, 1], lower ≤ mean, variance
// in [0, 1/4], α and β within what a record may hold, a tier.
func checkScore(t require.TestingT, p types.Params, s types.Score) {
	zero, one := math.LegacyZeroDec(), math.LegacyOneDec()
	require.True(t, s.Mean.GTE(zero) && s.Mean.LTE(one), "mean %s", s.Mean)
	require.True(t, s.LowerBound.GTE(zero) && s.LowerBound.LTE(s.Mean), "lower bound %s, mean %s", s.LowerBound, s.Mean)
	require.True(t, s.Variance.GTE(zero) && s.Variance.LTE(math.LegacyNewDecWithPrec(25, 2)), "variance %s", s.Variance)
	for _, v := range []math.LegacyDec{s.Alpha, s.Beta} {
		require.True(t, v.GTE(types.MinPrior) && v.LTE(types.MaxEvidence), "α or β %s", v)
	}
	require.Equal(t, p.TierOf(s.LowerBound), s.Tier)
	require.Contains(t, types.Tiers, s.Tier)
}

// For every params governance can set (drawn from the validated ranges, their bounds included) and
// every record the module can hold, what x/market runs in EndBlock (LowerBound, TierOf,
// RecordOutcome) and the Score query never fail nor panic, and every answer is sane, whatever
// outcomes, weights, height jumps and params changes come after.
func TestKeeperPathsHoldForAllValidParams(t *testing.T) {
	base := fixture.New(t)
	rapid.Check(t, func(rt *rapid.T) {
		f := base.Fork()
		p := paramsgen.Reputation().Draw(rt, "params")
		require.NoError(rt, f.Reputation.Params.Set(f.Ctx, p))
		f.SetHeight(paramsgen.Int64(1, 1<<40).Draw(rt, "height"))

		addrs := make([]sdk.AccAddress, rapid.IntRange(1, 3).Draw(rt, "accounts"))
		for i := range addrs {
			addrs[i] = sdk.AccAddress(append([]byte{byte(i + 1)}, make([]byte, 19)...))
			if !rapid.Bool().Draw(rt, "has record") {
				continue
			}
			r := types.Record{
				Address: addrs[i].String(), Alpha: paramsgen.Evidence().Draw(rt, "alpha"), Beta: paramsgen.Evidence().Draw(rt, "beta"),
				LastHeight: paramsgen.Int64(0, f.Height()).Draw(rt, "last_height"), Outcomes: paramsgen.Uint64(1, 1<<64-1).Draw(rt, "outcomes"),
			}
			require.NoError(rt, (&types.GenesisState{Params: p, Records: []types.Record{r}}).Validate(), "the drawn record is one genesis accepts")
			require.NoError(rt, f.Reputation.Records.Set(f.Ctx, addrs[i], r))
		}

		for step := rapid.IntRange(1, 25).Draw(rt, "steps"); step > 0; step-- {
			addr := rapid.SampledFrom(addrs).Draw(rt, "account")
			switch rapid.IntRange(0, 3).Draw(rt, "op") {
			case 0:
				f.SetHeight(f.Height() + paramsgen.Int64(0, 1<<40).Draw(rt, "blocks"))
			case 1:
				p = paramsgen.Reputation().Draw(rt, "new params")
				require.NoError(rt, f.Reputation.Params.Set(f.Ctx, p))
			default:
				kind := rapid.SampledFrom(types.OutcomeKinds).Draw(rt, "kind")
				weight := paramsgen.Dec(math.LegacyZeroDec(), types.MaxWeight).Draw(rt, "weight")
				require.NoError(rt, f.Reputation.RecordOutcome(f.Ctx, addr, kind, weight))
			}
			for _, a := range addrs {
				s, _, err := f.Reputation.Score(f.Ctx, a)
				require.NoError(rt, err)
				checkScore(rt, p, s)
				lb, err := f.Reputation.LowerBound(f.Ctx, a)
				require.NoError(rt, err)
				require.True(rt, lb.Equal(s.LowerBound))
				tier, err := f.Reputation.TierOf(f.Ctx, a)
				require.NoError(rt, err)
				require.Equal(rt, s.Tier, tier)
				if r, err := f.Reputation.Records.Get(f.Ctx, a); err == nil {
					require.NoError(rt, (&types.GenesisState{Params: p, Records: []types.Record{r}}).Validate(), "stored records stay valid")
				}
			}
		}
	})
}

// α and β saturate at MaxEvidence: the largest outcomes, repeated, cannot overflow the statistics.
func TestEvidenceSaturates(t *testing.T) {
	f := fixture.New(t)
	p := types.DefaultParams()
	p.Weights.LeaseCompleted, p.Weights.AuditFailed = types.MaxWeight, types.MaxWeight
	require.NoError(t, f.Reputation.Params.Set(f.Ctx, p))
	addr := f.NewAccount(t, 0)
	near := types.MaxEvidence.Sub(math.LegacyOneDec())
	require.NoError(t, f.Reputation.Records.Set(f.Ctx, addr, types.Record{Address: addr.String(), Alpha: near, Beta: near, LastHeight: f.Height(), Outcomes: 1}))
	for i := 0; i < 3; i++ {
		require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeLeaseCompleted, types.MaxWeight))
		require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeAuditFailed, types.MaxWeight))
	}
	r, err := f.Reputation.Records.Get(f.Ctx, addr)
	require.NoError(t, err)
	require.Equal(t, types.MaxEvidence, r.Alpha)
	require.Equal(t, types.MaxEvidence, r.Beta)
	require.Equal(t, uint64(7), r.Outcomes)
	s, _, err := f.Reputation.Score(f.Ctx, addr)
	require.NoError(t, err)
	checkScore(t, p, s)

	// a weight above MaxWeight is refused and changes nothing
	before, err := f.Reputation.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	err = f.Reputation.RecordOutcome(f.Ctx, addr, types.OutcomeLeaseCompleted, types.MaxWeight.Add(math.LegacySmallestDec()))
	require.ErrorIs(t, err, types.ErrInvalidOutcome)
	after, err := f.Reputation.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, before, after)
}
