package keeper

import (
	"context"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/core/store"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// Migrator runs the market's store migrations.
type Migrator struct {
	k Keeper
}

// NewMigrator returns the market's Migrator.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 moves the market from hand-kept index key sets to indexed maps. The orders, bids and
// leases keep their prefixes, keys and values; every record's entries are written to the new
// indexes, and the version 1 index prefixes are emptied.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	if err := reindex(ctx, m.k.Orders); err != nil {
		return err
	}
	if err := reindex(ctx, m.k.Bids); err != nil {
		return err
	}
	if err := reindex(ctx, m.k.Leases); err != nil {
		return err
	}
	return newV1Indexes(m.k.storeService).clear(ctx)
}

// reindex writes every record's entries in the map's indexes, as if each record were new.
func reindex[K, V any, I collections.Indexes[K, V]](ctx context.Context, m *collections.IndexedMap[K, V, I]) error {
	notStored := func() (V, error) {
		var none V
		return none, collections.ErrNotFound
	}
	return m.Walk(ctx, nil, func(key K, v V) (bool, error) {
		for _, index := range m.Indexes.IndexesList() {
			if err := index.Reference(ctx, key, v, notStored); err != nil {
				return true, err
			}
		}
		return false, nil
	})
}

// v1Indexes are the index key sets that consensus version 1 kept by hand, with their key codecs.
// Only the migration reads them; they are built on a schema builder of their own.
type v1Indexes struct {
	OrdersByOwner        collections.KeySet[collections.Pair[sdk.AccAddress, uint64]] // (owner, order id)
	OrdersByState        collections.KeySet[collections.Pair[int32, uint64]]          // (state, order id)
	LeasesByProvider     collections.KeySet[collections.Pair[sdk.AccAddress, uint64]] // (provider, lease id)
	LeasesByOwner        collections.KeySet[collections.Pair[sdk.AccAddress, uint64]] // (owner, lease id)
	LeasesByState        collections.KeySet[collections.Pair[int32, uint64]]          // (state, lease id)
	OpenLeasesByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]] // (provider, pending or active lease id)
	LiveBidsByProvider   collections.KeySet[collections.Pair[sdk.AccAddress, uint64]] // (provider, order id) of committed and revealed bids
}

func newV1Indexes(storeService storetypes.KVStoreService) v1Indexes {
	sb := collections.NewSchemaBuilder(storeService)
	byAddress := collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)
	byState := collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)
	return v1Indexes{
		OrdersByOwner:        collections.NewKeySet(sb, types.RetiredOrdersByOwnerKey, "orders_by_owner", byAddress),
		OrdersByState:        collections.NewKeySet(sb, types.RetiredOrdersByStateKey, "orders_by_state", byState),
		LeasesByProvider:     collections.NewKeySet(sb, types.RetiredLeasesByProviderKey, "leases_by_provider", byAddress),
		LeasesByOwner:        collections.NewKeySet(sb, types.RetiredLeasesByOwnerKey, "leases_by_owner", byAddress),
		LeasesByState:        collections.NewKeySet(sb, types.RetiredLeasesByStateKey, "leases_by_state", byState),
		OpenLeasesByProvider: collections.NewKeySet(sb, types.RetiredOpenLeasesByProviderKey, "open_leases_by_provider", byAddress),
		LiveBidsByProvider:   collections.NewKeySet(sb, types.RetiredLiveBidsByProviderKey, "live_bids_by_provider", byAddress),
	}
}

// clear deletes every entry of every version 1 index.
func (v v1Indexes) clear(ctx context.Context) error {
	for _, set := range []collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]{
		v.OrdersByOwner, v.LeasesByProvider, v.LeasesByOwner, v.OpenLeasesByProvider, v.LiveBidsByProvider,
	} {
		if err := set.Clear(ctx, nil); err != nil {
			return err
		}
	}
	for _, set := range []collections.KeySet[collections.Pair[int32, uint64]]{v.OrdersByState, v.LeasesByState} {
		if err := set.Clear(ctx, nil); err != nil {
			return err
		}
	}
	return nil
}
