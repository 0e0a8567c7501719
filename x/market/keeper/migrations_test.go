package keeper_test

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/runtime"
	sdk "github.com/cosmos/cosmos-sdk/types"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
)

// testdata/genesis_v1.json was exported by the consensus version 1 keeper (hand-kept indexes) at
// height 131 of a chain driven through the msg server: two providers; orders failed (1), matched
// (2, 4, 5, 6), cancelled (3, 8) and open (7); bids forfeited, won, lost, revealed, committed and
// returned; leases active (1), closed (2, 3, 4) and pending (5); an entry in each queue; and the
// deposit sweep of order 8 stopped half way. The module account then held v1ModuleBalance.
const (
	v1GenesisFile   = "testdata/genesis_v1.json"
	v1Height        = 131
	v1ModuleBalance = "25002600ufog"
)

var jsonCodec = codec.NewProtoCodec(codectypes.NewInterfaceRegistry())

func loadV1Genesis(t *testing.T) (*types.GenesisState, []byte) {
	t.Helper()
	bz, err := os.ReadFile(v1GenesisFile)
	require.NoError(t, err)
	var gs types.GenesisState
	require.NoError(t, jsonCodec.UnmarshalJSON(bz, &gs))
	return &gs, bz
}

// v1Market is a fresh chain at the v1 export's height that imported it, with the module account
// funded as x/bank's genesis would have it.
func v1Market(t *testing.T) (*fixture.Fixture, *types.GenesisState) {
	t.Helper()
	gs, _ := loadV1Genesis(t)
	f := fixture.New(t)
	f.SetHeight(v1Height)
	require.NoError(t, f.Keeper.InitGenesis(f.Ctx, gs))
	balance, err := sdk.ParseCoinsNormalized(v1ModuleBalance)
	require.NoError(t, err)
	require.NoError(t, banktestutil.FundModuleAccount(f.Ctx, f.Bank, types.ModuleName, balance))
	return f, gs
}

// A genesis exported before the indexed maps imports as it is: every index answers for exactly the
// records, the records justify what the module account held, and the export is the same JSON.
func TestImportGenesisExportedByV1(t *testing.T) {
	f, gs := v1Market(t)
	requireIndexesMatch(t, f, gs)
	f.CheckInvariants(t)

	m, err := f.Query.Market(f.Ctx, &types.QueryMarketRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 1, m.OpenOrders)
	require.EqualValues(t, 1, m.PendingLeases)
	require.EqualValues(t, 1, m.ActiveLeases)
	require.EqualValues(t, 1, m.DepositSweeps)

	again, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	// a lease of v1 has no withheld field: it reads as nothing withheld, and exports as a zero
	// coin (the only field added since)
	want := *gs
	want.Leases = slices.Clone(gs.Leases)
	for i := range want.Leases {
		require.Empty(t, want.Leases[i].Withheld.Denom)
		want.Leases[i].Withheld = sdk.Coin{Amount: math.ZeroInt()}
	}
	require.Equal(t, &want, again)
	bz, err := jsonCodec.MarshalJSON(again)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, json.Indent(&out, bz, "", "  "))
	out.WriteByte('\n')
	_, file := loadV1Genesis(t)
	const withheld = "},\n      \"withheld\": {\n        \"denom\": \"\",\n        \"amount\": \"0\"\n      }"
	require.Equal(t, len(gs.Leases), strings.Count(out.String(), withheld), "each lease exports its zero withheld coin")
	require.Equal(t, string(file), strings.ReplaceAll(out.String(), withheld, "}"),
		"the genesis JSON format is unchanged but for the leases' withheld coin")

	// the imported chain carries on until every order and lease is done
	f.AdvanceTo(t, v1Height+200)
	f.CheckInvariants(t)
	require.NoError(t, f.Keeper.CheckQueues(f.Ctx))
	open, err := f.Query.OrdersByState(f.Ctx, &types.QueryOrdersByStateRequest{State: types.OrderOpen})
	require.NoError(t, err)
	require.Empty(t, open.Orders)
}

