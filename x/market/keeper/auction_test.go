package keeper_test

import (
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// The scenario: four providers commit 5, 3, 7 and 4; the one that committed 3 never reveals.
func TestVickreySettlementScenario(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	p5, p3, p7, p4 := f.NewProvider(t), f.NewProvider(t), f.NewProvider(t), f.NewProvider(t)
	ownerStart, supplyStart := f.Balance(owner), f.Supply()
	providerStart := map[string]math.Int{}
	for _, p := range []sdk.AccAddress{p5, p3, p7, p4} {
		providerStart[p.String()] = f.Balance(p)
	}

	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 10*100), o.Escrow, "escrow = max price × lease blocks × 1 replica")
	require.Equal(t, ownerStart.SubRaw(1000), f.Balance(owner))
	f.CheckInvariants(t)

	bids := []fixture.SealedBid{
		f.Commit(t, o.Id, p5, 5), f.Commit(t, o.Id, p3, 3), f.Commit(t, o.Id, p7, 7), f.Commit(t, o.Id, p4, 4),
	}
	deposit := f.Params.BidDeposit.Amount
	f.CheckInvariants(t)

	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, b := range []fixture.SealedBid{bids[0], bids[2], bids[3]} {
		f.Reveal(t, o.Id, b)
	}
	f.CheckInvariants(t)

	f.AdvanceTo(t, o.RevealDeadline)
	f.EndBlock(t) // settles
	o = f.Order(t, o.Id)
	require.Equal(t, types.OrderMatched, o.State)
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 5), o.ClearingPrice, "clearing price is the lowest losing price")
	require.True(t, o.Escrow.IsZero())

	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	l := leases[0]
	require.Equal(t, p4.String(), l.Provider, "the cheapest revealed bid (4) wins")
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 5), l.PricePerBlock)
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 500), l.Escrow)
	require.Equal(t, types.LeasePending, l.State)

	require.Equal(t, supplyStart.Sub(deposit), f.Supply(), "the non-revealer's deposit is burned")
	require.Equal(t, providerStart[p3.String()].Sub(deposit), f.Balance(p3))
	require.Equal(t, providerStart[p5.String()], f.Balance(p5), "losers get their deposits back")
	require.Equal(t, providerStart[p7.String()], f.Balance(p7))
	require.Equal(t, providerStart[p4.String()].Sub(deposit), f.Balance(p4), "the winner's deposit is its bond")
	require.Equal(t, ownerStart.SubRaw(500), f.Balance(owner), "escrow beyond 5 × 100 is refunded at once")
	f.CheckInvariants(t)

	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: p4.String(), LeaseId: l.Id})
	require.NoError(t, err)
	l = f.Lease(t, l.Id)
	require.Equal(t, f.Height()+100, l.EndHeight, "the term starts at MsgStartLease")
	f.CheckInvariants(t)

	f.AdvanceTo(t, l.StartHeight+30)
	res, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: p4.String(), LeaseId: l.Id})
	require.NoError(t, err)
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 5*30), res.Amount)
	f.CheckInvariants(t)

	f.AdvanceTo(t, l.EndHeight)
	f.EndBlock(t) // completes the lease
	l = f.Lease(t, l.Id)
	require.Equal(t, types.LeaseClosed, l.State)
	require.Equal(t, types.CloseReasonCompleted, l.CloseReason)
	require.Equal(t, sdk.NewInt64Coin(fixture.Denom, 5*100), l.Paid, "the lease pays 5 × blocks")
	require.Equal(t, providerStart[p4.String()].AddRaw(500), f.Balance(p4), "bond returned, 500 earned")
	require.Equal(t, ownerStart.SubRaw(500), f.Balance(owner), "the owner paid exactly 5 × 100")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

func TestSilverOrderPaysSecondPriceToBothWinners(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	msg := fixture.OrderMsg(owner)
	msg.Tier = types.TierSilver
	o := f.CreateOrder(t, msg)
	require.EqualValues(t, 2, o.Replicas)
	require.Equal(t, int64(10*100*2), o.Escrow.Amount.Int64())
	a, b, c := f.NewProvider(t), f.NewProvider(t), f.NewProvider(t)
	bids := []fixture.SealedBid{f.Commit(t, o.Id, a, 2), f.Commit(t, o.Id, b, 3), f.Commit(t, o.Id, c, 6)}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range bids {
		f.Reveal(t, o.Id, s)
	}
	before := f.Balance(owner)
	f.AdvanceTo(t, o.RevealDeadline+1)
	o = f.Order(t, o.Id)
	require.Equal(t, int64(6), o.ClearingPrice.Amount.Int64())
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 2)
	require.ElementsMatch(t, []string{a.String(), b.String()}, []string{leases[0].Provider, leases[1].Provider})
	for _, l := range leases {
		require.Equal(t, int64(6), l.PricePerBlock.Amount.Int64(), "every winner is paid the clearing price")
	}
	require.Equal(t, before.AddRaw(2000-2*600), f.Balance(owner))
	f.CheckInvariants(t)
}

