package app

import (
	"slices"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// benchOrders is how many orders the benchmark chain holds.
const benchOrders = 10_000

// newBenchChain is a query-store chain on goleveldb (the node's database) whose market holds
// benchOrders matched orders, written in block 1; it has committed three blocks.
func newBenchChain(b *testing.B) *queryStoreChain {
	b.Helper()
	db, err := dbm.NewGoLevelDB("application", b.TempDir(), nil)
	require.NoError(b, err)
	b.Cleanup(func() { _ = db.Close() })
	c := newQueryStoreChainOn(b, db)

	c.finalize(b, 1)
	ctx := sdk.NewContext(c.app.CommitMultiStore(), cmtproto.Header{Height: 1}, false, log.NewNopLogger())
	owner := sdk.AccAddress(make([]byte, 20))
	for id := uint64(1); id <= benchOrders; id++ {
		owner[19] = byte(id)
		o := markettypes.Order{
			Id:               id,
			Owner:            owner.String(),
			Resources:        markettypes.Resources{},
			Tier:             markettypes.TierGold,
			WorkloadHash:     make([]byte, 32),
			LeaseBlocks:      100,
			MaxPricePerBlock: sdk.NewInt64Coin("ufog", 1000),
			Replicas:         1,
			CreatedHeight:    1,
			CommitDeadline:   2,
			RevealDeadline:   3,
			State:            markettypes.OrderMatched,
			Escrow:           sdk.NewInt64Coin("ufog", 100_000),
			ClearingPrice:    sdk.NewInt64Coin("ufog", 900),
		}
		require.NoError(b, c.app.MarketKeeper.Orders.Set(ctx, id, o))
	}
	c.writeMarker(1)
	c.commit(b)
	c.block(b, 2)
	c.block(b, 3)
	return c
}

// BenchmarkQueryContext times what a gRPC query at the latest height costs the node in the app:
// BaseApp.CreateQueryContext and the market Order handler through the app's GRPCQueryRouter (as
// BaseApp's ABCI and gRPC query paths call it), once with the query store's shared stores of
// the latest version ("cache") and once with the root multistore's CacheMultiStoreWithVersion
// ("root": the query store as it was before them, a cheap LatestVersion only), alternating in the
// same loop. It reports the median time and the allocations of a query with each, and root/cache,
// the ratio of the medians.
func BenchmarkQueryContext(b *testing.B) {
	c := newBenchChain(b)
	app := c.app
	root := &queryMultiStore{MultiStore: app.CommitMultiStore(), logger: log.NewNopLogger()} // no root: never caches
	root.latest.Store(app.qms.LatestVersion())
	const path = "/fog.market.v1.Query/Order"
	handler := app.GRPCQueryRouter().Route(path)
	require.NotNil(b, handler)
	reqs := make([]*abci.RequestQuery, 997) // a prime below benchOrders: ids spread over the tree
	for i := range reqs {
		id := uint64(1 + (i*7919)%benchOrders)
		reqs[i] = &abci.RequestQuery{Path: path, Data: app.AppCodec().MustMarshal(&markettypes.QueryOrderRequest{Id: id})}
	}
	query := func(qms *queryMultiStore, i int) {
		ctx, err := app.CreateQueryContext(0, false)
		if err != nil {
			b.Fatal(err)
		}
		if _, ok := ctx.MultiStore().(*queryCacheStore); ok != (qms == app.qms) {
			b.Fatalf("query store %T with the cache %v", ctx.MultiStore(), qms == app.qms)
		}
		res, err := handler(ctx, reqs[i%len(reqs)])
		if err != nil || len(res.Value) == 0 {
			b.Fatalf("query %d: %v", i, err)
		}
	}
	variants := []*queryMultiStore{app.qms, root}
	allocs := make([]float64, 2)
	for v, qms := range variants {
		app.SetQueryMultiStore(qms)
		n := 0
		allocs[v] = testing.AllocsPerRun(200, func() { query(qms, n); n++ })
	}

	spent := [2][]time.Duration{make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for k := range 2 {
			v := (i + k) % 2 // alternate which goes first
			app.SetQueryMultiStore(variants[v])
			start := time.Now()
			query(variants[v], i)
			spent[v] = append(spent[v], time.Since(start))
		}
	}
	b.StopTimer()
	app.SetQueryMultiStore(app.qms)
	cache, base := median(spent[0]), median(spent[1])
	b.ReportMetric(cache, "cache-ns/query")
	b.ReportMetric(base, "root-ns/query")
	b.ReportMetric(base/cache, "root/cache")
	b.ReportMetric(allocs[0], "cache-allocs/query")
	b.ReportMetric(allocs[1], "root-allocs/query")
}

// median is the median of ds in nanoseconds: on a machine shared with other work, the mean of
// short timings is mostly the preemptions that hit a few of them.
func median(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)/2].Nanoseconds())
}

// BenchmarkQueryStoreLoadVersion times what the query store adds to every Commit: loading the
// stores of the version just committed (ListenCommit's loadVersion).
func BenchmarkQueryStoreLoadVersion(b *testing.B) {
	c := newBenchChain(b)
	v := c.app.qms.LatestVersion()
	vs := c.app.qms.loadVersion(v)
	require.NotNil(b, vs)
	spent := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if c.app.qms.loadVersion(v) == nil {
			b.Fatal("no set")
		}
		spent = append(spent, time.Since(start))
	}
	b.ReportMetric(median(spent), "median-ns/load")
	b.ReportMetric(float64(len(vs.stores)), "stores")
}
