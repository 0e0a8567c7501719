package circuits

import (
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/mimc"
)

// Range proves Lo ≤ Value ≤ Hi for a private 64-bit Value committed to with a private Salt.
//
// Public inputs, in order: Commitment = MiMC(Value, Salt), Lo, Hi. Value, Lo and Hi are uint64:
// public bounds of 2^64 or more have no proof. The Salt should be a uniformly random field element,
// since a 64-bit value alone is easy to find from its hash.
type Range struct {
	Commitment frontend.Variable `gnark:",public"`
	Lo         frontend.Variable `gnark:",public"`
	Hi         frontend.Variable `gnark:",public"`
	Value      frontend.Variable
	Salt       frontend.Variable
}

// NewRange returns a Range circuit to compile, or to fill as an assignment.
func NewRange() *Range { return &Range{} }

// Define implements frontend.Circuit.
func (c *Range) Define(api frontend.API) error {
	h, err := mimc.NewMiMC(api)
	if err != nil {
		return err
	}
	h.Write(c.Value, c.Salt)
	api.AssertIsEqual(h.Sum(), c.Commitment)

	api.ToBinary(c.Value, 64)
	api.ToBinary(c.Lo, 64)
	api.ToBinary(c.Hi, 64)
	// With all three below 2^64, a difference fits in 64 bits iff it is not negative.
	api.ToBinary(api.Sub(c.Value, c.Lo), 64)
	api.ToBinary(api.Sub(c.Hi, c.Value), 64)
	return nil
}

// RangeCommitment is the public Commitment of Range for value and salt.
func RangeCommitment(value uint64, salt fr.Element) fr.Element {
	var v fr.Element
	v.SetUint64(value)
	return hashElements(v, salt)
}
