package types

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
)

// Each message's ValidateBasic refuses in CheckTx, before the message reaches a block, what the msg
// server refuses without reading state, with the same error: the signer's address (accaddr.Parse)
// and what the msg server checks first with the same helpers. Bounds that params set are checked by
// the msg server only; ValidateBasic checks the widest bounds any params allow.
var (
	_ sdk.HasValidateBasic = (*MsgSubmitAttestation)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
)

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgSubmitAttestation) ValidateBasic() error {
	if _, _, err := accaddr.Parse(accaddr.Codec(), "provider", m.Provider); err != nil {
		return err
	}
	return m.ValidateFields()
}

// ValidateFields checks the TEE type, the evidence's size and the nonce height.
func (m *MsgSubmitAttestation) ValidateFields() error {
	switch m.TeeType {
	case TeeTypeSevSnp, TeeTypeTdx, TeeTypeSimulated:
	default:
		return errorsmod.Wrapf(ErrTeeType, "tee_type %d", m.TeeType)
	}
	if len(m.Evidence) == 0 || len(m.Evidence) > MaxEvidenceBytesLimit {
		return errorsmod.Wrapf(ErrTooLarge, "evidence of %d bytes, want 1..%d", len(m.Evidence), MaxEvidenceBytesLimit)
	}
	if m.NonceHeight < 1 {
		return errorsmod.Wrapf(ErrNonce, "nonce_height %d: block hashes are recorded from height 1", m.NonceHeight)
	}
	if len(m.WorkerPubkey) != WorkerKeySize {
		return errorsmod.Wrapf(ErrWorkerKey, "worker_pubkey of %d bytes, want an ed25519 public key of %d", len(m.WorkerPubkey), WorkerKeySize)
	}
	return nil
}

// ValidateBasic implements sdk.HasValidateBasic.
func (m *MsgUpdateParams) ValidateBasic() error {
	if _, _, err := accaddr.Parse(accaddr.Codec(), "authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
