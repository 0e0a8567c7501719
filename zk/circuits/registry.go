package circuits

import "github.com/consensys/gnark/frontend"

// Names of the shipped circuits, as registered on chain and used by the prover.
const (
	NameNormBound64   = "norm_bound_64"
	NameNormBound256  = "norm_bound_256"
	NameNormBound1024 = "norm_bound_1024"
	NameSetMembership = "set_membership"
	NameRange         = "range"
)

// Spec names a shipped circuit. New returns a fresh, unassigned instance: the shape to compile, or
// to fill in as an assignment.
type Spec struct {
	Name        string
	Description string
	New         func() frontend.Circuit
}

// All lists the shipped circuits in a fixed order.
func All() []Spec {
	normBound := func(n int) func() frontend.Circuit {
		return func() frontend.Circuit { return NewNormBound(n) }
	}
	return []Spec{
		{
			Name:        NameNormBound64,
			Description: "Σ x_i² ≤ bound for a vector of 64 coordinates committed as MiMC(salt, packed x), |x_i| < 2^15; public: commitment, bound",
			New:         normBound(64),
		},
		{
			Name:        NameNormBound256,
			Description: "Σ x_i² ≤ bound for a vector of 256 coordinates committed as MiMC(salt, packed x), |x_i| < 2^15; public: commitment, bound",
			New:         normBound(256),
		},
		{
			Name:        NameNormBound1024,
			Description: "Σ x_i² ≤ bound for a vector of 1024 coordinates committed as MiMC(salt, packed x), |x_i| < 2^15; public: commitment, bound",
			New:         normBound(1024),
		},
		{
			Name:        NameSetMembership,
			Description: "a hidden value is in the set of a depth-16 MiMC Merkle tree; public: root",
			New:         func() frontend.Circuit { return NewSetMembership() },
		},
		{
			Name:        NameRange,
			Description: "lo ≤ value ≤ hi for a 64-bit value committed as MiMC(value, salt); public: commitment, lo, hi",
			New:         func() frontend.Circuit { return NewRange() },
		},
	}
}

// Lookup returns the shipped circuit called name.
func Lookup(name string) (Spec, bool) {
	for _, s := range All() {
		if s.Name == name {
			return s, true
		}
	}
	return Spec{}, false
}
