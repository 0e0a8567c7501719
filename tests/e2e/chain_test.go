// Package e2e drives the real fogd binary: a single-validator CometBFT chain on loopback ports, the
// CLI for every transaction and query, and the REST gateway.
package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

const (
	chainID = "fog-e2e"
	denom   = "ufog"
)

// fogdBin is built once for the package by TestMain, and so is an example workload.
var fogdBin, sha256Wasm string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fogd-e2e-bin")
	if err != nil {
		panic(err)
	}
	fogdBin = filepath.Join(dir, "fogd")
	build := exec.Command("go", "build", "-o", fogdBin, "../../cmd/fogd")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building fogd:", err)
		os.Exit(1)
	}
	sha256Wasm = filepath.Join(dir, "sha256sum.wasm")
	wasm := exec.Command("go", "build", "-o", sha256Wasm, "../../examples/workloads/sha256sum")
	wasm.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
	wasm.Stdout, wasm.Stderr = os.Stdout, os.Stderr
	if err := wasm.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the sha256sum workload:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// chain is one running fogd node with a test keyring.
type chain struct {
	t                   *testing.T
	home                string
	rpc, grpc, api, p2p string
	proxy               string
	exited              chan struct{}
	node                *exec.Cmd
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// fogd runs the binary and returns its stdout; it fails the test on a non-zero exit.
func (c *chain) fogd(args ...string) string {
	c.t.Helper()
	out, err := c.try(args...)
	require.NoError(c.t, err, "fogd %s", strings.Join(args, " "))
	return out
}

func (c *chain) try(args ...string) (string, error) {
	cmd := exec.Command(fogdBin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("%w: %s%s", err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

func (c *chain) keyArgs() []string {
	return []string{"--keyring-backend", "test", "--home", c.home}
}

func (c *chain) addr(name string) string {
	return strings.TrimSpace(c.fogd(append([]string{"keys", "show", name, "-a"}, c.keyArgs()...)...))
}

// editGenesis applies f to the decoded genesis file.
func (c *chain) editGenesis(f func(map[string]any)) {
	path := filepath.Join(c.home, "config", "genesis.json")
	bz, err := os.ReadFile(path)
	require.NoError(c.t, err)
	var g map[string]any
	require.NoError(c.t, json.Unmarshal(bz, &g))
	f(g)
	bz, err = json.MarshalIndent(g, "", " ")
	require.NoError(c.t, err)
	require.NoError(c.t, os.WriteFile(path, bz, 0o644))
}

func sub(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

// startChain creates a one-validator chain with funded accounts and zero inflation (so the supply
// moves only by burns) and starts it.
func startChain(t *testing.T, accounts ...string) *chain {
	return startChainWith(t, nil, accounts...)
}

// startChainWith is startChain with prepare run on the genesis file before the gentx.
func startChainWith(t *testing.T, prepare func(c *chain), accounts ...string) *chain {
	c := &chain{t: t, home: t.TempDir()}
	c.fogd("init", "val", "--chain-id", chainID, "--home", c.home)
	c.fogd(append([]string{"keys", "add", "val"}, c.keyArgs()...)...)
	c.fogd("genesis", "add-genesis-account", c.addr("val"), "1000000000000"+denom, "--home", c.home)
	for _, a := range accounts {
		c.fogd(append([]string{"keys", "add", a}, c.keyArgs()...)...)
		c.fogd("genesis", "add-genesis-account", c.addr(a), "100000000"+denom, "--home", c.home)
	}
	c.editGenesis(func(g map[string]any) {
		mint := sub(g, "app_state", "mint")
		sub(mint, "minter")["inflation"] = "0.000000000000000000"
		params := sub(mint, "params")
		params["inflation_min"], params["inflation_max"], params["inflation_rate_change"] = "0", "0", "0"
		sub(g, "app_state", "market", "params")["start_timeout_blocks"] = "20"
		gov := sub(g, "app_state", "gov", "params")
		gov["voting_period"], gov["expedited_voting_period"] = "6s", "3s"
	})
	if prepare != nil {
		prepare(c)
	}
	c.fogd(append([]string{"genesis", "gentx", "val", "100000000000" + denom, "--chain-id", chainID}, c.keyArgs()...)...)
	c.fogd("genesis", "collect-gentxs", "--home", c.home)
	c.fogd("genesis", "validate", "--home", c.home)

	cfgPath := filepath.Join(c.home, "config", "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	cfg = regexp.MustCompile(`(?m)^timeout_commit = .*$`).ReplaceAll(cfg, []byte(`timeout_commit = "300ms"`))
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o644))

	c.rpc = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.p2p = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.grpc = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.api = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.proxy = fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	c.startNode()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			if bz, err := os.ReadFile(filepath.Join(c.home, "node.log")); err == nil {
				t.Logf("node log tail:\n%s", tail(string(bz), 40))
			}
		}
	})
	c.waitHeight(2)
	return c
}

// startNode starts (or restarts) the node process, logging to <home>/node.log.
func (c *chain) startNode() {
	c.node = exec.Command(fogdBin, "start", "--home", c.home,
		"--rpc.laddr", c.rpc, "--p2p.laddr", c.p2p, "--grpc.address", c.grpc,
		"--api.enable", "--api.address", "tcp://"+c.api, "--rpc.pprof_laddr", "",
		"--proxy_app", c.proxy, "--minimum-gas-prices", "0"+denom)
	logFile, err := os.OpenFile(filepath.Join(c.home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(c.t, err)
	c.node.Stdout, c.node.Stderr = logFile, logFile
	require.NoError(c.t, c.node.Start())
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
	case <-time.After(10 * time.Second):
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

func (c *chain) height() int64 {
	out, err := c.try("status", "--node", c.rpc)
	if err != nil {
		return 0
	}
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if json.Unmarshal([]byte(out), &st) != nil {
		return 0
	}
	h, _ := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	return h
}

func (c *chain) waitHeight(h int64) {
	c.t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for c.height() < h {
		require.True(c.t, time.Now().Before(deadline), "chain did not reach height %d", h)
		time.Sleep(100 * time.Millisecond)
	}
}

// query runs `fogd q ARGS -o json` and decodes the result.
func (c *chain) query(out any, args ...string) {
	c.t.Helper()
	res := c.fogd(append(append([]string{"q"}, args...), "--node", c.rpc, "-o", "json")...)
	require.NoError(c.t, json.Unmarshal([]byte(res), out), res)
}

var hashRe = regexp.MustCompile(`"txhash":"([0-9A-F]{64})"`)

// tx signs and broadcasts `fogd tx ARGS` from key `from` with no fee, waits for its block, and
// returns the delivered code and log.
func (c *chain) tx(from string, args ...string) (uint32, string) {
	c.t.Helper()
	full := append([]string{"tx"}, args...)
	full = append(full, "--from", from, "--chain-id", chainID, "--node", c.rpc, "--gas", "500000",
		"-y", "-o", "json")
	full = append(full, c.keyArgs()...)
	out, err := c.try(full...)
	require.NoError(c.t, err)
	var res struct {
		Code   uint32 `json:"code"`
		RawLog string `json:"raw_log"`
		TxHash string `json:"txhash"`
	}
	require.NoError(c.t, json.Unmarshal([]byte(out), &res), out)
	if res.Code != 0 {
		return res.Code, res.RawLog // rejected by CheckTx
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.try("q", "tx", res.TxHash, "--node", c.rpc, "-o", "json")
		if err == nil {
			require.NoError(c.t, json.Unmarshal([]byte(out), &res), out)
			return res.Code, res.RawLog
		}
		require.True(c.t, time.Now().Before(deadline), "tx %s not included", res.TxHash)
		time.Sleep(100 * time.Millisecond)
	}
}

// mustTx is tx that must succeed.
func (c *chain) mustTx(from string, args ...string) {
	c.t.Helper()
	code, log := c.tx(from, args...)
	require.Zero(c.t, code, "fogd tx %s: %s", strings.Join(args, " "), log)
}

func (c *chain) balance(name string) int64 {
	c.t.Helper()
	var res struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	c.query(&res, "bank", "balance", c.addr(name), denom)
	n, err := strconv.ParseInt(res.Balance.Amount, 10, 64)
	require.NoError(c.t, err)
	return n
}

func (c *chain) supply() int64 {
	c.t.Helper()
	var res struct {
		Amount struct {
			Amount string `json:"amount"`
		} `json:"amount"`
	}
	c.query(&res, "bank", "total-supply-of", denom)
	n, err := strconv.ParseInt(res.Amount.Amount, 10, 64)
	require.NoError(c.t, err)
	return n
}

// rest GETs a path from the REST gateway and decodes it.
func (c *chain) rest(path string, out any) {
	c.t.Helper()
	resp, err := http.Get("http://" + c.api + path)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	require.Equal(c.t, http.StatusOK, resp.StatusCode, path)
	require.NoError(c.t, json.NewDecoder(resp.Body).Decode(out))
}
