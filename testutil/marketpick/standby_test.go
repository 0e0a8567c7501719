package marketpick_test

import (
	"errors"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/marketpick"
	"github.com/fogchain/fog/x/market/types"
)

// events of type T emitted so far on f's context.
func eventsOf[T proto.Message](t *testing.T, f *fixture.Fixture) []T {
	t.Helper()
	var out []T
	for _, e := range f.Ctx.EventManager().Events() {
		msg, err := sdk.ParseTypedEvent(abci.Event(e))
		if err != nil {
			continue
		}
		if m, ok := msg.(T); ok {
			out = append(out, m)
		}
	}
	return out
}

func bidOf(t *testing.T, f *fixture.Fixture, orderID uint64, p sdk.AccAddress) types.Bid {
	t.Helper()
	b, err := f.Keeper.Bids.Get(f.Ctx, collections.Join(orderID, p))
	require.NoError(t, err)
	return b
}

func index(i int) *int { return &i }

// A winner that never starts is replaced by the standby a module chooses: a new pending lease at the
// closed lease's price for the whole lease, its escrow moved from the closed lease (the owner gets
// no refund and pays no more), its bond the standby's deposit; the failed winner's bond is burned as
// before. A bid above the winner's price is not held. The replacement starts and completes, and the
// module account ends holding the providers' bonds alone.
func TestAStandbyReplacesALeaseThatNeverStarts(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	pick.HoldStandbys(2)
	pick.ReplaceWith(index(0))
	o, providers := auction(t, f, 3, 4, 5)
	owner, _ := sdk.AccAddressFromBech32(o.Owner)
	start := map[int]int64{}
	for i, p := range providers {
		start[i] = f.Balance(p).Int64() // after the deposit
	}
	f.AdvanceTo(t, o.RevealDeadline+3) // settled and swept
	ownerAfterSettlement := f.Balance(owner)
	f.CheckInvariants(t)

	deposit := f.Params.BidDeposit.Amount.Int64()
	require.Equal(t, types.BidWon, bidOf(t, f, o.Id, providers[0]).State)
	require.Equal(t, types.BidStandby, bidOf(t, f, o.Id, providers[1]).State, "the bid at the winner's price is held")
	require.Equal(t, types.BidLost, bidOf(t, f, o.Id, providers[2]).State, "a bid above every winner's price could replace none")
	require.Equal(t, start[1], f.Balance(providers[1]).Int64(), "the standby's deposit stays locked")
	require.Equal(t, start[2]+deposit, f.Balance(providers[2]).Int64())
	settled := eventsOf[*types.EventAuctionSettled](t, f)
	require.Len(t, settled, 1)
	require.Equal(t, []string{providers[1].String()}, settled[0].Standbys)
	h, err := f.Keeper.Holdings(f.Ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, h.Standbys)
	require.Equal(t, f.Params.BidDeposit.String(), h.StandbyDeposits.String())
	market, err := f.Query.Market(f.Ctx, &types.QueryMarketRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 1, market.Standbys)

	// a standby cannot deregister: its deposit is held
	_, err = f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: providers[1].String()})
	require.ErrorIs(t, err, types.ErrProviderBusy)

	first := f.LeasesOf(t, o.Id)[0]
	supply := f.Supply()
	f.AdvanceTo(t, first.StartDeadline+1) // start timeout
	f.CheckInvariants(t)
	closed := f.Lease(t, first.Id)
	require.Equal(t, types.CloseReasonStartTimeout, closed.CloseReason)
	require.Equal(t, supply.Sub(first.Bond.Amount).String(), f.Supply().String(), "the failed winner's bond is burned, nothing else")
	require.Equal(t, ownerAfterSettlement.String(), f.Balance(owner).String(), "the escrow moved to the replacement, none refunded")

	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 2)
	repl := leases[1]
	require.Equal(t, providers[1].String(), repl.Provider)
	require.Equal(t, types.LeasePending, repl.State)
	require.Equal(t, first.PricePerBlock.String(), repl.PricePerBlock.String(), "the closed lease's price")
	require.Equal(t, first.LeaseBlocks, repl.LeaseBlocks, "all of a lease that never started")
	require.Equal(t, first.Escrow.String(), repl.Escrow.String(), "its escrow moved")
	require.Equal(t, f.Params.BidDeposit.String(), repl.Bond.String(), "the standby's deposit is its bond")
	require.Equal(t, types.BidWon, bidOf(t, f, o.Id, providers[1]).State)
	require.Equal(t, types.OrderMatched, f.Order(t, o.Id).State)
	promoted := eventsOf[*types.EventStandbyPromoted](t, f)
	require.Len(t, promoted, 1)
	require.Equal(t, types.EventStandbyPromoted{
		OrderId: o.Id, ClosedLeaseId: first.Id, Reason: types.CloseReasonStartTimeout, LeaseId: repl.Id, Provider: providers[1].String(),
		Bid: sdk.NewInt64Coin(fixture.Denom, 4), PricePerBlock: repl.PricePerBlock, LeaseBlocks: repl.LeaseBlocks, Escrow: repl.Escrow, Bond: repl.Bond,
	}, *promoted[0])
	require.Contains(t, pick.Log(), "ChooseReplacement order=1 lease=1 others=0 standbys=1")
	require.Contains(t, pick.Log(), "AfterStandbyPromoted order=1 closed=1 lease=2")

	_, err = f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[1].String(), LeaseId: repl.Id})
	require.NoError(t, err)
	f.AdvanceTo(t, f.Lease(t, repl.Id).EndHeight+1)
	done := f.Lease(t, repl.Id)
	require.Equal(t, types.CloseReasonCompleted, done.CloseReason)
	require.Equal(t, repl.Escrow.String(), done.Paid.String(), "the replacement is paid the whole escrow")
	require.Equal(t, ownerAfterSettlement.String(), f.Balance(owner).String(), "the owner paid 4 × 100 once, no more")
	require.Equal(t, start[1]+deposit+repl.Escrow.Amount.Int64(), f.Balance(providers[1]).Int64(), "paid, and its bond back")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// Standbys are released, their deposits back, when the order's last lease closes; a lease closed by
