package groth16_test

import (
	"bytes"
	"sync"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	gnarkgroth16 "github.com/consensys/gnark/backend/groth16"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/proofs/internal/groth16"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

// limits are the x/proofs default params.
var limits = groth16.Limits{MaxVerifyingKeyBytes: 64 << 10, MaxProofBytes: 1024, MaxPublicInputs: 64}

// rangeFixture is a real proof of the shipped range circuit, plus material from other setups.
type rangeFixture struct {
	vk     []byte
	proof  []byte
	public [][]byte // commitment, lo, hi

	// proofOtherSetup verifies under another setup of the same circuit, not under vk.
	proofOtherSetup []byte
	// proofOtherCircuit and publicOtherCircuit verify under another circuit with 3 public inputs.
	proofOtherCircuit  []byte
	publicOtherCircuit [][]byte
	// rawVK and rawProof are the uncompressed (WriteRawTo) encodings of vk and proof.
	rawVK, rawProof []byte
}

var (
	fixtureOnce sync.Once
	fixture     rangeFixture
	fixtureErr  error
)

const rangeWitness = `{"value": 4242, "salt": "0x1234567890abcdef", "lo": 1000, "hi": 5000}`

func loadFixture(tb testing.TB) rangeFixture {
	tb.Helper()
	fixtureOnce.Do(func() { fixture, fixtureErr = makeFixture() })
	require.NoError(tb, fixtureErr)
	return fixture
}

func makeFixture() (rangeFixture, error) {
	var f rangeFixture
	pk, vk, err := prover.Setup(circuits.NameRange)
	if err != nil {
		return f, err
	}
	f.vk = vk
	if f.proof, f.public, err = prover.Prove(circuits.NameRange, pk, []byte(rangeWitness)); err != nil {
		return f, err
	}

	pk2, _, err := prover.Setup(circuits.NameRange)
	if err != nil {
		return f, err
	}
	if f.proofOtherSetup, _, err = prover.Prove(circuits.NameRange, pk2, []byte(rangeWitness)); err != nil {
		return f, err
	}

	var x, a fr.Element
	x.SetUint64(9)
	a.Square(&x)
	other := &threePublic{A: a, B: 4, C: 5, X: x}
	if f.proofOtherCircuit, f.publicOtherCircuit, _, err = gnarkProof(&threePublic{}, other); err != nil {
		return f, err
	}

	if f.rawVK, f.rawProof, err = rawEncodings(vk, f.proof); err != nil {
		return f, err
	}
	return f, nil
}

// threePublic is a circuit other than range with as many public inputs.
type threePublic struct {
	A, B, C frontend.Variable `gnark:",public"`
	X       frontend.Variable
}

func (c *threePublic) Define(api frontend.API) error {
	api.AssertIsEqual(api.Mul(c.X, c.X), c.A)
	api.AssertIsEqual(api.Add(c.B, c.C), c.X)
	return nil
}

// withCommitment uses gnark's commitment extension (BSB22), committing to a public input too.
type withCommitment struct {
	Y frontend.Variable `gnark:",public"`
	X frontend.Variable
}

func (c *withCommitment) Define(api frontend.API) error {
	cm, err := api.(frontend.Committer).Commit(c.X, c.Y)
	if err != nil {
		return err
	}
	api.AssertIsDifferent(cm, 0)
	api.AssertIsEqual(api.Mul(c.X, c.X), c.Y)
	return nil
}

// gnarkProof compiles circuit, runs a setup and proves assignment, with gnark directly.
func gnarkProof(circuit, assignment frontend.Circuit) (proof []byte, public [][]byte, vk []byte, err error) {
	cs, err := frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, circuit)
	if err != nil {
		return nil, nil, nil, err
	}
	pk, v, err := gnarkgroth16.Setup(cs)
	if err != nil {
		return nil, nil, nil, err
	}
	w, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, nil, nil, err
	}
	p, err := gnarkgroth16.Prove(cs, pk, w)
	if err != nil {
		return nil, nil, nil, err
	}
	var pb, vb bytes.Buffer
	if _, err := p.WriteTo(&pb); err != nil {
		return nil, nil, nil, err
	}
	if _, err := v.WriteTo(&vb); err != nil {
		return nil, nil, nil, err
	}
	pw, err := w.Public()
	if err != nil {
		return nil, nil, nil, err
	}
	for _, e := range pw.Vector().(fr.Vector) {
		b := e.Bytes()
		public = append(public, b[:])
	}
	return pb.Bytes(), public, vb.Bytes(), nil
}

func rawEncodings(vk, proof []byte) (rawVK, rawProof []byte, err error) {
	v := gnarkgroth16.NewVerifyingKey(ecc.BN254)
	if _, err := v.ReadFrom(bytes.NewReader(vk)); err != nil {
		return nil, nil, err
	}
	p := gnarkgroth16.NewProof(ecc.BN254)
	if _, err := p.ReadFrom(bytes.NewReader(proof)); err != nil {
		return nil, nil, err
	}
	var vb, pb bytes.Buffer
	if _, err := v.WriteRawTo(&vb); err != nil {
		return nil, nil, err
	}
	if _, err := p.WriteRawTo(&pb); err != nil {
		return nil, nil, err
	}
	return vb.Bytes(), pb.Bytes(), nil
}

func parse(tb testing.TB, vk []byte) *groth16.VerifyingKey {
	tb.Helper()
	k, err := groth16.ParseVerifyingKey(vk, limits)
	require.NoError(tb, err)
	return k
}

func clone(bz []byte) []byte { return append([]byte{}, bz...) }

func cloneInputs(in [][]byte) [][]byte {
	out := make([][]byte, len(in))
	for i := range in {
		out[i] = clone(in[i])
	}
	return out
}
