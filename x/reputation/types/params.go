package types

import (
	"fmt"
	"strings"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"
)

func dec(s string) math.LegacyDec { return math.LegacyMustNewDecFromStr(s) }

// DefaultParams: a uniform prior, a half-life of about a week of 1-second blocks, z = 1.645 (one-sided
// 95 %), and tier thresholds from diamond (0.95) down to silver (0.65).
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

// Bounds of the params and of the state they act on. LegacyDec has 18 decimals and panics past about
// 10^76, and a quotient by a value that rounds to zero panics: Stats divides by (α+β)²(α+β+1) and
// multiplies α·β, so α and β must stay away from zero and from the top of the range.
var (
	// MinPrior is the smallest prior α₀, β₀: with α, β ≥ 10^-3 the divisor (α+β)²(α+β+1) of the
	// variance is at least 4·10^-6, far from rounding to zero in 18 decimals.
	MinPrior = math.LegacyNewDecWithPrec(1, 3)
	// MaxPrior is the largest prior: a million outcomes' worth of belief before any evidence.
	MaxPrior = math.LegacyNewDec(1_000_000)
	// MaxEvidence caps α and β: RecordOutcome saturates them there, so that no sequence of outcomes
	// can overflow the statistics ((α+β)³ stays below 10^37, far inside LegacyDec). It is a million
	// outcomes of the largest weight, MaxWeight × MaxWeight.
	MaxEvidence = math.LegacyNewDec(1_000_000_000_000)
	// MaxWeight bounds each outcome kind's weight param and the weight RecordOutcome is called with.
	MaxWeight = math.LegacyNewDec(1000)
	// MaxZ bounds z: σ ≤ 1/2, so the lower bound mean − z·σ is already 0 for every record well below
	// z = 10.
	MaxZ = math.LegacyNewDec(10)
)

// MaxHalfLifeBlocks bounds half_life_blocks: about 31 years of 1-second blocks, beyond which decay is
// nil in practice; it also keeps the half-life inside int64.
const MaxHalfLifeBlocks = 1_000_000_000

// inRange reports whether v is set and lo ≤ v ≤ hi.
func inRange(v, lo, hi math.LegacyDec) bool { return !v.IsNil() && v.GTE(lo) && v.LTE(hi) }

// Validate checks that every param lies in the range in which the module's arithmetic is safe; every
// failure wraps ErrInvalidParams and names the field.
func (p Params) Validate() error {
	for _, f := range []struct {
		name string
		v    math.LegacyDec
	}{{"prior_alpha", p.PriorAlpha}, {"prior_beta", p.PriorBeta}} {
		if !inRange(f.v, MinPrior, MaxPrior) {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %s not in [%s, %s]", f.name, f.v, MinPrior, MaxPrior)
		}
	}
	if p.Z.IsNil() || !p.Z.IsPositive() || p.Z.GT(MaxZ) {
		return errorsmod.Wrapf(ErrInvalidParams, "z %s not in (0, %s]", p.Z, MaxZ)
	}
	if p.HalfLifeBlocks == 0 || p.HalfLifeBlocks > MaxHalfLifeBlocks {
		return errorsmod.Wrapf(ErrInvalidParams, "half_life_blocks %d not in [1, %d]", p.HalfLifeBlocks, uint64(MaxHalfLifeBlocks))
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
	for _, k := range OutcomeKinds {
		w, _, _ := p.Weight(k)
		if !inRange(w, math.LegacyZeroDec(), MaxWeight) {
			return errorsmod.Wrapf(ErrInvalidParams, "weights.%s %s not in [0, %s]", k.ParamName(), w, MaxWeight)
		}
	}
	return nil
}

// OutcomeKinds are the kinds of outcome other modules report.
var OutcomeKinds = []OutcomeKind{OutcomeLeaseCompleted, OutcomeLeaseStartTimeout, OutcomeBidUnrevealed, OutcomeLeaseAbandoned,
	OutcomeAuditPassed, OutcomeAuditFailed, OutcomeSLAViolation, OutcomeContributionAccepted, OutcomeContributionRejected}

// ParamName is the name of the kind's field in Weights.
func (k OutcomeKind) ParamName() string {
	return strings.TrimPrefix(strings.ToLower(k.String()), "outcome_kind_")
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