func TestNoLosingBidClearsAtMaxPrice(t *testing.T) {
	f := fixture.New(t)
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
	s := f.Commit(t, o.Id, f.NewProvider(t), 3)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s)
	f.AdvanceTo(t, o.RevealDeadline+1)
	require.Equal(t, o.MaxPricePerBlock, f.Order(t, o.Id).ClearingPrice)
	f.CheckInvariants(t)
}

func TestEqualPricesFavourTheEarlierCommit(t *testing.T) {
	f := fixture.New(t)
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
	early, late := f.NewProvider(t), f.NewProvider(t)
	s1 := f.Commit(t, o.Id, early, 4)
	f.EndBlock(t)
	s2 := f.Commit(t, o.Id, late, 4)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s2)
	f.Reveal(t, o.Id, s1)
	f.AdvanceTo(t, o.RevealDeadline+1)
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	require.Equal(t, early.String(), leases[0].Provider)
	require.Equal(t, int64(4), leases[0].PricePerBlock.Amount.Int64())
}

func TestTooFewRevealsFailsTheOrderAndReturnsEverything(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	msg := fixture.OrderMsg(owner)
	msg.Tier = types.TierGold
	o := f.CreateOrder(t, msg)
	a, b, silent := f.NewProvider(t), f.NewProvider(t), f.NewProvider(t)
	startA, startB, startOwner := f.Balance(a), f.Balance(b), f.Balance(owner)
	bids := []fixture.SealedBid{f.Commit(t, o.Id, a, 2), f.Commit(t, o.Id, b, 3)}
	f.Commit(t, o.Id, silent, 1)
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range bids {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+1)
	o = f.Order(t, o.Id)
	require.Equal(t, types.OrderFailed, o.State)
	require.Equal(t, types.CloseReasonInsufficientBids, o.CloseReason)
	require.Empty(t, f.LeasesOf(t, o.Id))
	require.Equal(t, startA, f.Balance(a))
	require.Equal(t, startB, f.Balance(b))
	require.Equal(t, startOwner.Add(msg.MaxPricePerBlock.Amount.MulRaw(100*3)), f.Balance(owner), "the whole escrow comes back")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

func TestCancelOrderRefundsEscrowAndDeposits(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	ownerStart := f.Balance(owner)
	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	p, q := f.NewProvider(t), f.NewProvider(t)
	pStart, qStart := f.Balance(p), f.Balance(q)
	f.Commit(t, o.Id, p, 4)
	f.Commit(t, o.Id, q, 6)
	f.AdvanceTo(t, o.CommitDeadline) // the last block of the commit phase still takes a cancellation
	_, err := f.Msg.CancelOrder(f.Ctx, &types.MsgCancelOrder{Owner: owner.String(), OrderId: o.Id})
	require.NoError(t, err)
	require.Equal(t, types.OrderCancelled, f.Order(t, o.Id).State)
	require.Equal(t, ownerStart, f.Balance(owner), "the escrow comes back at once")
	f.CheckInvariants(t)
	f.EndBlock(t) // the deposit sweep of the cancelled order
	require.Equal(t, pStart, f.Balance(p), "deposits come back in full: a cancellation is no withdrawal")
	require.Equal(t, qStart, f.Balance(q))
	for _, b := range []sdk.AccAddress{p, q} {
		bid, err := f.Keeper.Bids.Get(f.Ctx, collections.Join(o.Id, b))
		require.NoError(t, err)
		require.Equal(t, types.BidReturned, bid.State)
	}
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
	f.AdvanceTo(t, o.RevealDeadline+2) // the settlement queue entry is gone: nothing happens
	require.Equal(t, types.OrderCancelled, f.Order(t, o.Id).State)
}

// The owner cannot watch the reveals, cancel and re-post at a lower max price: after the commit
// phase the auction runs to settlement, and the bidders are paid the second price.
func TestOwnerCannotCancelAfterSeeingReveals(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	a, b := f.NewProvider(t), f.NewProvider(t)
	sa, sb := f.Commit(t, o.Id, a, 6), f.Commit(t, o.Id, b, 8)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, sa)
	f.Reveal(t, o.Id, sb)
	before := f.Snapshot(t)
	for h := o.CommitDeadline + 1; h <= o.RevealDeadline; h++ {
		f.SetHeight(h)
		_, err := f.Msg.CancelOrder(f.Ctx, &types.MsgCancelOrder{Owner: owner.String(), OrderId: o.Id})
		require.ErrorIs(t, err, types.ErrCancelTooLate, "height %d", h)
	}
	require.Equal(t, before, f.Snapshot(t), "a refused cancellation changes nothing")
	f.AdvanceTo(t, o.RevealDeadline+1)
	o = f.Order(t, o.Id)
	require.Equal(t, types.OrderMatched, o.State)
	require.Equal(t, int64(8), o.ClearingPrice.Amount.Int64(), "the auction settled at the second price")
	f.CheckInvariants(t)
}

