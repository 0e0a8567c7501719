// Package e2e drives the real fogd binary: one single-validator CometBFT chain on loopback ports,
// shared by independent scenarios that run side by side, the CLI for every transaction and query a
// user would type, and the REST gateway and CometBFT RPC for the rest.
//
// Nothing here assumes that a number of blocks or seconds is enough: a scenario reads the deadlines
// the chain reports, waits for heights, and checks that each step that must land inside a window
// landed in a block inside it. Windows are sized so that a transaction has many blocks to land
// even on a busy two-core machine.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/fogdbin"
	"github.com/fogchain/fog/testutil/ports"
)

const (
	chainID = "fog-e2e"
	denom   = "ufog"
	// blockTime is the node's timeout_commit: long enough that a block is rarely the bottleneck on a
	// busy machine, short enough that the scenarios' windows pass quickly.
	blockTime = "500ms"
	// startTimeoutBlocks gives a winner time to start its lease after settlement.
	startTimeoutBlocks = "100"
)

// fogdBin is built once for the package by TestMain, and so is an example workload.
var fogdBin, sha256Wasm string

func TestMain(m *testing.M) {
	os.Exit(fogdbin.Main(m, &fogdBin, func(dir string) error {
		sha256Wasm = filepath.Join(dir, "sha256sum.wasm")
		wasm := exec.Command("go", "build", "-o", sha256Wasm, "../../examples/workloads/sha256sum")
		wasm.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
		wasm.Stdout, wasm.Stderr = os.Stdout, os.Stderr
		if err := wasm.Run(); err != nil {
			return fmt.Errorf("building the sha256sum workload: %w", err)
		}
		return nil
	}))
}

// chain is one running fogd node with a test keyring. Its methods take the *testing.T of the
// scenario that calls them, so that scenarios can share the chain in parallel.
type chain struct {
	home                string
	rpc, grpc, api, p2p string
	proxy               string
	exited              chan struct{}
	node                *exec.Cmd

	// material shared by the scenarios, made before genesis
	simDevice, measurement, zkKeys string

	mu       sync.Mutex
	addrs    map[string]string
	accounts map[string]*sync.Mutex // one transaction at a time per account: the CLI signs with the sequence it reads
}

func freePort(t *testing.T) int { return ports.Reserve(t) }

// fogd runs the binary and returns its stdout; it fails the test on a non-zero exit.
func (c *chain) fogd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.try(args...)
	require.NoError(t, err, "fogd %s", strings.Join(args, " "))
	return out
}

func (c *chain) try(args ...string) (string, error) {
	stdout, stderr, err := run(args...)
	if err != nil {
		return stdout, fmt.Errorf("%w: %s%s", err, stdout, stderr)
	}
	return stdout, nil
}

