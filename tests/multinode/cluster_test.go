package multinode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/fogdbin"
	"github.com/fogchain/fog/testutil/ports"

	"cosmossdk.io/depinject"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"

	fogapp "github.com/fogchain/fog/app"
)

const (
	chainID = "fog-multinode"
	denom   = "ufog"
	// Consensus timeouts of every node. A short propose timeout keeps the heights whose proposer
	// is down short; CometBFT adds timeout_*_delta per round, so a busy machine still converges.
	timeoutPropose   = time.Second
	timeoutPrevote   = 500 * time.Millisecond
	timeoutPrecommit = 500 * time.Millisecond
	timeoutCommit    = 500 * time.Millisecond
	// stall is how long the chain may make no block before a wait that needs one gives up.
	stall = 2 * time.Minute
	// validatorStake is each validator's self-delegation: equal stakes, so any three of four make
	// more than 2/3 of the power and any two do not.
	validatorStake = 100_000_000_000
)

var fogdBin string

func TestMain(m *testing.M) { os.Exit(fogdbin.Main(m, &fogdBin, nil)) }

// cluster is a network of validators on loopback, each a `fogd start` process with a home of its
// own, plus a test keyring of funded accounts that the tests sign with in process.
type cluster struct {
	dir   string
	nodes []*node
	cctx  client.Context // the app's codec and tx config
	kr    keyring.Keyring
	// keysHome holds the keyring (keyring-test/) the worker reads with --keyring-dir.
	keysHome string
	funds    int64 // genesis balance of every account, in ufog
}

// node is one validator process.
type node struct {
	i                   int
	home                string
	rpcPort, p2pPort    int
	grpcPort, proxyPort int
	id                  string // CometBFT node id
	valAddr             string // consensus address, hex upper case as in /commit
	cmd                 *exec.Cmd
	exited              chan struct{}
	rpc                 *rpchttp.HTTP
	mu                  sync.Mutex
	running             bool
	heightAtStop        int64 // the height the node reported just before it was killed
	logFile             *os.File
	persistentPeers     []string
}

func (n *node) name() string     { return fmt.Sprintf("node%d", n.i) }
func (n *node) rpcAddr() string  { return fmt.Sprintf("tcp://127.0.0.1:%d", n.rpcPort) }
func (n *node) grpcAddr() string { return fmt.Sprintf("127.0.0.1:%d", n.grpcPort) }
func (n *node) logPath() string  { return filepath.Join(n.home, "node.log") }

func (n *node) isRunning() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.running
}

// appContext is what the fogd CLI gives its commands: the app's codec and tx config.
func appContext(t *testing.T) client.Context {
	var (
		cdc codec.Codec
		ir  codectypes.InterfaceRegistry
	)
	require.NoError(t, depinject.Inject(depinject.Configs(fogapp.AppConfig(), depinject.Supply(log.NewNopLogger())), &cdc, &ir))
	return client.Context{}.WithCodec(cdc).WithInterfaceRegistry(ir).WithTxConfig(authtx.NewTxConfig(cdc, authtx.DefaultSignModes))
}

// fogd runs the binary and fails the test on a non-zero exit.
func fogd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(fogdBin, args...).CombinedOutput()
	require.NoError(t, err, "fogd %s: %s", strings.Join(args, " "), out)
	return string(out)
}

