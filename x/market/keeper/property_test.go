package keeper_test

import (
	"sort"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
)

// The pure clearing rule: with the cheapest bids as winners, the (k+1)-th cheapest revealed price,
// or the max price; with any choice of winners (a BeforeSettlement hook's), a price no winner bid
// above, no higher than the max, and the cheapest bid ranked after the dearest winner.
func TestClearingPriceProperties(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		maxPrice := rapid.Int64Range(1, 1000).Draw(rt, "max")
		prices := rapid.SliceOfN(rapid.Int64Range(1, maxPrice), 1, 40).Draw(rt, "prices")
		sort.Slice(prices, func(i, j int) bool { return prices[i] < prices[j] })
		replicas := rapid.IntRange(1, len(prices)).Draw(rt, "replicas")
		ranked := make([]types.Bid, len(prices))
		for i, p := range prices {
			ranked[i] = types.Bid{Price: sdk.NewInt64Coin(fixture.Denom, p)}
		}
		max := sdk.NewInt64Coin(fixture.Denom, maxPrice)
		cheapest := make([]int, replicas)
		for i := range cheapest {
			cheapest[i] = i
		}
		vickrey := keeper.SelectionPrice(ranked, cheapest, max).Amount.Int64()
		if len(prices) > replicas && vickrey != prices[replicas] {
			rt.Fatalf("clearing %d, want the lowest losing price %d", vickrey, prices[replicas])
		}
		if len(prices) == replicas && vickrey != maxPrice {
			rt.Fatalf("clearing %d with every bid winning, want the max price %d", vickrey, maxPrice)
		}

		chosen := rapid.SliceOfNDistinct(rapid.IntRange(0, len(prices)-1), replicas, replicas, rapid.ID[int]).Draw(rt, "chosen")
		sort.Ints(chosen)
		clearing := keeper.SelectionPrice(ranked, chosen, max).Amount.Int64()
		if clearing > maxPrice {
			rt.Fatalf("clearing %d above max %d", clearing, maxPrice)
		}
		for _, w := range chosen {
			if clearing < prices[w] {
				rt.Fatalf("winner bid %d paid %d", prices[w], clearing)
			}
		}
		if clearing < vickrey {
			rt.Fatalf("a chosen set cleared at %d, below the cheapest set's %d", clearing, vickrey)
		}
	})
}

