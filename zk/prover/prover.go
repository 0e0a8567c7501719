package prover

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/fft"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/constraint"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/frontend/cs/r1cs"

	"github.com/fogchain/fog/zk/circuits"
)

var (
	// ErrUnknownCircuit: the name is not one of circuits.All.
	ErrUnknownCircuit = errors.New("unknown circuit")
	// ErrInvalidWitness: the witness JSON is malformed, or cannot be turned into an assignment
	// (wrong vector length, value not in the set, ...).
	ErrInvalidWitness = errors.New("invalid witness")
	// ErrUnsatisfied: the witness is well formed but does not satisfy the circuit's constraints
	// (norm above the bound, value outside the range, ...), so there is no proof.
	ErrUnsatisfied = errors.New("witness does not satisfy the circuit")
	// ErrInvalidKey: a proving key does not decode, or does not fit the circuit.
	ErrInvalidKey = errors.New("invalid key")
)

// compiled caches one circuit's constraint system for the life of the process: compiling
// norm_bound_1024 takes seconds.
type compiled struct {
	once sync.Once
	cs   constraint.ConstraintSystem
	err  error
}

var compiledCircuits = func() map[string]*compiled {
	m := make(map[string]*compiled)
	for _, s := range circuits.All() {
		m[s.Name] = &compiled{}
	}
	return m
}()

func constraintSystem(name string) (circuits.Spec, constraint.ConstraintSystem, error) {
	spec, ok := circuits.Lookup(name)
	if !ok {
		return circuits.Spec{}, nil, fmt.Errorf("%w: %q", ErrUnknownCircuit, name)
	}
	c := compiledCircuits[name]
	c.once.Do(func() {
		c.cs, c.err = frontend.Compile(ecc.BN254.ScalarField(), r1cs.NewBuilder, spec.New())
	})
	if c.err != nil {
		return spec, nil, fmt.Errorf("compile %s: %w", name, c.err)
	}
	return spec, c.cs, nil
}

// PublicInputCount is the number of public inputs of the circuit called name: the
// public_input_count registered with its verifying key.
func PublicInputCount(name string) (int, error) {
	spec, ok := circuits.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("%w: %q", ErrUnknownCircuit, name)
	}
	s, err := frontend.NewSchema(ecc.BN254.ScalarField(), spec.New())
	if err != nil {
		return 0, err
	}
	return s.NbPublic, nil
}

// Setup compiles the circuit called name and runs a single-party Groth16 setup for it.
//
// For localnet and tests only: the caller's machine sees the setup randomness and could forge proofs.
// Production verifying keys need an MPC ceremony. See the package documentation for the formats.
func Setup(name string) (pk, vk []byte, err error) {
	_, cs, err := constraintSystem(name)
	if err != nil {
		return nil, nil, err
	}
	provingKey, verifyingKey, err := groth16.Setup(cs)
	if err != nil {
		return nil, nil, fmt.Errorf("setup %s: %w", name, err)
	}
	var pkBuf, vkBuf bytes.Buffer
	if _, err := provingKey.WriteRawTo(&pkBuf); err != nil {
		return nil, nil, err
	}
	if _, err := verifyingKey.WriteTo(&vkBuf); err != nil {
		return nil, nil, err
	}
	return pkBuf.Bytes(), vkBuf.Bytes(), nil
}

