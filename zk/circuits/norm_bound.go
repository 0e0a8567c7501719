package circuits

import (
	"fmt"
	"math/big"

	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/std/hash/mimc"
)

// NormBoundMaxAbs is the largest absolute value of a quantized coordinate: |x_i| < 2^15.
const NormBoundMaxAbs = 1<<15 - 1

// normBoundLimbBits is the width of one coordinate in a packed limb, and normBoundPerLimb how many
// coordinates share one field element: 15 × 16 = 240 bits, below the 254-bit modulus, so packing is
// injective and costs no constraints (a linear combination).
const (
	normBoundLimbBits = 16
	normBoundPerLimb  = 15
)

// NormBound proves Σ x_i² ≤ Bound for a private vector X committed to, with a private Salt, as
// Commitment.
//
// Public inputs, in order: Commitment, then Bound (a uint64: a Bound ≥ 2^64 has no proof).
// Commitment = MiMC(Salt, limb_1, …, limb_k): coordinate i is offset to u_i = x_i + NormBoundMaxAbs
// (in [0, 2^16 − 2]) and limb_j packs u_{15(j−1)+1} … u_{15j} as Σ u · 2^(16·t), t = 0 … 14 (the last
// limb holds what remains). Hashing 15 coordinates per MiMC call instead of one makes the circuit
// about ten times smaller than hashing each coordinate.
// Each coordinate is constrained to |x_i| ≤ NormBoundMaxAbs, so Σ x_i² < 2^40 for n ≤ 1024 and the
// comparison with Bound cannot wrap around the field.
//
// Salt should be a uniformly random field element, fresh per commitment: the commitment then hides X
// (without it anyone could test a guessed vector against the public commitment).
type NormBound struct {
	Commitment frontend.Variable `gnark:",public"`
	Bound      frontend.Variable `gnark:",public"`
	Salt       frontend.Variable
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
	h.Write(c.Salt)
	var sumSquares, limb frontend.Variable = 0, 0
	for i, x := range c.X {
		// u = x + MaxAbs < 2^16 bounds x to [−MaxAbs, MaxAbs+1]; the last value is excluded separately.
		u := api.Add(x, NormBoundMaxAbs)
		api.ToBinary(u, normBoundLimbBits)
		api.AssertIsDifferent(u, 2*NormBoundMaxAbs+1)
		sumSquares = api.Add(sumSquares, api.Mul(x, x))
		t := i % normBoundPerLimb
		limb = api.Add(limb, api.Mul(u, new(big.Int).Lsh(big.NewInt(1), uint(normBoundLimbBits*t))))
		if t == normBoundPerLimb-1 || i == len(c.X)-1 {
			h.Write(limb)
			limb = 0
		}
	}
	api.AssertIsEqual(h.Sum(), c.Commitment)

	api.ToBinary(c.Bound, 64)
	// Bound − Σ x_i² fits in 64 bits iff Σ x_i² ≤ Bound: otherwise it wraps to a ~254-bit field element.
	api.ToBinary(api.Sub(c.Bound, sumSquares), 64)
	return nil
}

// NormBoundCommitment is the public Commitment of NormBound for the vector xs (each |x| ≤
// NormBoundMaxAbs) and salt.
func NormBoundCommitment(xs []int64, salt fr.Element) fr.Element {
	elems := []fr.Element{salt}
	var limb, u, shifted fr.Element
	for i, x := range xs {
		t := i % normBoundPerLimb
		u.SetInt64(x + NormBoundMaxAbs)
		var pow fr.Element
		pow.SetBigInt(new(big.Int).Lsh(big.NewInt(1), uint(normBoundLimbBits*t)))
		shifted.Mul(&u, &pow)
		limb.Add(&limb, &shifted)
		if t == normBoundPerLimb-1 || i == len(xs)-1 {
			elems = append(elems, limb)
			limb.SetZero()
		}
	}
	return hashElements(elems...)
}