// Whole auctions through the keeper, with random bids, reveals, lease starts and closes, and
// replacements by standbys of leases that fail: every winner is paid at least its bid; payouts +
// refunds + burned = escrow + deposits; the owner pays no more than without replacements; the module
// account always matches its records (standby deposits included), every open order and unfinished
// lease sits in its queue, and x/quorum's records follow the leases.
func TestAuctionSettlementProperties(t *testing.T) {
	base := fixture.New(t)
	base.MarketRuleOnly(t)
	rapid.Check(t, func(rt *rapid.T) {
		f := base.Fork()
		tier := types.Tier(rapid.Int32Range(1, 3).Draw(rt, "tier"))
		maxPrice := rapid.Int64Range(1, 100).Draw(rt, "maxPrice")
		leaseBlocks := rapid.Uint64Range(1, 30).Draw(rt, "leaseBlocks")
		owner := f.NewAccount(rt, 10_000_000)
		ownerStart := f.Balance(owner)
		msg := fixture.OrderMsg(owner)
		msg.Tier, msg.LeaseBlocks, msg.MaxPricePerBlock = tier, leaseBlocks, sdk.NewInt64Coin(fixture.Denom, maxPrice)
		o := f.CreateOrder(rt, msg)

		type bidder struct {
			addr   sdk.AccAddress
			sealed fixture.SealedBid
			reveal bool
		}
		n := rapid.IntRange(0, 10).Draw(rt, "bidders")
		bidders := make([]bidder, n)
		for i := range bidders {
			bidders[i].addr = f.NewProvider(rt)
		}
		accounts := append([]sdk.AccAddress{owner}, func() (out []sdk.AccAddress) {
			for _, b := range bidders {
				out = append(out, b.addr)
			}
			return out
		}()...)
		start := map[string]math.Int{}
		for _, a := range accounts {
			start[a.String()] = f.Balance(a)
		}
		start[owner.String()] = ownerStart
		supplyStart := f.Supply()

		// commits spread over the commit phase
		for f.Height() <= o.CommitDeadline {
			for i := range bidders {
				if bidders[i].sealed.Provider == nil && rapid.Bool().Draw(rt, "commitNow") {
					price := rapid.Int64Range(1, maxPrice).Draw(rt, "price")
					bidders[i].sealed = f.Commit(rt, o.Id, bidders[i].addr, price)
					bidders[i].reveal = rapid.IntRange(0, 9).Draw(rt, "reveal") < 8
				}
			}
			f.CheckInvariants(rt)
			f.EndBlock(rt)
		}
		for _, b := range bidders {
			if b.sealed.Provider != nil && b.reveal {
				f.Reveal(rt, o.Id, b.sealed)
			}
		}
		f.CheckInvariants(rt)
		f.AdvanceTo(rt, o.RevealDeadline+1)
		f.CheckInvariants(rt)

		o = f.Order(rt, o.Id)
		leases := f.LeasesOf(rt, o.Id)
		revealed := 0
		for _, b := range bidders {
			if b.sealed.Provider != nil && b.reveal {
				revealed++
			}
		}
		if revealed < int(o.Replicas) {
			require.Equal(rt, types.OrderFailed, o.State)
			require.Empty(rt, leases)
		} else {
			require.Equal(rt, types.OrderMatched, o.State)
			require.Len(rt, leases, int(o.Replicas))
			bids := map[string]int64{}
			for _, b := range bidders {
				if b.sealed.Provider != nil {
					bids[b.addr.String()] = b.sealed.Price.Amount.Int64()
				}
			}
			for _, l := range leases {
				require.GreaterOrEqual(rt, l.PricePerBlock.Amount.Int64(), bids[l.Provider], "winner paid below its bid")
				require.Equal(rt, o.ClearingPrice, l.PricePerBlock)
			}
		}

		// Leases: some start, some withdraw midway, some close early, the rest run out or time out;
		// a lease that ends at its provider's fault is replaced while a standby is held (silver and
		// gold orders hold some by default), and replacements start or fail as randomly.
		held := 0
		for _, b := range bidders {
			if b.sealed.Provider == nil {
				continue
			}
			if bid, err := f.Keeper.Bids.Get(f.Ctx, collections.Join(o.Id, b.addr)); err == nil && bid.State == types.BidStandby {
				held++
				require.LessOrEqual(rt, bid.Price.Amount.Int64(), o.ClearingPrice.Amount.Int64(), "a standby bid at most the clearing price")
			}
		}
		decided := map[uint64]bool{}
		maxSteps := (len(leases) + held) * (int(leaseBlocks) + int(f.Params.StartTimeoutBlocks) + 2)
		for step := 0; ; step++ {
			require.LessOrEqual(rt, step, maxSteps, "the order's leases and standbys outlive every lease")
			open := 0
			for _, l := range f.LeasesOf(rt, o.Id) {
				switch l.State {
				case types.LeasePending:
					open++
					if !decided[l.Id] {
						decided[l.Id] = true
						if rapid.Bool().Draw(rt, "start") {
							_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: l.Provider, LeaseId: l.Id})
							require.NoError(rt, err)
						}
					}
				case types.LeaseActive:
					open++
					switch rapid.IntRange(0, 20).Draw(rt, "action") {
					case 0:
						_, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: l.Provider, LeaseId: l.Id})
						require.NoError(rt, err)
					case 1:
						sender := l.Owner
						if rapid.Bool().Draw(rt, "byProvider") {
							sender = l.Provider
						}
						_, err := f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: sender, LeaseId: l.Id})
						require.NoError(rt, err)
					}
				}
			}
			if open == 0 {
				break
			}
			f.EndBlock(rt)
			f.CheckInvariants(rt)
		}
		f.CheckInvariants(rt)
		all := f.LeasesOf(rt, o.Id)
		require.LessOrEqual(rt, len(all)-len(leases), held, "a replacement per standby at most")
		for _, l := range all[len(leases):] {
			require.Equal(rt, o.ClearingPrice, l.PricePerBlock, "a replacement takes the failed lease's price")
			require.LessOrEqual(rt, l.LeaseBlocks, leaseBlocks)
		}
		// the owner never pays more than its winners' leases were worth
		if o.State == types.OrderMatched {
			spent := ownerStart.Sub(f.Balance(owner))
			require.True(rt, spent.LTE(o.ClearingPrice.Amount.MulRaw(int64(leaseBlocks)*int64(o.Replicas))), "the owner paid %s", spent)
		}

		// Everything is settled: the module holds nothing but the providers' bonds, and every coin
		// that left an account was paid to another or burned.
		f.RequireOnlyBondsHeld(rt)
		delta := math.ZeroInt()
		for _, a := range accounts {
			delta = delta.Add(f.Balance(a).Sub(start[a.String()]))
		}
		burned := supplyStart.Sub(f.Supply())
		require.True(rt, delta.Add(burned).IsZero(), "accounts changed by %s, burned %s", delta, burned)
		for _, l := range all {
			l = f.Lease(rt, l.Id)
			require.Equal(rt, types.LeaseClosed, l.State)
			if l.CloseReason == types.CloseReasonCompleted {
				require.Equal(rt, l.PricePerBlock.Amount.MulRaw(int64(l.LeaseBlocks)), l.Paid.Amount)
			}
		}
	})
}
