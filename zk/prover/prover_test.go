package prover_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/stretchr/testify/require"

	proofstypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

type keyPair struct {
	once   sync.Once
	pk, vk []byte
	err    error
}

var setups sync.Map // name → *keyPair

// keysFor runs Setup once per circuit for the whole test binary.
func keysFor(tb testing.TB, name string) (pk, vk []byte) {
	tb.Helper()
	v, _ := setups.LoadOrStore(name, &keyPair{})
	kp := v.(*keyPair)
	kp.once.Do(func() { kp.pk, kp.vk, kp.err = prover.Setup(name) })
	require.NoError(tb, kp.err)
	return kp.pk, kp.vk
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	require.NoError(tb, err)
	return b
}

func be32(e fr.Element) []byte {
	b := e.Bytes()
	return b[:]
}

func fieldOf(v uint64) fr.Element {
	var e fr.Element
	e.SetUint64(v)
	return e
}

func u64(v uint64) []byte {
	var e fr.Element
	e.SetUint64(v)
	return be32(e)
}

type example struct {
	witness []byte
	public  [][]byte // expected public inputs
}

// validWitness is a satisfying witness for each shipped circuit, with its expected public inputs.
func validWitness(tb testing.TB, name string) example {
	tb.Helper()
	r := rand.New(rand.NewPCG(7, 11))
	switch name {
	case circuits.NameNormBound64, circuits.NameNormBound256, circuits.NameNormBound1024:
		spec, _ := circuits.Lookup(name)
		n := len(spec.New().(*circuits.NormBound).X)
		xs := make([]int64, n)
		var sum uint64
		for i := range xs {
			xs[i] = r.Int64N(2*circuits.NormBoundMaxAbs+1) - circuits.NormBoundMaxAbs
			sum += uint64(xs[i] * xs[i])
		}
		return example{
			witness: mustJSON(tb, map[string]any{"x": xs, "salt": "0x5eed", "bound": sum}),
			public:  [][]byte{be32(circuits.NormBoundCommitment(xs, fieldOf(0x5eed))), u64(sum)},
		}
	case circuits.NameSetMembership:
		set := []string{"17", "0x2a", "123456789012345678901234567890", "99"}
		elems := make([]fr.Element, len(set))
		elems[0].SetUint64(17)
		elems[1].SetUint64(42)
		_, err := elems[2].SetString("123456789012345678901234567890")
		require.NoError(tb, err)
		elems[3].SetUint64(99)
		root, err := circuits.MerkleRoot(elems)
		require.NoError(tb, err)
		return example{
			witness: mustJSON(tb, map[string]any{"value": "123456789012345678901234567890", "set": set}),
			public:  [][]byte{be32(root)},
		}
	case circuits.NameRange:
		var salt fr.Element
		salt.SetUint64(r.Uint64())
		return example{
			witness: mustJSON(tb, map[string]any{"value": 500, "salt": salt.String(), "lo": 100, "hi": "1000"}),
			public:  [][]byte{be32(circuits.RangeCommitment(500, salt)), u64(100), u64(1000)},
		}
	}
	tb.Fatalf("no example witness for %s", name)
	return example{}
}

func TestProveAndVerify(t *testing.T) {
	for _, spec := range circuits.All() {
		t.Run(spec.Name, func(t *testing.T) {
			pk, vk := keysFor(t, spec.Name)
			ex := validWitness(t, spec.Name)

			proof, public, err := prover.Prove(spec.Name, pk, ex.witness)
			require.NoError(t, err)
			require.Equal(t, ex.public, public)
			n, err := prover.PublicInputCount(spec.Name)
			require.NoError(t, err)
			require.Len(t, public, n)

			// the proof and inputs are what the chain verifies, under its default params
			c := proofstypes.Circuit{Name: spec.Name, VerifyingKey: vk, PublicInputCount: uint32(n), Active: true}
			verify := func(inputs [][]byte) error {
				return proofstypes.VerifyProof(proofstypes.DefaultParams(), c, inputs, proof, proofstypes.VerifyHooks{})
			}
			require.NoError(t, verify(public))

			tampered := append([][]byte{}, public...)
			tampered[len(tampered)-1] = u64(1 << 40)
			require.ErrorIs(t, verify(tampered), proofstypes.ErrInvalidProof)
			require.ErrorIs(t, verify(public[:len(public)-1]), proofstypes.ErrMalformedProof)
		})
	}
}

