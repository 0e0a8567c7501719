package circuits

import (
	"fmt"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/mimc"
)

// NormBoundMaxAbs is the largest absolute value of a quantized coordinate: |x_i| < 2^15.
const NormBoundMaxAbs = 1<<15 - 1

// NormBound proves Σ x_i² ≤ Bound for a private vector X whose MiMC hash is Commitment.
//
// Public inputs, in order: Commitment = MiMC(x_1, …, x_n) with each x_i taken as a field element
// (negative values as p − |x_i|), then Bound (a uint64: a Bound ≥ 2^64 has no proof).
// Each coordinate is constrained to |x_i| ≤ NormBoundMaxAbs, so Σ x_i² < 2^40 for n ≤ 1024 and the
// comparison with Bound cannot wrap around the field.
//
// The commitment is binding but carries no salt: it hides X only as far as X is hard to guess.
type NormBound struct {
	Commitment frontend.Variable `gnark:",public"`
	Bound      frontend.Variable `gnark:",public"`
	X          []frontend.Variable
}

// NewNormBound returns an n-coordinate NormBound circuit (n ≥ 1) to compile, or to fill as an assignment.
func NewNormBound(n int) *NormBound {
	if n < 1 {
		panic(fmt.Sprintf("circuits: NewNormBound needs n ≥ 1, got %d", n))
	}
	return &NormBound{X: make([]frontend.Variable, n)}
}

// Define implements frontend.Circuit.
func (c *NormBound) Define(api frontend.API) error {
	h, err := mimc.NewMiMC(api)
	if err != nil {
		return err
	}
	var sumSquares frontend.Variable = 0
	for _, x := range c.X {
		// x + MaxAbs < 2^16 bounds x to [−MaxAbs, MaxAbs+1]; the last value is excluded separately.
		api.ToBinary(api.Add(x, NormBoundMaxAbs), 16)
		api.AssertIsDifferent(x, NormBoundMaxAbs+1)
		sumSquares = api.Add(sumSquares, api.Mul(x, x))
		h.Write(x)
	}
	api.AssertIsEqual(h.Sum(), c.Commitment)

	api.ToBinary(c.Bound, 64)
	// Bound − Σ x_i² fits in 64 bits iff Σ x_i² ≤ Bound: otherwise it wraps to a ~254-bit field element.
	api.ToBinary(api.Sub(c.Bound, sumSquares), 64)
	return nil
}

// NormBoundCommitment is the public Commitment of NormBound for the vector xs.
func NormBoundCommitment(xs []int64) fr.Element {
	elems := make([]fr.Element, len(xs))
	for i, x := range xs {
		elems[i].SetInt64(x)
	}
	return hashElements(elems...)
}
