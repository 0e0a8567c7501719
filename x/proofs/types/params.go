package types

import errorsmod "cosmossdk.io/errors"

// Verification gas is priced as a time ratio to a secp256k1 signature check, for which the SDK charges
// DefaultSigVerifyCostSecp256k1 = 1000 gas: a proof against a circuit with n public inputs is charged
// DefaultVerifyGas + n × DefaultVerifyGasPerInput, before any decoding and whatever the outcome.
//
// Measured on the machine of BENCHMARKS.md (AMD EPYC, 2 cores, Go 1.26, gnark v0.16.3, -cpu 1, two
// runs) by
//
//	go test ./x/proofs/internal/groth16 -run '^$' -bench . -benchtime 2s -count 2 -cpu 1
//
//	BenchmarkSecp256k1Verify             185 µs                  (1000 gas)
//	BenchmarkVerifyPublicInputs/n=1      1.13–1.25 ms            6.1–6.8×
//	BenchmarkVerifyPublicInputs/n=64     2.27–2.71 ms            12.3–14.6×
//	per public input                     (2.71 − 1.13) / 63 ≈ 25 µs    0.14×
//	BenchmarkVerify (range, 3 inputs)    1.26–1.36 ms            6.8–7.4×
//
// so 8,000 gas plus 150 per input covers the slowest run at every size: 8,450 for range (≤ 10×
// a signature check), 17,600 at MaxPublicInputs (64). The keeper caches parsed verifying keys
// (x/proofs/keeper/vkcache.go); the key's decoding (≈ 0.7 ms, once per circuit per node start) is
// not in the per-proof price. Re-run and re-derive when gnark, the curve or MaxPublicInputs changes.
const (
	DefaultVerifyGas         = 8_000
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
