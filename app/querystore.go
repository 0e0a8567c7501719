package app

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/log"
	"cosmossdk.io/store/cachekv"
	"cosmossdk.io/store/iavl"
	"cosmossdk.io/store/rootmulti"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/baseapp"
)

// queryMultiStore is the multistore BaseApp answers queries from (BaseApp.SetQueryMultiStore). It is
// the app's root multistore with a cheap LatestVersion and, for the last two committed versions, a
// cheap CacheMultiStoreWithVersion; every other method goes to the root multistore.
//
// # Why
//
// BaseApp.CreateQueryContextWithCheckHeader (Cosmos SDK v0.53.8) calls LatestVersion twice per
// query and then CacheMultiStoreWithVersion(height) once. On the root multistore:
//   - LatestVersion is LastCommitID().Version, which recomputes the Merkle hash of the last commit
//     info (over every store) just to read the version;
//   - CacheMultiStoreWithVersion(v) loads, for each of the app's 16 IAVL stores, an immutable tree
//     at v (iavl.Store.GetImmutable: VersionExists, then the root node key and the root node read
//     from the database), and cachemulti.NewStore wraps every store in a cachekv store (two maps and
//     a B-tree each) — for a query that reads one or two stores.
//
// Under gRPC query load the two were most of the node's CPU (BENCHMARKS.md, "Query multistore:
// before and after").
//
// # The version
//
// latest holds the version of the last commit. It is set once per block by ListenCommit, which
// BaseApp.Commit calls (as an ABCI streaming listener) right after the root multistore has committed
// and flushed the new version (rootmulti.Store.Commit, IAVL SaveVersion, the commit info), and
// before it moves the check state to the new block; so:
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
//
// # The stores of a version
//
// In the same ListenCommit, before publishing the version, loadVersion builds its versionStores:
// for every mounted store, the immutable IAVL store at that version (iavl.Store.GetImmutable, the
// call rootmulti's CacheMultiStoreWithVersion makes per store and per query), or, for a transient
// or memory store, the live store (what rootmulti gives queries too). cached keeps that set and
// the previous version's, if it is the version before; CacheMultiStoreWithVersion(v) for either
// returns a queryCacheStore over it: the query's own cachekv layer per store, created when the
// query first reads (or writes) that store, so a query pays for the stores it touches and a
// query's writes stay in its layers (the shared immutable stores cannot be written: the
// IAVL wrapper panics on Set). Every other version (older heights, a version whose set could not
// be built, anything before the first Commit of this process) goes to the root multistore exactly
// as before, and so does every version while the root multistore traces (--trace-store) or has
// a KV listener on any store (streaming's `keys`): rootmulti wires those into the query stores,
// and the shared set does not.
//
// The previous version is kept for the queries that read LatestVersion just before a Commit and
// ask for that version just after it (CreateQueryContext reads the version, then loads it), and
// for clients asking for the block before the last. Publishing version v drops the set of v-2:
// queries already holding it finish on it, and the garbage collector frees it after them.
//
// Building at Commit rather than lazily at the first query of a version: (1) it runs on the
// goroutine that commits, so it reads the root multistore's store maps (which an upgrade's
// store removals change inside rootmulti.Store.Commit) and calls VersionExists and GetImmutable
// while nothing writes to the root multistore (the store's Commit has returned and the next
// FinalizeBlock cannot start before BaseApp.Commit does), whereas the SDK's own per-query loading
// does both from the gRPC goroutines, beside FinalizeBlock and Commit; (2) the version and its set are published together, so a
// query never waits on another's load and needs no once-guard (lazily, the first query after
// every block would load all stores while the other clients at that version wait on the
// guard); (3) it costs 16 GetImmutable calls per block, whether or not anyone queries —
// BenchmarkQueryStoreLoadVersion: a median of 21 to 35 µs on goleveldb, against a block time of a
// second, and against about 30 µs that every query spent loading through the root multistore
// (BenchmarkQueryContext: a median of 34 to 44 µs for an Order query there, 5 to 6 µs with the
// shared set). If a store cannot be loaded (which would make the SDK's own path fail too), the
// version gets no set and its queries take the root multistore's path, which reports the error.
//
// # Sharing immutable IAVL trees (github.com/cosmos/iavl v1.2.2, as cosmossdk.io/store v1.1.2 pins it)
//
// Many goroutines may read one ImmutableTree, and its iterators, at once:
//   - an ImmutableTree is {logger, root *Node, ndb *nodeDB, version, skipFastStorageUpgrade}, set by
//     MutableTree.GetImmutable and never written after (immutable_tree.go, mutable_tree.go
//     GetImmutable); Get, Has and Iterator only read those fields;
//   - every node below the root is read through nodeDB.GetNode, which holds ndb.mtx around its
//     LRU node cache and the database read (nodedb.go GetNode); fast nodes likewise
//     (GetFastNode); the database (goleveldb, or memdb in tests) is safe for concurrent use;
//   - a persisted node is not changed afterwards: MutableTree writes copy the nodes on their path
//     (node.clone), and the only write clone makes to the original is clearing its leftNode and
//     rightNode pointers, which are already nil on a node read from the database or saved
//     (saveNewNodes clears them after SaveNode);
//   - an Iterator keeps its traversal state in the iterator (iterator.go traversal; fast_iterator.go
//     FastIterator over a database iterator), and reads the tree as above.
//
// The SDK itself already shares these nodes between concurrent queries: each query's
// GetImmutable returns a new ImmutableTree whose root is the *Node in the shared node cache, and
// whose lower nodes come from the same cache; what this store shares besides is the five-field
// struct above. Whether a Get or an Iterator at version v uses the fast-node index is decided per
// call by comparing v with the node DB's latest version (ImmutableTree.Get,
// IsFastCacheEnabled), as with the SDK's per-query trees, so a shared tree answers exactly what a
// fresh one at the same version would. What IAVL does wrong there, it does to the SDK's per-query
// trees the same way, and the shared set neither adds nor removes it (see
// TestQueryStoreConcurrentQueriesDuringCommits):
//   - data races: ImmutableTree.Get reads ndb.latestVersion without ndb.mtx while SaveVersion sets
//     it (cosmos/iavl PR #998 set out to fix that read; v1.2.2 has it), and node.clone's clearing of
//     the (already nil) child pointers of a persisted node races with readers walking that node;
//   - with fast nodes on, a query at the latest version v that iterates while v+1 is being saved
//     can read v+1's entries: SaveVersion writes v+1's fast-node index to the database
//     (ndb.Commit, or before it whenever its batch passes the flush threshold) and only then moves
//     ndb.latestVersion to v+1, and ImmutableTree.Iterator takes the fast index whenever its version
//     equals ndb.latestVersion. (Get is exact: it falls back to the tree for a fast node newer than
//     v, though not for a key that v+1 deletes, for which it can answer "absent" in the same
//     window.) Closing that would take a lock around the whole Commit or a tree without the fast
//     index, which the store package does not expose; the SDK's own query path has the window too.
//
// An ImmutableTree stays valid while later versions are committed: SaveVersion adds nodes under
// new node keys and never rewrites those of an earlier version. Pruning deletes the nodes of the
// versions it prunes and does not look at readers (IAVL counts readers only for exporters,
// nodeDB.versionReaders), so a tree whose version is pruned under a running query fails in that
// query (a missing node) — for the SDK's per-query trees as much. Pruning at the commit of
// version h deletes versions up to h-1-keep-recent (pruning.Manager.GetPruningHeight), and
// keep-recent is at least 2 for every strategy the node accepts ("everything" keeps 2;
// PruningOptions.Validate refuses less for "custom", server.GetPruningOptionsFromFlags calls it);
// so the two versions kept here, h and h-1, are never pruned while they are kept, and the set of
// a version is handed to a new query only while it is kept. A query keeps reading its version
// after the set is dropped, and that version is pruned at the same Commit whether the query's
// trees came from the shared set or from GetImmutable: holding a set neither delays nor hastens
// pruning, so a long query has exactly the SDK's guarantee (with keep-recent r, version v
// survives the Commits of v+1 to v+r).
type queryMultiStore struct {
	storetypes.MultiStore // the app's root multistore

	root   *rootmulti.Store // the same store; nil if it is not a rootmulti.Store (then nothing is cached)
	logger log.Logger

	latest atomic.Int64                   // version of the last Commit in this process; 0 until then
	cached atomic.Pointer[cachedVersions] // the sets of the last two versions; nil until the first Commit
}

