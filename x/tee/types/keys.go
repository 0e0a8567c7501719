package types

import (
	"crypto/ed25519"

	"cosmossdk.io/collections"
)

const (
	// ModuleName is the name of the tee module.
	ModuleName = "tee"
	// StoreKey is its store key.
	StoreKey = ModuleName
	// WorkerKeySize is the size of a worker's ed25519 public key, which attestations bind.
	WorkerKeySize = ed25519.PublicKeySize
)

// Store prefixes; never reuse or renumber them.
var (
	ParamsKey      = collections.NewPrefix(0)
	EnclavesKey    = collections.NewPrefix(1)
	ExpiryQueueKey = collections.NewPrefix(2)
	NoncesKey      = collections.NewPrefix(3)
	RootsKey       = collections.NewPrefix(4)
	// TeeLeasesKey holds (provider, lease id) for every active lease of an order that requires a
	// TEE, kept from x/market's hooks.
	TeeLeasesKey = collections.NewPrefix(5)
)
