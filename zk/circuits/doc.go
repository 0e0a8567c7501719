// Package circuits holds the zero-knowledge predicates shipped with fogd, written as gnark frontend
// circuits over BN254 and compiled to R1CS for Groth16:
//
//   - NormBound (norm_bound_64, norm_bound_256, norm_bound_1024): a committed, quantized vector has
//     a squared Euclidean norm no larger than a public bound (training-update clipping).
//   - SetMembership (set_membership): a hidden value is a member of a set committed to by a Merkle root
//     (policy / classification).
//   - Range (range): a committed 64-bit value lies in a public interval.
//
// Commitments and Merkle nodes use MiMC over the BN254 scalar field: gnark's std/hash/mimc inside
// the circuits and gnark-crypto's ecc/bn254/fr/mimc in the plain-Go helpers of this package
// (NormBoundCommitment, MerkleRoot, MerklePath, RangeCommitment), which compute the same values and
// are what provers and verifiers use to build public inputs.
//
// The order of a circuit's public inputs is the declaration order of its public fields; it is
// stated on each circuit type and must not change once verifying keys are registered on chain.
//
// Nothing here runs on chain: the chain only sees verifying keys, proofs and public inputs.
package circuits
