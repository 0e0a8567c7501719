package types_test

import (
	"bytes"
	"errors"
	"sync"
	"testing"

	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

// rangeProof is a real proof of the shipped range circuit, made once per test binary.
var rangeProof = sync.OnceValues(func() (struct {
	vk, proof []byte
	public    [][]byte
}, error) {
	var p struct {
		vk, proof []byte
		public    [][]byte
	}
	pk, vk, err := prover.Setup(circuits.NameRange)
	if err != nil {
		return p, err
	}
	p.vk = vk
	p.proof, p.public, err = prover.Prove(circuits.NameRange, pk, []byte(`{"value": 4242, "salt": "0x1234567890abcdef", "lo": 1000, "hi": 5000}`))
	return p, err
})

// VerifyProof takes a proof and public inputs from any sender: whatever they are, it refuses with
// exactly one of the module's registered errors, and it accepts only the proof and inputs the
// prover made.
func FuzzVerifyProof(f *testing.F) {
	fx, err := rangeProof()
	if err != nil {
		f.Fatal(err)
	}
	if len(fx.public) != 3 {
		f.Fatalf("range circuit has %d public inputs, want 3", len(fx.public))
	}
	f.Add(fx.proof, fx.public[0], fx.public[1], fx.public[2])
	f.Add(fx.proof[:len(fx.proof)-1], fx.public[0], fx.public[1], fx.public[2])
	f.Add(append(bytes.Clone(fx.proof), 0), fx.public[0], fx.public[1], fx.public[2])
	f.Add(fx.proof, fx.public[0], fx.public[2], fx.public[1])
	f.Add(fx.proof, fx.public[0], fx.public[1], bytes.Repeat([]byte{0xff}, 32))
	f.Add(fx.proof, fx.public[0], fx.public[1], []byte{})
	f.Add([]byte{}, []byte{}, []byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0xff}, 2000), fx.public[0], fx.public[1], fx.public[2])

	p := types.DefaultParams()
	c := types.Circuit{Name: circuits.NameRange, VerifyingKey: fx.vk, PublicInputCount: 3}
	registered := []error{types.ErrTooLarge, types.ErrMalformedProof, types.ErrInvalidCircuit, types.ErrInvalidProof}
	f.Fuzz(func(t *testing.T, proof, in0, in1, in2 []byte) {
		err := types.VerifyProof(p, c, [][]byte{in0, in1, in2}, proof, types.VerifyHooks{})
		if err == nil {
			if !bytes.Equal(proof, fx.proof) || !bytes.Equal(in0, fx.public[0]) || !bytes.Equal(in1, fx.public[1]) || !bytes.Equal(in2, fx.public[2]) {
				t.Fatalf("accepted a proof or inputs the prover did not make: proof %x inputs %x %x %x", proof, in0, in1, in2)
			}
			return
		}
		n := 0
		for _, r := range registered {
			if errors.Is(err, r) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("error wraps %d registered errors: %v", n, err)
		}
		if errors.Is(err, types.ErrInvalidCircuit) {
			t.Fatalf("the shipped key was refused: %v", err)
		}
	})
}
