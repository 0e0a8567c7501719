// Package groth16 is the chain's only use of gnark: it parses Groth16 verifying keys and proofs on
// BN254 and verifies proofs, with every length bounded before anything is decoded.
//
// # Encodings
//
// Both encodings are gnark v0.16's binary WriteTo of backend/groth16 (curve BN254), and only the
// canonical, compressed form it writes is accepted: every point compressed, no trailing bytes, and
// decoding then re-encoding must give back the same bytes. Integers are big-endian. A compressed G1
// point is 32 bytes, a compressed G2 point 64; the two top bits of a point's first byte are its
// compression flags (0b10, 0b11 or 0b01 for infinity — never 0b00, which marks an uncompressed point).
//
// Verifying key (groth16.VerifyingKey.WriteTo):
//
//	[α]1 G1 ‖ [β]1 G1 ‖ [β]2 G2 ‖ [γ]2 G2 ‖ [δ]1 G1 ‖ [δ]2 G2      288 bytes
//	uint32 k ‖ k × G1                                              K: one point per public wire, the constant
//	                                                               wire first, then one per commitment
//	uint32 c ‖ c × (uint32 m ‖ m × uint64)                         for each commitment, the public wires it hashes
//	uint32 c ‖ c × (G2 ‖ G2)                                       Pedersen verifying keys of the commitments
//
// so a key without commitments — which is what zk/circuits compiles to — is 300 + 32·(n+1) bytes for
// n public inputs, and n = k − 1 − c.
//
// Proof (groth16.Proof.WriteTo):
//
//	Ar G1 ‖ Bs G2 ‖ Krs G1 ‖ uint32 c ‖ c × G1 ‖ CommitmentPok G1
//
// which is 164 bytes for a key without commitments. The number c of commitments must equal the key's.
//
// A public input is a 32-byte big-endian BN254 scalar, strictly below the modulus
// r = 21888242871839275222246405745257275088548364400416034343698204186575808495617.
//
// # Errors
//
// ErrTooLarge: a size limit (Limits) is exceeded, checked before any decoding. ErrMalformed: the bytes
// are not a canonical encoding, a point is not on the curve or not in its subgroup, a public input is
// not 32 bytes or not below the modulus, or the count of public inputs is not the key's. ErrInvalidProof:
// everything decodes, and the pairing check fails.
//
// # Determinism
//
// Verification is a pure function of its inputs. gnark computes a Miller loop and multi-scalar
// multiplications on goroutines internally; their results do not depend on scheduling.
package groth16
