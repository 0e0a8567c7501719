package keeper_test

import (
	"fmt"
	"math"
	"testing"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// revealedAuction builds an order in its last reveal block with n revealed bids at distinct-ish prices.
func revealedAuction(t testing.TB, n int) (*fixture.Fixture, types.Order) {
	f := fixture.New(t)
	f.MarketRuleOnly(t)
	f.SetParams(t, func(p *types.Params) { p.MaxBidsPerOrder = uint32(n) })
	msg := fixture.OrderMsg(f.NewAccount(t, 1_000_000_000))
	msg.MaxPricePerBlock = sdk.NewInt64Coin(fixture.Denom, 1_000_000)
	msg.Tier = types.TierGold
	o := f.CreateOrder(t, msg)
	sealed := make([]fixture.SealedBid, n)
	for i := range sealed {
		sealed[i] = f.Commit(t, o.Id, f.NewProvider(t), int64(1+(i*7919)%1_000_000))
	}
	f.SetHeight(o.CommitDeadline + 1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.SetHeight(o.RevealDeadline)
	return f, f.Order(t, o.Id)
}

// gasOf runs fn on a fresh gas meter and returns the gas it used.
func gasOf(f *fixture.Fixture, fn func(ctx sdk.Context) error) (uint64, error) {
	ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	err := fn(ctx)
	return ctx.GasMeter().GasConsumed(), err
}

func settlementGas(t testing.TB, f *fixture.Fixture) uint64 {
	g := f.Fork()
	gas, err := gasOf(g, func(ctx sdk.Context) error { return g.Keeper.EndBlocker(ctx) })
	require.NoError(t, err)
	require.Equal(t, types.OrderMatched, g.Order(t, 1).State)
	return gas
}

// BenchmarkSettlement times the EndBlock that settles one order with n revealed bids and reports
// its gas. With n above max_work_per_block the losers' deposits go back in later blocks (timed by
// BenchmarkDepositSweep); below it, in the same block. Run by scripts/bench, which writes
// BENCHMARKS.md.
func BenchmarkSettlement(b *testing.B) {
	for _, n := range []int{10, 100, 1000, 10000} {
		b.Run(fmt.Sprintf("bids=%d", n), func(b *testing.B) {
			f, _ := revealedAuction(b, n)
			gas := settlementGas(b, f)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				g := f.Fork()
				b.StartTimer()
				if err := g.Keeper.EndBlocker(g.Ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(gas), "gas/op")
			b.ReportMetric(float64(gas)/float64(n), "gas/bid")
		})
	}
}

// BenchmarkDepositSweep times one block of the deposit sweep after a 10,000-bid settlement:
// max_work_per_block deposits returned. It reports the blocks the sweep takes in all.
func BenchmarkDepositSweep(b *testing.B) {
	f, o := revealedAuction(b, 10_000)
	require.NoError(b, f.Keeper.EndBlocker(f.Ctx)) // settles; the budget is spent
	f.SetHeight(f.Height() + 1)
	blocks := 0
	g := f.Fork()
	for ; ; blocks++ {
		has, err := g.Keeper.DepositSweeps.Has(g.Ctx, collections.Join(o.RevealDeadline, o.Id))
		require.NoError(b, err)
		if !has {
			break
		}
		require.NoError(b, g.Keeper.EndBlocker(g.Ctx))
		g.SetHeight(g.Height() + 1)
	}
	g.CheckInvariants(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		g := f.Fork()
		b.StartTimer()
		if err := g.Keeper.EndBlocker(g.Ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(f.Params.MaxWorkPerBlock), "deposits/block")
	b.ReportMetric(float64(blocks), "blocks")
}

// dueOrders builds n bronze orders that all settle at one height, each with three revealed bids
// (one winner, two losers whose deposits go back).
func dueOrders(t testing.TB, n int) *fixture.Fixture {
	f := fixture.New(t)
	owner := f.NewAccount(t, int64(n)*10_000)
	providers := []sdk.AccAddress{f.NewProvider(t), f.NewProvider(t), f.NewProvider(t)}
	for _, p := range providers {
		require.NoError(t, banktestutil.FundAccount(f.Ctx, f.Bank, p, sdk.NewCoins(sdk.NewCoin(fixture.Denom, f.Params.BidDeposit.Amount.MulRaw(int64(n))))))
	}
	orders := make([]types.Order, n)
	sealed := make([][]fixture.SealedBid, n)
	for i := range orders {
		orders[i] = f.CreateOrder(t, fixture.OrderMsg(owner))
		for j, p := range providers {
			sealed[i] = append(sealed[i], f.Commit(t, orders[i].Id, p, int64(3+j)))
		}
	}
	f.SetHeight(orders[0].CommitDeadline + 1)
	for i := range orders {
		for _, s := range sealed[i] {
			f.Reveal(t, orders[i].Id, s)
		}
	}
	f.SetHeight(orders[0].RevealDeadline)
	return f
}

// BenchmarkEndBlockManyDue times the EndBlock of a height at which n orders are due: the work is
// capped by max_work_per_block, so 5,000 due orders cost a block about what 100 do; the rest is
// carried over. It reports the blocks the whole backlog takes.
func BenchmarkEndBlockManyDue(b *testing.B) {
	for _, n := range []int{100, 5000} {
		b.Run(fmt.Sprintf("orders=%d", n), func(b *testing.B) {
			f := dueOrders(b, n)
			g := f.Fork()
			blocks := 0
			for ; ; blocks++ {
				h, err := g.Keeper.Holdings(g.Ctx)
				require.NoError(b, err)
				if h.OpenOrders == 0 && h.DepositSweeps == 0 {
					break
				}
				require.NoError(b, g.Keeper.EndBlocker(g.Ctx))
				g.SetHeight(g.Height() + 1)
			}
			g.CheckInvariants(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				g := f.Fork()
				b.StartTimer()
				if err := g.Keeper.EndBlocker(g.Ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(blocks), "blocks")
		})
	}
}

// commitGas returns the gas of the 1st and of the n-th MsgCommitBid on one order.
func commitGas(t testing.TB, n int) (first, nth uint64) {
	f := fixture.New(t)
	f.SetParams(t, func(p *types.Params) { p.MaxBidsPerOrder = uint32(n) })
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
	for i := 1; i <= n; i++ {
		p := f.NewProvider(t)
		msg := &types.MsgCommitBid{Provider: p.String(), OrderId: o.Id,
			Commitment: types.BidCommitment(o.Id, p, sdk.NewInt64Coin(fixture.Denom, 5), make([]byte, 32))}
		if i == 1 || i == n {
			gas, err := gasOf(f, func(ctx sdk.Context) error { _, err := f.Msg.CommitBid(ctx, msg); return err })
			require.NoError(t, err)
			if i == 1 {
				first = gas
			} else {
				nth = gas
			}
			continue
		}
		_, err := f.Msg.CommitBid(f.Ctx, msg)
		require.NoError(t, err)
	}
	return first, nth
}

// BenchmarkCommitBidGas reports the gas of the 1st and the 1,000th commit on one order.
func BenchmarkCommitBidGas(b *testing.B) {
	first, nth := commitGas(b, 1000)
	for i := 0; i < b.N; i++ {
		_ = i
	}
	b.ReportMetric(float64(first), "gas-1st")
	b.ReportMetric(float64(nth), "gas-1000th")
	b.ReportMetric(float64(nth)/float64(first), "ratio")
}

// Gas is deterministic, so its growth can be asserted: committing to a crowded order costs what
// committing to an empty one does, and settlement grows no worse than n log n.
func TestCommitBidGasDoesNotGrowWithBids(t *testing.T) {
	first, nth := commitGas(t, 1000)
	t.Logf("commit gas: 1st %d, 1000th %d (ratio %.4f)", first, nth, float64(nth)/float64(first))
	require.LessOrEqual(t, float64(nth)/float64(first), 1.05)
}

func TestSettlementGasGrowsNoWorseThanNLogN(t *testing.T) {
	small, _ := revealedAuction(t, 100)
	large, _ := revealedAuction(t, 1000)
	g100, g1000 := settlementGas(t, small), settlementGas(t, large)
	bound := (1000 * math.Log(1000)) / (100 * math.Log(100))
	t.Logf("settlement gas: 100 bids %d, 1000 bids %d (ratio %.2f, n log n bound %.2f)", g100, g1000, float64(g1000)/float64(g100), bound)
	require.LessOrEqual(t, float64(g1000)/float64(g100), bound)
}
