package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the reputation module.
	ModuleName = "reputation"
	// StoreKey is its store key.
	StoreKey = ModuleName
)

// Store prefixes; never reuse or renumber them.
var (
	ParamsKey  = collections.NewPrefix(0)
	RecordsKey = collections.NewPrefix(1)
)
