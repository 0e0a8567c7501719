// Package paramsgen draws module params from the ranges their validation accepts, the bounds of
// each range included, for property tests (pgregory.net/rapid) that must hold for every params
// governance could set: x/market's settlement test draws reputation params from here.
package paramsgen

import (
	"cmp"
	"math/big"
	"slices"

	"cosmossdk.io/math"
	"pgregory.net/rapid"

	proofstypes "github.com/fogchain/fog/x/proofs/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// Dec draws a LegacyDec in [lo, hi]: often a bound itself, otherwise spread over every order of
// magnitude in between (a uniform draw would almost never come near a small lo), or uniform.
func Dec(lo, hi math.LegacyDec) *rapid.Generator[math.LegacyDec] {
	return rapid.Custom(func(t *rapid.T) math.LegacyDec {
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 0:
			return lo
		case 1:
			return hi
		case 2:
			// m × 10^(e−18): 1e-18 up to about 1e24 before clamping
			m := rapid.Int64Range(1, 999_999).Draw(t, "mantissa")
			e := rapid.IntRange(0, 36).Draw(t, "exponent")
			v := new(big.Int).Mul(big.NewInt(m), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(e)), nil))
			d := math.LegacyNewDecFromBigIntWithPrec(v, math.LegacyPrecision)
			return math.LegacyMaxDec(lo, math.LegacyMinDec(hi, d))
		default:
			// lo + (hi − lo)·k/2^62
			k := rapid.Int64Range(0, 1<<62).Draw(t, "fraction")
			span := hi.Sub(lo)
			return lo.Add(span.MulInt64(k).QuoInt64(1 << 62))
		}
	})
}

// Uint64 draws from [lo, hi], often a bound.
func Uint64(lo, hi uint64) *rapid.Generator[uint64] {
	return rapid.OneOf(rapid.Just(lo), rapid.Just(hi), rapid.Uint64Range(lo, hi))
}

// Int64 draws from [lo, hi], often a bound.
func Int64(lo, hi int64) *rapid.Generator[int64] {
	return rapid.OneOf(rapid.Just(lo), rapid.Just(hi), rapid.Int64Range(lo, hi))
}

// Uint32 draws from [lo, hi], often a bound.
func Uint32(lo, hi uint32) *rapid.Generator[uint32] {
	return rapid.OneOf(rapid.Just(lo), rapid.Just(hi), rapid.Uint32Range(lo, hi))
}

// Reputation draws x/reputation params that Params.Validate accepts.
func Reputation() *rapid.Generator[reputationtypes.Params] {
	return rapid.Custom(func(t *rapid.T) reputationtypes.Params {
		weight := Dec(math.LegacyZeroDec(), reputationtypes.MaxWeight)
		// four distinct tier thresholds in (0, 1), 18 decimals, the extremes included
		const one = 1_000_000_000_000_000_000
		th := rapid.SliceOfNDistinct(rapid.OneOf(rapid.Just(int64(1)), rapid.Just(int64(one-1)), rapid.Int64Range(1, one-1)),
			4, 4, rapid.ID[int64]).Draw(t, "thresholds")
		slices.SortFunc(th, func(a, b int64) int { return cmp.Compare(b, a) })
		at := func(i int) math.LegacyDec { return math.LegacyNewDecWithPrec(th[i], math.LegacyPrecision) }
		p := reputationtypes.Params{
			PriorAlpha:     Dec(reputationtypes.MinPrior, reputationtypes.MaxPrior).Draw(t, "prior_alpha"),
			PriorBeta:      Dec(reputationtypes.MinPrior, reputationtypes.MaxPrior).Draw(t, "prior_beta"),
			HalfLifeBlocks: Uint64(1, reputationtypes.MaxHalfLifeBlocks).Draw(t, "half_life_blocks"),
			Z:              Dec(math.LegacySmallestDec(), reputationtypes.MaxZ).Draw(t, "z"),
			Diamond:        at(0),
			Platinum:       at(1),
			Gold:           at(2),
			Silver:         at(3),
			Weights: reputationtypes.Weights{
				LeaseCompleted:       weight.Draw(t, "lease_completed"),
				LeaseStartTimeout:    weight.Draw(t, "lease_start_timeout"),
				BidUnrevealed:        weight.Draw(t, "bid_unrevealed"),
				LeaseAbandoned:       weight.Draw(t, "lease_abandoned"),
				AuditPassed:          weight.Draw(t, "audit_passed"),
				AuditFailed:          weight.Draw(t, "audit_failed"),
				SlaViolation:         weight.Draw(t, "sla_violation"),
				ContributionAccepted: weight.Draw(t, "contribution_accepted"),
				ContributionRejected: weight.Draw(t, "contribution_rejected"),
			},
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("paramsgen drew reputation params that do not validate: %v", err)
		}
		return p
	})
}

