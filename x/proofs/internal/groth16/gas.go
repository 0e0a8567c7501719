package groth16

// VerifyGas is the flat gas to charge, before any decoding, for one MsgVerifyProof: ParseVerifyingKey
// of the stored key plus one Verify. It is priced as a time ratio to a secp256k1 signature check, for
// which the SDK charges DefaultSigVerifyCostSecp256k1 = 1000 gas, and covers the worst case the
// default params admit (MaxPublicInputs = 64, full-width inputs), so that no key or statement makes
// a verification cheaper to request than to run.
//
// Measured with the benchmarks in bench_test.go, one core (-cpu 1), AMD EPYC, Go 1.26, gnark v0.16.3,
// two runs (ranges are run-to-run spread on a shared machine):
//
//	BenchmarkSecp256k1Verify            106–115 µs
//	BenchmarkVerify (range, 3 inputs)   0.59–0.82 ms   → 5,600–7,700 gas
//	BenchmarkParseVerifyingKey (range)  0.45–0.53 ms
//	BenchmarkVerifyPublicInputs/n=64    1.51–1.55 ms
//	BenchmarkParseAndVerifyMaxInputs    1.69–2.30 ms   → ceil(2.30 ms / 0.106 ms × 1000) = 21,700 gas
//
// rounded up to 25,000. Re-run when gnark, the curve or MaxPublicInputs changes:
//
//	go test ./x/proofs/internal/groth16 -run '^$' -bench . -benchtime 2s -count 2 -cpu 1
const VerifyGas uint64 = 25_000