// run runs fogd and returns its stdout and stderr apart.
func run(args ...string) (string, string, error) {
	cmd := exec.Command(fogdBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

func (c *chain) keyArgs() []string {
	return []string{"--keyring-backend", "test", "--home", c.home}
}

// addr is the address of a key of the test keyring.
func (c *chain) addr(t *testing.T, name string) string {
	t.Helper()
	c.mu.Lock()
	a, ok := c.addrs[name]
	c.mu.Unlock()
	if ok {
		return a
	}
	a = strings.TrimSpace(c.fogd(t, append([]string{"keys", "show", name, "-a"}, c.keyArgs()...)...))
	c.mu.Lock()
	c.addrs[name] = a
	c.mu.Unlock()
	return a
}

// editGenesis applies f to the decoded genesis file.
func (c *chain) editGenesis(t *testing.T, f func(map[string]any)) {
	path := filepath.Join(c.home, "config", "genesis.json")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	var g map[string]any
	require.NoError(t, json.Unmarshal(bz, &g))
	f(g)
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

// startChain creates a one-validator chain with funded accounts, zero inflation, short governance
// votes and a generous lease start timeout, runs prepare on its home before the gentx, and starts it.
func startChain(t *testing.T, prepare func(c *chain), accounts ...string) *chain {
	c := &chain{home: t.TempDir(), addrs: map[string]string{}, accounts: map[string]*sync.Mutex{}}
	c.fogd(t, "init", "val", "--chain-id", chainID, "--home", c.home)
	c.fogd(t, append([]string{"keys", "add", "val"}, c.keyArgs()...)...)
	c.fogd(t, "genesis", "add-genesis-account", c.addr(t, "val"), "1000000000000"+denom, "--home", c.home)
	for _, a := range accounts {
		c.fogd(t, append([]string{"keys", "add", a}, c.keyArgs()...)...)
		c.fogd(t, "genesis", "add-genesis-account", c.addr(t, a), "100000000"+denom, "--home", c.home)
	}
	c.editGenesis(t, func(g map[string]any) {
		mint := sub(g, "app_state", "mint")
		sub(mint, "minter")["inflation"] = "0.000000000000000000"
		params := sub(mint, "params")
		params["inflation_min"], params["inflation_max"], params["inflation_rate_change"] = "0", "0", "0"
		sub(g, "app_state", "market", "params")["start_timeout_blocks"] = startTimeoutBlocks
		gov := sub(g, "app_state", "gov", "params")
		gov["voting_period"], gov["expedited_voting_period"] = "8s", "4s"
	})
	if prepare != nil {
		prepare(c)
	}
	c.fogd(t, append([]string{"genesis", "gentx", "val", "100000000000" + denom, "--chain-id", chainID}, c.keyArgs()...)...)
	c.fogd(t, "genesis", "collect-gentxs", "--home", c.home)
	c.fogd(t, "genesis", "validate", "--home", c.home)

	cfgPath := filepath.Join(c.home, "config", "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	cfg = regexp.MustCompile(`(?m)^timeout_commit = .*$`).ReplaceAll(cfg, []byte(`timeout_commit = "`+blockTime+`"`))
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o644))

	c.launch(t)
	c.waitHeight(t, 2)
	return c
}

// launch gives the node free loopback ports, starts it, and stops it when t ends (with the tail of
// its log if t failed).
func (c *chain) launch(t *testing.T) {
	c.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.p2p = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.grpc = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.api = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.proxy = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.startNode(t)
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			if bz, err := os.ReadFile(filepath.Join(c.home, "node.log")); err == nil {
				t.Logf("node log tail (%s):\n%s", c.home, tail(string(bz), 40))
			}
		}
	})
}

