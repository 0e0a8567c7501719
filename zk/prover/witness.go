package prover

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"strings"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"

	"github.com/fogchain/fog/zk/circuits"
)

// assign turns the witness JSON of a circuit into a full assignment of it.
func assign(spec circuits.Spec, witnessJSON []byte) (frontend.Circuit, error) {
	var (
		a   frontend.Circuit
		err error
	)
	switch c := spec.New().(type) {
	case *circuits.NormBound:
		a, err = assignNormBound(len(c.X), witnessJSON)
	case *circuits.SetMembership:
		a, err = assignSetMembership(witnessJSON)
	case *circuits.Range:
		a, err = assignRange(witnessJSON)
	default:
		return nil, fmt.Errorf("no witness format for circuit %s (%T)", spec.Name, c)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrInvalidWitness, spec.Name, err)
	}
	return a, nil
}

type normBoundWitness struct {
	X     []int64      `json:"x"`
	Salt  *fieldValue  `json:"salt"`
	Bound *uint64Value `json:"bound"`
}

func assignNormBound(n int, witnessJSON []byte) (frontend.Circuit, error) {
	var w normBoundWitness
	if err := decodeStrict(witnessJSON, &w); err != nil {
		return nil, err
	}
	if w.Bound == nil {
		return nil, errors.New(`missing "bound"`)
	}
	if w.Salt == nil {
		return nil, errors.New(`missing "salt"`)
	}
	if len(w.X) != n {
		return nil, fmt.Errorf(`"x" has %d coordinates, want %d`, len(w.X), n)
	}
	a := circuits.NewNormBound(n)
	for i, x := range w.X {
		if x < -circuits.NormBoundMaxAbs || x > circuits.NormBoundMaxAbs {
			return nil, fmt.Errorf("coordinate %d is %d: |x| must be at most %d", i, x, circuits.NormBoundMaxAbs)
		}
		a.X[i] = x
	}
	salt := fr.Element(*w.Salt)
	a.Salt = salt
	a.Commitment = circuits.NormBoundCommitment(w.X, salt)
	a.Bound = uint64(*w.Bound)
	return a, nil
}

type setMembershipWitness struct {
	Value *fieldValue  `json:"value"`
	Set   []fieldValue `json:"set"`
}

func assignSetMembership(witnessJSON []byte) (frontend.Circuit, error) {
	var w setMembershipWitness
	if err := decodeStrict(witnessJSON, &w); err != nil {
		return nil, err
	}
	if w.Value == nil {
		return nil, errors.New(`missing "value"`)
	}
	set := make([]fr.Element, len(w.Set))
	index := -1
	for i := range w.Set {
		set[i] = fr.Element(w.Set[i])
		if index < 0 && set[i].Equal((*fr.Element)(w.Value)) {
			index = i
		}
	}
	if index < 0 {
		return nil, errors.New("value is not in the set")
	}
	root, err := circuits.MerkleRoot(set)
	if err != nil {
		return nil, err
	}
	path, err := circuits.MerklePath(set, index)
	if err != nil {
		return nil, err
	}
	a := circuits.NewSetMembership()
	a.Root = root
	a.Value = fr.Element(*w.Value)
	for i := range circuits.MerkleDepth {
		a.Siblings[i] = path.Siblings[i]
		a.Directions[i] = 0
		if path.Directions[i] {
			a.Directions[i] = 1
		}
	}
	return a, nil
}

type rangeWitness struct {
	Value *uint64Value `json:"value"`
	Salt  *fieldValue  `json:"salt"`
	Lo    *uint64Value `json:"lo"`
	Hi    *uint64Value `json:"hi"`
}

func assignRange(witnessJSON []byte) (frontend.Circuit, error) {
	var w rangeWitness
	if err := decodeStrict(witnessJSON, &w); err != nil {
		return nil, err
	}
	switch {
	case w.Value == nil:
		return nil, errors.New(`missing "value"`)
	case w.Salt == nil:
		return nil, errors.New(`missing "salt"`)
	case w.Lo == nil:
		return nil, errors.New(`missing "lo"`)
	case w.Hi == nil:
		return nil, errors.New(`missing "hi"`)
	}
	salt := fr.Element(*w.Salt)
	return &circuits.Range{
		Commitment: circuits.RangeCommitment(uint64(*w.Value), salt),
		Lo:         uint64(*w.Lo),
		Hi:         uint64(*w.Hi),
		Value:      uint64(*w.Value),
		Salt:       salt,
	}, nil
}

// decodeStrict decodes exactly one JSON object with no unknown fields.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the witness object")
	}
	return nil
}

// uint64Value is a JSON number or decimal string holding a uint64.
type uint64Value uint64

func (u *uint64Value) UnmarshalJSON(b []byte) error {
	s, err := numberText(b)
	if err != nil {
		return err
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not a uint64: %s", b)
	}
	*u = uint64Value(v)
	return nil
}

// fieldValue is a JSON number, decimal string or 0x-hex string holding a BN254 scalar below the modulus.
type fieldValue fr.Element

func (f *fieldValue) UnmarshalJSON(b []byte) error {
	s, err := numberText(b)
	if err != nil {
		return err
	}
	v, ok := new(big.Int), false
	if hex, isHex := strings.CutPrefix(s, "0x"); isHex {
		v, ok = v.SetString(hex, 16)
	} else {
		v, ok = v.SetString(s, 10)
	}
	if !ok || v.Sign() < 0 || v.Cmp(fr.Modulus()) >= 0 {
		return fmt.Errorf("not a field element below the BN254 scalar modulus: %s", b)
	}
	(*fr.Element)(f).SetBigInt(v)
	return nil
}

// numberText is the text of a JSON number or string, without quotes.
func numberText(b []byte) (string, error) {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return "", err
		}
		return s, nil
	}
	if len(b) == 0 || (b[0] != '-' && (b[0] < '0' || b[0] > '9')) {
		return "", fmt.Errorf("not a number: %s", b)
	}
	return string(b), nil
}
