package circuits_test

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/consensys/gnark-crypto/ecc"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr"
	"github.com/consensys/gnark-crypto/ecc/bn254/fr/mimc"
	"github.com/consensys/gnark/frontend"
	"github.com/consensys/gnark/test"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/zk/circuits"
)

var field = ecc.BN254.ScalarField()

func solved(t *testing.T, circuit, assignment frontend.Circuit) error {
	t.Helper()
	return test.IsSolved(circuit, assignment, field)
}

func randomVector(r *rand.Rand, n int) []int64 {
	xs := make([]int64, n)
	for i := range xs {
		xs[i] = r.Int64N(2*circuits.NormBoundMaxAbs+1) - circuits.NormBoundMaxAbs
	}
	return xs
}

func sumSquares(xs []int64) uint64 {
	var s uint64
	for _, x := range xs {
		s += uint64(x * x)
	}
	return s
}

// normSalt is the commitment randomness of the norm-bound tests.
var normSalt = func() fr.Element { var e fr.Element; e.SetUint64(0x5eed_cafe_f00d); return e }()

func normCommitment(xs []int64) fr.Element { return circuits.NormBoundCommitment(xs, normSalt) }

func normAssignment(xs []int64, commitment fr.Element, bound any) *circuits.NormBound {
	a := circuits.NewNormBound(len(xs))
	for i, x := range xs {
		a.X[i] = x
	}
	a.Salt = normSalt
	a.Commitment = commitment
	a.Bound = bound
	return a
}

