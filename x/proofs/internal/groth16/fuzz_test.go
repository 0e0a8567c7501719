package groth16_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
)

// requireSentinel fails unless err is nil or wraps exactly one of the package's sentinels.
func requireSentinel(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	n := 0
	for _, s := range []error{groth16.ErrTooLarge, groth16.ErrMalformed, groth16.ErrInvalidProof} {
		if errors.Is(err, s) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("error wraps %d sentinels: %v", n, err)
	}
}

func FuzzParseVerifyingKey(f *testing.F) {
	fx := loadFixture(f)
	f.Add(fx.vk)
	f.Add(fx.rawVK)
	f.Add(fx.vk[:len(fx.vk)-1])
	f.Add(append(clone(fx.vk), 0))
	f.Add([]byte{})
	huge := clone(fx.vk)
	binary.BigEndian.PutUint32(huge[288:], 0xFFFFFFFF)
	f.Add(huge)
	_, _, commitmentVK, err := gnarkProof(&withCommitment{}, &withCommitment{X: 3, Y: 9})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(commitmentVK)

	f.Fuzz(func(t *testing.T, bz []byte) {
		vk, err := groth16.ParseVerifyingKey(bz, limits)
		requireSentinel(t, err)
		if err != nil {
			return
		}
		if n := vk.NumPublicInputs(); n < 0 || n > limits.MaxPublicInputs {
			t.Fatalf("accepted a key with %d public inputs", n)
		}
		if _, err := groth16.ParseVerifyingKey(bz[:len(bz)-1], limits); err == nil {
			t.Fatal("accepted a key and its truncation")
		}
	})
}

// FuzzVerifyProof feeds arbitrary bytes as the proof for a fixed valid key and statement. Only the
// genuine proof may verify: finding another one would be forging a Groth16 proof.
func FuzzVerifyProof(f *testing.F) {
	fx := loadFixture(f)
	vk := parse(f, fx.vk)
	f.Add(fx.proof)
	f.Add(fx.rawProof)
	f.Add(fx.proofOtherSetup)
	f.Add(fx.proofOtherCircuit)
	f.Add(fx.proof[:100])
	f.Add(append(clone(fx.proof), 0))
	f.Add(make([]byte, len(fx.proof)))
	f.Add(bytes.Repeat([]byte{0xc0}, len(fx.proof)))

	f.Fuzz(func(t *testing.T, proof []byte) {
		err := groth16.Verify(vk, fx.public, proof, limits)
		requireSentinel(t, err)
		if err == nil && !bytes.Equal(proof, fx.proof) {
			t.Fatalf("verified a proof other than the genuine one: %x", proof)
		}
		if len(proof) > limits.MaxProofBytes && !errors.Is(err, groth16.ErrTooLarge) {
			t.Fatalf("oversized proof gave %v", err)
		}
	})
}

// FuzzPublicInputs splits arbitrary bytes into public inputs for a fixed key and genuine proof: it
// must verify exactly for the genuine inputs, and reject without panicking otherwise.
func FuzzPublicInputs(f *testing.F) {
	fx := loadFixture(f)
	vk := parse(f, fx.vk)
	genuine := bytes.Join(fx.public, nil)
	f.Add(genuine, uint8(3))
	f.Add(genuine, uint8(2))
	f.Add(genuine[:95], uint8(3))
	f.Add(append(clone(genuine), 0, 0, 0), uint8(3))
	f.Add(bytes.Repeat(fr.Modulus().FillBytes(make([]byte, 32)), 3), uint8(3))
	f.Add(bytes.Repeat([]byte{0xff}, 96), uint8(3))
	f.Add([]byte{}, uint8(0))
	f.Add(make([]byte, 65*32), uint8(65))

	f.Fuzz(func(t *testing.T, data []byte, count uint8) {
		var inputs [][]byte
		if count > 0 {
			size := len(data) / int(count)
			for i := range int(count) {
				inputs = append(inputs, data[i*size:(i+1)*size])
			}
		}
		err := groth16.Verify(vk, inputs, fx.proof, limits)
		requireSentinel(t, err)
		isGenuine := len(inputs) == len(fx.public)
		for i := 0; isGenuine && i < len(inputs); i++ {
			isGenuine = bytes.Equal(inputs[i], fx.public[i])
		}
		if (err == nil) != isGenuine {
			t.Fatalf("inputs %x: genuine=%v, err=%v", inputs, isGenuine, err)
		}
	})
}
