package types

import (
	"crypto/ed25519"

	"github.com/fogchain/fog/fogtypes"
)

// Receipts and Merkle proofs are value types that x/proofs (anchoring), x/quorum (audits) and the
// worker share: they live in fogtypes (fog.common.v1), and x/proofs names them as before.
type (
	Receipt       = fogtypes.Receipt
	SignedReceipt = fogtypes.SignedReceipt
	MerkleProof   = fogtypes.MerkleProof
)

// SignReceipt signs a receipt with the worker key.
func SignReceipt(r Receipt, key ed25519.PrivateKey) (SignedReceipt, error) {
	return fogtypes.SignReceipt(r, key)
}
