package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

func dec(s string) math.LegacyDec { return math.LegacyMustNewDecFromStr(s) }

// DefaultParams: a uniform prior, a half-life of about a week of 1-second blocks, z = 1.645, and the
// tier thresholds of DESIGN.md.
func DefaultParams() Params {
	return Params{
		PriorAlpha:     math.LegacyOneDec(),
		PriorBeta:      math.LegacyOneDec(),
		HalfLifeBlocks: 604_800,
		Z:              dec("1.645"),
		Diamond:        dec("0.95"),
		Platinum:       dec("0.90"),
		Gold:           dec("0.80"),
		Silver:         dec("0.65"),
		Weights: Weights{
			LeaseCompleted:       math.LegacyOneDec(),
			LeaseStartTimeout:    dec("2"),
			BidUnrevealed:        math.LegacyOneDec(),
			LeaseAbandoned:       dec("2"),
			AuditPassed:          math.LegacyOneDec(),
			AuditFailed:          dec("3"),
			SlaViolation:         math.LegacyOneDec(),
			ContributionAccepted: math.LegacyOneDec(),
			ContributionRejected: math.LegacyOneDec(),
		},
	}
}

// Validate checks the params; every failure wraps ErrInvalidParams.
func (p Params) Validate() error {
	for _, f := range []struct {
		name string
		v    math.LegacyDec
	}{{"prior_alpha", p.PriorAlpha}, {"prior_beta", p.PriorBeta}, {"z", p.Z}} {
		if f.v.IsNil() || !f.v.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be positive", f.name)
		}
	}
	if p.HalfLifeBlocks == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "half_life_blocks must be positive")
	}
	prev, prevName := math.LegacyOneDec(), "1"
	for _, t := range []struct {
		name string
		v    math.LegacyDec
	}{{"diamond", p.Diamond}, {"platinum", p.Platinum}, {"gold", p.Gold}, {"silver", p.Silver}} {
		if t.v.IsNil() || !t.v.IsPositive() || t.v.GTE(prev) {
			return errorsmod.Wrapf(ErrInvalidParams, "tier thresholds must fall strictly from diamond to silver within (0, 1): %s %s, above it %s %s", t.name, t.v, prevName, prev)
		}
		prev, prevName = t.v, t.name
	}
	for _, k := range []OutcomeKind{OutcomeLeaseCompleted, OutcomeLeaseStartTimeout, OutcomeBidUnrevealed, OutcomeLeaseAbandoned,
		OutcomeAuditPassed, OutcomeAuditFailed, OutcomeSLAViolation, OutcomeContributionAccepted, OutcomeContributionRejected} {
		w, _, _ := p.Weight(k)
		if w.IsNil() || w.IsNegative() {
			return errorsmod.Wrapf(ErrInvalidParams, "weight of %s must not be negative", k)
		}
		if w.GT(math.LegacyNewDec(1000)) {
			return errorsmod.Wrapf(ErrInvalidParams, "weight of %s is above 1000", k)
		}
	}
	return nil
}

// ParseTier reads a tier from its short name (bronze, silver, gold, platinum, diamond) or enum name.
func ParseTier(s string) (Tier, error) {
	for _, t := range Tiers {
		if s == t.String() || s == t.Short() {
			return t, nil
		}
	}
	return TierUnspecified, fmt.Errorf("%w: %q (want bronze, silver, gold, platinum or diamond)", ErrInvalidTier, s)
}

// Short is the tier's lower-case name.
func (t Tier) Short() string {
	switch t {
	case TierBronze:
		return "bronze"
	case TierSilver:
		return "silver"
	case TierGold:
		return "gold"
	case TierPlatinum:
		return "platinum"
	case TierDiamond:
		return "diamond"
	}
	return "unspecified"
}