// newCluster creates the genesis of n equal-power validators and accounts funded with funds ufog
// each, and starts every node; it returns once every node has seen height 2.
func newCluster(t *testing.T, n int, funds int64, accounts ...string) *cluster {
	c := &cluster{dir: t.TempDir(), cctx: appContext(t), funds: funds}
	c.keysHome = filepath.Join(c.dir, "keys")
	var err error
	c.kr, err = keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, c.keysHome, nil, c.cctx.Codec)
	require.NoError(t, err)

	type genAccount struct {
		Address string    `json:"address"`
		Coins   sdk.Coins `json:"coins"`
	}
	var genAccounts []genAccount
	for _, name := range accounts {
		genAccounts = append(genAccounts, genAccount{c.newKey(t, c.kr, name).String(), sdk.NewCoins(sdk.NewInt64Coin(denom, funds))})
	}
	for i := 0; i < n; i++ {
		nd := &node{i: i, home: filepath.Join(c.dir, fmt.Sprintf("node%d", i))}
		fogd(t, "init", nd.name(), "--chain-id", chainID, "--home", nd.home)
		kr, err := keyring.New(sdk.KeyringServiceName(), keyring.BackendTest, nd.home, nil, c.cctx.Codec)
		require.NoError(t, err)
		genAccounts = append(genAccounts, genAccount{c.newKey(t, kr, "val").String(), sdk.NewCoins(sdk.NewInt64Coin(denom, 10*validatorStake))})
		key, err := p2p.LoadNodeKey(filepath.Join(nd.home, "config", "node_key.json"))
		require.NoError(t, err)
		nd.id = string(key.ID())
		pv := privval.LoadFilePVEmptyState(filepath.Join(nd.home, "config", "priv_validator_key.json"), "")
		nd.valAddr = pv.GetAddress().String()
		c.nodes = append(c.nodes, nd)
	}

	home0 := c.nodes[0].home
	accountsFile := filepath.Join(c.dir, "accounts.json")
	bz, err := json.Marshal(genAccounts)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(accountsFile, bz, 0o644))
	fogd(t, "genesis", "bulk-add-genesis-account", accountsFile, "--home", home0)
	c.editGenesis(t, filepath.Join(home0, "config", "genesis.json"))

	gentxs := filepath.Join(c.dir, "gentxs")
	require.NoError(t, os.MkdirAll(gentxs, 0o755))
	for _, nd := range c.nodes {
		if nd.i > 0 {
			copyFile(t, filepath.Join(home0, "config", "genesis.json"), filepath.Join(nd.home, "config", "genesis.json"))
		}
		fogd(t, "genesis", "gentx", "val", fmt.Sprintf("%d%s", validatorStake, denom), "--chain-id", chainID,
			"--keyring-backend", "test", "--home", nd.home, "--output-document", filepath.Join(gentxs, nd.name()+".json"))
	}
	fogd(t, "genesis", "collect-gentxs", "--gentx-dir", gentxs, "--home", home0)
	fogd(t, "genesis", "validate", "--home", home0)
	for _, nd := range c.nodes[1:] {
		copyFile(t, filepath.Join(home0, "config", "genesis.json"), filepath.Join(nd.home, "config", "genesis.json"))
	}
	for _, nd := range c.nodes {
		c.editConfig(t, nd)
	}

	t.Cleanup(func() {
		for _, nd := range c.nodes {
			nd.stop()
		}
		if t.Failed() {
			for _, nd := range c.nodes {
				bz, _ := os.ReadFile(nd.logPath())
				t.Logf("%s log tail:\n%s", nd.name(), tail(string(ansi.ReplaceAll(bz, nil)), 15))
			}
		}
	})
	c.startAll(t)
	for _, nd := range c.nodes {
		c.waitNodeHeight(t, nd, 2)
	}
	return c
}

// newKey adds a secp256k1 key to a keyring.
func (c *cluster) newKey(t *testing.T, kr keyring.Keyring, name string) sdk.AccAddress {
	rec, _, err := kr.NewMnemonic(name, keyring.English, sdk.FullFundraiserPath, keyring.DefaultBIP39Passphrase, hd.Secp256k1)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)
	return addr
}

// address of a key of the cluster's keyring.
func (c *cluster) address(t *testing.T, name string) sdk.AccAddress {
	rec, err := c.kr.Key(name)
	require.NoError(t, err)
	addr, err := rec.GetAddress()
	require.NoError(t, err)
	return addr
}

// editGenesis: no inflation (balances move only by the transactions the tests send), and a lease
// start timeout long enough for a worker on a busy machine.
func (c *cluster) editGenesis(t *testing.T, path string) {
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	var g map[string]any
	require.NoError(t, json.Unmarshal(bz, &g))
	mint := sub(g, "app_state", "mint")
	sub(mint, "minter")["inflation"] = "0.000000000000000000"
	params := sub(mint, "params")
	params["inflation_min"], params["inflation_max"], params["inflation_rate_change"] = "0", "0", "0"
	sub(g, "app_state", "market", "params")["start_timeout_blocks"] = "200"
	bz, err = json.MarshalIndent(g, "", " ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, bz, 0o644))
}

func sub(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func copyFile(t *testing.T, from, to string) {
	bz, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, bz, 0o644))
}

