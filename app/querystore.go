package app

import (
	"context"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"

	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
)

// queryMultiStore is the multistore BaseApp answers queries from (BaseApp.SetQueryMultiStore). It is
// the app's own root multistore with a cheap LatestVersion; every other method (notably
// CacheMultiStoreWithVersion, which loads the immutable trees a query reads) goes to the real store.
//
// Why: BaseApp.CreateQueryContextWithCheckHeader calls LatestVersion twice per query, and the root
// multistore's LatestVersion is LastCommitID().Version, which recomputes the Merkle hash of the
// last commit info (over every store) just to read the version — most of a node's CPU under query
// load.
//
// How: latest holds the version of the last commit. It is set once per block by ListenCommit, which
// BaseApp.Commit calls (as an ABCI streaming listener) right after the root multistore has committed
// and flushed the new version, and before it moves the check state to the new block; so:
//   - it never names a version that is not committed: it is read from the real store after its
//     Commit returned, and the versions a query may ask for from then on are loadable
//     (CacheMultiStoreWithVersion);
//   - it advances after every Commit, at the same point in Commit as the SDK's own answer
//     would, relative to the check and finalize-block states CreateQueryContext compares it
//     with (so queries at "latest" see no window where it lags the check state's header);
//   - it is an atomic, so gRPC goroutines read it safely while FinalizeBlock and Commit run.
//
// Until the first Commit of this process latest is 0 and LatestVersion asks the real store: that
// covers the version loaded at start (LoadLatestVersion, an upgrade's store loader, a rollback by
// `fogd rollback`, which runs offline), the time before the first block, and a state-sync
// restore, which CometBFT runs only on an empty node before any block is committed, and after
// which the real store reports the restored height. Nothing else changes the root multistore's
// version while the node serves queries.
type queryMultiStore struct {
	storetypes.MultiStore // the app's root multistore

	latest atomic.Int64 // version of the last Commit in this process; 0 until then
}

var _ storetypes.ABCIListener = (*queryMultiStore)(nil)

// LatestVersion is the version of the last commit, without hashing the commit info.
func (q *queryMultiStore) LatestVersion() int64 {
	if v := q.latest.Load(); v > 0 {
		return v
	}
	return q.MultiStore.LatestVersion()
}

// ListenFinalizeBlock does nothing: the version changes only at Commit.
func (q *queryMultiStore) ListenFinalizeBlock(context.Context, abci.RequestFinalizeBlock, abci.ResponseFinalizeBlock) error {
	return nil
}

// ListenCommit records the version just committed (one commit-info hash per block).
func (q *queryMultiStore) ListenCommit(context.Context, abci.ResponseCommit, []*storetypes.StoreKVPair) error {
	q.latest.Store(q.MultiStore.LatestVersion())
	return nil
}

// setQueryMultiStore makes BaseApp answer queries from a queryMultiStore over its root multistore,
// kept current by an ABCI listener added to (not replacing) the app's streaming listeners. Call it
// after the app is built (the streaming manager is set by then) and before it serves queries.
func setQueryMultiStore(app *baseapp.BaseApp) *queryMultiStore {
	q := &queryMultiStore{MultiStore: app.CommitMultiStore()}
	sm := app.StreamingManager()
	sm.ABCIListeners = append(append([]storetypes.ABCIListener{}, sm.ABCIListeners...), q)
	app.SetStreamingManager(sm)
	app.SetQueryMultiStore(q)
	return q
}
