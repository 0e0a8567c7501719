package keeper_test

import (
	"fmt"
	"math"
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// revealedAuction builds an order in its last reveal block with n revealed bids at distinct-ish prices.
func revealedAuction(t testing.TB, n int) (*fixture.Fixture, types.Order) {
	f := fixture.New(t)
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
// its gas. Run by scripts/bench, which writes BENCHMARKS.md.
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
