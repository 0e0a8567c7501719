package groth16

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/backend/groth16"
	groth16bn254 "github.com/consensys/gnark/backend/groth16/bn254"
	"github.com/consensys/gnark/backend/witness"
	"github.com/consensys/gnark/logger"
)

// Limits are checked before anything is deserialized.
type Limits struct {
	MaxVerifyingKeyBytes, MaxProofBytes, MaxPublicInputs int
}

var (
	// ErrTooLarge: an input exceeds a Limits bound.
	ErrTooLarge = errors.New("groth16: input too large")
	// ErrMalformed: an input is not a canonical encoding of what it should be.
	ErrMalformed = errors.New("groth16: malformed input")
	// ErrInvalidProof: the proof decodes but does not verify against the key and public inputs.
	ErrInvalidProof = errors.New("groth16: invalid proof")
)

func init() {
	// gnark's global logger writes to stdout, with a debug line for every verification; a node must
	// not print from inside transaction execution.
	logger.Disable()
}

const (
	g1Size = 32 // compressed
	g2Size = 64 // compressed

	pointFlagsMask  = 0b11 << 6
	uncompressedTag = 0b00 << 6
)

// VerifyingKey is a parsed Groth16 BN254 verifying key. It is read-only and safe to share.
type VerifyingKey struct {
	vk            groth16bn254.VerifyingKey
	nbPublic      int
	nbCommitments int
}

// NumPublicInputs is the number of public inputs a proof for this key is checked against.
func (vk *VerifyingKey) NumPublicInputs() int { return vk.nbPublic }

// ParseVerifyingKey decodes a verifying key in the format of the package documentation, after
// checking its size and every length it declares. It never panics.
func ParseVerifyingKey(bz []byte, lim Limits) (vk *VerifyingKey, err error) {
	defer func() {
		if r := recover(); r != nil {
			vk, err = nil, fmt.Errorf("%w: verifying key: %v", ErrMalformed, r)
		}
	}()
	if len(bz) > lim.MaxVerifyingKeyBytes {
		return nil, fmt.Errorf("%w: verifying key is %d bytes, limit %d", ErrTooLarge, len(bz), lim.MaxVerifyingKeyBytes)
	}
	shape, err := scanVerifyingKey(bz)
	if err != nil {
		return nil, fmt.Errorf("%w: verifying key: %v", ErrMalformed, err)
	}
	if shape.nbPublic > lim.MaxPublicInputs {
		return nil, fmt.Errorf("%w: verifying key has %d public inputs, limit %d", ErrTooLarge, shape.nbPublic, lim.MaxPublicInputs)
	}

	vk = &VerifyingKey{nbPublic: shape.nbPublic, nbCommitments: shape.nbCommitments}
	if _, err := vk.vk.ReadFrom(bytes.NewReader(bz)); err != nil {
		return nil, fmt.Errorf("%w: verifying key: %v", ErrMalformed, err)
	}
	var canonical bytes.Buffer
	if _, err := vk.vk.WriteTo(&canonical); err != nil {
		return nil, fmt.Errorf("%w: verifying key: %v", ErrMalformed, err)
	}
	if !bytes.Equal(canonical.Bytes(), bz) {
		return nil, fmt.Errorf("%w: verifying key is not canonically encoded", ErrMalformed)
	}
	return vk, nil
}

// Verify checks proof against vk and the public inputs, each a 32-byte big-endian field element below
// the BN254 scalar modulus, in the circuit's order. Sizes are checked before anything is decoded.
// It returns nil, ErrTooLarge, ErrMalformed or ErrInvalidProof (wrapped), and never panics.
func Verify(vk *VerifyingKey, publicInputs [][]byte, proof []byte, lim Limits) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	if len(proof) > lim.MaxProofBytes {
		return fmt.Errorf("%w: proof is %d bytes, limit %d", ErrTooLarge, len(proof), lim.MaxProofBytes)
	}
	if len(publicInputs) > lim.MaxPublicInputs {
		return fmt.Errorf("%w: %d public inputs, limit %d", ErrTooLarge, len(publicInputs), lim.MaxPublicInputs)
	}
	if vk == nil {
		return fmt.Errorf("%w: no verifying key", ErrMalformed)
	}
	if len(publicInputs) != vk.nbPublic {
		return fmt.Errorf("%w: %d public inputs, the key takes %d", ErrMalformed, len(publicInputs), vk.nbPublic)
	}
	values := make(chan any, len(publicInputs))
	for i, in := range publicInputs {
		if len(in) != fr.Bytes {
			return fmt.Errorf("%w: public input %d is %d bytes, want %d", ErrMalformed, i, len(in), fr.Bytes)
		}
		e, err := fr.BigEndian.Element((*[fr.Bytes]byte)(in))
		if err != nil {
			return fmt.Errorf("%w: public input %d is not below the scalar field modulus", ErrMalformed, i)
		}
		values <- e
	}
	close(values)
	public, err := witness.New(ecc.BN254.ScalarField())
	if err != nil {
		return err
	}
	if err := public.Fill(len(publicInputs), 0, values); err != nil {
		return fmt.Errorf("%w: public inputs: %v", ErrMalformed, err)
	}

	if err := scanProof(proof, vk.nbCommitments); err != nil {
		return fmt.Errorf("%w: proof: %v", ErrMalformed, err)
	}
	var p groth16bn254.Proof
	if _, err := p.ReadFrom(bytes.NewReader(proof)); err != nil {
		return fmt.Errorf("%w: proof: %v", ErrMalformed, err)
	}
	var canonical bytes.Buffer
	if _, err := p.WriteTo(&canonical); err != nil {
		return fmt.Errorf("%w: proof: %v", ErrMalformed, err)
	}
	if !bytes.Equal(canonical.Bytes(), proof) {
		return fmt.Errorf("%w: proof is not canonically encoded", ErrMalformed)
	}

	if err := groth16.Verify(&p, &vk.vk, public); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidProof, err)
	}
	return nil
}

