package keeper_test

import (
	"testing"

	"cosmossdk.io/collections"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// work counts the units of EndBlock work the events of one block show: a settlement costs 1 + the
// order's bids, a returned or forfeited deposit 1, a closed lease 1.
func work(t *testing.T, events []abci.Event, bidsPerOrder int) (units int, settled []string) {
	for _, e := range events {
		switch e.Type {
		case "fog.market.v1.EventAuctionSettled", "fog.market.v1.EventOrderFailed":
			units += 1 + bidsPerOrder
			for _, a := range e.Attributes {
				if a.Key == "order_id" {
					settled = append(settled, a.Value)
				}
			}
		case "fog.market.v1.EventBidReturned", "fog.market.v1.EventBidForfeited", "fog.market.v1.EventLeaseClosed":
			units++
		}
	}
	return units, settled
}

// More due work than a block may do is carried over through the same queues: each block does at
// most max_work_per_block units (plus the one entry it always serves), the oldest due entries go
// first, nothing is lost, and a reveal after the deadline stays refused while its order waits.
func TestEndBlockWorkIsCappedAndCarriedOver(t *testing.T) {
	f := fixture.New(t)
	const limit = 10
	f.SetParams(t, func(p *types.Params) { p.MaxWorkPerBlock = limit })
	owner := f.NewAccount(t, 10_000_000)
	providers := []sdk.AccAddress{f.NewProvider(t), f.NewProvider(t), f.NewProvider(t)}
	late := f.NewProvider(t)
	var orders []types.Order
	var lateBid fixture.SealedBid
	for i := 0; i < 8; i++ {
		o := f.CreateOrder(t, fixture.OrderMsg(owner))
		orders = append(orders, o)
		var sealed []fixture.SealedBid
		for j, p := range providers {
			sealed = append(sealed, f.Commit(t, o.Id, p, int64(3+j)))
		}
		if i == 7 {
			lateBid = f.Commit(t, o.Id, late, 9)
		}
		f.SetHeight(o.CommitDeadline + 1)
		for _, s := range sealed {
			f.Reveal(t, o.Id, s)
		}
		f.SetHeight(o.CreatedHeight)
	}
	due := orders[0].RevealDeadline
	for _, o := range orders {
		require.Equal(t, due, o.RevealDeadline, "all due at one height")
	}
	f.SetHeight(due)

	var order []string
	for blocks := 0; ; blocks++ {
		require.Less(t, blocks, 20, "the backlog never drained")
		h, err := f.Keeper.Holdings(f.Ctx)
		require.NoError(t, err)
		if h.OpenOrders == 0 && h.DepositSweeps == 0 {
			break
		}
		if h.OpenOrders > 0 && f.Height() > due {
			// the last order is still waiting: its late bidder may not reveal now
			_, err := f.Msg.RevealBid(f.Ctx, &types.MsgRevealBid{Provider: late.String(), OrderId: orders[7].Id, Price: lateBid.Price, Salt: lateBid.Salt})
			require.ErrorIs(t, err, types.ErrNotRevealPhase)
		}
		ctx := f.Ctx.WithEventManager(sdk.NewEventManager())
		require.NoError(t, f.Keeper.EndBlocker(ctx))
		units, settled := work(t, ctx.EventManager().ABCIEvents(), 3)
		require.LessOrEqual(t, units, limit+1+3, "block %d did %d units", blocks, units)
		require.Positive(t, units, "every block makes progress")
		order = append(order, settled...)
		f.CheckInvariants(t)
		f.SetHeight(f.Height() + 1)
	}
	require.Greater(t, f.Height(), due+2, "the backlog took several blocks")
	require.Equal(t, []string{`"1"`, `"2"`, `"3"`, `"4"`, `"5"`, `"6"`, `"7"`, `"8"`}, order, "oldest first, then by id")
	for _, o := range orders {
		o = f.Order(t, o.Id)
		require.Equal(t, types.OrderMatched, o.State)
		require.Equal(t, int64(4), o.ClearingPrice.Amount.Int64())
		for _, l := range f.LeasesOf(t, o.Id) {
			require.Equal(t, l.CreatedHeight+int64(f.Params.StartTimeoutBlocks), l.StartDeadline, "a carried-over settlement still gives the full start window")
		}
	}
}

// A lease past its end height whose closing is carried over has completed: its owner closing it
// in the meantime cannot take the completion (and its reputation credit) from the provider.
func TestClosingALeaseThatRanOutIsACompletion(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := settledLease(t, f)
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)
	l = f.Lease(t, l.Id)
	f.SetHeight(l.EndHeight + 3) // the end queue has not reached it
	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: owner.String(), LeaseId: l.Id})
	require.NoError(t, err)
	l = f.Lease(t, l.Id)
	require.Equal(t, types.CloseReasonCompleted, l.CloseReason)
	require.Equal(t, l.PricePerBlock.Amount.MulRaw(int64(l.LeaseBlocks)), l.Paid.Amount, "paid for the whole term, no more")
	f.CheckInvariants(t)
}

// An entry that cannot be served (here a queue entry of an order that does not exist, which genesis
// validation and the state machine never produce) does not halt the chain: it is logged and left,
// its writes dropped, and the other due entries are served.
func TestAFailingEntryDoesNotHaltEndBlock(t *testing.T) {
	f := fixture.New(t)
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
	s := f.Commit(t, o.Id, f.NewProvider(t), 4)
	f.SetHeight(o.CommitDeadline + 1)
	f.Reveal(t, o.Id, s)
	bogus := collections.Join(o.RevealDeadline-1, uint64(999))
	require.NoError(t, f.Keeper.SettlementQueue.Set(f.Ctx, bogus))
	f.SetHeight(o.RevealDeadline)
	require.NoError(t, f.Keeper.EndBlocker(f.Ctx))
	require.Equal(t, types.OrderMatched, f.Order(t, o.Id).State, "the good entry was served")
	has, err := f.Keeper.SettlementQueue.Has(f.Ctx, bogus)
	require.NoError(t, err)
	require.True(t, has, "the failing entry stays queued")
}
