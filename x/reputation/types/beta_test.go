package types_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/fogchain/fog/x/reputation/types"
)

// decs draws a positive LegacyDec in (0, max] with 6 decimals.
func decs(t *rapid.T, label string, max int64) math.LegacyDec {
	return math.LegacyNewDecWithPrec(rapid.Int64Range(1, max*1_000_000).Draw(t, label), 6)
}

var tolerance = math.LegacyNewDecWithPrec(1, 12)

func TestDecayProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		prior := decs(rt, "prior", 10)
		v := decs(rt, "value", 1000)
		halfLife := rapid.Uint64Range(1, 1_000_000).Draw(rt, "halfLife")
		blocks := rapid.Int64Range(0, 100_000_000).Draw(rt, "blocks")

		d := types.Decay(v, prior, blocks, halfLife)
		// never crosses the prior, never moves away from it
		if v.GTE(prior) {
			require.True(rt, d.GTE(prior) && d.LTE(v), "decay of %s toward %s gave %s", v, prior, d)
		} else {
			require.True(rt, d.LTE(prior) && d.GTE(v), "decay of %s toward %s gave %s", v, prior, d)
		}
		// after exactly one half-life the distance to the prior halves
		half := types.Decay(v, prior, int64(halfLife), halfLife)
		want := v.Sub(prior).QuoInt64(2)
		require.True(rt, half.Sub(prior).Sub(want).Abs().LTE(tolerance), "one half-life: %s, want distance %s", half, want)
		// more blocks never move it back
		later := types.Decay(v, prior, blocks+rapid.Int64Range(0, 1_000_000).Draw(rt, "more"), halfLife)
		require.True(rt, later.Sub(prior).Abs().LTE(d.Sub(prior).Abs()))
		// deterministic
		require.Equal(rt, d, types.Decay(v, prior, blocks, halfLife))
	})
}

func TestScoreProperties(t *testing.T) {
	z := math.LegacyMustNewDecFromStr("1.645")
	rapid.Check(t, func(rt *rapid.T) {
		alpha, beta := decs(rt, "alpha", 10_000), decs(rt, "beta", 10_000)
		mean, variance, lower := types.Stats(alpha, beta, z)
		for _, v := range []math.LegacyDec{mean, lower} {
			require.True(rt, !v.IsNegative() && v.LTE(math.LegacyOneDec()), "out of [0, 1]: %s", v)
		}
		require.True(rt, lower.LTE(mean))
		require.False(rt, variance.IsNegative())

		// more successes never lower the mean
		more := decs(rt, "more", 100)
		mean2, _, _ := types.Stats(alpha.Add(more), beta, z)
		require.True(rt, mean2.GTE(mean), "mean fell from %s to %s", mean, mean2)

		// at a fixed mean, more evidence raises the lower bound
		k := rapid.Int64Range(2, 50).Draw(rt, "evidence")
		meanK, _, lowerK := types.Stats(alpha.MulInt64(k), beta.MulInt64(k), z)
		require.True(rt, meanK.Sub(mean).Abs().LTE(tolerance))
		require.True(rt, lowerK.GTE(lower), "lower bound fell from %s to %s with %d× the evidence", lower, lowerK, k)
	})
}

// Fixed values: the same bits on every machine and every run.
func TestDecayGoldenValues(t *testing.T) {
	for _, c := range []struct {
		blocks   int64
		halfLife uint64
		want     string
	}{
		{0, 100, "1.000000000000000000"},
		{100, 100, "0.500000000000000000"},
		{50, 100, "0.707106781186547524"},
		{250, 100, "0.176776695296636881"},
		{1, 3, "0.793700525984099737"},
		{6200, 100, "0.000000000000000000"},
	} {
		got := types.DecayFactor(c.blocks, c.halfLife)
		want := math.LegacyMustNewDecFromStr(c.want)
		require.True(t, got.Sub(want).Abs().LTE(math.LegacyNewDecWithPrec(5, 17)), "2^-(%d/%d) = %s, want %s", c.blocks, c.halfLife, got, want)
	}
}

func TestTiersAndParams(t *testing.T) {
	p := types.DefaultParams()
	require.NoError(t, p.Validate())
	for lower, want := range map[string]types.Tier{"0.97": types.TierDiamond, "0.95": types.TierDiamond, "0.91": types.TierPlatinum,
		"0.85": types.TierGold, "0.7": types.TierSilver, "0.5": types.TierBronze, "0": types.TierBronze} {
		require.Equal(t, want, p.TierOf(math.LegacyMustNewDecFromStr(lower)), lower)
	}
	for name, mutate := range map[string]func(*types.Params){
		"thresholds out of order": func(p *types.Params) { p.Gold = math.LegacyMustNewDecFromStr("0.92") },
		"threshold above one":     func(p *types.Params) { p.Diamond = math.LegacyMustNewDecFromStr("1.01") },
		"unreachable diamond":     func(p *types.Params) { p.Diamond = math.LegacyOneDec() },
		"zero threshold":          func(p *types.Params) { p.Silver = math.LegacyZeroDec() },
		"half-life zero":          func(p *types.Params) { p.HalfLifeBlocks = 0 },
		"z zero":                  func(p *types.Params) { p.Z = math.LegacyZeroDec() },
		"z negative":              func(p *types.Params) { p.Z = math.LegacyNewDec(-1) },
		"prior zero":              func(p *types.Params) { p.PriorBeta = math.LegacyZeroDec() },
		"negative weight":         func(p *types.Params) { p.Weights.AuditFailed = math.LegacyNewDec(-1) },
	} {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
}