// A withdrawal frees the bid's slot and keeps the withdraw fee for the order's owner; no
// withdrawal in the last withdraw_lock_blocks of the commit phase.
func TestWithdrawBid(t *testing.T) {
	f := fixture.New(t)
	owner := f.NewAccount(t, 1_000_000)
	f.SetParams(t, func(p *types.Params) { p.MaxBidsPerOrder = 1 })
	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	require.Equal(t, o.CommitDeadline-int64(f.Params.WithdrawLockBlocks), o.WithdrawDeadline)
	p, other := f.NewProvider(t), f.NewProvider(t)
	start, ownerStart := f.Balance(p), f.Balance(owner)
	f.Commit(t, o.Id, p, 4)
	_, err := f.Msg.CommitBid(f.Ctx, &types.MsgCommitBid{Provider: other.String(), OrderId: o.Id, Commitment: make([]byte, 32)})
	require.ErrorIs(t, err, types.ErrTooManyBids, "the one slot is taken")

	_, err = f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: p.String(), OrderId: o.Id})
	require.NoError(t, err)
	fee := f.Params.WithdrawFee.Amount
	require.Equal(t, start.Sub(fee), f.Balance(p), "the deposit comes back less the fee")
	require.Equal(t, ownerStart.Add(fee), f.Balance(owner), "the fee goes to the order's owner")
	require.Zero(t, f.Order(t, o.Id).BidCount)
	f.CheckInvariants(t)
	f.Commit(t, o.Id, other, 5) // the slot is free again

	f.AdvanceTo(t, o.WithdrawDeadline)
	_, err = f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: other.String(), OrderId: o.Id})
	require.NoError(t, err, "withdrawal is open up to and including the withdraw deadline")
	f.Commit(t, o.Id, p, 5) // commits stay open in the lock window
	f.EndBlock(t)
	before := f.Snapshot(t)
	for f.Height() <= o.CommitDeadline {
		_, err = f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: p.String(), OrderId: o.Id})
		require.ErrorIs(t, err, types.ErrWithdrawLocked, "height %d", f.Height())
		require.Equal(t, before, f.Snapshot(t))
		f.SetHeight(f.Height() + 1)
	}
	_, err = f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: p.String(), OrderId: o.Id})
	require.ErrorIs(t, err, types.ErrCommitPhaseOver)
	f.CheckInvariants(t)
}

// settledLease runs a one-bid auction and returns the pending lease.
func settledLease(t *testing.T, f *fixture.Fixture) (owner, provider sdk.AccAddress, l types.Lease) {
	owner = f.NewAccount(t, 1_000_000)
	o := f.CreateOrder(t, fixture.OrderMsg(owner))
	provider = f.NewProvider(t)
	s := f.Commit(t, o.Id, provider, 4)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s)
	f.AdvanceTo(t, o.RevealDeadline+1)
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	return owner, provider, leases[0]
}

