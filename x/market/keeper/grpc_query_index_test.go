package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
)

// The v1 export's two providers: p1 has leases 1 (active) and 5 (pending), p2 leases 2, 3 and 4
// (closed); on open order 7, p1's bid is sealed and p2's revealed.
const (
	v1Owner = "fog1sjwahvgre2c2d05jgjrpzagmetw0e5zwql308q"
	v1P1    = "fog1mswvd7wl3gpjq549ypdjkvk97syk94elf8a37n"
	v1P2    = "fog1x52jjse8dwrwu8g5qdl0tmfeu9sdxs4etrgj86"
)

func requireCode(t *testing.T, code codes.Code, err error) {
	t.Helper()
	require.Error(t, err)
	require.Equal(t, code, status.Code(err), err.Error())
}

func orderIDs(os []types.Order) []uint64 {
	out := []uint64{}
	for _, o := range os {
		out = append(out, o.Id)
	}
	return out
}

func leaseIDs(ls []types.Lease) []uint64 {
	out := []uint64{}
	for _, l := range ls {
		out = append(out, l.Id)
	}
	return out
}

func TestQueryLeasesByOrder(t *testing.T) {
	f, _ := v1Market(t)
	for _, c := range []struct {
		name  string
		order uint64
		want  []uint64
	}{
		{"two replicas", 2, []uint64{1, 2}},
		{"one replica", 6, []uint64{5}},
		{"open order, no lease yet", 7, []uint64{}},
		{"failed order", 1, []uint64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.Query.LeasesByOrder(f.Ctx, &types.QueryLeasesByOrderRequest{OrderId: c.order})
			require.NoError(t, err)
			require.Equal(t, c.want, leaseIDs(res.Leases))
		})
	}
	_, err := f.Query.LeasesByOrder(f.Ctx, &types.QueryLeasesByOrderRequest{OrderId: 99})
	requireCode(t, codes.NotFound, err)
	_, err = f.Query.LeasesByOrder(f.Ctx, nil)
	requireCode(t, codes.InvalidArgument, err)

	first, err := f.Query.LeasesByOrder(f.Ctx, &types.QueryLeasesByOrderRequest{OrderId: 2, Pagination: &query.PageRequest{Limit: 1, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, []uint64{1}, leaseIDs(first.Leases))
	require.EqualValues(t, 2, first.Pagination.Total)
	second, err := f.Query.LeasesByOrder(f.Ctx, &types.QueryLeasesByOrderRequest{OrderId: 2, Pagination: &query.PageRequest{Key: first.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, []uint64{2}, leaseIDs(second.Leases))
	require.Empty(t, second.Pagination.NextKey)
}

func TestQueryBid(t *testing.T) {
	f, _ := v1Market(t)
	sealedBid, err := f.Query.Bid(f.Ctx, &types.QueryBidRequest{OrderId: 7, Provider: v1P1})
	require.NoError(t, err)
	require.Equal(t, types.BidCommitted, sealedBid.Bid.State)
	require.Empty(t, sealedBid.Bid.Commitment, "a sealed bid's commitment stays hidden")
	revealed, err := f.Query.Bid(f.Ctx, &types.QueryBidRequest{OrderId: 7, Provider: v1P2})
	require.NoError(t, err)
	require.Equal(t, types.BidRevealed, revealed.Bid.State)
	require.Len(t, revealed.Bid.Commitment, 32)
	lost, err := f.Query.Bid(f.Ctx, &types.QueryBidRequest{OrderId: 6, Provider: strings.ToUpper(v1P2)})
	require.NoError(t, err, "addresses compare as bytes")
	require.Equal(t, types.BidLost, lost.Bid.State)

	for _, c := range []struct {
		name string
		req  *types.QueryBidRequest
		code codes.Code
	}{
		{"nil request", nil, codes.InvalidArgument},
		{"empty provider", &types.QueryBidRequest{OrderId: 7}, codes.InvalidArgument},
		{"provider not an address", &types.QueryBidRequest{OrderId: 7, Provider: "fog1nope"}, codes.InvalidArgument},
		{"no bid by that provider", &types.QueryBidRequest{OrderId: 1, Provider: v1P2}, codes.NotFound},
		{"no such order", &types.QueryBidRequest{OrderId: 99, Provider: v1P1}, codes.NotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.Query.Bid(f.Ctx, c.req)
			requireCode(t, c.code, err)
		})
	}
}

func TestQueryOrdersByState(t *testing.T) {
	f, _ := v1Market(t)
	for _, c := range []struct {
		state types.OrderState
		want  []uint64
	}{
		{types.OrderOpen, []uint64{7}},
		{types.OrderMatched, []uint64{2, 4, 5, 6}},
		{types.OrderFailed, []uint64{1}},
		{types.OrderCancelled, []uint64{3, 8}},
	} {
		t.Run(c.state.String(), func(t *testing.T) {
			res, err := f.Query.OrdersByState(f.Ctx, &types.QueryOrdersByStateRequest{State: c.state})
			require.NoError(t, err)
			require.Equal(t, c.want, orderIDs(res.Orders))
			for _, o := range res.Orders {
				require.Equal(t, c.state, o.State)
			}
		})
	}
	for _, c := range []struct {
		name string
		req  *types.QueryOrdersByStateRequest
	}{
		{"nil request", nil},
		{"unspecified state", &types.QueryOrdersByStateRequest{}},
		{"unknown state", &types.QueryOrdersByStateRequest{State: 99}},
		{"offset and key", &types.QueryOrdersByStateRequest{State: types.OrderMatched, Pagination: &query.PageRequest{Offset: 1, Key: []byte{1}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.Query.OrdersByState(f.Ctx, c.req)
			requireCode(t, codes.InvalidArgument, err)
		})
	}

	// pages by key and by offset, forward and in reverse
	var got []uint64
	var next []byte
	for {
		res, err := f.Query.OrdersByState(f.Ctx, &types.QueryOrdersByStateRequest{State: types.OrderMatched,
			Pagination: &query.PageRequest{Limit: 3, Key: next}})
		require.NoError(t, err)
		require.LessOrEqual(t, len(res.Orders), 3)
		got = append(got, orderIDs(res.Orders)...)
		if next = res.Pagination.NextKey; next == nil {
			break
		}
	}
	require.Equal(t, []uint64{2, 4, 5, 6}, got)
	res, err := f.Query.OrdersByState(f.Ctx, &types.QueryOrdersByStateRequest{State: types.OrderMatched,
		Pagination: &query.PageRequest{Offset: 3, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, []uint64{6}, orderIDs(res.Orders))
	require.EqualValues(t, 4, res.Pagination.Total)
	res, err = f.Query.OrdersByState(f.Ctx, &types.QueryOrdersByStateRequest{State: types.OrderMatched,
		Pagination: &query.PageRequest{Limit: 2, Reverse: true}})
	require.NoError(t, err)
	require.Equal(t, []uint64{6, 5}, orderIDs(res.Orders))
}

func TestQueryProviderLeases(t *testing.T) {
	f, _ := v1Market(t)
	for _, c := range []struct {
		name     string
		provider string
		state    types.LeaseState
		want     []uint64
	}{
		{"p1, all", v1P1, types.LeaseStateUnspecified, []uint64{1, 5}},
		{"p1, pending", v1P1, types.LeasePending, []uint64{5}},
		{"p1, active", v1P1, types.LeaseActive, []uint64{1}},
		{"p1, closed", v1P1, types.LeaseClosed, []uint64{}},
		{"p2, all", v1P2, types.LeaseStateUnspecified, []uint64{2, 3, 4}},
		{"p2, closed, upper-case address", strings.ToUpper(v1P2), types.LeaseClosed, []uint64{2, 3, 4}},
		{"p2, active", v1P2, types.LeaseActive, []uint64{}},
		{"the owner, who provides nothing", v1Owner, types.LeaseStateUnspecified, []uint64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.Query.ProviderLeases(f.Ctx, &types.QueryProviderLeasesRequest{Provider: c.provider, State: c.state})
			require.NoError(t, err)
			require.Equal(t, c.want, leaseIDs(res.Leases))
		})
	}
	for _, c := range []struct {
		name string
		req  *types.QueryProviderLeasesRequest
	}{
		{"nil request", nil},
		{"no provider", &types.QueryProviderLeasesRequest{}},
		{"provider not an address", &types.QueryProviderLeasesRequest{Provider: "fog1nope"}},
		{"unknown state", &types.QueryProviderLeasesRequest{Provider: v1P1, State: 9}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := f.Query.ProviderLeases(f.Ctx, c.req)
			requireCode(t, codes.InvalidArgument, err)
		})
	}

	for _, state := range []types.LeaseState{types.LeaseStateUnspecified, types.LeaseClosed} {
		first, err := f.Query.ProviderLeases(f.Ctx, &types.QueryProviderLeasesRequest{Provider: v1P2, State: state,
			Pagination: &query.PageRequest{Limit: 2}})
		require.NoError(t, err)
		require.Equal(t, []uint64{2, 3}, leaseIDs(first.Leases))
		rest, err := f.Query.ProviderLeases(f.Ctx, &types.QueryProviderLeasesRequest{Provider: v1P2, State: state,
			Pagination: &query.PageRequest{Key: first.Pagination.NextKey}})
		require.NoError(t, err)
		require.Equal(t, []uint64{4}, leaseIDs(rest.Leases))
		require.Empty(t, rest.Pagination.NextKey)
	}
}

// The older list queries, which now read the indexes, still give what a filter over all the
// records gives, for every combination of their filters.
func TestQueryOrdersAndLeasesFilters(t *testing.T) {
	f, gs := v1Market(t)
	owners := []string{"", v1Owner, v1P1}
	for _, owner := range owners {
		for s := range types.OrderState_name {
			state := types.OrderState(s)
			want := []uint64{}
			for _, o := range gs.Orders {
				if (owner == "" || o.Owner == owner) && (state == types.OrderStateUnspecified || o.State == state) {
					want = append(want, o.Id)
				}
			}
			res, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{Owner: owner, State: state})
			require.NoError(t, err)
			require.Equal(t, want, orderIDs(res.Orders), "owner %q state %s", owner, state)
		}
	}
	for _, provider := range []string{"", v1P1, v1P2, v1Owner} {
		for _, owner := range owners {
			for s := range types.LeaseState_name {
				state := types.LeaseState(s)
				want := []uint64{}
				for _, l := range gs.Leases {
					if (provider == "" || l.Provider == provider) && (owner == "" || l.Owner == owner) &&
						(state == types.LeaseStateUnspecified || l.State == state) {
						want = append(want, l.Id)
					}
				}
				res, err := f.Query.Leases(f.Ctx, &types.QueryLeasesRequest{Provider: provider, Owner: owner, State: state})
				require.NoError(t, err)
				require.Equal(t, want, leaseIDs(res.Leases), "provider %q owner %q state %s", provider, owner, state)
			}
		}
	}
}

// Deregistration reads a provider's entries in the (provider, state) indexes of bids and leases.
func TestProviderObligationsFromIndexes(t *testing.T) {
	f, _ := v1Market(t)
	for _, p := range []string{v1P1, v1P2} {
		_, err := f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: p})
		require.ErrorIs(t, err, types.ErrProviderBusy)
	}
	_, err := f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: v1P1})
	require.ErrorContains(t, err, "bids on orders [7 8] and leases [5 1]", "p1: sealed bids on 7 and 8, pending lease 5, active lease 1")
	_, err = f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: v1P2})
	require.ErrorContains(t, err, "bids on orders [7] and leases []", "p2: revealed bid on 7, its bid on 8 already swept")

	// once every order is settled, swept and every lease closed, both may leave
	f.AdvanceTo(t, v1Height+200)
	for _, p := range []string{v1P1, v1P2} {
		_, err := f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: p})
		require.NoError(t, err)
	}
	f.CheckInvariants(t)
	f.RequireOnlyBondsHeld(t)
}

func TestBoundedPage(t *testing.T) {
	require.Nil(t, keeper.BoundedPage(nil))
	small := &query.PageRequest{Limit: 10, Key: []byte{1}}
	require.Same(t, small, keeper.BoundedPage(small))
	big := &query.PageRequest{Limit: types.MaxListBound + 1, Key: []byte{1}, CountTotal: true}
	got := keeper.BoundedPage(big)
	require.EqualValues(t, types.MaxListBound, got.Limit)
	require.Equal(t, big.Key, got.Key)
	require.True(t, got.CountTotal)
	require.EqualValues(t, types.MaxListBound+1, big.Limit, "the caller's request is not changed")
}
