package types_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/reputation/types"
)

// Every param is accepted at both ends of its range and refused just outside, with an error that
// names it.
func TestParamsBounds(t *testing.T) {
	tiny := math.LegacySmallestDec()
	for _, c := range []struct {
		name   string
		mutate func(*types.Params)
		field  string // empty: accepted
	}{
		{"prior_alpha at its minimum", func(p *types.Params) { p.PriorAlpha = types.MinPrior }, ""},
		{"prior_alpha at its maximum", func(p *types.Params) { p.PriorAlpha = types.MaxPrior }, ""},
		{"prior_alpha below its minimum (1e-12 divides by zero)", func(p *types.Params) { p.PriorAlpha = math.LegacyNewDecWithPrec(1, 12) }, "prior_alpha"},
		{"prior_alpha above its maximum", func(p *types.Params) { p.PriorAlpha = types.MaxPrior.Add(tiny) }, "prior_alpha"},
		{"prior_alpha unset", func(p *types.Params) { p.PriorAlpha = math.LegacyDec{} }, "prior_alpha"},
		{"prior_beta at its minimum", func(p *types.Params) { p.PriorBeta = types.MinPrior }, ""},
		{"prior_beta below its minimum", func(p *types.Params) { p.PriorBeta = types.MinPrior.Sub(tiny) }, "prior_beta"},
		{"prior_beta huge (overflows LegacyDec)", func(p *types.Params) { p.PriorBeta = math.LegacyNewDecFromInt(math.NewIntWithDecimal(1, 70)) }, "prior_beta"},
		{"z at its maximum", func(p *types.Params) { p.Z = types.MaxZ }, ""},
		{"z smallest", func(p *types.Params) { p.Z = tiny }, ""},
		{"z zero", func(p *types.Params) { p.Z = math.LegacyZeroDec() }, "z"},
		{"z negative", func(p *types.Params) { p.Z = math.LegacyNewDec(-1) }, "z"},
		{"z above its maximum", func(p *types.Params) { p.Z = types.MaxZ.Add(tiny) }, "z"},
		{"half_life_blocks 1", func(p *types.Params) { p.HalfLifeBlocks = 1 }, ""},
		{"half_life_blocks at its maximum", func(p *types.Params) { p.HalfLifeBlocks = types.MaxHalfLifeBlocks }, ""},
		{"half_life_blocks zero", func(p *types.Params) { p.HalfLifeBlocks = 0 }, "half_life_blocks"},
		{"half_life_blocks past int64", func(p *types.Params) { p.HalfLifeBlocks = 1 << 63 }, "half_life_blocks"},
		{"thresholds at the ends of (0, 1)", func(p *types.Params) { p.Diamond, p.Silver = math.LegacyOneDec().Sub(tiny), tiny }, ""},
		{"diamond 1", func(p *types.Params) { p.Diamond = math.LegacyOneDec() }, "diamond"},
		{"platinum above diamond", func(p *types.Params) { p.Platinum = math.LegacyMustNewDecFromStr("0.96") }, "platinum"},
		{"gold equal to platinum", func(p *types.Params) { p.Gold = p.Platinum }, "gold"},
		{"silver zero", func(p *types.Params) { p.Silver = math.LegacyZeroDec() }, "silver"},
		{"silver unset", func(p *types.Params) { p.Silver = math.LegacyDec{} }, "silver"},
		{"a weight zero", func(p *types.Params) { p.Weights.BidUnrevealed = math.LegacyZeroDec() }, ""},
		{"a weight at its maximum", func(p *types.Params) { p.Weights.ContributionRejected = types.MaxWeight }, ""},
		{"lease_completed negative", func(p *types.Params) { p.Weights.LeaseCompleted = math.LegacyNewDec(-1) }, "weights.lease_completed"},
		{"lease_start_timeout above its maximum", func(p *types.Params) { p.Weights.LeaseStartTimeout = types.MaxWeight.Add(tiny) }, "weights.lease_start_timeout"},
		{"bid_unrevealed unset", func(p *types.Params) { p.Weights.BidUnrevealed = math.LegacyDec{} }, "weights.bid_unrevealed"},
		{"lease_abandoned negative", func(p *types.Params) { p.Weights.LeaseAbandoned = math.LegacyNewDec(-1) }, "weights.lease_abandoned"},
		{"audit_passed above its maximum", func(p *types.Params) { p.Weights.AuditPassed = math.LegacyNewDec(1001) }, "weights.audit_passed"},
		{"audit_failed negative", func(p *types.Params) { p.Weights.AuditFailed = math.LegacyNewDec(-1) }, "weights.audit_failed"},
		{"sla_violation above its maximum", func(p *types.Params) { p.Weights.SlaViolation = math.LegacyNewDec(1001) }, "weights.sla_violation"},
		{"contribution_accepted negative", func(p *types.Params) { p.Weights.ContributionAccepted = math.LegacyNewDec(-1) }, "weights.contribution_accepted"},
		{"contribution_rejected above its maximum", func(p *types.Params) { p.Weights.ContributionRejected = math.LegacyNewDec(1001) }, "weights.contribution_rejected"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := types.DefaultParams()
			c.mutate(&p)
			err := p.Validate()
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidParams)
			require.ErrorContains(t, err, c.field)
		})
	}
}