func TestProveRejectsInvalidWitness(t *testing.T) {
	xs := make([]int64, 64)
	for i := range xs {
		xs[i] = int64(i*97%2001) - 1000
	}
	var sum uint64
	for _, x := range xs {
		sum += uint64(x * x)
	}
	outOfRange := append([]int64{}, xs...)
	outOfRange[3] = 1 << 15

	cases := []struct {
		name    string
		circuit string
		witness string
		wantErr error
	}{
		{"norm above bound", circuits.NameNormBound64, string(mustJSON(t, map[string]any{"x": xs, "salt": 1, "bound": sum - 1})), prover.ErrUnsatisfied},
		{"coordinate 2^15", circuits.NameNormBound64, string(mustJSON(t, map[string]any{"x": outOfRange, "salt": 1, "bound": uint64(1) << 62})), prover.ErrInvalidWitness},
		{"wrong vector length", circuits.NameNormBound64, string(mustJSON(t, map[string]any{"x": xs[:63], "salt": 1, "bound": sum})), prover.ErrInvalidWitness},
		{"missing bound", circuits.NameNormBound64, string(mustJSON(t, map[string]any{"x": xs, "salt": 1})), prover.ErrInvalidWitness},
		{"missing salt", circuits.NameNormBound64, string(mustJSON(t, map[string]any{"x": xs, "bound": sum})), prover.ErrInvalidWitness},
		{"negative bound", circuits.NameNormBound64, `{"x":[],"salt":1,"bound":-1}`, prover.ErrInvalidWitness},
		{"value not in set", circuits.NameSetMembership, `{"value":5,"set":[1,2,3]}`, prover.ErrInvalidWitness},
		{"empty set", circuits.NameSetMembership, `{"value":5,"set":[]}`, prover.ErrInvalidWitness},
		{"set value above modulus", circuits.NameSetMembership, fmt.Sprintf(`{"value":5,"set":["%s"]}`, fr.Modulus()), prover.ErrInvalidWitness},
		{"fractional value", circuits.NameSetMembership, `{"value":5.5,"set":[5]}`, prover.ErrInvalidWitness},
		{"null set value", circuits.NameSetMembership, `{"value":5,"set":[null]}`, prover.ErrInvalidWitness},
		{"value below range", circuits.NameRange, `{"value":99,"salt":"0x01","lo":100,"hi":1000}`, prover.ErrUnsatisfied},
		{"value above range", circuits.NameRange, `{"value":1001,"salt":"0x01","lo":100,"hi":1000}`, prover.ErrUnsatisfied},
		{"empty range", circuits.NameRange, `{"value":500,"salt":"0x01","lo":600,"hi":400}`, prover.ErrUnsatisfied},
		{"value above uint64", circuits.NameRange, `{"value":18446744073709551616,"salt":1,"lo":0,"hi":1}`, prover.ErrInvalidWitness},
		{"unknown field", circuits.NameRange, `{"value":500,"salt":1,"lo":100,"hi":1000,"extra":1}`, prover.ErrInvalidWitness},
		{"missing salt", circuits.NameRange, `{"value":500,"lo":100,"hi":1000}`, prover.ErrInvalidWitness},
		{"trailing data", circuits.NameRange, `{"value":500,"salt":1,"lo":100,"hi":1000} {}`, prover.ErrInvalidWitness},
		{"not json", circuits.NameRange, `value=500`, prover.ErrInvalidWitness},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pk, _ := keysFor(t, tc.circuit)
			proof, public, err := prover.Prove(tc.circuit, pk, []byte(tc.witness))
			require.ErrorIs(t, err, tc.wantErr)
			require.Nil(t, proof)
			require.Nil(t, public)
		})
	}
}

func TestProveWithAnotherCircuitsKey(t *testing.T) {
	pk, _ := keysFor(t, circuits.NameSetMembership)
	_, _, err := prover.Prove(circuits.NameRange, pk, validWitness(t, circuits.NameRange).witness)
	require.ErrorIs(t, err, prover.ErrInvalidKey)

	_, _, err = prover.Prove(circuits.NameRange, []byte("garbage"), validWitness(t, circuits.NameRange).witness)
	require.ErrorIs(t, err, prover.ErrInvalidKey)
}

func TestUnknownCircuit(t *testing.T) {
	_, _, err := prover.Setup("nope")
	require.ErrorIs(t, err, prover.ErrUnknownCircuit)
	_, _, err = prover.Prove("nope", nil, nil)
	require.ErrorIs(t, err, prover.ErrUnknownCircuit)
	_, err = prover.PublicInputCount("nope")
	require.ErrorIs(t, err, prover.ErrUnknownCircuit)
}

func BenchmarkProve(b *testing.B) {
	for _, spec := range circuits.All() {
		b.Run(spec.Name, func(b *testing.B) {
			pk, _ := keysFor(b, spec.Name)
			ex := validWitness(b, spec.Name)
			for b.Loop() {
				if _, _, err := prover.Prove(spec.Name, pk, ex.witness); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
