package keeper

import (
	"context"
	"slices"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// Index is an indexes.Multi whose (reference key, primary key) entries query.CollectionPaginate can
// also page through: Multi itself offers no raw iteration. The entries are read through a KeySet
// with the index's prefix and key codec, built on a schema builder of its own so that the module's
// schema declares each prefix once.
type Index[R, P, V any] struct {
	*indexes.Multi[R, P, V]
	entries collections.KeySet[collections.Pair[R, P]]
}

func newIndex[R, P, V any](sb *collections.SchemaBuilder, storeService storetypes.KVStoreService, prefix collections.Prefix,
	name string, refCodec collcodec.KeyCodec[R], pkCodec collcodec.KeyCodec[P], ref func(P, V) (R, error),
) Index[R, P, V] {
	m := indexes.NewMulti(sb, prefix, name, refCodec, pkCodec, ref)
	return Index[R, P, V]{
		Multi:   m,
		entries: collections.NewKeySet(collections.NewSchemaBuilder(storeService), prefix, name, m.KeyCodec()),
	}
}

// IterateRaw implements query.Collection.
func (i Index[R, P, V]) IterateRaw(ctx context.Context, start, end []byte, order collections.Order) (collections.Iterator[collections.Pair[R, P], collections.NoValue], error) {
	return i.entries.IterateRaw(ctx, start, end, order)
}

// walkPrimary calls fn with the primary key of every entry under ref, in key order, until fn stops.
func (i Index[R, P, V]) walkPrimary(ctx context.Context, ref R, fn func(P) (stop bool, err error)) error {
	return i.Walk(ctx, collections.NewPrefixedPairRange[R, P](ref), func(_ R, pk P) (bool, error) { return fn(pk) })
}

// OrderIndexes look orders up by owner and by state.
type OrderIndexes struct {
	Owner Index[sdk.AccAddress, uint64, types.Order]
	State Index[int32, uint64, types.Order]
}

// IndexesList implements collections.Indexes.
func (i OrderIndexes) IndexesList() []collections.Index[uint64, types.Order] {
	return []collections.Index[uint64, types.Order]{i.Owner, i.State}
}

func newOrderIndexes(sb *collections.SchemaBuilder, ss storetypes.KVStoreService, ac address.Codec) OrderIndexes {
	return OrderIndexes{
		Owner: newIndex(sb, ss, types.OrdersByOwnerIndexKey, "orders_by_owner_index", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, o types.Order) (sdk.AccAddress, error) { return ac.StringToBytes(o.Owner) }),
		State: newIndex(sb, ss, types.OrdersByStateIndexKey, "orders_by_state_index", collections.Int32Key, collections.Uint64Key,
			func(_ uint64, o types.Order) (int32, error) { return int32(o.State), nil }),
	}
}

// BidKey keys a bid: (order id, provider). A prefix walk gives one order's bids.
type BidKey = collections.Pair[uint64, sdk.AccAddress]

// ProviderState is an index's reference key for a provider's records in one state.
type ProviderState = collections.Pair[sdk.AccAddress, int32]

// BidIndexes look bids up by provider and state: a provider's live bids, whatever the order, are
// two prefix walks.
type BidIndexes struct {
	ProviderState Index[ProviderState, BidKey, types.Bid]
}

// IndexesList implements collections.Indexes.
func (i BidIndexes) IndexesList() []collections.Index[BidKey, types.Bid] {
	return []collections.Index[BidKey, types.Bid]{i.ProviderState}
}

func newBidIndexes(sb *collections.SchemaBuilder, ss storetypes.KVStoreService) BidIndexes {
	return BidIndexes{
		ProviderState: newIndex(sb, ss, types.BidsByProviderStateIndexKey, "bids_by_provider_state_index",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Int32Key), collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey),
			func(key BidKey, b types.Bid) (ProviderState, error) {
				return collections.Join(key.K2(), int32(b.State)), nil
			}),
	}
}

