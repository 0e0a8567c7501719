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
	// OpenLeasesByProviderKey indexes a provider's pending and active leases (x/tee lists the active
	// ones when its attestation expires, deregistration waits for none to be left), without reading
	// the provider's whole lease history.
	OpenLeasesByProviderKey = collections.NewPrefix(16)
	// LiveBidsByProviderKey indexes a provider's bids that still hold a deposit.
	LiveBidsByProviderKey = collections.NewPrefix(17)
	// DepositSweepsKey queues settled and cancelled orders whose bids' deposits are being returned
	// or burned, by (due height, order id), with the sweep's cursor as value.
	DepositSweepsKey = collections.NewPrefix(18)
)