// Prove proves the circuit called name for the witness in witnessJSON (format per circuit in the
// package documentation) with the proving key pk from Setup. It returns the proof and the public
// inputs, as MsgVerifyProof carries them.
func Prove(name string, pk []byte, witnessJSON []byte) (proof []byte, publicInputs [][]byte, err error) {
	spec, cs, err := constraintSystem(name)
	if err != nil {
		return nil, nil, err
	}
	assignment, err := assign(spec, witnessJSON)
	if err != nil {
		return nil, nil, err
	}
	full, err := frontend.NewWitness(assignment, ecc.BN254.ScalarField())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrInvalidWitness, err)
	}
	if err := cs.IsSolved(full); err != nil {
		return nil, nil, fmt.Errorf("%w: %s: %v", ErrUnsatisfied, name, err)
	}

	var provingKey groth16bn254.ProvingKey
	if _, err := provingKey.UnsafeReadFrom(bytes.NewReader(pk)); err != nil {
		return nil, nil, fmt.Errorf("%w: proving key: %v", ErrInvalidKey, err)
	}
	if err := checkProvingKeyShape(cs, &provingKey); err != nil {
		return nil, nil, fmt.Errorf("%w: proving key does not fit %s: %v", ErrInvalidKey, name, err)
	}
	p, err := groth16.Prove(cs, &provingKey, full)
	if err != nil {
		return nil, nil, fmt.Errorf("prove %s: %w", name, err)
	}
	var buf bytes.Buffer
	if _, err := p.WriteTo(&buf); err != nil {
		return nil, nil, err
	}

	public, err := full.Public()
	if err != nil {
		return nil, nil, err
	}
	vec, ok := public.Vector().(fr.Vector)
	if !ok {
		return nil, nil, fmt.Errorf("unexpected public witness type %T", public.Vector())
	}
	publicInputs = make([][]byte, len(vec))
	for i := range vec {
		b := vec[i].Bytes()
		publicInputs[i] = b[:]
	}
	return buf.Bytes(), publicInputs, nil
}

// checkProvingKeyShape checks the dimensions of pk against the constraint system, as Setup makes
// them: gnark's prover indexes the key by the circuit's wires from several goroutines, so a key for
// another circuit would crash the process instead of returning an error.
func checkProvingKeyShape(cs constraint.ConstraintSystem, pk *groth16bn254.ProvingKey) error {
	commitments, ok := cs.GetCommitments().(constraint.Groth16Commitments)
	if !ok {
		return fmt.Errorf("unexpected commitment info %T", cs.GetCommitments())
	}
	nbPrivateCommitted := 0
	for _, c := range commitments {
		nbPrivateCommitted += len(c.PrivateCommitted)
	}
	nbWires := cs.GetNbInternalVariables() + cs.GetNbPublicVariables() + cs.GetNbSecretVariables()
	nbPrivateWires := cs.GetNbSecretVariables() + cs.GetNbInternalVariables() - nbPrivateCommitted - len(commitments)
	domain := fft.NewDomain(uint64(cs.GetNbConstraints()))

	count := func(flags []bool) uint64 {
		var n uint64
		for _, f := range flags {
			if f {
				n++
			}
		}
		return n
	}
	switch {
	case len(pk.InfinityA) != nbWires || len(pk.InfinityB) != nbWires:
		return fmt.Errorf("key has %d wires, circuit %d", len(pk.InfinityA), nbWires)
	case count(pk.InfinityA) != pk.NbInfinityA || count(pk.InfinityB) != pk.NbInfinityB,
		uint64(len(pk.G1.A)) != uint64(nbWires)-pk.NbInfinityA,
		uint64(len(pk.G1.B)) != uint64(nbWires)-pk.NbInfinityB,
		len(pk.G2.B) != len(pk.G1.B):
		return errors.New("inconsistent A/B terms")
	case len(pk.G1.K) != nbPrivateWires:
		return fmt.Errorf("key has %d private wires, circuit %d", len(pk.G1.K), nbPrivateWires)
	case pk.Domain.Cardinality != domain.Cardinality || uint64(len(pk.G1.Z)) != domain.Cardinality-1:
		return fmt.Errorf("key domain has %d points, circuit %d", pk.Domain.Cardinality, domain.Cardinality)
	case len(pk.CommitmentKeys) != len(commitments):
		return fmt.Errorf("key has %d commitment keys, circuit %d", len(pk.CommitmentKeys), len(commitments))
	}
	return nil
}
