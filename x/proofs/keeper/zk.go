package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
	"github.com/fogchain/fog/x/proofs/types"
)

func limits(p types.Params) groth16.Limits {
	return groth16.Limits{MaxVerifyingKeyBytes: int(p.MaxVerifyingKeyBytes), MaxProofBytes: int(p.MaxProofBytes), MaxPublicInputs: int(p.MaxPublicInputs)}
}

// ValidateCircuitKey parses a verifying key (size-checked first) under params p and checks its public
// input count: what registration and `fogd zk add-genesis-circuit` require of a circuit's key. It
// cannot tell two circuits with the same input count apart: the key does not name its circuit.
func ValidateCircuitKey(p types.Params, vk []byte, inputs uint32) error {
	if inputs == 0 || inputs > p.MaxPublicInputs {
		return errorsmod.Wrapf(types.ErrInvalidCircuit, "public input count %d not in [1, %d]", inputs, p.MaxPublicInputs)
	}
	return validateKey(keyLimits(p), vk, inputs)
}

// validateKey parses vk under lim and checks that it takes inputs public inputs.
func validateKey(lim groth16.Limits, vk []byte, inputs uint32) error {
	parsed, err := groth16.ParseVerifyingKey(vk, lim)
	if err != nil {
		return errorsmod.Wrapf(types.ErrInvalidCircuit, "verifying key: %s", err)
	}
	if parsed.NumPublicInputs() != int(inputs) {
		return errorsmod.Wrapf(types.ErrInvalidCircuit, "verifying key has %d public inputs, not %d", parsed.NumPublicInputs(), inputs)
	}
	return nil
}

// VerifyGas is what one verification against a circuit with n public inputs is charged: the flat
// pairing cost plus one scalar multiplication per input (calibration in x/proofs/internal/groth16).
func VerifyGas(p types.Params, n uint32) uint64 {
	return p.VerifyGas + p.VerifyGasPerInput*uint64(n)
}

// VerifyProof checks a Groth16 proof against an active circuit, charging the verification gas, and
// the key-load gas if the circuit is outside the warm set, before any decoding. Other modules
// (x/training) call it for their predicates.
func (k Keeper) VerifyProof(ctx context.Context, circuitID uint64, publicInputs [][]byte, proof []byte) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	c, err := k.Circuits.Get(ctx, circuitID)
	if errors.Is(err, collections.ErrNotFound) {
		return errorsmod.Wrapf(types.ErrCircuitNotFound, "circuit %d", circuitID)
	} else if err != nil {
		return err
	}
	if !c.Active {
		return errorsmod.Wrapf(types.ErrCircuitInactive, "circuit %d (%s)", c.Id, c.Name)
	}
	if len(proof) > int(p.MaxProofBytes) {
		return errorsmod.Wrapf(types.ErrTooLarge, "proof of %d bytes, at most %d", len(proof), p.MaxProofBytes)
	}
	if len(publicInputs) != int(c.PublicInputCount) {
		return errorsmod.Wrapf(types.ErrMalformedProof, "circuit %d takes %d public inputs, got %d", c.Id, c.PublicInputCount, len(publicInputs))
	}
	sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(VerifyGas(p, c.PublicInputCount), "groth16 verification")
	vk, err := k.verifyingKey(ctx, p, c)
	if err != nil {
		return err
	}
	switch err := groth16.Verify(vk, publicInputs, proof, limits(p)); {
	case err == nil:
		return nil
	case errors.Is(err, groth16.ErrInvalidProof):
		return errorsmod.Wrapf(types.ErrInvalidProof, "circuit %d (%s)", c.Id, c.Name)
	case errors.Is(err, groth16.ErrTooLarge):
		return errorsmod.Wrap(types.ErrTooLarge, err.Error())
	default:
		return errorsmod.Wrap(types.ErrMalformedProof, err.Error())
	}
}
