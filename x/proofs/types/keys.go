package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the proofs module.
	ModuleName = "proofs"
	// StoreKey is its store key.
	StoreKey = ModuleName
)

// Store prefixes; never reuse or renumber them.
var (
	ParamsKey             = collections.NewPrefix(0)
	BatchesKey            = collections.NewPrefix(1)
	BatchSeqKey           = collections.NewPrefix(2)
	BatchesByLeaseKey     = collections.NewPrefix(3)
	BatchesBySubmitterKey = collections.NewPrefix(4)
	CircuitsKey           = collections.NewPrefix(5)
	CircuitSeqKey         = collections.NewPrefix(6)
	CircuitsByNameKey     = collections.NewPrefix(7)
	ClaimsKey             = collections.NewPrefix(8)
	ClaimSeqKey           = collections.NewPrefix(9)
	ClaimsByCircuitKey    = collections.NewPrefix(10)
	WarmCircuitsKey       = collections.NewPrefix(11)
	WarmByUseKey          = collections.NewPrefix(12)
	WarmCountKey          = collections.NewPrefix(13)
)