// its owner is never replaced.
func TestStandbysAreReleasedWhenTheLastLeaseCloses(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	pick.HoldStandbys(2)
	pick.ReplaceWith(index(0))
	o, providers := auction(t, f, 3, 4, 4)
	f.AdvanceTo(t, o.RevealDeadline+3)
	require.Equal(t, types.BidStandby, bidOf(t, f, o.Id, providers[1]).State)
	require.Equal(t, types.BidStandby, bidOf(t, f, o.Id, providers[2]).State)
	held := []int64{f.Balance(providers[1]).Int64(), f.Balance(providers[2]).Int64()}
	l := f.LeasesOf(t, o.Id)[0]
	_, err := f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: o.Owner, LeaseId: l.Id})
	require.NoError(t, err)
	require.Len(t, f.LeasesOf(t, o.Id), 1, "an owner's close is not the provider's fault: no replacement")
	deposit := f.Params.BidDeposit.Amount.Int64()
	for i, p := range providers[1:] {
		require.Equal(t, types.BidLost, bidOf(t, f, o.Id, p).State)
		require.Equal(t, held[i]+deposit, f.Balance(p).Int64(), "the standby's deposit is back")
	}
	require.Len(t, eventsOf[*types.EventStandbyReleased](t, f), 2)
	require.Contains(t, pick.Log(), "AfterStandbyReleased order=1 provider="+providers[1].String())
	_, err = f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: providers[1].String()})
	require.NoError(t, err, "a released standby may leave")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// A replacement that fails is replaced in turn; when the standbys are used up, the last failure is
// refunded as before.
func TestAReplacementOfAReplacement(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	pick.HoldStandbys(2)
	pick.ReplaceWith(index(0))
	o, providers := auction(t, f, 3, 4, 4)
	owner, _ := sdk.AccAddressFromBech32(o.Owner)
	f.AdvanceTo(t, o.RevealDeadline+3)
	ownerAfterSettlement := f.Balance(owner)
	for round := 1; round <= 3; round++ {
		leases := f.LeasesOf(t, o.Id)
		require.Len(t, leases, round)
		last := leases[round-1]
		require.Equal(t, types.LeasePending, last.State)
		f.AdvanceTo(t, last.StartDeadline+1)
		f.CheckInvariants(t)
	}
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 3, "the winner and two replacements, all timed out")
	providerOf := map[string]bool{}
	for _, l := range leases {
		require.Equal(t, types.CloseReasonStartTimeout, l.CloseReason)
		providerOf[l.Provider] = true
	}
	require.Len(t, providerOf, 3)
	require.Equal(t, ownerAfterSettlement.Add(leases[2].PricePerBlock.Amount.MulRaw(int64(o.LeaseBlocks))).String(), f.Balance(owner).String(),
		"the last failure, with no standby left, is refunded")
	for _, p := range providers {
		require.Equal(t, types.BidWon, bidOf(t, f, o.Id, p).State)
	}
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// A provider that walks away from an active lease is replaced for the blocks it had left, at its
// price: it is paid what accrued, its bond is burned, and what is left of the escrow moves.
func TestAProviderThatWalksAwayIsReplacedForTheBlocksLeft(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	pick.HoldStandbys(1)
	pick.ReplaceWith(index(0))
	o, providers := auction(t, f, 3, 4)
	owner, _ := sdk.AccAddressFromBech32(o.Owner)
	f.AdvanceTo(t, o.RevealDeadline+1)
	ownerAfterSettlement := f.Balance(owner)
	l := f.LeasesOf(t, o.Id)[0]
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[0].String(), LeaseId: l.Id})
	require.NoError(t, err)
	f.AdvanceTo(t, f.Height()+30)
	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: providers[0].String(), LeaseId: l.Id})
	require.NoError(t, err)
	f.CheckInvariants(t)
	closed := f.Lease(t, l.Id)
	require.Equal(t, types.CloseReasonProviderClosed, closed.CloseReason)
	require.Equal(t, "120ufog", closed.Paid.String(), "30 blocks at 4")
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 2)
	repl := leases[1]
	require.Equal(t, providers[1].String(), repl.Provider)
	require.EqualValues(t, 70, repl.LeaseBlocks, "the blocks the closed lease had left")
	require.Equal(t, "280ufog", repl.Escrow.String())
	require.Equal(t, ownerAfterSettlement.String(), f.Balance(owner).String())
	_, err = f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[1].String(), LeaseId: repl.Id})
	require.NoError(t, err)
	f.AdvanceTo(t, f.Lease(t, repl.Id).EndHeight+1)
	require.Equal(t, "280ufog", f.Lease(t, repl.Id).Paid.String())
	require.Equal(t, ownerAfterSettlement.String(), f.Balance(owner).String(), "the owner paid 100 blocks at 4, once")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// Every bad choice of a replacement leaves the lease unreplaced and refunded as before, with no