// Evidence draws an α or β a reputation record may hold: [MinPrior, MaxEvidence].
func Evidence() *rapid.Generator[math.LegacyDec] {
	return Dec(reputationtypes.MinPrior, reputationtypes.MaxEvidence)
}

// Proofs draws x/proofs params that Params.Validate accepts.
func Proofs() *rapid.Generator[proofstypes.Params] {
	return rapid.Custom(func(t *rapid.T) proofstypes.Params {
		gas := Uint64(1, proofstypes.MaxGasParam)
		perInput := Uint64(0, proofstypes.MaxGasParam)
		p := proofstypes.Params{
			MaxLeafCount:         Uint64(1, proofstypes.MaxLeafCountLimit).Draw(t, "max_leaf_count"),
			MaxProofBytes:        Uint32(1, proofstypes.MaxProofBytesLimit).Draw(t, "max_proof_bytes"),
			MaxVerifyingKeyBytes: Uint32(1, proofstypes.MaxVerifyingKeyBytesLimit).Draw(t, "max_verifying_key_bytes"),
			MaxPublicInputs:      Uint32(1, proofstypes.MaxPublicInputsLimit).Draw(t, "max_public_inputs"),
			VerifyGas:            gas.Draw(t, "verify_gas"),
			VerifyGasPerInput:    perInput.Draw(t, "verify_gas_per_input"),
			MaxDescriptionBytes:  Uint32(1, proofstypes.MaxDescriptionBytesLimit).Draw(t, "max_description_bytes"),
			KeyLoadGas:           gas.Draw(t, "key_load_gas"),
			KeyLoadGasPerInput:   perInput.Draw(t, "key_load_gas_per_input"),
			MaxWarmCircuits:      Uint32(1, proofstypes.MaxWarmCircuitsLimit).Draw(t, "max_warm_circuits"),
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("paramsgen drew proofs params that do not validate: %v", err)
		}
		return p
	})
}

// Tee draws x/tee params that Params.Validate accepts: base's trusted roots and allowed
// measurements (which a test needs to make evidence for), every other field drawn from its range.
func Tee(base teetypes.Params) *rapid.Generator[teetypes.Params] {
	return rapid.Custom(func(t *rapid.T) teetypes.Params {
		p := base
		p.ValidityBlocks = Int64(1, teetypes.MaxValidityBlocks).Draw(t, "validity_blocks")
		p.NonceWindowBlocks = Int64(1, teetypes.MaxNonceWindowBlocks).Draw(t, "nonce_window_blocks")
		p.VerifyGas = Uint64(1, teetypes.MaxVerifyGas).Draw(t, "verify_gas")
		p.MaxEvidenceBytes = Uint32(1, teetypes.MaxEvidenceBytesLimit).Draw(t, "max_evidence_bytes")
		p.AllowSimulated = rapid.Bool().Draw(t, "allow_simulated")
		if rapid.Bool().Draw(t, "draw the minimum TCBs") {
			p.SevSnpMinTcb = rapid.Uint64().Draw(t, "sev_snp_min_tcb")
			p.TdxMinTeeTcbSvn = rapid.SliceOfN(rapid.Byte(), teetypes.TdxTcbSvnSize, teetypes.TdxTcbSvnSize).Draw(t, "tdx_min_tee_tcb_svn")
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("paramsgen drew tee params that do not validate: %v", err)
		}
		return p
	})
}
