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
	ParamsKey          = collections.NewPrefix(0)
	ProvidersKey       = collections.NewPrefix(1)
	OrdersKey          = collections.NewPrefix(2)
	OrderSeqKey        = collections.NewPrefix(3)
	BidsKey            = collections.NewPrefix(6)
	LeasesKey          = collections.NewPrefix(7)
	LeaseSeqKey        = collections.NewPrefix(8)
	SettlementQueueKey = collections.NewPrefix(12)
	StartQueueKey      = collections.NewPrefix(13)
	EndQueueKey        = collections.NewPrefix(14)
	PriceBandsKey      = collections.NewPrefix(15)
	// DepositSweepsKey queues settled and cancelled orders whose bids' deposits are being returned
	// or burned, by (due height, order id), with the sweep's cursor as value.
	DepositSweepsKey = collections.NewPrefix(18)

	// Indexes of the orders, bids and leases maps (collections.IndexedMap, indexes.Multi): each
	// holds (reference key, primary key) pairs, kept in step with the records by the maps themselves.

	// OrdersByOwnerIndexKey indexes orders by (owner).
	OrdersByOwnerIndexKey = collections.NewPrefix(19)
	// OrdersByStateIndexKey indexes orders by (state).
	OrdersByStateIndexKey = collections.NewPrefix(20)
	// BidsByProviderStateIndexKey indexes bids by (provider, state): a provider's live bids are two
	// prefix walks, (provider, committed) and (provider, revealed).
	BidsByProviderStateIndexKey = collections.NewPrefix(21)
	// LeasesByOrderIndexKey indexes leases by (order id).
	LeasesByOrderIndexKey = collections.NewPrefix(22)
	// LeasesByProviderIndexKey indexes leases by (provider).
	LeasesByProviderIndexKey = collections.NewPrefix(23)
	// LeasesByOwnerIndexKey indexes leases by (owner).
	LeasesByOwnerIndexKey = collections.NewPrefix(24)
	// LeasesByStateIndexKey indexes leases by (state).
	LeasesByStateIndexKey = collections.NewPrefix(25)
	// LeasesByProviderStateIndexKey indexes leases by (provider, state): a provider's open leases
	// are (provider, pending) and (provider, active).
	LeasesByProviderStateIndexKey = collections.NewPrefix(26)
	// StandbysKey holds the bids in state STANDBY by (order id, provider): an order's standbys are
	// one prefix walk. The keeper writes it with the bids (setBid and the standbys' promotion and
	// release); the invariants check that it holds exactly the STANDBY bids.
	StandbysKey = collections.NewPrefix(27)
)

// Prefixes of the hand-kept indexes of consensus version 1. The v1→v2 migration empties them; they
// stay reserved, never to be given another meaning.
var (
	RetiredOrdersByOwnerKey        = collections.NewPrefix(4)
	RetiredOrdersByStateKey        = collections.NewPrefix(5)
	RetiredLeasesByProviderKey     = collections.NewPrefix(9)
	RetiredLeasesByOwnerKey        = collections.NewPrefix(10)
	RetiredLeasesByStateKey        = collections.NewPrefix(11)
	RetiredOpenLeasesByProviderKey = collections.NewPrefix(16)
	RetiredLiveBidsByProviderKey   = collections.NewPrefix(17)
)
