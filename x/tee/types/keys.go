package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the tee module.
	ModuleName = "tee"
	// StoreKey is its store key.
	StoreKey = ModuleName
)

// Store prefixes; never reuse or renumber them.
var (
	ParamsKey      = collections.NewPrefix(0)
	EnclavesKey    = collections.NewPrefix(1)
	ExpiryQueueKey = collections.NewPrefix(2)
	NoncesKey      = collections.NewPrefix(3)
	RootsKey       = collections.NewPrefix(4)
)