func TestNormBound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// 1, 15, 16 and 31 coordinates: one partial limb, one full limb, a full and a partial one.
	for _, n := range []int{1, 15, 16, 31, 64, 256, 1024} {
		xs := randomVector(r, n)
		s := sumSquares(xs)
		c := normCommitment(xs)
		circuit := circuits.NewNormBound(n)

		require.NoError(t, solved(t, circuit, normAssignment(xs, c, s)), "n=%d: bound = Σx²", n)
		require.NoError(t, solved(t, circuit, normAssignment(xs, c, uint64(1)<<63)), "n=%d: large bound", n)
		require.Error(t, solved(t, circuit, normAssignment(xs, c, s-1)), "n=%d: bound = Σx² − 1", n)
	}

	extreme := []int64{circuits.NormBoundMaxAbs, -circuits.NormBoundMaxAbs, 0, -1}
	circuit := circuits.NewNormBound(len(extreme))
	huge := new(big.Int).Lsh(big.NewInt(1), 64)

	cases := []struct {
		name    string
		xs      []int64
		bound   any
		commit  func([]int64) fr.Element
		wantErr bool
	}{
		{"extreme coordinates", extreme, sumSquares(extreme), normCommitment, false},
		{"coordinate 2^15", []int64{1 << 15, 0, 0, 0}, uint64(1) << 40, normCommitment, true},
		{"coordinate -2^15", []int64{-(1 << 15), 0, 0, 0}, uint64(1) << 40, normCommitment, true},
		{"coordinate 2^16", []int64{1 << 16, 0, 0, 0}, uint64(1) << 40, normCommitment, true},
		{"bound 2^64", extreme, huge, normCommitment, true},
		{"bound negative", extreme, -1, normCommitment, true},
		{"wrong commitment", extreme, sumSquares(extreme), func(xs []int64) fr.Element {
			return normCommitment([]int64{xs[1], xs[0], xs[2], xs[3]})
		}, true},
		{"commitment with another salt", extreme, sumSquares(extreme), func(xs []int64) fr.Element {
			var other fr.Element
			other.SetUint64(1)
			return circuits.NormBoundCommitment(xs, other)
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := solved(t, circuit, normAssignment(tc.xs, tc.commit(tc.xs), tc.bound))
			if tc.wantErr {
				require.Error(t, err)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

// Packing 15 coordinates per hashed limb is injective: vectors that differ anywhere, including across
// a limb boundary or by a carry between neighbours, have different commitments.
func TestNormBoundCommitmentPacking(t *testing.T) {
	base := make([]int64, 31)
	for i := range base {
		base[i] = int64(i*37%200) - 100
	}
	seen := map[fr.Element]string{normCommitment(base): "base"}
	variant := func(name string, f func(xs []int64)) {
		xs := append([]int64{}, base...)
		f(xs)
		c := normCommitment(xs)
		prev, dup := seen[c]
		require.False(t, dup, "%s has the commitment of %s", name, prev)
		seen[c] = name
	}
	variant("swap across the limb boundary", func(xs []int64) { xs[14], xs[15] = xs[15], xs[14] })
	variant("neighbours trade a unit", func(xs []int64) { xs[3]++; xs[4]-- })
	variant("last coordinate", func(xs []int64) { xs[30]++ })
	variant("first of second limb at its extreme", func(xs []int64) { xs[15] = circuits.NormBoundMaxAbs })
	variant("last coordinate at its lowest", func(xs []int64) { xs[30] = -circuits.NormBoundMaxAbs })
	require.NotEqual(t, normCommitment(base), normCommitment(base[:30]), "a shorter vector")
}

func elements(vals ...uint64) []fr.Element {
	out := make([]fr.Element, len(vals))
	for i, v := range vals {
		out[i].SetUint64(v)
	}
	return out
}

func membershipAssignment(value fr.Element, p circuits.MerkleProof, root fr.Element) *circuits.SetMembership {
	a := circuits.NewSetMembership()
	a.Root = root
	a.Value = value
	for i := range circuits.MerkleDepth {
		a.Siblings[i] = p.Siblings[i]
		a.Directions[i] = 0
		if p.Directions[i] {
			a.Directions[i] = 1
		}
	}
	return a
}

func TestSetMembership(t *testing.T) {
	set := elements(11, 22, 33, 44, 55)
	root, err := circuits.MerkleRoot(set)
	require.NoError(t, err)
	circuit := circuits.NewSetMembership()

	for i := range set {
		p, err := circuits.MerklePath(set, i)
		require.NoError(t, err)
		require.NoError(t, solved(t, circuit, membershipAssignment(set[i], p, root)), "member %d", i)
	}

	p2, err := circuits.MerklePath(set, 2)
	require.NoError(t, err)
	t.Run("value not in set", func(t *testing.T) {
		require.Error(t, solved(t, circuit, membershipAssignment(elements(34)[0], p2, root)))
	})
	t.Run("padding leaf is not a member", func(t *testing.T) {
		// Index 5 is padding: its leaf is 0, and no value hashes to 0.
		padded := append(append([]fr.Element{}, set...), elements(0)[0])
		p5, err := circuits.MerklePath(padded, 5)
		require.NoError(t, err)
		require.Error(t, solved(t, circuit, membershipAssignment(elements(0)[0], p5, root)))
	})
	t.Run("wrong root", func(t *testing.T) {
		other, err := circuits.MerkleRoot(elements(11, 22, 33, 44))
		require.NoError(t, err)
		require.Error(t, solved(t, circuit, membershipAssignment(set[2], p2, other)))
	})
	t.Run("flipped direction", func(t *testing.T) {
		flipped := p2
		flipped.Directions[0] = !flipped.Directions[0]
		require.Error(t, solved(t, circuit, membershipAssignment(set[2], flipped, root)))
	})
	t.Run("non-boolean direction", func(t *testing.T) {
		a := membershipAssignment(set[2], p2, root)
		a.Directions[3] = 2
		require.Error(t, solved(t, circuit, a))
	})
}

// The sparse tree of MerkleRoot equals the full 2^16-leaf tree with zero padding.
func TestMerkleRootMatchesFullTree(t *testing.T) {
	set := elements(7, 8, 9)
	level := make([]fr.Element, circuits.MerkleCapacity)
	for i := range set {
		level[i] = circuits.MerkleLeaf(set[i])
	}
	for len(level) > 1 {
		next := make([]fr.Element, len(level)/2)
		for i := range next {
			next[i] = mimc.NewFieldHasher().SumElements(level[2*i : 2*i+2])
		}
		level = next
	}
	root, err := circuits.MerkleRoot(set)
	require.NoError(t, err)
	require.True(t, root.Equal(&level[0]))
}

func TestMerkleLimits(t *testing.T) {
	_, err := circuits.MerkleRoot(make([]fr.Element, circuits.MerkleCapacity+1))
	require.Error(t, err)
	_, err = circuits.MerklePath(elements(1, 2), 2)
	require.Error(t, err)
	_, err = circuits.MerklePath(elements(1, 2), -1)
	require.Error(t, err)
}

func rangeAssignment(value uint64, salt fr.Element, lo, hi any) *circuits.Range {
	return &circuits.Range{
		Commitment: circuits.RangeCommitment(value, salt),
		Lo:         lo,
		Hi:         hi,
		Value:      value,
		Salt:       salt,
	}
}

func TestRange(t *testing.T) {
	var salt fr.Element
	_, err := salt.SetRandom()
	require.NoError(t, err)
	circuit := circuits.NewRange()
	const maxU64 = ^uint64(0)
	two64 := new(big.Int).Lsh(big.NewInt(1), 64)

	cases := []struct {
		name          string
		value         uint64
		lo, hi        any
		wantSatisfied bool
	}{
		{"inside", 50, uint64(10), uint64(100), true},
		{"at lo", 10, uint64(10), uint64(100), true},
		{"at hi", 100, uint64(10), uint64(100), true},
		{"full range max", maxU64, uint64(0), maxU64, true},
		{"point interval", 7, uint64(7), uint64(7), true},
		{"below lo", 9, uint64(10), uint64(100), false},
		{"above hi", 101, uint64(10), uint64(100), false},
		{"empty interval", 50, uint64(60), uint64(40), false},
		{"hi 2^64", 5, uint64(0), two64, false},
		{"lo negative", 5, -1, uint64(10), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := solved(t, circuit, rangeAssignment(tc.value, salt, tc.lo, tc.hi))
			if tc.wantSatisfied {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
		})
	}
	t.Run("wrong salt", func(t *testing.T) {
		a := rangeAssignment(50, salt, uint64(10), uint64(100))
		var other fr.Element
		other.SetUint64(1)
		a.Salt = other
		require.Error(t, solved(t, circuit, a))
	})
}

func TestRegistry(t *testing.T) {
	want := map[string]int{ // name → number of public inputs
		circuits.NameNormBound64:   2,
		circuits.NameNormBound256:  2,
		circuits.NameNormBound1024: 2,
		circuits.NameSetMembership: 1,
		circuits.NameRange:         3,
	}
	all := circuits.All()
	require.Len(t, all, len(want))
	for _, s := range all {
		nbPublic, ok := want[s.Name]
		require.True(t, ok, s.Name)
		require.NotEmpty(t, s.Description)
		schema, err := frontend.NewSchema(field, s.New())
		require.NoError(t, err)
		require.Equal(t, nbPublic, schema.NbPublic, s.Name)

		got, ok := circuits.Lookup(s.Name)
		require.True(t, ok)
		require.Equal(t, s.Name, got.Name)
	}
	_, ok := circuits.Lookup("nope")
	require.False(t, ok)
}
