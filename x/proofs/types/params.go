package types

import errorsmod "cosmossdk.io/errors"

// Verification gas is priced as a time ratio to a secp256k1 signature check, for which the SDK charges
// DefaultSigVerifyCostSecp256k1 = 1000 gas: a proof against a circuit with n public inputs is charged
// DefaultVerifyGas + n × DefaultVerifyGasPerInput, before any decoding and whatever the outcome.
//
// The ratio is measured by timing verifications and signature checks alternately in one loop, so
// that a shared machine's load drifting between two benchmarks does not skew it (two runs, one core,
// AMD EPYC, Go 1.26, gnark v0.16.3):
//
//	go test ./x/proofs/internal/groth16 -run '^$' -bench VsSecp256k1 -benchtime 200x -count 2 -cpu 1
//
//	BenchmarkVerifyVsSecp256k1/n=1     7.7–8.1×
//	BenchmarkVerifyVsSecp256k1/n=3     8.0×
//	BenchmarkVerifyVsSecp256k1/n=64    13.5–13.7×   → ≈ 0.095× (95 gas) per public input
//
// so 8,500 gas plus 150 per input covers every size with a margin: 8,650 at n = 1, 8,950 for range
// (n = 3, below 10 signature checks), 18,100 at MaxPublicInputs (64). The keeper caches parsed
// verifying keys (x/proofs/keeper/vkcache.go); the key's decoding (≈ 0.7 ms, once per circuit per node
// start) is not in the per-proof price. Re-run and re-derive when gnark, the curve or MaxPublicInputs
// changes.
const (
	DefaultVerifyGas         = 8_500
	DefaultVerifyGasPerInput = 150
)

// maxVerifyGas bounds each gas param so that VerifyGas + n × VerifyGasPerInput cannot overflow.
const maxVerifyGas = 1 << 40

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
	}
}

// Validate checks the params; failures wrap ErrInvalidParams.
func (p Params) Validate() error {
	switch {
	case p.MaxLeafCount == 0:
		return errorsmod.Wrap(ErrInvalidParams, "max_leaf_count must be positive")
	case p.MaxProofBytes == 0 || p.MaxVerifyingKeyBytes == 0 || p.MaxPublicInputs == 0:
		return errorsmod.Wrap(ErrInvalidParams, "proof, key and public input bounds must be positive")
	case p.VerifyGas == 0:
		return errorsmod.Wrap(ErrInvalidParams, "verify_gas must be positive: verification is never free")
	case p.VerifyGas > maxVerifyGas || p.VerifyGasPerInput > maxVerifyGas:
		return errorsmod.Wrapf(ErrInvalidParams, "verify_gas and verify_gas_per_input must be at most %d", uint64(maxVerifyGas))
	case p.MaxDescriptionBytes == 0:
		return errorsmod.Wrap(ErrInvalidParams, "max_description_bytes must be positive")
	}
	return nil
}
