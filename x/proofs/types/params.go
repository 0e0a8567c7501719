package types

import errorsmod "cosmossdk.io/errors"

// Verification gas is priced as a time ratio to a secp256k1 signature check, for which the SDK charges
// DefaultSigVerifyCostSecp256k1 = 1000 gas: a proof against a circuit with n public inputs is charged
// DefaultVerifyGas + n × DefaultVerifyGasPerInput, before any decoding and whatever the outcome.
//
// The ratio is measured by timing verifications and signature checks alternately in one loop, so
// that a shared machine's load drifting between two benchmarks does not skew it (one core, AMD
// EPYC, Go 1.26, gnark v0.16.3):
//
//	go test ./x/proofs/internal/groth16 -run '^$' -bench VsSecp256k1 -benchtime 200x -count 2 -cpu 1
//
//	BenchmarkVerifyVsSecp256k1/n=1     7.7–8.1×
//	BenchmarkVerifyVsSecp256k1/n=3     8.0×
//	BenchmarkVerifyVsSecp256k1/n=64    13.5–13.7×   → ≈ 0.095× (95 gas) per public input
//	BenchmarkVerifyVsSecp256k1/n=256   28.3–29.9×   (-benchtime 100x, when MaxPublicInputsLimit became 256)
//
// so 8,500 gas plus 150 per input covers every size with a margin: 8,650 at n = 1, 8,950 for range
// (n = 3, below 10 signature checks), 18,100 at n = 64, 46,900 at MaxPublicInputsLimit (256).
// Re-run and re-derive when gnark, the curve or MaxPublicInputsLimit changes.
const (
	DefaultVerifyGas         = 8_500
	DefaultVerifyGasPerInput = 150
)

// Loading a verifying key — its points' decompression and subgroup checks, and the pairing e(α, β)
// gnark precomputes — is priced the same way, for a verification against a circuit outside the warm
// set (x/proofs/keeper/warm.go): DefaultKeyLoadGas + n × DefaultKeyLoadGasPerInput. The decoding is
// timed alternately with a secp256k1 check in one loop (five runs, one core, AMD EPYC, Go 1.26, gnark
// v0.16.3):
//
//	go test ./x/proofs/internal/groth16 -run '^$' -bench ParseVsSecp256k1 -benchtime 100x -count 3 -cpu 1
//
//	BenchmarkParseVsSecp256k1/n=1      4.0–4.2×
//	BenchmarkParseVsSecp256k1/n=3      3.9–4.4×
//	BenchmarkParseVsSecp256k1/n=64     5.7–7.2×
//	BenchmarkParseVsSecp256k1/n=256   12.6–19.0×   → ≈ 0.05× (50 gas) per public input
//
// so 5,000 gas plus 70 per input covers every size with a margin over the slowest run: 5,070 at
// n = 1, 5,210 for range, 9,480 at n = 64, 22,920 at MaxPublicInputsLimit (256).
const (
	DefaultKeyLoadGas         = 5_000
	DefaultKeyLoadGasPerInput = 70
	// DefaultMaxWarmCircuits: the chain ships three circuits; governance may add a few dozen.
	DefaultMaxWarmCircuits = 64
)

// Bounds of the params: ranges in which the module's arithmetic is safe and its gas prices hold.
const (
	// MaxLeafCountLimit bounds max_leaf_count: a tree of 2^40 leaves needs 40-hash inclusion proofs,
	// within the 64 that VerifyInclusion accepts.
	MaxLeafCountLimit = 1 << 40
	// MaxProofBytesLimit bounds max_proof_bytes: a BN254 proof is a few hundred bytes.
	MaxProofBytesLimit = 64 << 10
	// MaxVerifyingKeyBytesLimit bounds max_verifying_key_bytes: a key with MaxPublicInputsLimit
	// inputs is under 9 kB.
	MaxVerifyingKeyBytesLimit = 1 << 20
	// MaxPublicInputsLimit bounds max_public_inputs: the verification and key-load gas are calibrated
	// up to it.
	MaxPublicInputsLimit = 256
	// MaxGasParam bounds each gas param, so that a charge (at most 2 × 2^40 × (1 + 256)) cannot
	// overflow uint64.
	MaxGasParam = 1 << 40
	// MaxDescriptionBytesLimit bounds max_description_bytes.
	MaxDescriptionBytesLimit = 64 << 10
	// MaxWarmCircuitsLimit bounds max_warm_circuits; every node's parsed-key cache holds more than
	// this, so that a warm circuit's key is always in memory.
	MaxWarmCircuitsLimit = 256
)

// DefaultParams bound batches, keys and proofs.
func DefaultParams() Params {
	return Params{
		MaxLeafCount:         1 << 20,
		MaxProofBytes:        1024,
		MaxVerifyingKeyBytes: 64 << 10,
		MaxPublicInputs:      64,
		VerifyGas:            DefaultVerifyGas,
		VerifyGasPerInput:    DefaultVerifyGasPerInput,
		MaxDescriptionBytes:  1024,
		KeyLoadGas:           DefaultKeyLoadGas,
		KeyLoadGasPerInput:   DefaultKeyLoadGasPerInput,
		MaxWarmCircuits:      DefaultMaxWarmCircuits,
	}
}

// Validate checks that every param lies in its range; failures wrap ErrInvalidParams and name the
// field.
func (p Params) Validate() error {
	for _, f := range []struct {
		name      string
		v, lo, hi uint64
	}{
		{"max_leaf_count", p.MaxLeafCount, 1, MaxLeafCountLimit},
		{"max_proof_bytes", uint64(p.MaxProofBytes), 1, MaxProofBytesLimit},
		{"max_verifying_key_bytes", uint64(p.MaxVerifyingKeyBytes), 1, MaxVerifyingKeyBytesLimit},
		{"max_public_inputs", uint64(p.MaxPublicInputs), 1, MaxPublicInputsLimit},
		// verification and key loading are never free
		{"verify_gas", p.VerifyGas, 1, MaxGasParam},
		{"verify_gas_per_input", p.VerifyGasPerInput, 0, MaxGasParam},
		{"max_description_bytes", uint64(p.MaxDescriptionBytes), 1, MaxDescriptionBytesLimit},
		{"key_load_gas", p.KeyLoadGas, 1, MaxGasParam},
		{"key_load_gas_per_input", p.KeyLoadGasPerInput, 0, MaxGasParam},
		{"max_warm_circuits", uint64(p.MaxWarmCircuits), 1, MaxWarmCircuitsLimit},
	} {
		if f.v < f.lo || f.v > f.hi {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %d not in [%d, %d]", f.name, f.v, f.lo, f.hi)
		}
	}
	return nil
}
