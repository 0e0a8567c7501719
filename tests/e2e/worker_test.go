package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// worker is a `fogd worker start` process.
type worker struct {
	name, home, metrics string
	cmd                 *exec.Cmd
	log                 *os.File
}

// startWorker writes a worker.toml for key `name` whose price per block is `price` ufog whatever
// the order, and starts the worker.
func (c *chain) startWorker(name string, price int) *worker {
	return c.startWorkerWith(name, price, nil)
}

// startWorkerWith is startWorker with more worker.toml keys set (key = TOML value).
func (c *chain) startWorkerWith(name string, price int, extra map[string]string) *worker {
	c.t.Helper()
	home := filepath.Join(c.t.TempDir(), name)
	metrics := fmt.Sprintf("127.0.0.1:%d", freePort(c.t))
	c.fogd("worker", "init", "--home", home, "--chain-id", chainID, "--rpc", c.rpc, "--grpc", c.grpc,
		"--key", name, "--keyring-backend", "test", "--keyring-dir", c.home,
		"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(c.t)), "--metrics-addr", metrics)
	cfgPath := filepath.Join(home, "worker.toml")
	bz, err := os.ReadFile(cfgPath)
	require.NoError(c.t, err)
	cfg := string(bz)
	settings := map[string]string{
		"base_per_block": fmt.Sprintf("'%d'", price), "per_millicpu": "'0'", "per_mib_memory": "'0'",
		"per_gpu": "'0'", "margin": "'1'", "withdraw_every_blocks": "5",
	}
	for k, v := range extra {
		settings[k] = v
	}
	for key, value := range settings {
		lines := strings.Split(cfg, "\n")
		for i, l := range lines {
			if strings.HasPrefix(l, key+" = ") {
				lines[i] = key + " = " + value
			}
		}
		cfg = strings.Join(lines, "\n")
	}
	require.NoError(c.t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	w := &worker{name: name, home: home, metrics: metrics}
	w.start(c.t)
	c.t.Cleanup(func() { w.stop(syscall.SIGINT) })
	return w
}

func (w *worker) start(t *testing.T) {
	var err error
	w.log, err = os.OpenFile(filepath.Join(w.home, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	w.cmd = exec.Command(fogdBin, "worker", "start", "--home", w.home)
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	require.NoError(t, w.cmd.Start())
}

func (w *worker) stop(sig syscall.Signal) {
	if w.cmd == nil || w.cmd.ProcessState != nil {
		return
	}
	_ = w.cmd.Process.Signal(sig)
	done := make(chan struct{})
	go func() { _ = w.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = w.cmd.Process.Kill()
		<-done
	}
	w.log.Close()
}

func (w *worker) logTail() string {
	bz, _ := os.ReadFile(filepath.Join(w.home, "worker.log"))
	return tail(string(bz), 30)
}

// waitRegistered waits until every worker has registered its provider on chain.
func (c *chain) waitRegistered(workers ...*worker) {
	c.t.Helper()
	for _, w := range workers {
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := c.try("q", "market", "provider", c.addr(w.name), "--node", c.rpc, "-o", "json"); err == nil {
				break
			}
			require.True(c.t, time.Now().Before(deadline), "worker %s never registered:\n%s", w.name, w.logTail())
			time.Sleep(200 * time.Millisecond)
		}
	}
}

// The compute market end to end with real processes: a chain, three workers with different prices,
// and `fogd client run`. The cheapest worker wins at the second price, runs the workload, returns
// the right output with a receipt that verifies; payments add up and unused escrow comes back.
func TestComputeMarketEndToEnd(t *testing.T) {
	c := startChain(t, "customer", "cheap", "mid", "dear")
	workers := []*worker{c.startWorker("cheap", 3), c.startWorker("mid", 5), c.startWorker("dear", 7)}
	c.waitRegistered(workers...)
	t.Cleanup(func() {
		if t.Failed() {
			for _, w := range workers {
				t.Logf("worker %s log:\n%s", w.name, w.logTail())
			}
		}
	})

	start := map[string]int64{}
	for _, n := range []string{"customer", "cheap", "mid", "dear"} {
		start[n] = c.balance(n)
	}
	input := []byte("fog computing, verifiably\n")
	inputPath := filepath.Join(t.TempDir(), "input.txt")
	require.NoError(t, os.WriteFile(inputPath, input, 0o644))
	outPath := filepath.Join(t.TempDir(), "out.txt")
	receiptPath := filepath.Join(t.TempDir(), "receipt.json")

	out, err := c.try(append([]string{"client", "run", "--wasm", sha256Wasm, "--input", inputPath, "--out", outPath,
		"--receipt-out", receiptPath, "--max-price", "10ufog", "--lease-blocks", "200", "--tier", "bronze",
		"--commit-blocks", "10", "--reveal-blocks", "10", "--memory", "256", "--from", "customer",
		"--chain-id", chainID, "--node", c.rpc, "--grpc-addr", c.grpc}, c.keyArgs()...)...)
	require.NoError(t, err, out)

	sum := sha256.Sum256(input)
	got, err := os.ReadFile(outPath)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(sum[:]), strings.TrimSpace(string(got)), "the workload's output")

	verified := c.fogd("client", "verify-receipt", receiptPath, "--node", c.rpc)
	require.Contains(t, verified, "receipt verifies")
	require.Contains(t, verified, "inclusion verifies", "the receipt is anchored on chain")
	require.Contains(t, verified, c.addr("cheap"))

	var leases struct{ Leases []leaseJSON }
	c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
	require.Len(t, leases.Leases, 1)
	l := leases.Leases[0]
	require.Equal(t, c.addr("cheap"), l.Provider, "the cheapest worker wins")
	require.Equal(t, coinJSON{"ufog", "5"}, l.PricePerBlock, "at the second price")
	require.Equal(t, "LEASE_STATE_CLOSED", l.State)
	require.Equal(t, "CLOSE_REASON_OWNER_CLOSED", l.CloseReason)
	paid := atoi(t, l.Paid.Amount)
	require.Positive(t, paid)
	require.Less(t, paid, int64(5*200), "closed early: most of the escrow was never spent")

	// Payments add up: the customer paid exactly what the winner earned; losers got their deposits
	// back (transactions carry no fee here).
	require.Equal(t, start["customer"]-paid, c.balance("customer"), "unused escrow refunded")
	require.Equal(t, start["cheap"]+paid, c.balance("cheap"))
	require.Equal(t, start["mid"], c.balance("mid"))
	require.Equal(t, start["dear"], c.balance("dear"))

	// The winner's metrics tell the same story.
	resp, err := http.Get("http://" + workers[0].metrics + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, want := range []string{`fog_worker_bids_total{event="won"} 1`, `fog_worker_tasks_total{status="ok"} 1`, "fog_worker_task_seconds_count 1"} {
		require.Contains(t, string(body), want)
	}
}

// A worker killed between commit and reveal reveals after it restarts and loses no deposit.
func TestWorkerRevealsAfterRestart(t *testing.T) {
	c := startChain(t, "customer", "p1")
	w := c.startWorker("p1", 3)
	c.waitRegistered(w)
	start := c.balance("p1")

	c.mustTx("customer", "market", "create-order",
		"c0ffee0000000000000000000000000000000000000000000000000000000000", "10ufog",
		"--cpu", "1000", "--memory", "256", "--lease-blocks", "100", "--tier", "bronze",
		"--commit-blocks", "12", "--reveal-blocks", "40")
	var orders struct{ Orders []orderJSON }
	c.query(&orders, "market", "orders", "--owner", c.addr("customer"))
	require.Len(t, orders.Orders, 1)
	o := orders.Orders[0]

	deadline := time.Now().Add(time.Minute)
	for {
		var order struct {
			Order struct {
				BidCount int `json:"bid_count"`
			}
		}
		c.query(&order, "market", "order", o.ID)
		if order.Order.BidCount == 1 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the worker never committed:\n%s", w.logTail())
		time.Sleep(200 * time.Millisecond)
	}
	w.stop(syscall.SIGKILL) // a crash: no clean shutdown
	c.waitHeight(atoi(t, o.CommitDeadline) + 2)
	w.start(t) // in the reveal phase

	c.waitHeight(atoi(t, o.RevealDeadline) + 1)
	var bids struct {
		Bids []struct {
			State string `json:"state"`
		} `json:"bids"`
	}
	c.query(&bids, "market", "bids", o.ID)
	require.Len(t, bids.Bids, 1)
	require.Equal(t, "BID_STATE_WON", bids.Bids[0].State, "revealed after the restart:\n%s", w.logTail())
	// the deposit is the lease's bond now, not burned; once the worker has started the lease and
	// the owner closes it, the bond comes back.
	deadline = time.Now().Add(time.Minute)
	var leases struct{ Leases []leaseJSON }
	for {
		c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
		if len(leases.Leases) == 1 && leases.Leases[0].State == "LEASE_STATE_ACTIVE" {
			break
		}
		require.True(t, time.Now().Before(deadline), "the worker never started the lease:\n%s", w.logTail())
		time.Sleep(200 * time.Millisecond)
	}
	c.mustTx("customer", "market", "close-lease", leases.Leases[0].ID)
	c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
	paid := atoi(t, leases.Leases[0].Paid.Amount)
	require.Equal(t, start+paid, c.balance("p1"), "the deposit came back whole")
}
