package keeper_test

import (
	"fmt"
	"testing"

	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// revealedGold builds a gold order in its last reveal block with n revealed bids whose providers
// have audited profiles drawn from 8 ASNs, 3 power regions and the two TEE vendors (every third
// without a TEE), so that the diversity constraints bind. With diverse = false the quorum's
// constraints are lifted (fixture.MarketRuleOnly) and the market settles by its own rule: the
// baseline.
func revealedGold(t testing.TB, n int, diverse bool) *fixture.Fixture {
	f := fixture.New(t)
	if !diverse {
		f.MarketRuleOnly(t)
	}
	f.SetParams(t, func(p *markettypes.Params) { p.MaxBidsPerOrder = uint32(n) })
	auditor := addAuditor(t, f)
	msg := fixture.OrderMsg(f.NewAccount(t, 1_000_000_000))
	msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, 1_000_000)
	o := f.CreateOrder(t, msg)
	vendors := []fogtypes.TeeType{fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx, fogtypes.TeeTypeUnspecified}
	sealed := make([]fixture.SealedBid, n)
	for i := range sealed {
		p := f.NewProvider(t)
		profile(t, f, auditor, p, fmt.Sprintf("AS%d", i%8), fmt.Sprintf("region-%d", i%3), vendors[i%3])
		sealed[i] = f.Commit(t, o.Id, p, int64(1+(i*7919)%1_000_000))
	}
	f.SetHeight(o.CommitDeadline + 1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.SetHeight(o.RevealDeadline)
	return f
}

// settleGas runs the EndBlock that settles the order on a fresh gas meter and returns its gas.
func settleGas(t testing.TB, f *fixture.Fixture) uint64 {
	g := f.Fork()
	ctx := g.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	require.NoError(t, g.Keeper.EndBlocker(ctx))
	require.Equal(t, markettypes.OrderMatched, g.Order(t, 1).State)
	return ctx.GasMeter().GasConsumed()
}

// BenchmarkGoldSettlement times the EndBlock that settles a gold order with n revealed bids and
// reports its gas, with the quorum's diversity choice and, as the baseline in the same run, with
// the market's own rule. The ratio is what the choice costs. Run by scripts/bench.
func BenchmarkGoldSettlement(b *testing.B) {
	for _, n := range []int{10, 100} {
		for _, diverse := range []bool{false, true} {
			name := fmt.Sprintf("bids=%d/market-rule", n)
			if diverse {
				name = fmt.Sprintf("bids=%d/quorum", n)
			}
			b.Run(name, func(b *testing.B) {
				f := revealedGold(b, n, diverse)
				gas := settleGas(b, f)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					g := f.Fork()
					if err := g.Keeper.EndBlocker(g.Ctx); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(gas), "gas")
			})
		}
	}
}

// TestGoldSettlementGasIsBoundedByThePool logs the gas of settling a gold order with 100 revealed
// bids with and without the quorum's choice (the figures BENCHMARKS.md quotes), and checks that the
// choice reads only its pool's profiles: what it adds to the market's own settlement is the same for
// 30 and for 100 bids (the pool is max_candidates = 20 either way).
func TestGoldSettlementGasIsBoundedByThePool(t *testing.T) {
	extra := map[int]uint64{}
	for _, n := range []int{30, 100} {
		base := settleGas(t, revealedGold(t, n, false))
		quorum := settleGas(t, revealedGold(t, n, true))
		t.Logf("gold order, %d revealed bids: settlement gas %d with the quorum's choice, %d by the market's rule (%.3fx)",
			n, quorum, base, float64(quorum)/float64(base))
		require.Greater(t, quorum, base)
		extra[n] = quorum - base
	}
	require.InEpsilon(t, float64(extra[30]), float64(extra[100]), 0.05, "the choice's gas does not grow with the bids beyond its pool")
}
