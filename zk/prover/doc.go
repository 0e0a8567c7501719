// Package prover makes Groth16 (BN254) keys and proofs for the circuits of zk/circuits, off chain.
//
// # Keys
//
// Setup runs a single-party trusted setup: whoever runs it learns the toxic waste and can forge
// proofs for the circuit. Its keys are fit for localnet and tests only; keys registered on a public
// chain must come from a multi-party ceremony (gnark's backend/groth16/bn254/mpcsetup).
//
//   - verifying key: gnark groth16.VerifyingKey.WriteTo on BN254, compressed points — the bytes
//     registered on chain (MsgRegisterCircuit) and read by x/proofs/internal/groth16.
//   - proving key: gnark groth16.ProvingKey.WriteRawTo on BN254, uncompressed points, so that it
//     loads without a square root per point. Prove reads it without subgroup checks: the proving key
//     is the prover's own input, and a bad one can only produce proofs that fail verification.
//
// # Witness JSON, per circuit
//
// Integers (bound, value, lo, hi) may be JSON numbers or decimal strings, the coordinates x_i of
// norm_bound only JSON numbers; field elements (salt, set values) may be JSON
// numbers, decimal strings or "0x"-prefixed hex strings, and must be below the BN254 scalar field
// modulus. Unknown fields are rejected; every field is required.
//
//	norm_bound_64|256|1024  {"x": [int, …exactly n…], "salt": field, "bound": uint64}
//	                        x_i are the quantized coordinates, |x_i| < 2^15; salt is fresh randomness;
//	                        the commitment is computed (zk/circuits.NormBoundCommitment).
//	set_membership          {"value": field, "set": [field, …at most 2^16…]}
//	                        leaf i is MiMC(set[i]) in the order given, the tree is padded to 2^16
//	                        leaves with zeros; the path is that of the first occurrence of value.
//	range                   {"value": uint64, "salt": field, "lo": uint64, "hi": uint64}
//
// # Proofs and public inputs
//
// Prove returns the proof as gnark groth16.Proof.WriteTo on BN254 (compressed points) and the public
// inputs as 32-byte big-endian field elements, in the circuit's public-variable order:
//
//	norm_bound_*    commitment, bound
//	set_membership  root
//	range           commitment, lo, hi
//
// These are exactly the bytes MsgVerifyProof carries. Verification is not here: x/proofs/types.VerifyProof
// is the one check, on chain and in `fogd zk verify`.
package prover