// LeaseIndexes look leases up by order, provider, owner, state, and provider and state together.
type LeaseIndexes struct {
	Order         Index[uint64, uint64, types.Lease]
	Provider      Index[sdk.AccAddress, uint64, types.Lease]
	Owner         Index[sdk.AccAddress, uint64, types.Lease]
	State         Index[int32, uint64, types.Lease]
	ProviderState Index[ProviderState, uint64, types.Lease]
}

// IndexesList implements collections.Indexes.
func (i LeaseIndexes) IndexesList() []collections.Index[uint64, types.Lease] {
	return []collections.Index[uint64, types.Lease]{i.Order, i.Provider, i.Owner, i.State, i.ProviderState}
}

func newLeaseIndexes(sb *collections.SchemaBuilder, ss storetypes.KVStoreService, ac address.Codec) LeaseIndexes {
	return LeaseIndexes{
		Order: newIndex(sb, ss, types.LeasesByOrderIndexKey, "leases_by_order_index", collections.Uint64Key, collections.Uint64Key,
			func(_ uint64, l types.Lease) (uint64, error) { return l.OrderId, nil }),
		Provider: newIndex(sb, ss, types.LeasesByProviderIndexKey, "leases_by_provider_index", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, l types.Lease) (sdk.AccAddress, error) { return ac.StringToBytes(l.Provider) }),
		Owner: newIndex(sb, ss, types.LeasesByOwnerIndexKey, "leases_by_owner_index", sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, l types.Lease) (sdk.AccAddress, error) { return ac.StringToBytes(l.Owner) }),
		State: newIndex(sb, ss, types.LeasesByStateIndexKey, "leases_by_state_index", collections.Int32Key, collections.Uint64Key,
			func(_ uint64, l types.Lease) (int32, error) { return int32(l.State), nil }),
		ProviderState: newIndex(sb, ss, types.LeasesByProviderStateIndexKey, "leases_by_provider_state_index",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Int32Key), collections.Uint64Key,
			func(_ uint64, l types.Lease) (ProviderState, error) {
				provider, err := ac.StringToBytes(l.Provider)
				return collections.Join(sdk.AccAddress(provider), int32(l.State)), err
			}),
	}
}

// openLeaseStates are the states in which a lease still binds its provider.
var openLeaseStates = []types.LeaseState{types.LeasePending, types.LeaseActive}

// liveBidStates are the states in which a bid holds its deposit until its order's settlement or
// deposit sweep.
var liveBidStates = []types.BidState{types.BidCommitted, types.BidRevealed}

// liveBid is whether a bid holds its deposit until its order's settlement or deposit sweep.
func liveBid(state types.BidState) bool { return slices.Contains(liveBidStates, state) }

// heldBidStates are the states in which a bid holds its deposit: live bids and standbys (whose
// deposits the sweep leaves locked until they are promoted or released).
var heldBidStates = []types.BidState{types.BidCommitted, types.BidRevealed, types.BidStandby}

// heldBid is whether a bid holds its deposit.
func heldBid(state types.BidState) bool { return slices.Contains(heldBidStates, state) }

// providerLeases walks the ids of provider's leases in state, in id order, until fn stops.
func (k Keeper) providerLeases(ctx context.Context, provider sdk.AccAddress, state types.LeaseState, fn func(id uint64) (stop bool, err error)) error {
	return k.Leases.Indexes.ProviderState.walkPrimary(ctx, collections.Join(provider, int32(state)), fn)
}

// providerBids walks the keys of provider's bids in state, in order id order, until fn stops.
func (k Keeper) providerBids(ctx context.Context, provider sdk.AccAddress, state types.BidState, fn func(key BidKey) (stop bool, err error)) error {
	return k.Bids.Indexes.ProviderState.walkPrimary(ctx, collections.Join(provider, int32(state)), fn)
}