// vkShape is what a scan of an encoded verifying key declares.
type vkShape struct {
	nbPublic, nbCommitments int
}

// scanVerifyingKey walks the encoding of a verifying key without decoding any point: every length
// prefix must fit in the bytes that remain, so that gnark's decoder, which allocates a slice as long
// as a prefix says before reading it, never allocates more than a small multiple of len(bz).
func scanVerifyingKey(bz []byte) (vkShape, error) {
	s := scanner{b: bz}
	s.points(g1Size, 2) // [α]1 [β]1
	s.points(g2Size, 2) // [β]2 [γ]2
	s.points(g1Size, 1) // [δ]1
	s.points(g2Size, 1) // [δ]2
	nbK := s.count(g1Size)
	s.points(g1Size, nbK)

	nbCommitments := s.count(4)
	if s.err == nil && nbK < 1+nbCommitments {
		s.fail("%d K points for %d commitments", nbK, nbCommitments)
	}
	for i := 0; i < nbCommitments && s.err == nil; i++ {
		nbCommitted := s.count(8)
		for j := 0; j < nbCommitted && s.err == nil; j++ {
			// Verification reads the public witness at index-1, which by then holds the public
			// inputs and the values of the i commitments before this one.
			index := s.uint64()
			if s.err == nil && (index < 1 || index > uint64(nbK-1-nbCommitments+i)) {
				s.fail("commitment %d hashes wire %d, outside the public inputs", i, index)
			}
		}
	}
	if nbKeys := s.count(2 * g2Size); s.err == nil && nbKeys != nbCommitments {
		s.fail("%d commitment keys for %d commitments", nbKeys, nbCommitments)
	}
	s.points(g2Size, 2*nbCommitments)
	s.end()
	if s.err != nil {
		return vkShape{}, s.err
	}
	return vkShape{nbPublic: nbK - 1 - nbCommitments, nbCommitments: nbCommitments}, nil
}

// scanProof checks the layout of an encoded proof for a key with nbCommitments commitments.
func scanProof(proof []byte, nbCommitments int) error {
	s := scanner{b: proof}
	s.points(g1Size, 1) // Ar
	s.points(g2Size, 1) // Bs
	s.points(g1Size, 1) // Krs
	if n := s.count(g1Size); s.err == nil && n != nbCommitments {
		s.fail("%d commitments, the key has %d", n, nbCommitments)
	}
	s.points(g1Size, nbCommitments+1) // commitments, CommitmentPok
	s.end()
	return s.err
}

// scanner reads an encoding front to back; the first failure sticks and later reads are no-ops.
type scanner struct {
	b   []byte
	off int
	err error
}

func (s *scanner) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, args...)
	}
}

func (s *scanner) take(n int) []byte {
	if s.err != nil {
		return nil
	}
	if n < 0 || n > len(s.b)-s.off {
		s.fail("truncated at byte %d", s.off)
		return nil
	}
	out := s.b[s.off : s.off+n]
	s.off += n
	return out
}

func (s *scanner) uint64() uint64 {
	b := s.take(8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// count reads a uint32 length prefix of items at least minItemSize bytes each, and checks they fit.
func (s *scanner) count(minItemSize int) int {
	b := s.take(4)
	if b == nil {
		return 0
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(n)*uint64(minItemSize) > uint64(len(s.b)-s.off) {
		s.fail("length %d at byte %d exceeds the remaining %d bytes", n, s.off-4, len(s.b)-s.off)
		return 0
	}
	return int(n)
}

// points skips n compressed points of size bytes each, checking each is flagged as compressed: the
// decoder reads an uncompressed point where the flags say so, which would misalign this scan.
func (s *scanner) points(size, n int) {
	for range n {
		p := s.take(size)
		if p == nil {
			return
		}
		if p[0]&pointFlagsMask == uncompressedTag {
			s.fail("uncompressed point at byte %d", s.off-size)
			return
		}
	}
}

func (s *scanner) end() {
	if s.err == nil && s.off != len(s.b) {
		s.fail("%d trailing bytes", len(s.b)-s.off)
	}
}