// startNode starts (or restarts) the node process, logging to <home>/node.log.
func (c *chain) startNode(t *testing.T) {
	c.node = exec.Command(fogdBin, "start", "--home", c.home,
		"--rpc.laddr", c.rpc, "--p2p.laddr", c.p2p, "--grpc.address", c.grpc,
		"--api.enable", "--api.address", "tcp://"+c.api, "--rpc.pprof_laddr", "",
		"--proxy_app", c.proxy, "--minimum-gas-prices", "0"+denom)
	logFile, err := os.OpenFile(filepath.Join(c.home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	c.node.Stdout, c.node.Stderr = logFile, logFile
	require.NoError(t, c.node.Start())
	c.exited = make(chan struct{})
	go func(node *exec.Cmd, exited chan struct{}) {
		_ = node.Wait()
		logFile.Close()
		close(exited)
	}(c.node, c.exited)
}

// stop interrupts the node and waits for it to exit; it is safe to call twice.
func (c *chain) stop() {
	select {
	case <-c.exited:
		return
	default:
	}
	_ = c.node.Process.Signal(os.Interrupt)
	select {
	case <-c.exited:
	case <-time.After(20 * time.Second):
		_ = c.node.Process.Kill()
		<-c.exited
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// rpcGet GETs a CometBFT RPC path and decodes its result; it returns false when the node answers
// with an error (e.g. a transaction not found yet) or cannot be reached.
func (c *chain) rpcGet(path string, result any) bool {
	resp, err := http.Get("http://" + strings.TrimPrefix(c.rpc, "tcp://") + path)
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

// height is the chain's latest height as the node reports it (0 if it cannot be read).
func (c *chain) height() int64 {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if !c.rpcGet("/status", &st) {
		return 0
	}
	h, _ := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	return h
}

// waitHeight waits until the chain has committed height h. It gives up only if the chain stops
// making blocks, not after a fixed number of them.
func (c *chain) waitHeight(t *testing.T, h int64) {
	t.Helper()
	require.NoError(t, c.poll(func() bool { return c.height() >= h }), "waiting for height %d", h)
}

// stall is how long the chain may go without a block before a wait gives up on it.
const stall = 2 * time.Minute

// poll checks cond until it holds, and fails only if the chain stops making blocks for stall.
func (c *chain) poll(cond func() bool) error {
	last, since := c.height(), time.Now()
	for !cond() {
		if cur := c.height(); cur != last {
			last, since = cur, time.Now()
		}
		if time.Since(since) > stall {
			return fmt.Errorf("the chain made no block for %s (at height %d)", stall, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// query runs `fogd q ARGS -o json` and decodes the result.
func (c *chain) query(t *testing.T, out any, args ...string) {
	t.Helper()
	res := c.fogd(t, append(append([]string{"q"}, args...), "--node", c.rpc, "-o", "json")...)
	require.NoError(t, json.Unmarshal([]byte(res), out), res)
}

// txResult is a transaction as the chain delivered it (or as CheckTx refused it: height 0).
type txResult struct {
	Code   uint32
	Log    string
	Hash   string
	Height int64
	Events []abciEvent
}

type abciEvent struct {
	Type       string `json:"type"`
	Attributes []struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	} `json:"attributes"`
}

// attr is the value of an attribute of the first event of a type, unquoted.
func (r txResult) attr(typ, key string) string {
	return eventAttr(r.Events, typ, key)
}

func eventAttr(events []abciEvent, typ, key string) string {
	for _, e := range events {
		if e.Type != typ {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return strings.Trim(a.Value, `"`)
			}
		}
	}
	return ""
}

func (c *chain) account(name string) *sync.Mutex {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.accounts[name]
	if !ok {
		m = &sync.Mutex{}
		c.accounts[name] = m
	}
	return m
}

// tx signs and broadcasts `fogd tx ARGS` from key `from` with no fee and waits for its block,
// following the chain, however many blocks that takes.
func (c *chain) tx(t *testing.T, from string, args ...string) txResult {
	t.Helper()
	r, err := c.txE(from, args...)
	require.NoError(t, err)
	return r
}

// txE is tx without a test: it may run on any goroutine.
func (c *chain) txE(from string, args ...string) (txResult, error) {
	lock := c.account(from)
	lock.Lock()
	defer lock.Unlock()
	full := append([]string{"tx"}, args...)
	full = append(full, "--from", from, "--chain-id", chainID, "--node", c.rpc, "--gas", "600000", "-y", "-o", "json")
	full = append(full, c.keyArgs()...)
	out, err := c.try(full...)
	if err != nil {
		return txResult{}, err
	}
	var sync struct {
		Code   uint32 `json:"code"`
		RawLog string `json:"raw_log"`
		TxHash string `json:"txhash"`
	}
	if err := json.Unmarshal([]byte(out), &sync); err != nil {
		return txResult{}, fmt.Errorf("%w: %s", err, out)
	}
	if sync.Code != 0 {
		return txResult{Code: sync.Code, Log: sync.RawLog, Hash: sync.TxHash}, nil // refused by CheckTx
	}
	return c.waitTx(sync.TxHash)
}

// waitTx waits until a transaction is in a block and returns what the block says of it.
func (c *chain) waitTx(hash string) (txResult, error) {
	var res struct {
		Height   string `json:"height"`
		TxResult struct {
			Code   uint32      `json:"code"`
			Log    string      `json:"log"`
			Events []abciEvent `json:"events"`
		} `json:"tx_result"`
	}
	if err := c.poll(func() bool { return c.rpcGet("/tx?hash=0x"+hash, &res) }); err != nil {
		return txResult{}, fmt.Errorf("tx %s not included: %w", hash, err)
	}
	h, _ := strconv.ParseInt(res.Height, 10, 64)
	return txResult{Code: res.TxResult.Code, Log: res.TxResult.Log, Hash: hash, Height: h, Events: res.TxResult.Events}, nil
}

// txCall is one transaction of a batch sent at once.
type txCall struct {
	from string
	args []string
}

func call(from string, args ...string) txCall { return txCall{from, args} }

// mustTxsBy sends transactions of different accounts at once (as independent users would) and
// checks that each succeeded in a block at or below deadline (0: any block).
func (c *chain) mustTxsBy(t *testing.T, deadline int64, calls ...txCall) []txResult {
	t.Helper()
	results, errs := make([]txResult, len(calls)), make([]error, len(calls))
	var wg sync.WaitGroup
	for i, tc := range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = c.txE(tc.from, tc.args...)
		}()
	}
	wg.Wait()
	for i, tc := range calls {
		require.NoError(t, errs[i])
		require.Zero(t, results[i].Code, "fogd tx %s: %s", strings.Join(tc.args, " "), results[i].Log)
		if deadline > 0 {
			require.LessOrEqual(t, results[i].Height, deadline, "fogd tx %s landed at height %d, after its window closed at %d",
				strings.Join(tc.args, " "), results[i].Height, deadline)
		}
	}
	return results
}

// mustTx is tx that must succeed.
func (c *chain) mustTx(t *testing.T, from string, args ...string) txResult {
	t.Helper()
	r := c.tx(t, from, args...)
	require.Zero(t, r.Code, "fogd tx %s: %s", strings.Join(args, " "), r.Log)
	return r
}

// mustTxBy is mustTx for a step that must land in a block at or below deadline (a commit in the
// commit phase, a reveal in the reveal phase): it checks the block the transaction landed in.
func (c *chain) mustTxBy(t *testing.T, deadline int64, from string, args ...string) txResult {
	t.Helper()
	r := c.mustTx(t, from, args...)
	require.LessOrEqual(t, r.Height, deadline, "fogd tx %s landed at height %d, after its window closed at %d", strings.Join(args, " "), r.Height, deadline)
	return r
}

// blockEvents are the events a block's finalization emitted (BeginBlock and EndBlock work).
func (c *chain) blockEvents(t *testing.T, h int64) []abciEvent {
	t.Helper()
	var res struct {
		FinalizeBlockEvents []abciEvent `json:"finalize_block_events"`
	}
	require.True(t, c.rpcGet(fmt.Sprintf("/block_results?height=%d", h), &res), "block results at %d", h)
	return res.FinalizeBlockEvents
}

// balance of a key in ufog, read from the REST gateway.
func (c *chain) balance(t *testing.T, name string) int64 {
	t.Helper()
	var res struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	c.rest(t, "/cosmos/bank/v1beta1/balances/"+c.addr(t, name)+"/by_denom?denom="+denom, &res)
	n, err := strconv.ParseInt(res.Balance.Amount, 10, 64)
	require.NoError(t, err)
	return n
}

// rest GETs a path from the REST gateway and decodes it.
func (c *chain) rest(t *testing.T, path string, out any) {
	t.Helper()
	resp, err := http.Get("http://" + c.api + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, path)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(out))
}

// waitFor polls cond until it holds while the chain keeps making blocks; it fails with what if the
// chain stops, or if cond still fails after `blocks` more blocks.
func (c *chain) waitFor(t *testing.T, blocks int64, what string, cond func() bool) {
	t.Helper()
	limit := c.height() + blocks
	for !cond() {
		h := c.height()
		require.LessOrEqual(t, h, limit, "%s: still not after %d blocks", what, blocks)
		c.waitHeight(t, h+1)
	}
}

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}
