package groth16_test

import (
	"encoding/binary"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fp"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
)

// notOnCurveG1 is a compressed G1 encoding whose x has no y: x³ + 3 is not a square.
func notOnCurveG1() []byte {
	var fx, frhs, fthree fp.Element
	fthree.SetUint64(3)
	for i := uint64(1); ; i++ {
		fx.SetUint64(i)
		frhs.Square(&fx).Mul(&frhs, &fx).Add(&frhs, &fthree)
		if frhs.Legendre() == -1 {
			b := fx.Bytes()
			b[0] |= 0b10 << 6 // compressed, smallest y
			return b[:]
		}
	}
}

func withG1(bz []byte, off int, point []byte) []byte {
	out := clone(bz)
	copy(out[off:off+32], point)
	return out
}

func orByte(bz []byte, i int, mask byte) []byte {
	out := clone(bz)
	out[i] |= mask
	return out
}

func flipByte(bz []byte, i int) []byte {
	out := clone(bz)
	out[i] ^= 1
	return out
}

func TestSentinelsAreDistinct(t *testing.T) {
	require.NotErrorIs(t, groth16.ErrTooLarge, groth16.ErrMalformed)
	require.NotErrorIs(t, groth16.ErrMalformed, groth16.ErrInvalidProof)
	require.NotErrorIs(t, groth16.ErrInvalidProof, groth16.ErrTooLarge)
}

func TestVerifyValidProof(t *testing.T) {
	f := loadFixture(t)
	vk := parse(t, f.vk)
	require.Equal(t, 3, vk.NumPublicInputs())
	require.Len(t, f.vk, 300+32*4, "documented size of a key without commitments")
	require.Len(t, f.proof, 164, "documented size of a proof without commitments")
	require.NoError(t, groth16.Verify(vk, f.public, f.proof, limits))
}

func TestVerifyRejectsWrongStatement(t *testing.T) {
	f := loadFixture(t)
	vk := parse(t, f.vk)

	otherInputs := func(i int, v uint64) [][]byte {
		in := cloneInputs(f.public)
		var e fr.Element
		e.SetUint64(v)
		b := e.Bytes()
		in[i] = b[:]
		return in
	}
	cases := []struct {
		name   string
		public [][]byte
		proof  []byte
	}{
		{"other commitment", otherInputs(0, 1), f.proof},
		{"other lo", otherInputs(1, 999), f.proof},
		{"other hi", otherInputs(2, 5001), f.proof},
		{"inputs in another order", [][]byte{f.public[0], f.public[2], f.public[1]}, f.proof},
		{"proof from another setup of the same circuit", f.public, f.proofOtherSetup},
		{"proof from another circuit, its inputs", f.publicOtherCircuit, f.proofOtherCircuit},
		{"proof from another circuit, these inputs", f.public, f.proofOtherCircuit},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, groth16.Verify(vk, tc.public, tc.proof, limits), groth16.ErrInvalidProof)
		})
	}
}

