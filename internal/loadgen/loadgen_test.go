package loadgen_test

import (
	"encoding/json"
	"fmt"
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

	"github.com/fogchain/fog/testutil/fogdbin"
	"github.com/fogchain/fog/testutil/ports"

	"github.com/fogchain/fog/internal/loadgen"
)

// fogdBin is built once by TestMain.
var fogdBin string

func TestMain(m *testing.M) { os.Exit(fogdbin.Main(m, &fogdBin, nil)) }

func fogd(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(fogdBin, args...).CombinedOutput()
	require.NoError(t, err, "fogd %s: %s", strings.Join(args, " "), out)
	return string(out)
}

func freePort(t *testing.T) int { return ports.Reserve(t) }

// rpcGet GETs a CometBFT RPC path and decodes its result.
func rpcGet(t *testing.T, rpc, path string, result any) bool {
	resp, err := http.Get("http://" + strings.TrimPrefix(rpc, "tcp://") + path)
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
	require.NoError(t, json.Unmarshal(body.Result, result))
	return true
}

func height(t *testing.T, rpc string) int64 {
	var st struct {
		SyncInfo struct {
			LatestBlockHeight string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if !rpcGet(t, rpc, "/status", &st) {
		return 0
	}
	h, _ := strconv.ParseInt(st.SyncInfo.LatestBlockHeight, 10, 64)
	return h
}

// TestLoadCountsWhatTheBlocksHold runs `fogd bench load` briefly against a real node and checks
// its report against the chain: the confirmed count of each scenario is the number of successful
// transactions of that message type the blocks hold, each of them in the scenario's height range.
func TestLoadCountsWhatTheBlocksHold(t *testing.T) {
	home := t.TempDir()
	const accounts, sends, orders = 10, 5, 2
	fogd(t, "init", "val", "--chain-id", "fog-loadgen", "--home", home)
	fogd(t, "keys", "add", "val", "--keyring-backend", "test", "--home", home)
	val := strings.TrimSpace(fogd(t, "keys", "show", "val", "-a", "--keyring-backend", "test", "--home", home))
	fogd(t, "genesis", "add-genesis-account", val, "1000000000000ufog", "--home", home)
	fogd(t, "bench", "genesis", "--home", home, "--accounts", strconv.Itoa(accounts), "--seed", "loadgen-test")
	fogd(t, "genesis", "gentx", "val", "100000000000ufog", "--chain-id", "fog-loadgen", "--keyring-backend", "test", "--home", home)
	fogd(t, "genesis", "collect-gentxs", "--home", home)
	cfgPath := filepath.Join(home, "config", "config.toml")
	cfg, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	cfg = regexp.MustCompile(`(?m)^timeout_commit = .*$`).ReplaceAll(cfg, []byte(`timeout_commit = "200ms"`))
	require.NoError(t, os.WriteFile(cfgPath, cfg, 0o644))

	rpc := fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t))
	grpcAddr := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	node := exec.Command(fogdBin, "start", "--home", home, "--rpc.laddr", rpc,
		"--p2p.laddr", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		"--proxy_app", fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)), "--grpc.address", grpcAddr,
		"--api.enable=false", "--rpc.pprof_laddr", "", "--minimum-gas-prices", "0ufog")
	logFile, err := os.Create(filepath.Join(home, "node.log"))
	require.NoError(t, err)
	node.Stdout, node.Stderr = logFile, logFile
	require.NoError(t, node.Start())
	t.Cleanup(func() {
		_ = node.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = node.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			_ = node.Process.Kill()
			<-done
		}
		logFile.Close()
	})
	require.Eventually(t, func() bool { return height(t, rpc) >= 3 }, 60*time.Second, 100*time.Millisecond, "the node did not start")

	bench := exec.Command(fogdBin, "bench", "load", "--rpc", rpc, "--grpc", grpcAddr, "--seed", "loadgen-test",
		"--accounts", strconv.Itoa(accounts), "--sends-per-account", strconv.Itoa(sends), "--orders", strconv.Itoa(orders),
		"--commit-blocks", "20", "--reveal-blocks", "10", "--query-clients", "4", "--queries-per-client", "5", "--query-rate", "20", "--json")
	var stderr strings.Builder
	bench.Stderr = &stderr
	out, err := bench.Output()
	require.NoError(t, err, "fogd bench load: %s", stderr.String())
	var report loadgen.Report
	require.NoError(t, json.Unmarshal(out, &report), "%s", out)

	// What the blocks hold: successful transactions by message type, and their heights.
	last := height(t, rpc)
	inBlocks := map[string][]int64{}
	for h := int64(1); h <= last; h++ {
		var br struct {
			TxsResults []struct {
				Code   uint32 `json:"code"`
				Events []struct {
					Type       string `json:"type"`
					Attributes []struct {
						Key   string `json:"key"`
						Value string `json:"value"`
					} `json:"attributes"`
				} `json:"events"`
			} `json:"txs_results"`
		}
		require.True(t, rpcGet(t, rpc, fmt.Sprintf("/block_results?height=%d", h), &br), "block_results %d", h)
		for _, tx := range br.TxsResults {
			if tx.Code != 0 {
				continue
			}
			for _, ev := range tx.Events {
				for _, a := range ev.Attributes {
					if ev.Type == "message" && a.Key == "action" {
						inBlocks[a.Value] = append(inBlocks[a.Value], h)
					}
				}
			}
		}
	}

	byName := map[string]*loadgen.Result{}
	for _, r := range report.Txs {
		byName[r.Name] = r
	}
	for action, names := range map[string][]string{
		"/cosmos.bank.v1beta1.MsgSend":       {loadgen.ScenarioSend, loadgen.ScenarioSendAgain},
		"/fog.market.v1.MsgCommitBid":        {loadgen.ScenarioCommit},
		"/fog.market.v1.MsgRevealBid":        {loadgen.ScenarioReveal},
		"/fog.market.v1.MsgRegisterProvider": {"register"},
		"/fog.market.v1.MsgStartLease":       {"start"},
	} {
		confirmed := 0
		for _, name := range names {
			r := byName[name]
			require.NotNil(t, r, "no %s in the report", name)
			require.Equal(t, r.Sent, r.Confirmed, "%s: every transaction confirmed", name)
			require.Positive(t, r.TPS, name)
			require.Equal(t, r.Confirmed, r.Latency.N, name)
			confirmed += r.Confirmed
		}
		require.Equal(t, len(inBlocks[action]), confirmed, "%v: confirmed in the report vs %s in blocks", names, action)
		// each transaction lies in the height range of the scenario that sent it
		for _, h := range inBlocks[action] {
			in := false
			for _, name := range names {
				in = in || h >= byName[name].FirstHeight && h <= byName[name].LastHeight
			}
			require.True(t, in, "a %s at height %d outside the ranges of %v", action, h, names)
		}
	}
	require.Equal(t, accounts*sends, byName[loadgen.ScenarioSend].Sent)
	require.Equal(t, accounts*sends, byName[loadgen.ScenarioSendAgain].Sent)
	require.InDelta(t, (byName[loadgen.ScenarioSend].TPS+byName[loadgen.ScenarioSendAgain].TPS)/2, report.SendBaseline, 1e-9)
	require.InDelta(t, byName[loadgen.ScenarioCommit].TPS/report.SendBaseline, report.CommitPerSend, 1e-9)
	require.Equal(t, accounts*orders, byName[loadgen.ScenarioCommit].Sent)
	require.Equal(t, accounts*orders, byName[loadgen.ScenarioReveal].Sent)
	require.Equal(t, orders, byName["start"].Sent) // one bronze lease per order
	require.Len(t, report.Queries, 10)             // five kinds, closed loop then paced
	for i, q := range report.Queries {
		require.Equal(t, i >= 5, q.Rate > 0, q.Name)
		require.Empty(t, q.Errors, q.Name)
		require.Equal(t, 4*5, q.Queries, q.Name)
	}
}
