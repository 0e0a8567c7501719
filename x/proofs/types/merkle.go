package types

import (
	"context"
	"errors"
	"fmt"

	"github.com/cometbft/cometbft/crypto/merkle"

	"github.com/fogchain/fog/internal/accaddr"
)

// MerkleRoot is the RFC 6962 root of leaves (leaf hash sha256(0x00 ‖ leaf), inner node
// sha256(0x01 ‖ left ‖ right)), computed by CometBFT's crypto/merkle.
func MerkleRoot(leaves [][]byte) []byte { return merkle.HashFromByteSlices(leaves) }

// MerkleProofs returns the root of leaves and the inclusion proof of each leaf.
func MerkleProofs(leaves [][]byte) ([]byte, []MerkleProof) {
	root, proofs := merkle.ProofsFromByteSlices(leaves)
	out := make([]MerkleProof, len(proofs))
	for i, p := range proofs {
		out[i] = MerkleProof{Total: p.Total, Index: p.Index, Aunts: p.Aunts}
	}
	return root, out
}

// VerifyInclusion checks that leaf is at proof.Index among proof.Total leaves under root. A proof
// longer than any tree of Total leaves needs is refused before hashing.
func VerifyInclusion(root, leaf []byte, proof MerkleProof) error {
	if proof.Total <= 0 || proof.Index < 0 || proof.Index >= proof.Total {
		return fmt.Errorf("index %d outside a tree of %d leaves", proof.Index, proof.Total)
	}
	if len(proof.Aunts) > 64 {
		return errors.New("proof too long")
	}
	for _, a := range proof.Aunts {
		if len(a) != 32 {
			return errors.New("proof hashes must be 32 bytes")
		}
	}
	p := merkle.Proof{Total: proof.Total, Index: proof.Index, LeafHash: leafHash(leaf), Aunts: proof.Aunts}
	return p.Verify(root, leaf)
}

func leafHash(leaf []byte) []byte {
	// the same leaf hash Proof.Verify recomputes and compares
	_, proofs := merkle.ProofsFromByteSlices([][]byte{leaf})
	return proofs[0].LeafHash
}

// CheckExecutionBatch checks that b is where an execution receipt of leaseID by provider belongs: an
// execution batch of that lease, anchored by that provider (the chain lets only the lease's provider
// anchor execution batches). Inclusion in any other batch — an audit batch the owner anchored, or a
// batch of another lease — proves nothing about the receipt's execution.
func CheckExecutionBatch(b Batch, leaseID uint64, provider string) error {
	switch {
	case b.Kind != BatchKindExecution:
		return fmt.Errorf("batch %d is a %s batch, not an execution batch", b.Id, b.Kind)
	case b.LeaseId != leaseID:
		return fmt.Errorf("batch %d anchors lease %d, not the receipt's lease %d", b.Id, b.LeaseId, leaseID)
	case !sameAccount(b.Submitter, provider):
		return fmt.Errorf("batch %d was anchored by %s, not the receipt's provider %s", b.Id, b.Submitter, provider)
	}
	return nil
}

// CheckReceiptInclusion is the client's check of an anchored receipt: it asks the chain through q
// whether req.Leaf, the receipt's canonical bytes, is at req.Proof's place in batch req.BatchId (the
// VerifyInclusion query runs VerifyInclusion against the anchored root), then checks that the batch
// is where a receipt of leaseID by provider belongs (CheckExecutionBatch). An error from the query is
// returned wrapped, with its gRPC status.
func CheckReceiptInclusion(ctx context.Context, q QueryClient, req *QueryVerifyInclusionRequest, leaseID uint64, provider string) error {
	res, err := q.VerifyInclusion(ctx, req)
	if err != nil {
		return fmt.Errorf("batch %d: %w", req.BatchId, err)
	}
	if !res.Valid {
		return fmt.Errorf("receipt is NOT in anchored batch %d: %s", req.BatchId, res.Reason)
	}
	if err := CheckExecutionBatch(res.Batch, leaseID, provider); err != nil {
		return fmt.Errorf("receipt inclusion proves nothing: %w", err)
	}
	return nil
}

// sameAccount reports whether a and b are addresses of the same account: bech32 is case-insensitive,
// so they are compared as bytes.
func sameAccount(a, b string) bool {
	ac := accaddr.Codec()
	x, _, errA := accaddr.Parse(ac, "a", a)
	y, _, errB := accaddr.Parse(ac, "b", b)
	return errA == nil && errB == nil && x.Equals(y)
}
