package fogtypes

import (
	"crypto/ed25519"
	"errors"
	"fmt"
)

// SignReceipt signs a receipt with the worker key.
func SignReceipt(r Receipt, key ed25519.PrivateKey) (SignedReceipt, error) {
	bz, err := r.Marshal()
	if err != nil {
		return SignedReceipt{}, err
	}
	return SignedReceipt{Receipt: &r, Signature: ed25519.Sign(key, bz)}, nil
}

// Verify checks the receipt's signature against workerKey, the provider's registered worker key.
func (s SignedReceipt) Verify(workerKey []byte) error {
	if s.Receipt == nil {
		return errors.New("receipt missing")
	}
	if len(workerKey) != ed25519.PublicKeySize {
		return fmt.Errorf("worker key must be %d bytes, got %d", ed25519.PublicKeySize, len(workerKey))
	}
	if string(s.Receipt.WorkerPubkey) != string(workerKey) {
		return errors.New("receipt names another worker key than the provider's registered one")
	}
	bz, err := s.Receipt.Marshal()
	if err != nil {
		return err
	}
	if !ed25519.Verify(workerKey, bz, s.Signature) {
		return errors.New("receipt signature does not verify with the worker key")
	}
	return nil
}
