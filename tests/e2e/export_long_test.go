//go:build long

package e2e

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"cosmossdk.io/log"
	storetypes "cosmossdk.io/store/types"
	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	fogapp "github.com/fogchain/fog/app"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

func init() {
	finalStep = scenario{"ExportImportContinues", []string{"e-customer", "e-p1", "e-p2", "e-p3"}, exportImportContinues}
}

// exportedDoc is the part of an exported genesis this step checks.
type exportedDoc struct {
	InitialHeight int64 `json:"initial_height"`
	AppState      struct {
		Market struct {
			Orders []orderJSON `json:"orders"`
			Bids   []struct {
				OrderID  string `json:"order_id"`
				Provider string `json:"provider"`
				State    string `json:"state"`
			} `json:"bids"`
			Leases []leaseJSON `json:"leases"`
		} `json:"market"`
		Proofs struct {
			Batches []json.RawMessage `json:"batches"`
		} `json:"proofs"`
		Tee struct {
			Enclaves []struct {
				Provider string `json:"provider"`
			} `json:"enclaves"`
		} `json:"tee"`
	} `json:"app_state"`
}

// After every scenario, the chain holds active leases, anchored batches and attestations. This step
// adds an auction with a reveal still pending and an order still taking commits, stops the node,
// exports, and then:
//   - imports the export in process and finds every key of the fog stores and of x/bank equal to the
//     stopped chain's (the state the app hash commits to; the hash itself cannot carry over, since
//     IAVL hashes the version each node was written at);
//   - starts a new chain from the export (same validator key, new data) and a second node that
//     follows it from the same genesis: the follower computes the same app hash block after block;
//   - goes on: the pending reveal lands, the open auctions settle at their second prices, deposits
//     come back, the attestation is still valid.
func exportImportContinues(t *testing.T, c *chain) {
	c.registerProviders(t, "e-p1", "e-p2", "e-p3")
	// an auction that ends in a lease still running at the export (short windows, a long lease), and
	// one that will have a reveal pending
	leased := c.createOrder(t, "e-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "5000",
		"--commit-blocks", "20", "--reveal-blocks", "20")
	pending := c.createOrder(t, "e-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "20",
		"--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks)
	beforeP2 := c.balance(t, "e-p2")
	c.mustTxsBy(t, atoi(t, leased.CommitDeadline),
		call("e-p3", "market", "commit-bid", leased.ID, "7ufog"),
		call("e-p1", "market", "commit-bid", pending.ID, "4ufog"),
		call("e-p2", "market", "commit-bid", pending.ID, "6ufog"))
	c.waitHeight(t, atoi(t, leased.CommitDeadline)+1)
	c.mustTxBy(t, atoi(t, leased.RevealDeadline), "e-p3", "market", "reveal-bid", leased.ID)
	c.waitFor(t, atoi(t, leased.RevealDeadline)-c.height()+100, "order "+leased.ID+" settled", func() bool {
		return c.order(t, leased.ID).State != "ORDER_STATE_OPEN"
	})
	var won struct{ Leases []leaseJSON }
	c.query(t, &won, "market", "leases-by-order", leased.ID)
	require.Len(t, won.Leases, 1)
	c.mustTxBy(t, atoi(t, won.Leases[0].StartDeadline), "e-p3", "market", "start-lease", won.Leases[0].ID)
	c.waitHeight(t, atoi(t, pending.CommitDeadline)+1)
	c.mustTxBy(t, atoi(t, pending.RevealDeadline), "e-p1", "market", "reveal-bid", pending.ID)
	open := c.createOrder(t, "e-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "20",
		"--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks)

	c.stop()
	exported := []byte(c.fogd(t, "export", "--home", c.home))
	path := filepath.Join(t.TempDir(), "exported.json")
	require.NoError(t, os.WriteFile(path, exported, 0o644))
	c.fogd(t, "genesis", "validate", path, "--home", c.home)

	var doc exportedDoc
	require.NoError(t, json.Unmarshal(exported, &doc))
	m := doc.AppState.Market
	states := map[string]string{}
	for _, o := range m.Orders {
		states[o.ID] = o.State
	}
	require.Equal(t, "ORDER_STATE_OPEN", states[pending.ID], "the auction with a pending reveal is exported open")
	require.Equal(t, "ORDER_STATE_OPEN", states[open.ID], "the order taking commits is exported open")
	bidStates := map[string]string{}
	for _, b := range m.Bids {
		if b.OrderID == pending.ID {
			bidStates[b.Provider] = b.State
		}
	}
	require.Equal(t, "BID_STATE_REVEALED", bidStates[c.addr(t, "e-p1")])
	require.Equal(t, "BID_STATE_COMMITTED", bidStates[c.addr(t, "e-p2")], "e-p2's reveal is pending at the export")
	var exportedLease leaseJSON
	for _, l := range m.Leases {
		if l.ID == won.Leases[0].ID {
			exportedLease = l
		}
	}
	require.Equal(t, "LEASE_STATE_ACTIVE", exportedLease.State, "the export holds the running lease")
	require.NotEmpty(t, doc.AppState.Proofs.Batches, "the export holds anchored batches")
	require.NotEmpty(t, doc.AppState.Tee.Enclaves, "the export holds attestations")

	height := requireImportEqualsState(t, c.home, exported)
	require.Equal(t, height+1, doc.InitialHeight, "the new chain starts right after the exported height")

	d := c.restartFrom(t, exported, "")
	e := c.restartFrom(t, exported, d.nodeID(t)+"@"+strings.TrimPrefix(d.p2p, "tcp://"))
	d.waitHeight(t, height+1)
	requireSameAppHashes(t, d, e, height+1, height+5)

	// the pending reveal lands in the new chain, inside the window the old chain set
	d.mustTxBy(t, atoi(t, pending.RevealDeadline), "e-p2", "market", "reveal-bid", pending.ID)
	d.mustTxBy(t, atoi(t, open.CommitDeadline), "e-p3", "market", "commit-bid", open.ID, "5ufog")
	d.waitHeight(t, atoi(t, open.CommitDeadline)+1)
	d.mustTxBy(t, atoi(t, open.RevealDeadline), "e-p3", "market", "reveal-bid", open.ID)

	for _, o := range []orderJSON{pending, open} {
		d.waitFor(t, atoi(t, o.RevealDeadline)-d.height()+100, "order "+o.ID+" settled", func() bool {
			return d.order(t, o.ID).State != "ORDER_STATE_OPEN"
		})
	}
	settled := d.order(t, pending.ID)
	require.Equal(t, "ORDER_STATE_MATCHED", settled.State)
	require.Equal(t, "6", settled.ClearingPrice.Amount, "e-p1 wins at e-p2's price: the reveal made after the import counted")
	var leases struct{ Leases []leaseJSON }
	d.query(t, &leases, "market", "leases-by-order", pending.ID)
	require.Len(t, leases.Leases, 1)
	require.Equal(t, d.addr(t, "e-p1"), leases.Leases[0].Provider)
	require.Equal(t, beforeP2, d.balance(t, "e-p2"), "the loser's deposit came back in the new chain")
	d.query(t, &leases, "market", "leases-by-order", open.ID)
	require.Len(t, leases.Leases, 1)
	require.Equal(t, d.addr(t, "e-p3"), leases.Leases[0].Provider)

	running := d.lease(t, won.Leases[0].ID)
	require.Equal(t, "LEASE_STATE_ACTIVE", running.State, "the lease started before the export still runs")
	require.Equal(t, exportedLease.EndHeight, running.EndHeight)

	var enc enclaveResponse
	d.query(t, &enc, "tee", "enclave", doc.AppState.Tee.Enclaves[0].Provider)
	require.Equal(t, doc.AppState.Tee.Enclaves[0].Provider, enc.Enclave.Provider)
	requireSameAppHashes(t, d, e, d.height()-3, d.height())
}

// requireImportEqualsState opens the stopped node's application database, imports the export into a
// fresh app, and compares every key of the fog stores and of x/bank; it returns the exported height.
func requireImportEqualsState(t *testing.T, home string, exported []byte) int64 {
	db, err := dbm.NewDB("application", dbm.GoLevelDBBackend, filepath.Join(home, "data"))
	require.NoError(t, err)
	defer db.Close()
	opts := simtestutil.AppOptionsMap{}
	orig := fogapp.New(log.NewNopLogger(), db, nil, true, opts)
	height := orig.LastBlockHeight()
	ctxA := orig.NewContextLegacy(true, cmtproto.Header{Height: height})

	var genesis struct {
		AppState json.RawMessage `json:"app_state"`
		ChainID  string          `json:"chain_id"`
	}
	require.NoError(t, json.Unmarshal(exported, &genesis))
	imported := fogapp.New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, opts)
	ctxB := imported.NewUncachedContext(true, cmtproto.Header{Height: height, ChainID: genesis.ChainID})
	_, err = imported.InitChainer(ctxB, &abci.RequestInitChain{AppStateBytes: genesis.AppState, InitialHeight: height + 1, ChainId: genesis.ChainID})
	require.NoError(t, err)

	for _, name := range []string{markettypes.StoreKey, reputationtypes.StoreKey, proofstypes.StoreKey, teetypes.StoreKey, banktypes.StoreKey} {
		a, b := ctxA.KVStore(orig.GetKey(name)), ctxB.KVStore(imported.GetKey(name))
		diffA, diffB := simtestutil.DiffKVStores(a, b, nil)
		require.Empty(t, diffA, "store %s: keys of the chain that the import lacks or holds differently", name)
		require.Empty(t, diffB, "store %s: keys of the import the chain does not hold", name)
		require.Positive(t, countKeys(a), "store %s is not empty", name)
	}
	return height
}

func countKeys(s storetypes.KVStore) int {
	it := s.Iterator(nil, nil)
	defer it.Close()
	n := 0
	for ; it.Valid(); it.Next() {
		n++
	}
	return n
}

// restartFrom starts a node of a new chain from genesis in a new home holding c's keyring and bids.
// With no peer it is the chain's validator (c's validator key, a fresh signing state); with a peer, a
// full node of its own that follows that peer.
func (c *chain) restartFrom(t *testing.T, genesis []byte, peer string) *chain {
	d := &chain{home: t.TempDir(), addrs: map[string]string{}, accounts: map[string]*sync.Mutex{},
		simDevice: c.simDevice, measurement: c.measurement, zkKeys: c.zkKeys}
	c.mu.Lock()
	for k, v := range c.addrs {
		d.addrs[k] = v
	}
	c.mu.Unlock()
	for _, dir := range []string{"config", "keyring-test", "bids"} {
		if _, err := os.Stat(filepath.Join(c.home, dir)); err == nil {
			out, err := exec.Command("cp", "-r", filepath.Join(c.home, dir), d.home).CombinedOutput()
			require.NoError(t, err, "%s", out)
		}
	}
	require.NoError(t, os.MkdirAll(filepath.Join(d.home, "data"), 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(d.home, "data", "priv_validator_state.json"), []byte(`{"height":"0","round":0,"step":0}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(d.home, "config", "genesis.json"), genesis, 0o644))
	cfgPath := filepath.Join(d.home, "config", "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	if peer != "" {
		// a node of its own: its own node key, a validator key the chain does not know
		for _, f := range []string{"node_key.json", "priv_validator_key.json"} {
			require.NoError(t, os.Remove(filepath.Join(d.home, "config", f)))
		}
		cfg = regexp.MustCompile(`(?m)^persistent_peers = .*$`).ReplaceAll(cfg, []byte(`persistent_peers = "`+peer+`"`))
		cfg = regexp.MustCompile(`(?m)^allow_duplicate_ip = .*$`).ReplaceAll(cfg, []byte(`allow_duplicate_ip = true`))
		cfg = regexp.MustCompile(`(?m)^addr_book_strict = .*$`).ReplaceAll(cfg, []byte(`addr_book_strict = false`))
	}
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o644)) // fogd start writes the missing keys afresh

	d.launch(t)
	return d
}

// nodeID is the node's p2p id.
func (c *chain) nodeID(t *testing.T) string {
	return strings.TrimSpace(c.fogd(t, "comet", "show-node-id", "--home", c.home))
}

// requireSameAppHashes checks, for every height in [from, to], that follower computed the app hash
// leader's next header carries: /abci_info gives the hash of the follower's own state after its last
// block (the app's answer, not a header it received).
func requireSameAppHashes(t *testing.T, leader, follower *chain, from, to int64) {
	t.Helper()
	for h := from; h <= to; {
		var info struct {
			Response struct {
				LastBlockHeight  string `json:"last_block_height"`
				LastBlockAppHash []byte `json:"last_block_app_hash"`
			} `json:"response"`
		}
		var got int64 // absent until the node has committed a block
		require.NoError(t, follower.poll(func() bool {
			if !follower.rpcGet("/abci_info", &info) {
				return false
			}
			got, _ = strconv.ParseInt(info.Response.LastBlockHeight, 10, 64)
			return got >= h
		}), "the follower reaches height %d", h)
		leader.waitHeight(t, got+1)
		require.Equal(t, leader.appHashAfter(t, got), strings.ToUpper(hex.EncodeToString(info.Response.LastBlockAppHash)),
			"app hash after height %d: the leader's next header vs the follower's own state", got)
		h = got + 1
	}
}

// appHashAfter is the app hash after height h as the header of block h+1 carries it (upper-case hex).
func (c *chain) appHashAfter(t *testing.T, h int64) string {
	t.Helper()
	var res struct {
		Block struct {
			Header struct {
				AppHash string `json:"app_hash"`
			} `json:"header"`
		} `json:"block"`
	}
	require.True(t, c.rpcGet(fmt.Sprintf("/block?height=%d", h+1), &res), "block %d", h+1)
	return res.Block.Header.AppHash
}
