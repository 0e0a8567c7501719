package types

import (
	"cosmossdk.io/math"
)

// ln2 to 18 decimals (LegacyDec precision).
var ln2 = math.LegacyMustNewDecFromStr("0.693147180559945309")

// DecayFactor is 2^(−blocks/halfLife) in deterministic fixed point: 2^(−n) exactly for the whole
// half-lives n, times e^(−f·ln 2) by its Taylor series for the fraction f. It is 1 for no blocks and
// never above 1 nor below 0.
func DecayFactor(blocks int64, halfLife uint64) math.LegacyDec {
	if blocks <= 0 {
		return math.LegacyOneDec()
	}
	n := uint64(blocks) / halfLife
	if n >= 62 { // 2^-62 < 1e-18: below what LegacyDec can hold
		return math.LegacyZeroDec()
	}
	x := math.LegacyNewDecFromInt(math.NewIntFromUint64(uint64(blocks) % halfLife)).
		QuoInt(math.NewIntFromUint64(halfLife)).Mul(ln2)
	// e^(−x) = Σ (−x)^k / k!, x in [0, ln 2): the terms shrink fast and alternate in sign.
	sum, term := math.LegacyOneDec(), math.LegacyOneDec()
	for k := int64(1); k <= 40 && !term.IsZero(); k++ {
		term = term.Mul(x).QuoInt64(k).Neg()
		sum = sum.Add(term)
	}
	f := sum.QuoInt64(int64(1) << n)
	if f.GT(math.LegacyOneDec()) {
		return math.LegacyOneDec()
	}
	if f.IsNegative() {
		return math.LegacyZeroDec()
	}
	return f
}

// Decay moves v toward the prior p by blocks: p + (v − p)·2^(−blocks/halfLife).
func Decay(v, p math.LegacyDec, blocks int64, halfLife uint64) math.LegacyDec {
	return p.Add(v.Sub(p).Mul(DecayFactor(blocks, halfLife)))
}

// Stats are the mean, variance and lower bound (mean − z·σ, at least 0) of Beta(α, β).
func Stats(alpha, beta, z math.LegacyDec) (mean, variance, lower math.LegacyDec) {
	sum := alpha.Add(beta)
	mean = alpha.Quo(sum)
	variance = alpha.Mul(beta).Quo(sum.Mul(sum).Mul(sum.Add(math.LegacyOneDec())))
	sigma, err := variance.ApproxSqrt()
	if err != nil {
		// no bound can be given: the safe answer is the lowest
		return mean, variance, math.LegacyZeroDec()
	}
	lower = mean.Sub(z.Mul(sigma))
	if lower.IsNegative() {
		lower = math.LegacyZeroDec()
	}
	return mean, variance, lower
}

// TierOf is the tier a lower bound falls in.
func (p Params) TierOf(lower math.LegacyDec) Tier {
	switch {
	case lower.GTE(p.Diamond):
		return TierDiamond
	case lower.GTE(p.Platinum):
		return TierPlatinum
	case lower.GTE(p.Gold):
		return TierGold
	case lower.GTE(p.Silver):
		return TierSilver
	default:
		return TierBronze
	}
}

// MinLowerBound is the lowest lower bound of a tier.
func (p Params) MinLowerBound(t Tier) math.LegacyDec {
	switch t {
	case TierDiamond:
		return p.Diamond
	case TierPlatinum:
		return p.Platinum
	case TierGold:
		return p.Gold
	case TierSilver:
		return p.Silver
	default:
		return math.LegacyZeroDec()
	}
}

// Tiers lists the tiers from the top.
var Tiers = []Tier{TierDiamond, TierPlatinum, TierGold, TierSilver, TierBronze}

// Weight of an outcome kind, and whether it is a success (adds to α) or a failure (adds to β).
func (p Params) Weight(k OutcomeKind) (w math.LegacyDec, success bool, ok bool) {
	ws := p.Weights
	switch k {
	case OutcomeLeaseCompleted:
		return ws.LeaseCompleted, true, true
	case OutcomeLeaseStartTimeout:
		return ws.LeaseStartTimeout, false, true
	case OutcomeBidUnrevealed:
		return ws.BidUnrevealed, false, true
	case OutcomeLeaseAbandoned:
		return ws.LeaseAbandoned, false, true
	case OutcomeAuditPassed:
		return ws.AuditPassed, true, true
	case OutcomeAuditFailed:
		return ws.AuditFailed, false, true
	case OutcomeSLAViolation:
		return ws.SlaViolation, false, true
	case OutcomeContributionAccepted:
		return ws.ContributionAccepted, true, true
	case OutcomeContributionRejected:
		return ws.ContributionRejected, false, true
	default:
		return math.LegacyZeroDec(), false, false
	}
}
