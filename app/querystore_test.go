package app

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmttypes "github.com/cometbft/cometbft/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// queryStoreChain is the wired app after InitChain, before its first block.
type queryStoreChain struct {
	app    *App
	valSet *cmttypes.ValidatorSet
}

func newQueryStoreChain(t *testing.T) *queryStoreChain {
	t.Helper()
	app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	valSet, err := simtestutil.CreateRandomValidatorSet()
	require.NoError(t, err)
	ga := simtestutil.DefaultStartUpConfig().GenesisAccounts[0] // the delegator, funded
	genesis, err := simtestutil.GenesisStateWithValSet(app.AppCodec(), app.DefaultGenesis(), valSet,
		[]authtypes.GenesisAccount{ga.GenesisAccount}, banktypes.Balance{Address: ga.GetAddress().String(), Coins: ga.Coins})
	require.NoError(t, err)
	stateBytes, err := cmtjson.MarshalIndent(genesis, "", " ")
	require.NoError(t, err)
	_, err = app.InitChain(&abci.RequestInitChain{
		ConsensusParams: simtestutil.DefaultConsensusParams,
		AppStateBytes:   stateBytes,
	})
	require.NoError(t, err)
	return &queryStoreChain{app: app, valSet: valSet}
}

// markerKey is a key of the upgrade store no module reads; each block writes its height there.
var markerKey = []byte("fog-query-store-test")

// block runs block h through the ABCI methods and commits it. Between FinalizeBlock and Commit it
// writes h under markerKey in the root multistore, so that the committed state of block h says h.
func (c *queryStoreChain) block(t *testing.T, h int64) {
	t.Helper()
	_, err := c.app.FinalizeBlock(&abci.RequestFinalizeBlock{
		Height:             h,
		Time:               time.Unix(1_700_000_000+h, 0).UTC(),
		NextValidatorsHash: c.valSet.Hash(),
	})
	require.NoError(t, err)
	c.app.CommitMultiStore().GetKVStore(c.app.GetKey(upgradetypes.StoreKey)).Set(markerKey, binary.BigEndian.AppendUint64(nil, uint64(h)))
	_, err = c.app.Commit()
	require.NoError(t, err)
}

// latestMarker reads markerKey through the query path at "latest" (height 0), as gRPC queries do,
// and returns it with the context's height.
func (c *queryStoreChain) latestMarker() (marker, height int64, err error) {
	ctx, err := c.app.CreateQueryContext(0, false)
	if err != nil {
		return 0, 0, err
	}
	bz := ctx.KVStore(c.app.GetKey(upgradetypes.StoreKey)).Get(markerKey)
	if len(bz) == 8 {
		marker = int64(binary.BigEndian.Uint64(bz))
	}
	return marker, ctx.BlockHeight(), nil
}

// The query store reports the real store's version before the first block and after every commit,
// and a query at "latest" reads the state of the block just committed.
func TestQueryStoreFollowsCommits(t *testing.T) {
	c := newQueryStoreChain(t)
	root := c.app.CommitMultiStore()
	require.Zero(t, root.LatestVersion())
	require.Zero(t, c.app.qms.LatestVersion(), "nothing committed after InitChain")
	_, err := c.app.CreateQueryContext(0, false)
	require.Error(t, err, "no query before the first block")

	for h := int64(1); h <= 6; h++ {
		c.block(t, h)
		require.Equal(t, h, root.LatestVersion())
		require.Equal(t, root.LatestVersion(), c.app.qms.LatestVersion(), "after block %d", h)

		marker, height, err := c.latestMarker()
		require.NoError(t, err)
		require.Equal(t, h, height, "a query at latest runs at the block just committed")
		require.Equal(t, h, marker, "a query at latest reads the state of the block just committed")

		// the same through ABCI Query, the gRPC router's path: the answer is at height h
		res, err := c.app.Query(t.Context(), &abci.RequestQuery{
			Path: "/cosmos.bank.v1beta1.Query/TotalSupply",
			Data: c.app.AppCodec().MustMarshal(&banktypes.QueryTotalSupplyRequest{}),
		})
		require.NoError(t, err)
		require.Zero(t, res.Code, res.Log)
		require.Equal(t, h, res.Height)
	}
}

// The query store's LatestVersion read from many goroutines while blocks commit, as gRPC queries
// read it: no goroutine sees it go down or name a block whose Commit has not started, and every
// version seen is loadable and holds that block's state whole (its marker equals the version). Run
// with -race. The goroutines only read the version: loading state while Commit runs (what
// BaseApp.CreateQueryContext and CacheMultiStoreWithVersion do) has data races of its own in the
// Cosmos SDK (BaseApp's check and finalize-block state fields) and IAVL (the fast-node storage
// version), with or without a query store, which -race reports; the versions are loaded after.
func TestQueryStoreConcurrentWithCommits(t *testing.T) {
	c := newQueryStoreChain(t)
	c.block(t, 1)

	const blocks, clients = 15, 8
	var started atomic.Int64 // the block whose Commit may be running
	started.Store(1)
	done := make(chan struct{})
	seen := make([]map[int64]bool, clients)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	for i := range clients {
		seen[i] = map[int64]bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last int64
			for {
				select {
				case <-done:
					return
				default:
				}
				v := c.app.qms.LatestVersion()
				limit := started.Load() // read after v: the Commit of v had started before
				if v < last || v > limit || v < 1 {
					errs <- fmt.Errorf("LatestVersion %d after %d, with block %d the last one started", v, last, limit)
					return
				}
				seen[i][v] = true
				last = v
			}
		}()
	}
	for h := int64(2); h <= blocks; h++ {
		started.Store(h)
		c.block(t, h)
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i := range clients {
		for v := range seen[i] {
			ms, err := c.app.qms.CacheMultiStoreWithVersion(v)
			require.NoError(t, err)
			require.Equal(t, binary.BigEndian.AppendUint64(nil, uint64(v)), ms.GetKVStore(c.app.GetKey(upgradetypes.StoreKey)).Get(markerKey))
		}
	}
	require.Equal(t, int64(blocks), c.app.qms.LatestVersion())
	marker, height, err := c.latestMarker()
	require.NoError(t, err)
	require.Equal(t, int64(blocks), height)
	require.Equal(t, int64(blocks), marker)
}
