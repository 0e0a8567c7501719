package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the name of the market module and of its module account.
	ModuleName = "market"
	// StoreKey is the store key of the market module.
	StoreKey = ModuleName
)

// Store prefixes, one per collection; never reuse or renumber them.
var (
	ParamsKey           = collections.NewPrefix(0)
	ProvidersKey        = collections.NewPrefix(1)
	OrdersKey           = collections.NewPrefix(2)
	OrderSeqKey         = collections.NewPrefix(3)
	OrdersByOwnerKey    = collections.NewPrefix(4)
	OrdersByStateKey    = collections.NewPrefix(5)
	BidsKey             = collections.NewPrefix(6)
	LeasesKey           = collections.NewPrefix(7)
	LeaseSeqKey         = collections.NewPrefix(8)
	LeasesByProviderKey = collections.NewPrefix(9)
	LeasesByOwnerKey    = collections.NewPrefix(10)
	LeasesByStateKey    = collections.NewPrefix(11)
	SettlementQueueKey  = collections.NewPrefix(12)
	StartQueueKey       = collections.NewPrefix(13)
	EndQueueKey         = collections.NewPrefix(14)
	PriceBandsKey       = collections.NewPrefix(15)
	// ActiveLeasesByProviderKey indexes a provider's active leases (x/tee lists them when its
	// attestation expires, without reading the provider's whole lease history).
	ActiveLeasesByProviderKey = collections.NewPrefix(16)
)
