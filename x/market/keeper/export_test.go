package keeper

import storetypes "cosmossdk.io/core/store"

// V1Indexes are the version 1 hand-kept index key sets, for the migration test to fill.
type V1Indexes = v1Indexes

// NewV1Indexes builds the version 1 index key sets over a store.
func NewV1Indexes(storeService storetypes.KVStoreService) V1Indexes {
	return newV1Indexes(storeService)
}

// BoundedPage is boundedPage, for the paging test.
var BoundedPage = boundedPage