var _ storetypes.ABCIListener = (*queryMultiStore)(nil)

// cachedVersions are the sets queries at latest and the version before it read.
type cachedVersions struct {
	latest, previous *versionStores // either may be nil
}

// versionStores are the stores of one committed version, shared by every query at that version:
// the immutable IAVL store of each IAVL store and the live store of the others. Never written after
// loadVersion returns it.
type versionStores struct {
	version int64
	stores  map[storetypes.StoreKey]storetypes.KVStore
}

// kvStore implements kvStoreSource.
func (vs *versionStores) kvStore(key storetypes.StoreKey) storetypes.KVStore {
	s := vs.stores[key]
	if key == nil || s == nil {
		panic(fmt.Sprintf("kv store with key %v has not been registered in stores", key))
	}
	return s
}

// LatestVersion is the version of the last commit, without hashing the commit info.
func (q *queryMultiStore) LatestVersion() int64 {
	if v := q.latest.Load(); v > 0 {
		return v
	}
	return q.MultiStore.LatestVersion()
}

// CacheMultiStoreWithVersion branches the stores of version: from the shared set of the last or the
// previous commit if it has one, from the root multistore otherwise.
func (q *queryMultiStore) CacheMultiStoreWithVersion(version int64) (storetypes.CacheMultiStore, error) {
	if vs := q.cachedVersion(version); vs != nil {
		return newQueryCacheStore(vs, false), nil
	}
	return q.MultiStore.CacheMultiStoreWithVersion(version)
}

