package keeper_test

import (
	"sort"
	"testing"
	"time"

	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/reputation"
	"github.com/fogchain/fog/x/reputation/keeper"
	"github.com/fogchain/fog/x/reputation/types"
)

// populated is a fixture with n reputation records written at spread heights.
func populated(b testing.TB, n int) (*fixture.Fixture, []sdk.AccAddress) {
	f := fixture.New(b)
	addrs := make([]sdk.AccAddress, n)
	for i := range addrs {
		addrs[i] = sdk.AccAddress(append([]byte{byte(i >> 16), byte(i >> 8), byte(i)}, make([]byte, 17)...))
		r := types.Record{Address: addrs[i].String(), Alpha: math.LegacyNewDec(int64(1 + i%50)), Beta: math.LegacyNewDec(int64(1 + i%7)),
			LastHeight: int64(i % 1000), Outcomes: uint64(i % 50)}
		require.NoError(b, f.Reputation.Records.Set(f.Ctx, addrs[i], r))
	}
	f.SetHeight(5000)
	return f, addrs
}

// BenchmarkScoreQuery100k reports the latency of the Score query (decay, statistics and tier
// computed on read) with 100,000 accounts in state, as p50 and p99 over the run.
func BenchmarkScoreQuery100k(b *testing.B) {
	f, addrs := populated(b, 100_000)
	q := keeper.NewQueryServerImpl(f.Reputation)
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := q.Score(f.Ctx, &types.QueryScoreRequest{Address: addrs[(i*7919)%len(addrs)].String()}); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkEndBlockWithReputation runs the app's whole EndBlock with 0 and with 100,000 reputation
// records: the reputation module does no per-block work, so gas and time do not change.
func BenchmarkEndBlockWithReputation(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		b.Run(map[int]string{0: "records=0", 100_000: "records=100000"}[n], func(b *testing.B) {
			f, _ := populated(b, n)
			var gas uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
				if _, err := f.App.ModuleManager.EndBlock(ctx); err != nil {
					b.Fatal(err)
				}
				gas = ctx.GasMeter().GasConsumed()
			}
			b.ReportMetric(float64(gas), "gas/op")
		})
	}
}

// The module has no BeginBlock or EndBlock at all: decay is computed when a record is read or written.
func TestNoPerBlockWork(t *testing.T) {
	var m any = reputation.AppModule{}
	_, begin := m.(appmodule.HasBeginBlocker)
	_, end := m.(appmodule.HasEndBlocker)
	require.False(t, begin || end)
	f := fixture.New(t)
	for _, name := range f.App.ModuleManager.OrderEndBlockers {
		require.NotEqual(t, types.ModuleName, name)
	}
}
