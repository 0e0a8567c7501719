package groth16_test

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/fogchain/fog/testutil/calib"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// The benchmarks below calibrate VerifyGas as a ratio to the SDK's 1000 gas for a secp256k1
// signature check; x/proofs/types/params.go has the command, the figures and the derivation.

// widest are the widest limits params can set (x/proofs/types: MaxVerifyingKeyBytesLimit,
// MaxProofBytesLimit, MaxPublicInputsLimit), for calibrating up to them.
var widest = groth16.Limits{MaxVerifyingKeyBytes: 1 << 20, MaxProofBytes: 64 << 10, MaxPublicInputs: 256}

// BenchmarkVerify is one verification of a shipped circuit's proof (range: 3 public inputs) with
// an already parsed key.
func BenchmarkVerify(b *testing.B) {
	fx := loadFixture(b)
	vk := parse(b, fx.vk)
	for b.Loop() {
		if err := groth16.Verify(vk, fx.public, fx.proof, limits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseVerifyingKey is the decoding of the range key: its points' decompression and
// subgroup checks, and the pairing e(α, β) that gnark precomputes.
func BenchmarkParseVerifyingKey(b *testing.B) {
	fx := loadFixture(b)
	for b.Loop() {
		if _, err := groth16.ParseVerifyingKey(fx.vk, limits); err != nil {
			b.Fatal(err)
		}
	}
}

// manyPublic has n public inputs, to measure what each one adds to a verification.
type manyPublic struct {
	P []frontend.Variable `gnark:",public"`
	X frontend.Variable
}

func (c *manyPublic) Define(api frontend.API) error {
	for i := range c.P {
		api.AssertIsEqual(c.P[i], api.Mul(c.X, i+1))
	}
	return nil
}

// manyPublicProof is a proof of manyPublic with n full-width public inputs: small scalars would
// make the multi-scalar multiplication over the inputs cheaper than the worst case.
func manyPublicProof(b *testing.B, n int) (proof []byte, public [][]byte, vk []byte) {
	b.Helper()
	var x fr.Element
	x.SetBytes(bytes.Repeat([]byte{0x5a}, 32))
	assignment := &manyPublic{P: make([]frontend.Variable, n), X: x}
	for i := range assignment.P {
		var k, p fr.Element
		k.SetUint64(uint64(i + 1))
		assignment.P[i] = *p.Mul(&x, &k)
	}
	proof, public, vk, err := gnarkProof(&manyPublic{P: make([]frontend.Variable, n)}, assignment)
	if err != nil {
		b.Fatal(err)
	}
	return proof, public, vk
}

// BenchmarkVerifyPublicInputs shows what each public input adds to a verification.
func BenchmarkVerifyPublicInputs(b *testing.B) {
	for _, n := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			proof, public, vkBytes := manyPublicProof(b, n)
			vk := parse(b, vkBytes)
			for b.Loop() {
				if err := groth16.Verify(vk, public, proof, limits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseAndVerifyMaxInputs is the most a MsgVerifyProof costs under the default params:
// decoding a stored key with MaxPublicInputs (64) public inputs, then one verification.
func BenchmarkParseAndVerifyMaxInputs(b *testing.B) {
	proof, public, vkBytes := manyPublicProof(b, limits.MaxPublicInputs)
	for b.Loop() {
		vk, err := groth16.ParseVerifyingKey(vkBytes, limits)
		if err != nil {
			b.Fatal(err)
		}
		if err := groth16.Verify(vk, public, proof, limits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyVsSecp256k1 times verifications (parsed key, n public inputs) and secp256k1
// signature checks alternately in one loop and reports their time ratio ("x-secp256k1"): the
// calibration of the verification gas, robust to the load of a shared machine drifting between two
// separate benchmarks.
func BenchmarkVerifyVsSecp256k1(b *testing.B) {
	for _, n := range []int{1, 3, 64, 256} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			proof, public, vkBytes := manyPublicProof(b, n)
			vk, err := groth16.ParseVerifyingKey(vkBytes, widest)
			if err != nil {
				b.Fatal(err)
			}
			calib.VsSecp256k1(b, func() {
				if err := groth16.Verify(vk, public, proof, widest); err != nil {
					b.Fatal(err)
				}
			})
		})
	}
}

// BenchmarkParseVsSecp256k1 times the decoding of a verifying key with n public inputs (its points'
// decompression and subgroup checks, and gnark's precomputed pairing e(α, β)) and secp256k1 signature
// checks alternately in one loop, and reports their time ratio ("x-secp256k1"): the calibration of
// the key-load gas (x/proofs/types/params.go) that a verification against a cold circuit pays.
func BenchmarkParseVsSecp256k1(b *testing.B) {
	for _, n := range []int{1, 3, 64, 256} {
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			_, _, vkBytes := manyPublicProof(b, n)
			calib.VsSecp256k1(b, func() {
				if _, err := groth16.ParseVerifyingKey(vkBytes, widest); err != nil {
					b.Fatal(err)
				}
			})
			b.ReportMetric(float64(proofstypes.DefaultKeyLoadGas+n*proofstypes.DefaultKeyLoadGasPerInput), "charge-gas")
		})
	}
}

// BenchmarkSecp256k1Verify is the check the SDK charges DefaultSigVerifyCostSecp256k1 = 1000 gas for.
func BenchmarkSecp256k1Verify(b *testing.B) {
	check := calib.Secp256k1Check(b)
	for b.Loop() {
		check()
	}
}