// Migrate1to2 turns a store in version 1's layout into exactly the store that importing the same
// genesis builds, and leaves nothing under the version 1 index prefixes.
func TestMigrate1to2(t *testing.T) {
	gs, _ := loadV1Genesis(t)
	f := fixture.New(t)
	f.SetHeight(v1Height)
	require.NoError(t, f.Keeper.InitGenesis(f.Ctx, gs))
	key := f.App.UnsafeFindStoreKey(types.StoreKey).(*storetypes.KVStoreKey)
	store := f.Ctx.KVStore(key)
	want := dump(t, store, nil)

	// version 1's layout: the records (prefixes, keys and values unchanged), no new index entries,
	// and the hand-kept key sets filled as version 1's setters filled them
	for _, p := range [][]byte{
		types.OrdersByOwnerIndexKey, types.OrdersByStateIndexKey, types.BidsByProviderStateIndexKey,
		types.LeasesByOrderIndexKey, types.LeasesByProviderIndexKey, types.LeasesByOwnerIndexKey,
		types.LeasesByStateIndexKey, types.LeasesByProviderStateIndexKey,
	} {
		for k := range dump(t, store, p) {
			store.Delete([]byte(k))
		}
	}
	v1 := keeper.NewV1Indexes(runtime.NewKVStoreService(key))
	writeV1Indexes(t, f.Ctx, v1, gs)
	retired := [][]byte{
		types.RetiredOrdersByOwnerKey, types.RetiredOrdersByStateKey, types.RetiredLeasesByProviderKey,
		types.RetiredLeasesByOwnerKey, types.RetiredLeasesByStateKey, types.RetiredOpenLeasesByProviderKey,
		types.RetiredLiveBidsByProviderKey,
	}
	for _, p := range retired {
		require.NotEmpty(t, dump(t, store, p), "version 1 index %x", p)
	}

	require.NoError(t, keeper.NewMigrator(f.Keeper).Migrate1to2(f.Ctx))
	for _, p := range retired {
		require.Empty(t, dump(t, store, p), "version 1 index %x", p)
	}
	require.Equal(t, want, dump(t, store, nil))
	requireIndexesMatch(t, f, gs)
}

// writeV1Indexes writes the entries version 1's setOrder, setBid and setLease wrote for gs's records.
func writeV1Indexes(t *testing.T, ctx sdk.Context, v1 keeper.V1Indexes, gs *types.GenesisState) {
	t.Helper()
	for _, o := range gs.Orders {
		require.NoError(t, v1.OrdersByOwner.Set(ctx, collections.Join(sdk.MustAccAddressFromBech32(o.Owner), o.Id)))
		require.NoError(t, v1.OrdersByState.Set(ctx, collections.Join(int32(o.State), o.Id)))
	}
	for _, b := range gs.Bids {
		if b.State == types.BidCommitted || b.State == types.BidRevealed {
			require.NoError(t, v1.LiveBidsByProvider.Set(ctx, collections.Join(sdk.MustAccAddressFromBech32(b.Provider), b.OrderId)))
		}
	}
	for _, l := range gs.Leases {
		provider := sdk.MustAccAddressFromBech32(l.Provider)
		require.NoError(t, v1.LeasesByProvider.Set(ctx, collections.Join(provider, l.Id)))
		require.NoError(t, v1.LeasesByOwner.Set(ctx, collections.Join(sdk.MustAccAddressFromBech32(l.Owner), l.Id)))
		require.NoError(t, v1.LeasesByState.Set(ctx, collections.Join(int32(l.State), l.Id)))
		if l.State == types.LeasePending || l.State == types.LeaseActive {
			require.NoError(t, v1.OpenLeasesByProvider.Set(ctx, collections.Join(provider, l.Id)))
		}
	}
}

