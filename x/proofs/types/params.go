package types

import errorsmod "cosmossdk.io/errors"

// DefaultVerifyGas is charged before a Groth16 verification: calibrated against the SDK's 1000 gas of
// a secp256k1 signature verification by the benchmark in x/proofs/internal/groth16.
const DefaultVerifyGas = 100_000

// DefaultParams bound batches, keys and proofs.
func DefaultParams() Params {
	return Params{
		MaxLeafCount:         1 << 20,
		MaxProofBytes:        1024,
		MaxVerifyingKeyBytes: 64 << 10,
		MaxPublicInputs:      64,
		VerifyGas:            DefaultVerifyGas,
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
	case p.MaxDescriptionBytes == 0:
		return errorsmod.Wrap(ErrInvalidParams, "max_description_bytes must be positive")
	}
	return nil
}
