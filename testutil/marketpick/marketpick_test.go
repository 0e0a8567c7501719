package marketpick_test

import (
	"errors"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/marketpick"
	"github.com/fogchain/fog/x/market/types"
)

// auction runs a bronze order (one replica, max price 10) with one revealed bid per price, each
// by a new provider, up to its settlement; it returns the order and the providers by price.
func auction(t *testing.T, f *fixture.Fixture, prices ...int64) (types.Order, []sdk.AccAddress) {
	t.Helper()
	return tierAuction(t, f, types.TierBronze, prices...)
}

// tierAuction is auction for an order of tier.
func tierAuction(t *testing.T, f *fixture.Fixture, tier types.Tier, prices ...int64) (types.Order, []sdk.AccAddress) {
	t.Helper()
	msg := fixture.OrderMsg(f.NewAccount(t, 1_000_000))
	msg.Tier = tier
	o := f.CreateOrder(t, msg)
	providers := make([]sdk.AccAddress, len(prices))
	sealed := make([]fixture.SealedBid, len(prices))
	for i, p := range prices {
		providers[i] = f.NewProvider(t)
		sealed[i] = f.Commit(t, o.Id, providers[i], p)
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	return o, providers
}

// A module outside x/market, wired by depinject alone, chooses the winner: the cheapest bidder is
// denied, so the next one wins, paid the price of the bid ranked after it.
func TestAModuleChoosesTheWinningSet(t *testing.T) {
	// Without the picker the cheapest bid wins at the second price.
	plain := fixture.New(t)
	o, providers := auction(t, plain, 3, 4, 5)
	plain.AdvanceTo(t, o.RevealDeadline+1)
	leases := plain.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	require.Equal(t, providers[0].String(), leases[0].Provider)
	require.Equal(t, "4ufog", leases[0].PricePerBlock.String())

	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	o, providers = auction(t, f, 3, 4, 5)
	pick.Deny(providers[0].String())
	f.AdvanceTo(t, o.RevealDeadline+1)
	leases = f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	require.Equal(t, providers[1].String(), leases[0].Provider, "the denied cheapest bidder does not win")
	require.Equal(t, "5ufog", leases[0].PricePerBlock.String(), "the winner is paid the next bid's price")
	require.Equal(t, "5ufog", f.Order(t, o.Id).ClearingPrice.String())
	require.Contains(t, pick.Log(), "BeforeSettlement order=1 bids=3")
	require.Contains(t, pick.Log(), "AfterAuctionSettled order=1 leases=1 standbys=0 price=5ufog")
	f.AdvanceTo(t, f.Height()+2) // deposits swept
	f.CheckInvariants(t)
}

// A module that chooses the set may also price it: each lease is paid its winner's price, escrows
// that price for the whole lease, and the owner gets back the rest of the order's escrow.
func TestAModulePricesEachWinner(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	o, providers := tierAuction(t, f, types.TierSilver, 3, 4, 5)
	require.EqualValues(t, 2, o.Replicas)
	owner, _ := sdk.AccAddressFromBech32(o.Owner)
	ownerBefore := f.Balance(owner)
	pick.PayWith(math.NewInt(6), math.NewInt(9))
	f.AdvanceTo(t, o.RevealDeadline+1)

	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 2)
	paid := map[string]string{}
	for _, l := range leases {
		paid[l.Provider] = l.PricePerBlock.String()
		require.Equal(t, l.PricePerBlock.Amount.MulRaw(int64(o.LeaseBlocks)), l.Escrow.Amount, "the lease escrows its own price")
	}
	require.Equal(t, map[string]string{providers[0].String(): "6ufog", providers[1].String(): "9ufog"}, paid)
	require.Equal(t, "9ufog", f.Order(t, o.Id).ClearingPrice.String(), "the order's clearing price is the dearest winner's")
	kept := math.NewInt(6 + 9).MulRaw(int64(o.LeaseBlocks))
	require.Equal(t, ownerBefore.Add(o.Escrow.Amount).Sub(kept).String(), f.Balance(owner).String(), "the rest of the escrow goes back")
	f.AdvanceTo(t, f.Height()+2)
	f.CheckInvariants(t)
}