// dump reads every key and value under prefix (the whole store when nil).
func dump(t *testing.T, store storetypes.KVStore, prefix []byte) map[string]string {
	t.Helper()
	iter := storetypes.KVStorePrefixIterator(store, prefix)
	defer iter.Close()
	out := map[string]string{}
	for ; iter.Valid(); iter.Next() {
		out[string(iter.Key())] = string(iter.Value())
	}
	return out
}

// requireIndexesMatch checks every index of the orders, bids and leases maps against the records:
// each holds one entry per record, under the record's own reference key.
func requireIndexesMatch(t *testing.T, f *fixture.Fixture, gs *types.GenesisState) {
	t.Helper()
	addr := sdk.MustAccAddressFromBech32
	var want struct{ orderOwner, orderState, bidProviderState, leaseOrder, leaseProvider, leaseOwner, leaseState, leaseProviderState []string }
	o, b, l := f.Keeper.Orders.Indexes, f.Keeper.Bids.Indexes, f.Keeper.Leases.Indexes
	for _, r := range gs.Orders {
		want.orderOwner = append(want.orderOwner, o.Owner.KeyCodec().Stringify(collections.Join(addr(r.Owner), r.Id)))
		want.orderState = append(want.orderState, o.State.KeyCodec().Stringify(collections.Join(int32(r.State), r.Id)))
	}
	for _, r := range gs.Bids {
		want.bidProviderState = append(want.bidProviderState, b.ProviderState.KeyCodec().Stringify(
			collections.Join(collections.Join(addr(r.Provider), int32(r.State)), collections.Join(r.OrderId, addr(r.Provider)))))
	}
	for _, r := range gs.Leases {
		want.leaseOrder = append(want.leaseOrder, l.Order.KeyCodec().Stringify(collections.Join(r.OrderId, r.Id)))
		want.leaseProvider = append(want.leaseProvider, l.Provider.KeyCodec().Stringify(collections.Join(addr(r.Provider), r.Id)))
		want.leaseOwner = append(want.leaseOwner, l.Owner.KeyCodec().Stringify(collections.Join(addr(r.Owner), r.Id)))
		want.leaseState = append(want.leaseState, l.State.KeyCodec().Stringify(collections.Join(int32(r.State), r.Id)))
		want.leaseProviderState = append(want.leaseProviderState, l.ProviderState.KeyCodec().Stringify(
			collections.Join(collections.Join(addr(r.Provider), int32(r.State)), r.Id)))
	}
	ctx := f.Ctx
	for _, c := range []struct {
		name      string
		want, got []string
	}{
		{"orders by owner", want.orderOwner, entries(t, ctx, o.Owner)},
		{"orders by state", want.orderState, entries(t, ctx, o.State)},
		{"bids by provider and state", want.bidProviderState, entries(t, ctx, b.ProviderState)},
		{"leases by order", want.leaseOrder, entries(t, ctx, l.Order)},
		{"leases by provider", want.leaseProvider, entries(t, ctx, l.Provider)},
		{"leases by owner", want.leaseOwner, entries(t, ctx, l.Owner)},
		{"leases by state", want.leaseState, entries(t, ctx, l.State)},
		{"leases by provider and state", want.leaseProviderState, entries(t, ctx, l.ProviderState)},
	} {
		slices.Sort(c.want)
		require.Equal(t, c.want, c.got, c.name)
	}
}

// entries lists an index's entries, sorted.
func entries[R, P, V any](t *testing.T, ctx sdk.Context, index keeper.Index[R, P, V]) []string {
	t.Helper()
	var out []string
	require.NoError(t, index.Walk(ctx, nil, func(r R, p P) (bool, error) {
		out = append(out, index.KeyCodec().Stringify(collections.Join(r, p)))
		return false, nil
	}))
	slices.Sort(out)
	return out
}
