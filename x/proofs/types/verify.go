package types

import (
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
)

// KeyLimits are the params a verifying key is parsed under. The proof size bound is not one of them,
// so a change of it keeps the keys a node has parsed.
type KeyLimits struct {
	MaxVerifyingKeyBytes, MaxPublicInputs uint32
}

// WidestKeyLimits are the limits any params allow: every registered key was parsed under limits no
// wider.
var WidestKeyLimits = KeyLimits{MaxVerifyingKeyBytes: MaxVerifyingKeyBytesLimit, MaxPublicInputs: MaxPublicInputsLimit}

// KeyLimits are the limits p parses verifying keys under.
func (p Params) KeyLimits() KeyLimits {
	return KeyLimits{MaxVerifyingKeyBytes: p.MaxVerifyingKeyBytes, MaxPublicInputs: p.MaxPublicInputs}
}

func (p Params) groth16Limits() groth16.Limits {
	return groth16.Limits{MaxVerifyingKeyBytes: int(p.MaxVerifyingKeyBytes), MaxProofBytes: int(p.MaxProofBytes), MaxPublicInputs: int(p.MaxPublicInputs)}
}

// VerifyingKey is a circuit's Groth16 verifying key, parsed and checked. It is read-only and safe to
// share.
type VerifyingKey struct {
	key *groth16.VerifyingKey
}

// ParseVerifyingKey parses a verifying key under lim (its size checked first) and checks that it
// takes inputs public inputs: what registration, genesis and every verification require of a
// circuit's key. It cannot tell two circuits with the same input count apart: the key does not name
// its circuit. Errors are ErrInvalidCircuit.
func ParseVerifyingKey(lim KeyLimits, bz []byte, inputs uint32) (*VerifyingKey, error) {
	key, err := groth16.ParseVerifyingKey(bz, groth16.Limits{MaxVerifyingKeyBytes: int(lim.MaxVerifyingKeyBytes), MaxPublicInputs: int(lim.MaxPublicInputs)})
	if err != nil {
		return nil, errorsmod.Wrapf(ErrInvalidCircuit, "verifying key: %s", err)
	}
	if key.NumPublicInputs() != int(inputs) {
		return nil, errorsmod.Wrapf(ErrInvalidCircuit, "verifying key has %d public inputs, not %d", key.NumPublicInputs(), inputs)
	}
	return &VerifyingKey{key: key}, nil
}

// ValidateCircuitKey checks a circuit's verifying key and public input count under params p: what
// registration and `fogd zk add-genesis-circuit` require.
func ValidateCircuitKey(p Params, vk []byte, inputs uint32) error {
	if inputs == 0 || inputs > p.MaxPublicInputs {
		return errorsmod.Wrapf(ErrInvalidCircuit, "public input count %d not in [1, %d]", inputs, p.MaxPublicInputs)
	}
	_, err := ParseVerifyingKey(p.KeyLimits(), vk, inputs)
	return err
}

// VerifyGas is what one verification against a circuit with n public inputs is charged: the flat
// pairing cost plus one scalar multiplication per input (calibration in params.go).
func VerifyGas(p Params, n uint32) uint64 {
	return p.VerifyGas + p.VerifyGasPerInput*uint64(n)
}

// KeyLoadGas is what loading the key of a circuit with n public inputs is charged, for a verification
// against a circuit outside the warm set (calibration in params.go).
func KeyLoadGas(p Params, n uint32) uint64 {
	return p.KeyLoadGas + p.KeyLoadGasPerInput*uint64(n)
}

// VerifyHooks are what the chain adds around VerifyProof; the zero value adds nothing, which is how
// `fogd zk verify` checks a proof off chain.
type VerifyHooks struct {
	// Charge is called with the verification gas once the sizes are checked, before anything is
	// decoded.
	Charge func(gas uint64)
	// Key returns the circuit's parsed key (the keeper's cache and key-load gas); nil parses
	// c.VerifyingKey under the params' key limits.
	Key func(c Circuit) (*VerifyingKey, error)
}

// VerifyProof checks a Groth16 (BN254) proof and its public inputs (32-byte big-endian field
// elements, in the circuit's order) against circuit c under params p: the one check MsgVerifyProof
// and `fogd zk verify` both make. Sizes are checked before anything is decoded. Errors are
// ErrTooLarge, ErrMalformedProof, ErrInvalidCircuit (the key) and ErrInvalidProof, or the hooks'.
func VerifyProof(p Params, c Circuit, publicInputs [][]byte, proof []byte, hooks VerifyHooks) error {
	if len(proof) > int(p.MaxProofBytes) {
		return errorsmod.Wrapf(ErrTooLarge, "proof of %d bytes, at most %d", len(proof), p.MaxProofBytes)
	}
	if len(publicInputs) != int(c.PublicInputCount) {
		return errorsmod.Wrapf(ErrMalformedProof, "%s takes %d public inputs, got %d", c.ref(), c.PublicInputCount, len(publicInputs))
	}
	if hooks.Charge != nil {
		hooks.Charge(VerifyGas(p, c.PublicInputCount))
	}
	var (
		vk  *VerifyingKey
		err error
	)
	if hooks.Key != nil {
		vk, err = hooks.Key(c)
	} else {
		vk, err = ParseVerifyingKey(p.KeyLimits(), c.VerifyingKey, c.PublicInputCount)
	}
	if err != nil {
		return err
	}
	switch err := groth16.Verify(vk.key, publicInputs, proof, p.groth16Limits()); {
	case err == nil:
		return nil
	case errors.Is(err, groth16.ErrInvalidProof):
		return errorsmod.Wrap(ErrInvalidProof, c.ref())
	case errors.Is(err, groth16.ErrTooLarge):
		return errorsmod.Wrap(ErrTooLarge, err.Error())
	default:
		return errorsmod.Wrap(ErrMalformedProof, err.Error())
	}
}

// ref names c in errors: by id and name once registered, by name alone off chain.
func (c Circuit) ref() string {
	if c.Id == 0 {
		return fmt.Sprintf("circuit %s", c.Name)
	}
	return fmt.Sprintf("circuit %d (%s)", c.Id, c.Name)
}