// editConfig sets the consensus timeouts and lets several nodes share 127.0.0.1.
func (c *cluster) editConfig(t *testing.T, nd *node) {
	path := filepath.Join(nd.home, "config", "config.toml")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg := string(bz)
	for key, value := range map[string]string{
		"timeout_propose":    fmt.Sprintf("%q", timeoutPropose.String()),
		"timeout_prevote":    fmt.Sprintf("%q", timeoutPrevote.String()),
		"timeout_precommit":  fmt.Sprintf("%q", timeoutPrecommit.String()),
		"timeout_commit":     fmt.Sprintf("%q", timeoutCommit.String()),
		"allow_duplicate_ip": "true",
		"addr_book_strict":   "false",
	} {
		re := regexp.MustCompile(`(?m)^` + key + ` = .*$`)
		require.True(t, re.MatchString(cfg), "config.toml has no %s", key)
		cfg = re.ReplaceAllString(cfg, key+" = "+value)
	}
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o644))
}

func reservePort(t *testing.T) int { return ports.Reserve(t) }

// startAll gives every node fresh ports and starts them; a node that loses a port to another
// process between the check and its bind is detected, and then every node is started again on
// new ports.
func (c *cluster) startAll(t *testing.T) {
	for attempt := 1; ; attempt++ {
		for _, nd := range c.nodes {
			nd.rpcPort, nd.p2pPort, nd.grpcPort, nd.proxyPort = reservePort(t), reservePort(t), reservePort(t), reservePort(t)
			var err error
			nd.rpc, err = rpchttp.NewWithTimeout(nd.rpcAddr(), "/websocket", 5)
			require.NoError(t, err)
		}
		for _, nd := range c.nodes {
			var peers []string
			for _, other := range c.nodes {
				if other != nd {
					peers = append(peers, fmt.Sprintf("%s@127.0.0.1:%d", other.id, other.p2pPort))
				}
			}
			nd.persistentPeers = peers
			c.start(t, nd)
		}
		var err error
		for _, nd := range c.nodes {
			if err = c.waitServing(nd); err != nil {
				break
			}
		}
		if err == nil {
			return
		}
		for _, nd := range c.nodes {
			nd.stop()
		}
		require.True(t, errors.Is(err, errPortTaken) && attempt < 3, "starting the cluster: %v", err)
		t.Logf("starting the cluster again on other ports: %v", err)
	}
}

var errPortTaken = errors.New("a port was taken")

// start starts (or restarts) a node's process on its ports, logging to <home>/node.log.
func (c *cluster) start(t *testing.T, nd *node) {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	require.False(t, nd.running, "%s is running", nd.name())
	var err error
	nd.logFile, err = os.OpenFile(nd.logPath(), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	nd.cmd = exec.Command(fogdBin, "start", "--home", nd.home,
		"--rpc.laddr", nd.rpcAddr(), "--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", nd.p2pPort),
		"--grpc.address", nd.grpcAddr(), "--proxy_app", fmt.Sprintf("tcp://127.0.0.1:%d", nd.proxyPort),
		"--rpc.pprof_laddr", "", "--p2p.persistent_peers", strings.Join(nd.persistentPeers, ","),
		"--minimum-gas-prices", "0"+denom, "--log_level", "info")
	nd.cmd.Stdout, nd.cmd.Stderr = nd.logFile, nd.logFile
	nd.cmd.SysProcAttr = diesWithTest()
	require.NoError(t, nd.cmd.Start())
	nd.running = true
	nd.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}, logFile *os.File) {
		_ = cmd.Wait()
		logFile.Close()
		close(exited)
	}(nd.cmd, nd.exited, nd.logFile)
}