func TestStartTimeoutBurnsBondAndRefundsEscrow(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := settledLease(t, f)
	ownerBefore, providerBefore, supply := f.Balance(owner), f.Balance(provider), f.Supply()
	f.AdvanceTo(t, l.StartDeadline)
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err, "start is allowed up to and including the deadline")

	f2 := fixture.New(t)
	owner, provider, l = settledLease(t, f2)
	ownerBefore, providerBefore, supply = f2.Balance(owner), f2.Balance(provider), f2.Supply()
	f2.AdvanceTo(t, l.StartDeadline+1)
	l = f2.Lease(t, l.Id)
	require.Equal(t, types.LeaseClosed, l.State)
	require.Equal(t, types.CloseReasonStartTimeout, l.CloseReason)
	require.Equal(t, ownerBefore.Add(l.PricePerBlock.Amount.MulRaw(100)), f2.Balance(owner))
	require.Equal(t, providerBefore, f2.Balance(provider))
	require.Equal(t, supply.Sub(l.Bond.Amount), f2.Supply(), "the bond is burned")
	_, err = f2.Msg.StartLease(f2.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.ErrorIs(t, err, types.ErrLeaseNotPending)
	f2.CheckInvariants(t)
}

func TestCloseLease(t *testing.T) {
	for _, tc := range []struct {
		name       string
		byOwner    bool
		bondBurned bool
	}{
		{"owner closes: provider keeps its bond", true, false},
		{"provider walks away: bond burned", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := fixture.New(t)
			owner, provider, l := settledLease(t, f)
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
			require.NoError(t, err)
			ownerBefore, providerBefore, supply := f.Balance(owner), f.Balance(provider), f.Supply()
			f.AdvanceTo(t, f.Height()+10)
			sender := provider
			if tc.byOwner {
				sender = owner
			}
			_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: sender.String(), LeaseId: l.Id})
			require.NoError(t, err)
			l = f.Lease(t, l.Id)
			price := l.PricePerBlock.Amount
			require.Equal(t, types.LeaseClosed, l.State)
			require.Equal(t, price.MulRaw(10), l.Paid.Amount)
			require.Equal(t, ownerBefore.Add(price.MulRaw(90)), f.Balance(owner), "unused escrow refunded")
			if tc.bondBurned {
				require.Equal(t, types.CloseReasonProviderClosed, l.CloseReason)
				require.Equal(t, providerBefore.Add(price.MulRaw(10)), f.Balance(provider))
				require.Equal(t, supply.Sub(l.Bond.Amount), f.Supply())
			} else {
				require.Equal(t, types.CloseReasonOwnerClosed, l.CloseReason)
				require.Equal(t, providerBefore.Add(price.MulRaw(10)).Add(l.Bond.Amount), f.Balance(provider))
				require.Equal(t, supply, f.Supply())
			}
			f.RequireOnlyBondsHeld(t)
			f.CheckInvariants(t)
			_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: owner.String(), LeaseId: l.Id})
			require.ErrorIs(t, err, types.ErrLeaseClosed)
		})
	}
}

func TestPaymentAccruesOnlyAfterStart(t *testing.T) {
	f := fixture.New(t)
	_, provider, l := settledLease(t, f)
	f.AdvanceTo(t, f.Height()+5)
	_, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: provider.String(), LeaseId: l.Id})
	require.ErrorIs(t, err, types.ErrLeaseNotActive)
	_, err = f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)
	res, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)
	require.True(t, res.Amount.IsZero(), "nothing accrued in the start block")
	f.AdvanceTo(t, f.Height()+3)
	res, err = f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)
	require.Equal(t, l.PricePerBlock.Amount.MulRaw(3), res.Amount.Amount)
	f.CheckInvariants(t)
}

func TestPriceBandAndQuote(t *testing.T) {
	f := fixture.New(t)
	_, _, l := settledLease(t, f) // bronze, 1000 mCPU, clearing at max price 10
	require.Equal(t, int64(10), l.PricePerBlock.Amount.Int64())
	band, err := f.Query.Quote(f.Ctx, &types.QueryQuoteRequest{CpuMillicores: 2000, Tier: types.TierSilver, LeaseBlocks: 50})
	require.NoError(t, err)
	require.True(t, band.HasData)
	// band = 10 / 1000 / 1 = 0.01 per mCPU-block; silver: × 2.5 × 2000 mCPU = 50 per block.
	require.Equal(t, "0.010000000000000000", band.Band.PricePerMcpuBlock.String())
	require.Equal(t, int64(50), band.MaxPricePerBlock.Amount.Int64())
	require.Equal(t, int64(50*50*2), band.Escrow.Amount.Int64())

	g := fixture.New(t)
	empty, err := g.Query.Quote(g.Ctx, &types.QueryQuoteRequest{CpuMillicores: 1, Tier: types.TierGold, LeaseBlocks: 1})
	require.NoError(t, err)
	require.False(t, empty.HasData)
}
