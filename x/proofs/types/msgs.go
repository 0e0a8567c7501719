package types

import (
	"crypto/sha256"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
)

// Each message's ValidateBasic refuses in CheckTx, before the message reaches a block, what the msg
// server refuses without reading state, with the same error: the signer's address (accaddr.Parse)
// and ValidateFields, which the msg server calls too. Bounds that params set are checked by the msg
// server only; ValidateBasic checks the widest bounds any params allow.
var (
	_ sdk.HasValidateBasic = (*MsgAnchorBatch)(nil)
	_ sdk.HasValidateBasic = (*MsgRegisterCircuit)(nil)
	_ sdk.HasValidateBasic = (*MsgDeactivateCircuit)(nil)
	_ sdk.HasValidateBasic = (*MsgVerifyProof)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
)

func validateSigner(field, addr string) error {
	_, _, err := accaddr.Parse(accaddr.Codec(), field, addr)
	return err
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgAnchorBatch) ValidateBasic() error {
	if err := validateSigner("submitter", m.Submitter); err != nil {
		return err
	}
	return m.ValidateFields()
}

// ValidateFields checks the lease id, kind, root and leaf count.
func (m *MsgAnchorBatch) ValidateFields() error {
	switch {
	case m.LeaseId == 0:
		return errorsmod.Wrap(ErrLeaseNotFound, "lease_id 0: lease ids start at 1")
	case m.Kind < BatchKindExecution || m.Kind > BatchKindSLA:
		return errorsmod.Wrapf(ErrInvalidKind, "kind %d", m.Kind)
	case len(m.MerkleRoot) != sha256.Size:
		return errorsmod.Wrapf(ErrInvalidBatch, "merkle_root must be %d bytes, got %d", sha256.Size, len(m.MerkleRoot))
	case m.LeafCount == 0 || m.LeafCount > MaxLeafCountLimit:
		return errorsmod.Wrapf(ErrInvalidBatch, "leaf_count %d not in [1, %d]", m.LeafCount, uint64(MaxLeafCountLimit))
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgRegisterCircuit) ValidateBasic() error {
	if err := validateSigner("authority", m.Authority); err != nil {
		return err
	}
	return m.ValidateFields()
}

// ValidateFields checks the name, description, key and input count against the widest bounds.
func (m *MsgRegisterCircuit) ValidateFields() error {
	return validateCircuitFields(m.Name, m.Description, m.VerifyingKey, m.PublicInputCount)
}

// validateCircuitFields is what registration and genesis require of a circuit without params.
func validateCircuitFields(name, description string, vk []byte, inputs uint32) error {
	switch {
	case name == "":
		return errorsmod.Wrap(ErrInvalidCircuit, "name is empty")
	case len(name)+len(description) > MaxDescriptionBytesLimit:
		return errorsmod.Wrapf(ErrInvalidCircuit, "name and description are %d bytes, at most %d", len(name)+len(description), MaxDescriptionBytesLimit)
	case len(vk) == 0 || len(vk) > MaxVerifyingKeyBytesLimit:
		return errorsmod.Wrapf(ErrInvalidCircuit, "verifying_key of %d bytes, want 1..%d", len(vk), MaxVerifyingKeyBytesLimit)
	case inputs == 0 || inputs > MaxPublicInputsLimit:
		return errorsmod.Wrapf(ErrInvalidCircuit, "public_input_count %d not in [1, %d]", inputs, MaxPublicInputsLimit)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgDeactivateCircuit) ValidateBasic() error {
	if err := validateSigner("authority", m.Authority); err != nil {
		return err
	}
	return m.ValidateFields()
}

// ValidateFields checks the circuit id.
func (m *MsgDeactivateCircuit) ValidateFields() error {
	if m.CircuitId == 0 {
		return errorsmod.Wrap(ErrCircuitNotFound, "circuit_id 0: circuit ids start at 1")
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgVerifyProof) ValidateBasic() error {
	if err := validateSigner("submitter", m.Submitter); err != nil {
		return err
	}
	return m.ValidateFields()
}

// ValidateFields checks the circuit id, the proof's size and every public input's encoding.
func (m *MsgVerifyProof) ValidateFields() error {
	switch {
	case m.CircuitId == 0:
		return errorsmod.Wrap(ErrCircuitNotFound, "circuit_id 0: circuit ids start at 1")
	case len(m.Proof) == 0:
		return errorsmod.Wrap(ErrMalformedProof, "proof is empty")
	case len(m.Proof) > MaxProofBytesLimit:
		return errorsmod.Wrapf(ErrTooLarge, "proof of %d bytes, at most %d", len(m.Proof), MaxProofBytesLimit)
	case len(m.PublicInputs) == 0 || len(m.PublicInputs) > MaxPublicInputsLimit:
		return errorsmod.Wrapf(ErrMalformedProof, "%d public_inputs, a circuit takes 1..%d", len(m.PublicInputs), MaxPublicInputsLimit)
	}
	for i, in := range m.PublicInputs {
		if err := ValidatePublicInput(in); err != nil {
			return errorsmod.Wrapf(ErrMalformedProof, "public_inputs[%d]: %s", i, err)
		}
	}
	return nil
}

// ValidatePublicInput checks that in is a 32-byte big-endian BN254 scalar below the field modulus,
// as the verifier requires.
func ValidatePublicInput(in []byte) error {
	if len(in) != fr.Bytes {
		return fmt.Errorf("%d bytes, want %d", len(in), fr.Bytes)
	}
	if _, err := fr.BigEndian.Element((*[fr.Bytes]byte)(in)); err != nil {
		return errors.New("not below the scalar field modulus")
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdateParams) ValidateBasic() error {
	if err := validateSigner("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