func TestVerifyRejectsMalformedInput(t *testing.T) {
	f := loadFixture(t)
	vk := parse(t, f.vk)

	modulus := fr.Modulus().FillBytes(make([]byte, fr.Bytes))
	var maxElem fr.Element
	maxElem.SetOne().Neg(&maxElem) // r − 1
	maxBytes := maxElem.Bytes()

	withInput := func(i int, b []byte) [][]byte {
		in := cloneInputs(f.public)
		in[i] = b
		return in
	}
	hugeCommitments := clone(f.proof)
	binary.BigEndian.PutUint32(hugeCommitments[128:], 0xFFFFFFFF)
	oneCommitment := append(clone(f.proof[:128]), 0, 0, 0, 1)
	oneCommitment = append(oneCommitment, f.proof[:32]...)
	oneCommitment = append(oneCommitment, f.proof[132:]...)

	cases := []struct {
		name    string
		vk      *groth16.VerifyingKey
		public  [][]byte
		proof   []byte
		wantErr error
	}{
		{"oversized proof", vk, f.public, make([]byte, limits.MaxProofBytes+1), groth16.ErrTooLarge},
		{"too many public inputs", vk, make([][]byte, limits.MaxPublicInputs+1), f.proof, groth16.ErrTooLarge},
		{"empty proof", vk, f.public, nil, groth16.ErrMalformed},
		{"truncated proof", vk, f.public, f.proof[:len(f.proof)-1], groth16.ErrMalformed},
		{"proof cut after Ar", vk, f.public, f.proof[:32], groth16.ErrMalformed},
		{"trailing byte", vk, f.public, append(clone(f.proof), 0), groth16.ErrMalformed},
		{"garbage proof", vk, f.public, make([]byte, len(f.proof)), groth16.ErrMalformed},
		{"uncompressed proof", vk, f.public, f.rawProof, groth16.ErrMalformed},
		{"Ar not on curve", vk, f.public, withG1(f.proof, 0, notOnCurveG1()), groth16.ErrMalformed},
		{"Krs not on curve", vk, f.public, withG1(f.proof, 96, notOnCurveG1()), groth16.ErrMalformed},
		{"Bs not in G2", vk, f.public, flipByte(f.proof, 95), groth16.ErrMalformed},
		{"x of Ar not canonical", vk, f.public, orByte(f.proof, 0, 0x3f), groth16.ErrMalformed},
		{"commitment count 2^32-1", vk, f.public, hugeCommitments, groth16.ErrMalformed},
		{"commitment the key lacks", vk, f.public, oneCommitment, groth16.ErrMalformed},
		{"no verifying key", nil, f.public, f.proof, groth16.ErrMalformed},
		{"too few public inputs", vk, f.public[:2], f.proof, groth16.ErrMalformed},
		{"too many inputs for the key", vk, append(cloneInputs(f.public), f.public[0]), f.proof, groth16.ErrMalformed},
		{"no public inputs", vk, nil, f.proof, groth16.ErrMalformed},
		{"input of 31 bytes", vk, withInput(1, f.public[1][1:]), f.proof, groth16.ErrMalformed},
		{"input of 33 bytes", vk, withInput(1, append([]byte{0}, f.public[1]...)), f.proof, groth16.ErrMalformed},
		{"nil input", vk, withInput(2, nil), f.proof, groth16.ErrMalformed},
		{"input equal to the modulus", vk, withInput(0, modulus), f.proof, groth16.ErrMalformed},
		{"input all ones", vk, withInput(0, orByte(make([]byte, 32), 0, 0xff)), f.proof, groth16.ErrMalformed},
		{"input r-1 is well formed", vk, withInput(0, maxBytes[:]), f.proof, groth16.ErrInvalidProof},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { err = groth16.Verify(tc.vk, tc.public, tc.proof, limits) })
			t.Log(err)
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

func TestParseVerifyingKeyRejects(t *testing.T) {
	f := loadFixture(t)
	vk := f.vk
	const kOffset = 288 // the uint32 count of K points

	withUint32 := func(off int, v uint32) []byte {
		out := clone(vk)
		binary.BigEndian.PutUint32(out[off:], v)
		return out
	}
	// A key claiming one commitment that hashes public wire idx, without the commitment key.
	commitmentIndex := func(idx uint64) []byte {
		out := clone(vk[:len(vk)-8])
		out = binary.BigEndian.AppendUint32(out, 1)
		out = binary.BigEndian.AppendUint32(out, 1)
		out = binary.BigEndian.AppendUint64(out, idx)
		out = binary.BigEndian.AppendUint32(out, 1)
		return append(out, make([]byte, 128)...)
	}

	cases := []struct {
		name    string
		vk      []byte
		lim     groth16.Limits
		wantErr error
	}{
		{"oversized", make([]byte, limits.MaxVerifyingKeyBytes+1), limits, groth16.ErrTooLarge},
		{"more public inputs than allowed", vk, groth16.Limits{MaxVerifyingKeyBytes: 1 << 16, MaxProofBytes: 1024, MaxPublicInputs: 2}, groth16.ErrTooLarge},
		{"empty", nil, limits, groth16.ErrMalformed},
		{"garbage", make([]byte, len(vk)), limits, groth16.ErrMalformed},
		{"truncated", vk[:len(vk)-1], limits, groth16.ErrMalformed},
		{"truncated in the header", vk[:100], limits, groth16.ErrMalformed},
		{"trailing byte", append(clone(vk), 0), limits, groth16.ErrMalformed},
		{"uncompressed", f.rawVK, limits, groth16.ErrMalformed},
		{"alpha not on curve", withG1(vk, 0, notOnCurveG1()), limits, groth16.ErrMalformed},
		{"K[0] not on curve", withG1(vk, kOffset+4, notOnCurveG1()), limits, groth16.ErrMalformed},
		{"gamma not in G2", flipByte(vk, 64+64+63), limits, groth16.ErrMalformed},
		{"K count 2^32-1", withUint32(kOffset, 0xFFFFFFFF), limits, groth16.ErrMalformed},
		{"K count 0", withUint32(kOffset, 0), limits, groth16.ErrMalformed},
		{"commitment lists 2^32-1", withUint32(len(vk)-8, 0xFFFFFFFF), limits, groth16.ErrMalformed},
		{"commitment keys 2^32-1", withUint32(len(vk)-4, 0xFFFFFFFF), limits, groth16.ErrMalformed},
		{"commitment keys without commitments", withUint32(len(vk)-4, 1), limits, groth16.ErrMalformed},
		{"commitment hashing wire 0", commitmentIndex(0), limits, groth16.ErrMalformed},
		{"commitment hashing a wire past the inputs", commitmentIndex(3), limits, groth16.ErrMalformed},
		{"commitment hashing wire 2^64-1", commitmentIndex(^uint64(0)), limits, groth16.ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			require.NotPanics(t, func() { _, err = groth16.ParseVerifyingKey(tc.vk, tc.lim) })
			t.Log(err)
			require.ErrorIs(t, err, tc.wantErr)
		})
	}
}

// Keys using gnark's commitment extension parse and verify: the commitment wire is not a public input.
func TestCommitmentExtension(t *testing.T) {
	var x, y fr.Element
	x.SetUint64(12345)
	y.Square(&x)
	proof, public, vkBytes, err := gnarkProof(&withCommitment{}, &withCommitment{X: x, Y: y})
	require.NoError(t, err)

	vk := parse(t, vkBytes)
	require.Equal(t, 1, vk.NumPublicInputs())
	require.NoError(t, groth16.Verify(vk, public, proof, limits))

	var other fr.Element
	other.SetUint64(7)
	otherBytes := other.Bytes()
	require.ErrorIs(t, groth16.Verify(vk, [][]byte{otherBytes[:]}, proof, limits), groth16.ErrInvalidProof)

	f := loadFixture(t)
	require.ErrorIs(t, groth16.Verify(vk, public, f.proof, limits), groth16.ErrMalformed, "a proof without the commitment")
	require.ErrorIs(t, groth16.Verify(parse(t, f.vk), f.public, proof, limits), groth16.ErrMalformed, "a proof with a commitment the key lacks")
}