// cachedVersion is the shared set of version, or nil if it has none.
func (q *queryMultiStore) cachedVersion(version int64) *versionStores {
	c := q.cached.Load()
	if c == nil {
		return nil
	}
	for _, vs := range [...]*versionStores{c.latest, c.previous} {
		if vs != nil && vs.version == version {
			return vs
		}
	}
	return nil
}

// ListenFinalizeBlock does nothing: the version changes only at Commit.
func (q *queryMultiStore) ListenFinalizeBlock(context.Context, abci.RequestFinalizeBlock, abci.ResponseFinalizeBlock) error {
	return nil
}

// ListenCommit records the version just committed (one commit-info hash per block) and loads its
// stores for the queries at it, keeping the previous version's and dropping older ones.
func (q *queryMultiStore) ListenCommit(context.Context, abci.ResponseCommit, []*storetypes.StoreKVPair) error {
	v := q.MultiStore.LatestVersion()
	next := &cachedVersions{latest: q.loadVersion(v)}
	if old := q.cached.Load(); old != nil && old.latest != nil && old.latest.version == v-1 {
		next.previous = old.latest
	}
	q.cached.Store(next) // before latest: a query that sees v finds its set
	q.latest.Store(v)
	return nil
}

// loadVersion loads the stores of version for sharing, or returns nil if queries at it must go to
// the root multistore. Called on the committing goroutine only.
func (q *queryMultiStore) loadVersion(version int64) *versionStores {
	rs := q.root
	if rs == nil || rs.TracingEnabled() {
		return nil
	}
	keys := rs.StoreKeysByName()
	vs := &versionStores{version: version, stores: make(map[storetypes.StoreKey]storetypes.KVStore, len(keys))}
	for _, key := range keys {
		if rs.ListeningEnabled(key) {
			return nil
		}
		store := rs.GetCommitKVStore(key) // the IAVL store itself, not its inter-block cache
		if store == nil {
			return nil
		}
		if store.GetStoreType() != storetypes.StoreTypeIAVL {
			vs.stores[key] = store
			continue
		}
		is, ok := store.(*iavl.Store)
		if !ok {
			return nil
		}
		imm, err := is.GetImmutable(version)
		if err != nil {
			q.logger.Error("query store: cannot load a store at the committed version; queries at it use the root multistore",
				"store", key.Name(), "version", version, "err", err)
			return nil
		}
		vs.stores[key] = imm
	}
	return vs
}

// setQueryMultiStore makes BaseApp answer queries from a queryMultiStore over its root multistore,
// kept current by an ABCI listener added to (not replacing) the app's streaming listeners. Call it
// after the app is built (the streaming manager is set by then) and before it serves queries.
func setQueryMultiStore(app *baseapp.BaseApp) *queryMultiStore {
	cms := app.CommitMultiStore()
	q := &queryMultiStore{MultiStore: cms, logger: app.Logger()}
	q.root, _ = cms.(*rootmulti.Store)
	sm := app.StreamingManager()
	sm.ABCIListeners = append(append([]storetypes.ABCIListener{}, sm.ABCIListeners...), q)
	app.SetStreamingManager(sm)
	app.SetQueryMultiStore(q)
	return q
}

// kvStoreSource gives the store a queryCacheStore branches for a key; it panics for a key with
// no store, as cachemulti.Store.GetKVStore does.
type kvStoreSource interface {
	kvStore(key storetypes.StoreKey) storetypes.KVStore
}