// Prices the market refuses fail the order like no eligible set: nothing is paid out of line.
func TestBadPricesFailTheOrder(t *testing.T) {
	for _, c := range []struct {
		name   string
		prices []math.Int
	}{
		{"below the winner's bid", []math.Int{math.NewInt(2), math.NewInt(9)}},
		{"above the max price", []math.Int{math.NewInt(6), math.NewInt(11)}},
		{"one price for two winners", []math.Int{math.NewInt(6)}},
		{"a zero price", []math.Int{math.ZeroInt(), math.NewInt(9)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pick := marketpick.New()
			f := fixture.NewWith(t, marketpick.Config(pick))
			o, providers := tierAuction(t, f, types.TierSilver, 3, 4, 5)
			owner, _ := sdk.AccAddressFromBech32(o.Owner)
			ownerBefore := f.Balance(owner)
			pick.PayWith(c.prices...)
			f.AdvanceTo(t, o.RevealDeadline+3)

			got := f.Order(t, o.Id)
			require.Equal(t, types.OrderFailed, got.State)
			require.Equal(t, types.CloseReasonNoEligibleSet, got.CloseReason)
			require.Empty(t, f.LeasesOf(t, o.Id))
			require.Equal(t, ownerBefore.Add(o.Escrow.Amount).String(), f.Balance(owner).String())
			for _, p := range providers {
				bid, err := f.Keeper.Bids.Get(f.Ctx, collections.Join(o.Id, p))
				require.NoError(t, err)
				require.Equal(t, types.BidReturned, bid.State)
			}
			f.RequireOnlyBondsHeld(t)
			f.CheckInvariants(t)
		})
	}
}

// No eligible set, whether chosen or from a failing hook, fails the order: the owner gets the whole
// escrow back and every bidder its deposit; the market never falls back to the cheapest bids.
func TestNoEligibleSetFailsTheOrder(t *testing.T) {
	for _, c := range []struct {
		name  string
		setUp func(pick marketpick.Picker, providers []sdk.AccAddress)
	}{
		{"every bidder denied", func(pick marketpick.Picker, providers []sdk.AccAddress) {
			for _, p := range providers {
				pick.Deny(p.String())
			}
		}},
		{"the hook fails", func(pick marketpick.Picker, _ []sdk.AccAddress) {
			pick.FailWith(errors.New("no diverse set"))
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			pick := marketpick.New()
			f := fixture.NewWith(t, marketpick.Config(pick))
			o, providers := auction(t, f, 3, 4)
			owner, _ := sdk.AccAddressFromBech32(o.Owner)
			ownerBefore := f.Balance(owner)
			before := []int64{f.Balance(providers[0]).Int64(), f.Balance(providers[1]).Int64()}
			c.setUp(pick, providers)
			f.AdvanceTo(t, o.RevealDeadline+3)

			got := f.Order(t, o.Id)
			require.Equal(t, types.OrderFailed, got.State)
			require.Equal(t, types.CloseReasonNoEligibleSet, got.CloseReason)
			require.Empty(t, f.LeasesOf(t, o.Id))
			require.Equal(t, ownerBefore.Add(o.Escrow.Amount).String(), f.Balance(owner).String(), "the escrow goes back")
			for i, p := range providers {
				bid, err := f.Keeper.Bids.Get(f.Ctx, collections.Join(o.Id, p))
				require.NoError(t, err)
				require.Equal(t, types.BidReturned, bid.State)
				require.Equal(t, before[i]+bid.Deposit.Amount.Int64(), f.Balance(p).Int64(), "the deposit goes back")
			}
			f.RequireOnlyBondsHeld(t)
			f.CheckInvariants(t)
		})
	}
}

// An After hook that fails is logged and skipped: the lease still closes and pays, and the other
// subscribers (x/reputation) still hear of it.
func TestAFailingAfterHookDoesNotBlockTheMarket(t *testing.T) {
	pick := marketpick.New()
	f := fixture.NewWith(t, marketpick.Config(pick))
	o, providers := auction(t, f, 3)
	f.AdvanceTo(t, o.RevealDeadline+1)
	l := f.LeasesOf(t, o.Id)[0]
	pick.FailWith(errors.New("subscriber down"))
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: providers[0].String(), LeaseId: l.Id})
	require.NoError(t, err)
	balance := f.Balance(providers[0])
	f.AdvanceTo(t, f.Lease(t, l.Id).EndHeight+1)

	closed := f.Lease(t, l.Id)
	require.Equal(t, types.LeaseClosed, closed.State)
	require.Equal(t, types.CloseReasonCompleted, closed.CloseReason)
	require.True(t, f.Balance(providers[0]).GT(balance), "the provider is paid")
	s, _, err := f.Reputation.Score(f.Ctx, providers[0])
	require.NoError(t, err)
	require.Equal(t, uint64(1), s.Outcomes, "x/reputation recorded the completion")
	require.Contains(t, pick.Log(), "AfterLeaseStarted order=1 lease=1")
	require.Contains(t, pick.Log(), "AfterLeaseClosed lease=1 reason=CLOSE_REASON_COMPLETED")
	f.CheckInvariants(t)
}
