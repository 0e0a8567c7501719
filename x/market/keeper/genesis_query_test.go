package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/types/query"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// busyMarket leaves a market with state in every collection: a settled order with a started and a
// pending lease, an open order in its reveal phase, a cancelled order, and a price band.
func busyMarket(t *testing.T) (*fixture.Fixture, *auction) {
	a := newAuction(t)
	f := a.Fixture
	msg := fixture.OrderMsg(a.owner)
	msg.Tier = types.TierSilver
	silver := f.CreateOrder(t, msg)
	s1 := f.Commit(t, silver.Id, a.bidder, 3)
	s2 := f.Commit(t, silver.Id, a.other, 6)
	cancelled := f.CreateOrder(t, fixture.OrderMsg(a.owner))
	_, err := f.Msg.CancelOrder(f.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: cancelled.Id})
	require.NoError(t, err)
	f.AdvanceTo(t, silver.CommitDeadline+1)
	f.Reveal(t, silver.Id, s1)
	f.Reveal(t, silver.Id, s2)
	f.AdvanceTo(t, silver.RevealDeadline+1)
	leases := f.LeasesOf(t, silver.Id)
	require.Len(t, leases, 2)
	_, err = f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: leases[0].Provider, LeaseId: leases[0].Id})
	require.NoError(t, err)
	open := f.CreateOrder(t, fixture.OrderMsg(a.owner))
	s3 := f.Commit(t, open.Id, a.other, 5)
	f.Commit(t, open.Id, a.bidder, 4) // stays sealed
	f.AdvanceTo(t, open.CommitDeadline+1)
	f.Reveal(t, open.Id, s3)
	return f, a
}

func TestGenesisExportImportRoundTrip(t *testing.T) {
	f, _ := busyMarket(t)
	f.CheckInvariants(t)
	exported, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, exported.Validate())
	require.NotEmpty(t, exported.SettlementQueue)
	require.NotEmpty(t, exported.StartQueue)
	require.NotEmpty(t, exported.EndQueue)
	require.NotEmpty(t, exported.PriceBands)
	require.Equal(t, uint64(5), exported.NextOrderId)

	g := fixture.New(t)
	g.SetHeight(f.Height())
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, exported))
	// x/bank's genesis would carry the module balance; here it is funded to match.
	require.NoError(t, banktestutil.FundModuleAccount(g.Ctx, g.Bank, types.ModuleName, f.ModuleBalance()))
	g.CheckInvariants(t)
	again, err := g.Keeper.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, exported, again)
	require.NoError(t, g.Keeper.CheckQueues(g.Ctx))

	// The imported chain carries on: the open order settles and gets the next lease id.
	res, err := g.Query.Orders(g.Ctx, &types.QueryOrdersRequest{State: types.OrderOpen})
	require.NoError(t, err)
	require.Len(t, res.Orders, 1)
	g.AdvanceTo(t, res.Orders[0].RevealDeadline+1)
	require.Equal(t, types.OrderMatched, g.Order(t, res.Orders[0].Id).State)
	require.Len(t, g.LeasesOf(t, res.Orders[0].Id), 1)
	require.Equal(t, uint64(3), g.LeasesOf(t, res.Orders[0].Id)[0].Id)
}

func TestQueries(t *testing.T) {
	f, a := busyMarket(t)

	all, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{Owner: a.owner.String()})
	require.NoError(t, err)
	require.Len(t, all.Orders, 4)
	matched, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{Owner: a.owner.String(), State: types.OrderMatched})
	require.NoError(t, err)
	require.Len(t, matched.Orders, 1)
	cancelled, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{State: types.OrderCancelled})
	require.NoError(t, err)
	require.Len(t, cancelled.Orders, 1)
	page, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{Pagination: &query.PageRequest{Limit: 3, CountTotal: true}})
	require.NoError(t, err)
	require.Len(t, page.Orders, 3)
	require.EqualValues(t, 4, page.Pagination.Total)
	rest, err := f.Query.Orders(f.Ctx, &types.QueryOrdersRequest{Pagination: &query.PageRequest{Key: page.Pagination.NextKey}})
	require.NoError(t, err)
	require.Len(t, rest.Orders, 1)

	// Bids of the open order: the sealed one's commitment is hidden, the revealed one's is shown.
	bids, err := f.Query.Bids(f.Ctx, &types.QueryBidsRequest{OrderId: 4})
	require.NoError(t, err)
	require.Len(t, bids.Bids, 2)
	for _, b := range bids.Bids {
		if b.Provider == a.bidder.String() {
			require.Equal(t, types.BidCommitted, b.State)
			require.Empty(t, b.Commitment)
		} else {
			require.Equal(t, types.BidRevealed, b.State)
			require.Len(t, b.Commitment, 32)
		}
	}
	forfeited, err := f.Query.Bids(f.Ctx, &types.QueryBidsRequest{OrderId: a.order.Id})
	require.NoError(t, err)
	require.Len(t, forfeited.Bids, 1)
	require.Equal(t, types.BidForfeited, forfeited.Bids[0].State)
	_, err = f.Query.Bids(f.Ctx, &types.QueryBidsRequest{OrderId: 99})
	require.Error(t, err)

	byProvider, err := f.Query.Leases(f.Ctx, &types.QueryLeasesRequest{Provider: a.bidder.String()})
	require.NoError(t, err)
	require.Len(t, byProvider.Leases, 1)
	active, err := f.Query.Leases(f.Ctx, &types.QueryLeasesRequest{State: types.LeaseActive})
	require.NoError(t, err)
	require.Len(t, active.Leases, 1)
	ownerPending, err := f.Query.Leases(f.Ctx, &types.QueryLeasesRequest{Owner: a.owner.String(), State: types.LeasePending})
	require.NoError(t, err)
	require.Len(t, ownerPending.Leases, 1)

	lease, err := f.Query.Lease(f.Ctx, &types.QueryLeaseRequest{Id: active.Leases[0].Id})
	require.NoError(t, err)
	blocks := f.Height() - lease.Lease.SettledThrough
	require.Equal(t, lease.Lease.PricePerBlock.Amount.MulRaw(blocks), lease.Accrued.Amount)

	m, err := f.Query.Market(f.Ctx, &types.QueryMarketRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 1, m.OpenOrders)
	require.EqualValues(t, 1, m.PendingLeases)
	require.EqualValues(t, 1, m.ActiveLeases)
	require.Len(t, m.Bands, 1)
	require.EqualValues(t, 2, m.Providers)
	require.Equal(t, f.ModuleBalance(), m.Escrowed.Add(m.Deposits...).Add(m.Bonded...).Add(m.ProviderBonds...))

	p, err := f.Query.Provider(f.Ctx, &types.QueryProviderRequest{Address: a.bidder.String()})
	require.NoError(t, err)
	require.Equal(t, a.bidder.String(), p.Provider.Owner)
	_, err = f.Query.Provider(f.Ctx, &types.QueryProviderRequest{Address: "fog1bad"})
	require.Error(t, err)
	_, err = f.Query.Order(f.Ctx, nil)
	require.Error(t, err)
}