// diesWithTest has a child process killed when the test binary dies, so that a test that times
// out (and runs no cleanup) leaves no node or worker running.
func diesWithTest() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// waitServing waits until the node answers on RPC, or tells why it exited.
func (c *cluster) waitServing(nd *node) error {
	for {
		select {
		case <-nd.exited:
			nd.mu.Lock()
			nd.running = false
			nd.mu.Unlock()
			bz, _ := os.ReadFile(nd.logPath())
			if strings.Contains(string(bz), "address already in use") {
				return fmt.Errorf("%s: %w:\n%s", nd.name(), errPortTaken, tail(string(bz), 5))
			}
			return fmt.Errorf("%s exited:\n%s", nd.name(), tail(string(bz), 20))
		default:
		}
		if _, ok := nd.status(); ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// kill crashes a node: SIGKILL, no clean shutdown.
func (c *cluster) kill(t *testing.T, nd *node) {
	t.Helper()
	h, _ := nd.status()
	nd.mu.Lock()
	require.True(t, nd.running, "%s is not running", nd.name())
	require.NoError(t, nd.cmd.Process.Kill())
	nd.mu.Unlock()
	<-nd.exited
	nd.mu.Lock()
	nd.running, nd.heightAtStop = false, h.height
	nd.mu.Unlock()
	t.Logf("%s killed (SIGKILL) at height %d", nd.name(), h.height)
}

// restart starts a killed node again on the same home and ports.
func (c *cluster) restart(t *testing.T, nd *node) {
	t.Helper()
	c.start(t, nd)
	require.NoError(t, c.waitServing(nd), "restarting %s", nd.name())
}

// stop interrupts a running node and waits for it; it is safe on a stopped node.
func (n *node) stop() {
	n.mu.Lock()
	running := n.running
	n.running = false
	n.mu.Unlock()
	if !running {
		return
	}
	_ = n.cmd.Process.Signal(os.Interrupt)
	select {
	case <-n.exited:
	case <-time.After(20 * time.Second):
		_ = n.cmd.Process.Kill()
		<-n.exited
	}
}

// live are the running nodes.
func (c *cluster) live() []*node {
	var out []*node
	for _, nd := range c.nodes {
		if nd.isRunning() {
			out = append(out, nd)
		}
	}
	return out
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// rpcGet GETs a CometBFT RPC path and decodes its result; false if the node cannot be reached or
// answers with an error.
func (n *node) rpcGet(path string, result any) bool {
	cl := http.Client{Timeout: 5 * time.Second}
	resp, err := cl.Get(fmt.Sprintf("http://127.0.0.1:%d%s", n.rpcPort, path))
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var body struct {
		Result json.RawMessage `json:"result"`
		Error  json.RawMessage `json:"error"`
	}
	if json.NewDecoder(resp.Body).Decode(&body) != nil || len(body.Error) > 0 || len(body.Result) == 0 {
		return false
	}
	return json.Unmarshal(body.Result, result) == nil
}

type nodeStatus struct {
	height     int64
	catchingUp bool
}

// status is the node's latest height and whether it is catching up (block sync).
func (n *node) status() (nodeStatus, bool) {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
			CatchingUp        bool   `json:"catching_up"`
		} `json:"sync_info"`
	}
	if !n.rpcGet("/status", &st) {
		return nodeStatus{}, false
	}
	h, _ := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	return nodeStatus{h, st.SyncInfo.CatchingUp}, true
}

// appHeight is the last height the node's application has committed (/abci_info). CometBFT saves
// a block, and reports it in /status, before the application commits it; a query at a height
// needs the application to have it.
func (n *node) appHeight() int64 {
	var res struct {
		Response struct {
			LastBlockHeight string `json:"last_block_height"`
		} `json:"response"`
	}
	if !n.rpcGet("/abci_info", &res) {
		return 0
	}
	h, _ := strconv.ParseInt(res.Response.LastBlockHeight, 10, 64)
	return h
}

func (n *node) height() int64 {
	st, _ := n.status()
	return st.height
}

// tip is the highest height any live node reports.
func (c *cluster) tip() int64 {
	var h int64
	for _, nd := range c.live() {
		h = max(h, nd.height())
	}
	return h
}

// poll checks cond until it holds; it fails only if no live node reports a new block for stall.
func (c *cluster) poll(cond func() bool) error {
	last, since := c.tip(), time.Now()
	for !cond() {
		if cur := c.tip(); cur != last {
			last, since = cur, time.Now()
		}
		if time.Since(since) > stall {
			return fmt.Errorf("no live node reported a block for %s (at height %d)", stall, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// waitNodeHeight waits until a node has committed height h, as long as the chain makes blocks.
func (c *cluster) waitNodeHeight(t *testing.T, nd *node, h int64) {
	t.Helper()
	require.NoError(t, c.poll(func() bool { return nd.height() >= h }), "%s waiting for height %d", nd.name(), h)
}

// blockHeader is what the tests compare across nodes at a height.
type blockHeader struct {
	hash    string // block id hash
	appHash string // header app_hash: the state after the previous block
	time    time.Time
	// resultAppHash is the app hash the node's own FinalizeBlock returned for this block.
	resultAppHash string
}

func (n *node) header(h int64) (blockHeader, bool) {
	var b struct {
		BlockID struct {
			Hash string `json:"hash"`
		} `json:"block_id"`
		Block struct {
			Header struct {
				AppHash string    `json:"app_hash"`
				Time    time.Time `json:"time"`
			} `json:"header"`
		} `json:"block"`
	}
	var r struct {
		AppHash []byte `json:"app_hash"`
	}
	if !n.rpcGet(fmt.Sprintf("/block?height=%d", h), &b) || !n.rpcGet(fmt.Sprintf("/block_results?height=%d", h), &r) {
		return blockHeader{}, false
	}
	return blockHeader{hash: b.BlockID.Hash, appHash: b.Block.Header.AppHash, time: b.Block.Header.Time,
		resultAppHash: fmt.Sprintf("%X", r.AppHash)}, true
}

// requireSameChain checks that every node reports the same block hash, header app hash and
// FinalizeBlock app hash at every height in [from, to].
func (c *cluster) requireSameChain(t *testing.T, nodes []*node, from, to int64) {
	t.Helper()
	for h := from; h <= to; h++ {
		var want blockHeader
		for i, nd := range nodes {
			got, ok := nd.header(h)
			require.True(t, ok, "%s: block %d", nd.name(), h)
			require.NotEmpty(t, got.resultAppHash, "%s: app hash of block %d", nd.name(), h)
			if i == 0 {
				want = got
				continue
			}
			require.Equal(t, want, got, "%s and %s differ at height %d", nodes[0].name(), nd.name(), h)
		}
	}
}

// roundState is a node's /consensus_state.
type roundState struct {
	height int64
	round  int32
	step   int
	start  time.Time
	// prevotes and precommits per round, as CometBFT prints them ("BA{4:xx__} 200/400 = 0.50").
	votes []struct {
		Round      int32  `json:"round"`
		Prevotes   string `json:"prevotes_bit_array"`
		Precommits string `json:"precommits_bit_array"`
	}
}

func (n *node) consensusState() (roundState, bool) {
	var res struct {
		RoundState struct {
			HRS       string    `json:"height/round/step"`
			StartTime time.Time `json:"start_time"`
			Votes     []struct {
				Round      int32  `json:"round"`
				Prevotes   string `json:"prevotes_bit_array"`
				Precommits string `json:"precommits_bit_array"`
			} `json:"height_vote_set"`
		} `json:"round_state"`
	}
	if !n.rpcGet("/consensus_state", &res) {
		return roundState{}, false
	}
	parts := strings.Split(res.RoundState.HRS, "/")
	if len(parts) != 3 {
		return roundState{}, false
	}
	h, _ := strconv.ParseInt(parts[0], 10, 64)
	r, _ := strconv.ParseInt(parts[1], 10, 32)
	s, _ := strconv.Atoi(parts[2])
	return roundState{height: h, round: int32(r), step: s, start: res.RoundState.StartTime, votes: res.RoundState.Votes}, true
}

// precommit is a validator's signature in the commit of a block.
type precommit struct {
	address string // consensus address
	time    time.Time
}

// commitSigners are the precommits that commit block h.
func (n *node) commitSigners(h int64) ([]precommit, bool) {
	var res struct {
		SignedHeader struct {
			Commit struct {
				Signatures []struct {
					Flag      int       `json:"block_id_flag"`
					Address   string    `json:"validator_address"`
					Timestamp time.Time `json:"timestamp"`
				} `json:"signatures"`
			} `json:"commit"`
		} `json:"signed_header"`
	}
	if !n.rpcGet(fmt.Sprintf("/commit?height=%d", h), &res) {
		return nil, false
	}
	var out []precommit
	for _, s := range res.SignedHeader.Commit.Signatures {
		if s.Flag == 2 { // BlockIDFlagCommit
			out = append(out, precommit{s.Address, s.Timestamp})
		}
	}
	return out, true
}

// switchedToConsensusAt reads, from the node's log since offset, the height at which block sync
// handed over to consensus ("Time to switch to consensus reactor!").
func (n *node) switchedToConsensusAt(offset int64) (int64, bool) {
	bz, err := os.ReadFile(n.logPath())
	if err != nil || int64(len(bz)) < offset {
		return 0, false
	}
	re := regexp.MustCompile(`Time to switch to consensus reactor!.*?height=(\d+)`)
	m := re.FindSubmatch(ansi.ReplaceAll(bz[offset:], nil))
	if m == nil {
		return 0, false
	}
	h, _ := strconv.ParseInt(string(m[1]), 10, 64)
	return h, true
}

// ansi matches the colour codes of the node's log.
var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

func (n *node) logSize() int64 {
	fi, err := os.Stat(n.logPath())
	if err != nil {
		return 0
	}
	return fi.Size()
}

// rpcCtx bounds one RPC call.
func rpcCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 10*time.Second)
}