// queryCacheStore is one query's CacheMultiStore: a cachekv layer over each store of its source,
// created when the query first asks for that store. It does what cachemulti.Store (rootmulti's
// answer) does on the query path — GetKVStore, GetStore, CacheMultiStore and its Write (for
// sdk.Context.CacheContext) — without wrapping the stores a query never reads; the methods the
// query path never calls panic with the reason.
//
// Its source is a versionStores (the query's own store, from CacheMultiStoreWithVersion) or another
// queryCacheStore (a branch of it, from CacheMultiStore). Safe for concurrent use, like
// cachemulti.Store and cachekv.Store.
type queryCacheStore struct {
	source kvStoreSource
	branch bool // a branch of another queryCacheStore, which Write writes to

	mu     sync.Mutex
	layers map[storetypes.StoreKey]*cachekv.Store
}

var (
	_ storetypes.CacheMultiStore = (*queryCacheStore)(nil)
	_ kvStoreSource              = (*queryCacheStore)(nil)
)

func newQueryCacheStore(source kvStoreSource, branch bool) *queryCacheStore {
	return &queryCacheStore{source: source, branch: branch}
}

// GetKVStore returns the query's layer over the store of key, creating it on first use.
func (s *queryCacheStore) GetKVStore(key storetypes.StoreKey) storetypes.KVStore {
	return s.layer(key)
}

// GetStore is GetKVStore, as for cachemulti.Store.
func (s *queryCacheStore) GetStore(key storetypes.StoreKey) storetypes.Store {
	return s.layer(key)
}

func (s *queryCacheStore) kvStore(key storetypes.StoreKey) storetypes.KVStore {
	return s.layer(key)
}

func (s *queryCacheStore) layer(key storetypes.StoreKey) *cachekv.Store {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.layers[key]; ok {
		return l
	}
	l := cachekv.NewStore(s.source.kvStore(key)) // panics for an unknown key, before anything is kept
	if s.layers == nil {
		s.layers = make(map[storetypes.StoreKey]*cachekv.Store, 2)
	}
	s.layers[key] = l
	return l
}

// CacheMultiStore branches this store: a queryCacheStore whose layers sit on this one's, and whose
// Write writes into them (sdk.Context.CacheContext).
func (s *queryCacheStore) CacheMultiStore() storetypes.CacheMultiStore {
	return newQueryCacheStore(s, true)
}

// CacheWrap implements CacheWrapper, as CacheMultiStore.
func (s *queryCacheStore) CacheWrap() storetypes.CacheWrap {
	return newQueryCacheStore(s, true)
}

// CacheWrapWithTrace implements CacheWrapper; like cachemulti.Store it ignores the tracer.
func (s *queryCacheStore) CacheWrapWithTrace(io.Writer, storetypes.TraceContext) storetypes.CacheWrap {
	return s.CacheWrap()
}

// Write writes a branch's layers into the store it was branched from. The query's own store (the
// one CacheMultiStoreWithVersion returns) has nothing to write to: its stores are a committed
// version's, shared with every other query at it, so Write panics there; BaseApp never calls it.
func (s *queryCacheStore) Write() {
	if !s.branch {
		panic("query multistore: Write on a query's multistore; a query's writes are never persisted")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.layers {
		l.Write()
	}
}

// GetStoreType implements Store.
func (s *queryCacheStore) GetStoreType() storetypes.StoreType { return storetypes.StoreTypeMulti }

// TracingEnabled is false: while the root multistore traces, queries use it instead.
func (s *queryCacheStore) TracingEnabled() bool { return false }

// SetTracer panics: the query path never sets a tracer (while the root multistore traces, queries use
// it instead).
func (s *queryCacheStore) SetTracer(io.Writer) storetypes.MultiStore {
	panic("query multistore: SetTracer on a query's multistore; with --trace-store queries use the root multistore")
}

// SetTracingContext panics: it is called only where TracingEnabled is true.
func (s *queryCacheStore) SetTracingContext(storetypes.TraceContext) storetypes.MultiStore {
	panic("query multistore: SetTracingContext on a query's multistore, which never traces")
}

// LatestVersion panics, as for cachemulti.Store.
func (s *queryCacheStore) LatestVersion() int64 {
	panic("cannot get latest version from branch cached multi-store")
}

// CacheMultiStoreWithVersion panics, as for cachemulti.Store.
func (s *queryCacheStore) CacheMultiStoreWithVersion(int64) (storetypes.CacheMultiStore, error) {
	panic("cannot branch cached multi-store with a version")
}