// coin lost and the standby still held while a lease could use it.
func TestABadReplacementChoiceRefundsAsBefore(t *testing.T) {
	for _, c := range []struct {
		name  string
		setUp func(pick marketpick.Picker)
	}{
		{"an index past the standbys", func(pick marketpick.Picker) { pick.ReplaceWith(index(1)) }},
		{"a negative index", func(pick marketpick.Picker) { pick.ReplaceWith(index(-1)) }},
		{"a standby whose bid is above the closed lease's price", func(pick marketpick.Picker) { pick.ReplaceWith(index(0)) }},
		{"the hook fails", func(pick marketpick.Picker) {
			pick.ReplaceWith(index(0))
			pick.FailWith(errors.New("subscriber down"))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pick := marketpick.New()
			f := fixture.NewWith(t, marketpick.Config(pick))
			f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
			pick.HoldStandbys(1)
			// silver: the winners bid 3 and 4, paid 3 and 6; the standby bid 5 is held (at most the
			// dearest pay) but is above the cheap lease's price
			pick.PayWith(math.NewInt(3), math.NewInt(6))
			o, providers := tierAuction(t, f, types.TierSilver, 3, 4, 5)
			owner, _ := sdk.AccAddressFromBech32(o.Owner)
			f.AdvanceTo(t, o.RevealDeadline+3)
			require.Equal(t, types.BidStandby, bidOf(t, f, o.Id, providers[2]).State)
			leases := f.LeasesOf(t, o.Id)
			require.Equal(t, "3ufog", leases[0].PricePerBlock.String())
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[1].String(), LeaseId: leases[1].Id})
			require.NoError(t, err)
			c.setUp(pick)
			ownerBefore, supply := f.Balance(owner), f.Supply()
			f.AdvanceTo(t, leases[0].StartDeadline+1)

			require.Len(t, f.LeasesOf(t, o.Id), 2, "no replacement")
			closed := f.Lease(t, leases[0].Id)
			require.Equal(t, types.CloseReasonStartTimeout, closed.CloseReason)
			require.Equal(t, ownerBefore.Add(leases[0].Escrow.Amount).String(), f.Balance(owner).String(), "refunded as before")
			require.Equal(t, supply.Sub(leases[0].Bond.Amount).String(), f.Supply().String(), "only the failed winner's bond is burned")
			require.Empty(t, eventsOf[*types.EventStandbyPromoted](t, f))
			require.Equal(t, types.BidStandby, bidOf(t, f, o.Id, providers[2]).State, "still held for the lease at 6")
			f.CheckInvariants(t)

			// the other lease completes: the standby is released
			pick.FailWith(nil)
			f.AdvanceTo(t, f.Lease(t, leases[1].Id).EndHeight+1)
			require.Equal(t, types.BidLost, bidOf(t, f, o.Id, providers[2]).State)
			f.RequireOnlyBondsHeld(t)
			f.CheckInvariants(t)
		})
	}
}

// A standby above every open lease's price can replace none: it is released as soon as the leases
// it could replace are gone.
func TestAStandbyNoOpenLeaseCouldUseIsReleased(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	pick.HoldStandbys(1)
	pick.PayWith(math.NewInt(3), math.NewInt(6))
	o, providers := tierAuction(t, f, types.TierSilver, 3, 4, 5)
	f.AdvanceTo(t, o.RevealDeadline+3)
	leases := f.LeasesOf(t, o.Id)
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[0].String(), LeaseId: leases[0].Id})
	require.NoError(t, err)
	// the lease at 6 closes by its owner: only the lease at 3 is left, which a bid of 5 cannot take
	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: o.Owner, LeaseId: leases[1].Id})
	require.NoError(t, err)
	require.Equal(t, types.BidLost, bidOf(t, f, o.Id, providers[2]).State)
	f.CheckInvariants(t)
}
