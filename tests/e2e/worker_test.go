package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
)

// Auction windows of `fogd client run` with workers: a worker commits in the block after it sees
// the order, so these are generous even on a busy machine.
const (
	runCommitBlocks = "30"
	runRevealBlocks = "30"
)

// worker is a `fogd worker start` process.
type worker struct {
	name, home, metrics string
	// args are extra arguments of `fogd worker start` (development flags)
	args []string
	cmd  *exec.Cmd
	log  *os.File
}

// startWorker writes a worker.toml for key `name` whose price per block is `price` ufog whatever
// the order, serving only the orders of key `customer`, and starts the worker.
func (c *chain) startWorker(t *testing.T, name string, price int, customer string) *worker {
	return c.startWorkerWith(t, name, price, customer, nil)
}

// startWorkerWith is startWorker with more worker.toml keys set (key = TOML value).
func (c *chain) startWorkerWith(t *testing.T, name string, price int, customer string, extra map[string]string, args ...string) *worker {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	metrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c.fogd(t, "worker", "init", "--home", home, "--chain-id", chainID, "--rpc", c.rpc, "--grpc", c.grpc,
		"--key", name, "--keyring-backend", "test", "--keyring-dir", c.home,
		"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t)), "--metrics-addr", metrics)
	cfgPath := filepath.Join(home, "worker.toml")
	bz, err := os.ReadFile(cfgPath)
	require.NoError(t, err)
	cfg := string(bz)
	settings := map[string]string{
		"base_per_block": fmt.Sprintf("'%d'", price), "per_millicpu": "'0'", "per_mib_memory": "'0'",
		"per_gpu": "'0'", "margin": "'1'", "withdraw_every_blocks": "5",
		// the chain is shared: this worker serves its own scenario's customer only
		"owners": fmt.Sprintf("['%s']", c.addr(t, customer)),
	}
	for k, v := range extra {
		settings[k] = v
	}
	for key, value := range settings {
		lines := strings.Split(cfg, "\n")
		found := false
		for i, l := range lines {
			if strings.HasPrefix(l, key+" = ") {
				lines[i], found = key+" = "+value, true
			}
		}
		require.True(t, found, "worker.toml has no %s", key)
		cfg = strings.Join(lines, "\n")
	}
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	w := &worker{name: name, home: home, metrics: metrics, args: args}
	w.start(t)
	t.Cleanup(func() {
		w.stop(syscall.SIGINT)
		if t.Failed() {
			t.Logf("worker %s log:\n%s", w.name, w.logTail())
		}
	})
	return w
}

func (w *worker) start(t *testing.T) {
	var err error
	w.log, err = os.OpenFile(filepath.Join(w.home, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	w.cmd = exec.Command(fogdBin, append([]string{"worker", "start", "--home", w.home}, w.args...)...)
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
	case <-time.After(20 * time.Second):
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
func (c *chain) waitRegistered(t *testing.T, workers ...*worker) {
	t.Helper()
	for _, w := range workers {
		c.waitFor(t, 200, "worker "+w.name+" registered", func() bool {
			_, err := c.try("q", "market", "provider", c.addr(t, w.name), "--node", c.rpc, "-o", "json")
			return err == nil
		})
	}
}

// clientRun runs `fogd client run` for customer and returns its exit error and what it printed
// (stdout and stderr apart).
func (c *chain) clientRun(t *testing.T, customer, wasm string, input []byte, extra ...string) (stdout, stderr string, err error) {
	t.Helper()
	dir := t.TempDir()
	inputPath := filepath.Join(dir, "input.txt")
	require.NoError(t, os.WriteFile(inputPath, input, 0o644))
	args := append([]string{"client", "run", "--wasm", wasm, "--input", inputPath, "--max-price", "10ufog",
		"--lease-blocks", "200", "--sla-tier", "bronze", "--commit-blocks", runCommitBlocks, "--reveal-blocks", runRevealBlocks,
		"--memory", "256", "--from", customer, "--chain-id", chainID, "--node", c.rpc, "--grpc-addr", c.grpc}, extra...)
	return run(append(args, c.keyArgs()...)...)
}

// The compute market end to end with real processes: three workers with different prices and
// `fogd client run`. The cheapest worker wins at the second price, runs the workload, returns the
// right output with a receipt that verifies; payments add up and unused escrow comes back. A module
// that is no WASI command is refused before anything is paid; a workload that fails makes the
// client fail with the workload's error.
func computeMarketEndToEnd(t *testing.T, c *chain) {
	workers := []*worker{c.startWorker(t, "m-cheap", 3, "m-customer"), c.startWorker(t, "m-mid", 5, "m-customer"),
		c.startWorker(t, "m-dear", 7, "m-customer")}
	c.waitRegistered(t, workers...)

	start := map[string]int64{}
	for _, n := range []string{"m-customer", "m-cheap", "m-mid", "m-dear"} {
		start[n] = c.balance(t, n)
	}
	input := []byte("fog computing, verifiably\n")
	dir := t.TempDir()
	outPath, receiptPath := filepath.Join(dir, "out.txt"), filepath.Join(dir, "receipt.json")
	stdout, stderr, err := c.clientRun(t, "m-customer", sha256Wasm, input, "--out", outPath, "--receipt-out", receiptPath)
	require.NoError(t, err, "%s%s", stdout, stderr)

	sum := sha256.Sum256(input)
	got, err := os.ReadFile(outPath)
	require.NoError(t, err)
	require.Equal(t, hex.EncodeToString(sum[:]), strings.TrimSpace(string(got)), "the workload's output")

	verified := c.fogd(t, "client", "verify-receipt", receiptPath, "--node", c.rpc)
	require.Contains(t, verified, "receipt verifies")
	require.Contains(t, verified, "inclusion verifies", "the receipt is anchored on chain")
	require.Contains(t, verified, c.addr(t, "m-cheap"))

	leases := c.ownLeases(t, "m-customer")
	require.Len(t, leases, 1)
	l := leases[0]
	require.Equal(t, c.addr(t, "m-cheap"), l.Provider, "the cheapest worker wins")
	require.Equal(t, coinJSON{"ufog", "5"}, l.PricePerBlock, "at the second price")
	require.Equal(t, "LEASE_STATE_CLOSED", l.State)
	require.Equal(t, "CLOSE_REASON_OWNER_CLOSED", l.CloseReason)
	paid := atoi(t, l.Paid.Amount)
	require.Positive(t, paid)
	require.Less(t, paid, int64(5*200), "closed early: most of the escrow was never spent")

	// Payments add up once the losers' deposits are back: the customer paid exactly what the
	// winner earned (transactions carry no fee here).
	c.waitFor(t, 100, "the losers' deposits came back", func() bool {
		return c.balance(t, "m-mid") == start["m-mid"] && c.balance(t, "m-dear") == start["m-dear"]
	})
	require.Equal(t, start["m-customer"]-paid, c.balance(t, "m-customer"), "unused escrow refunded")
	require.Equal(t, start["m-cheap"]+paid, c.balance(t, "m-cheap"))

	// The winner's metrics tell the same story.
	resp, err := http.Get("http://" + workers[0].metrics + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	for _, want := range []string{`fog_worker_bids_total{event="won"} 1`, `fog_worker_tasks_total{status="ok"} 1`, "fog_worker_task_seconds_count 1"} {
		require.Contains(t, string(body), want)
	}

	// A file that is no WASI command is refused before the order: nothing is spent, and the error
	// is not followed by the command's usage text.
	notWasm := filepath.Join(dir, "not.wasm")
	require.NoError(t, os.WriteFile(notWasm, []byte("#!/bin/sh\necho hi\n"), 0o644))
	before := c.balance(t, "m-customer")
	stdout, stderr, err = c.clientRun(t, "m-customer", notWasm, input)
	require.Error(t, err, "a module that cannot run is an error")
	require.Contains(t, stderr, "not a WASI command")
	require.NotContains(t, stdout+stderr, "Usage:")
	require.Equal(t, before, c.balance(t, "m-customer"))
	require.Len(t, c.ownOrders(t, "m-customer"), 1, "no order was posted")

	// A workload that traps: the client exits non-zero with the workload's error, the lease is
	// closed and the escrow it did not use comes back.
	trap := filepath.Join(dir, "trap.wasm")
	require.NoError(t, os.WriteFile(trap, wasmtest.Trap(), 0o644))
	stdout, stderr, err = c.clientRun(t, "m-customer", trap, input, "--receipt-out", filepath.Join(dir, "trap-receipt.json"))
	require.Error(t, err, "a failing workload is an error:\n%s%s", stdout, stderr)
	require.Contains(t, stderr, "the workload failed: trap")
	require.Contains(t, stderr, "unreachable", "the worker's account of the trap")
	require.NotContains(t, stdout+stderr, "Usage:")
	for _, l := range c.ownLeases(t, "m-customer") {
		require.Equal(t, "LEASE_STATE_CLOSED", l.State)
	}
}

// A worker killed between commit and reveal reveals after it restarts and loses no deposit.
func workerRevealsAfterRestart(t *testing.T, c *chain) {
	w := c.startWorker(t, "r-p1", 3, "r-customer")
	c.waitRegistered(t, w)
	start := c.balance(t, "r-p1")

	o := c.createOrder(t, "r-customer", "10ufog", "--cpu", "1000", "--memory", "256", "--lease-blocks", "100",
		"--sla-tier", "bronze", "--commit-blocks", runCommitBlocks, "--reveal-blocks", "60")
	commitBy, revealBy := atoi(t, o.CommitDeadline), atoi(t, o.RevealDeadline)
	c.waitFor(t, commitBy-c.height(), "the worker committed", func() bool { return c.order(t, o.ID).BidCount == 1 })
	w.stop(syscall.SIGKILL) // a crash: no clean shutdown
	c.waitHeight(t, commitBy+2)
	w.start(t) // in the reveal phase

	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "order "+o.ID+" settled", func() bool { return c.order(t, o.ID).State != "ORDER_STATE_OPEN" })
	bids := c.bids(t, o.ID)
	require.Len(t, bids, 1)
	require.Equal(t, "BID_STATE_WON", bids[0].State, "revealed after the restart:\n%s", w.logTail())
	// the deposit is the lease's bond now, not burned; once the worker has started the lease and
	// the owner closes it, the bond comes back.
	var leases []leaseJSON
	c.waitFor(t, 100, "the worker started the lease", func() bool {
		leases = c.ownLeases(t, "r-customer")
		return len(leases) == 1 && leases[0].State == "LEASE_STATE_ACTIVE"
	})
	c.mustTx(t, "r-customer", "market", "close-lease", leases[0].ID)
	paid := atoi(t, c.lease(t, leases[0].ID).Paid.Amount)
	require.Equal(t, start+paid, c.balance(t, "r-p1"), "the deposit came back whole")
}

// metric is the value of one of the worker's Prometheus metrics without labels (0 while the worker
// does not serve them yet).
func (w *worker) metric(name string) float64 {
	resp, err := http.Get("http://" + w.metrics + "/metrics")
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return 0
}

// logLines are the lines of the worker's log that contain any of the words.
func (w *worker) logLines(words ...string) []string {
	bz, _ := os.ReadFile(filepath.Join(w.home, "worker.log"))
	var out []string
	for _, line := range strings.Split(string(bz), "\n") {
		for _, word := range words {
			if strings.Contains(line, word) {
				out = append(out, line)
				break
			}
		}
	}
	return out
}

type batchJSON struct {
	ID        string `json:"id"`
	LeafCount string `json:"leaf_count"`
	Height    string `json:"height"`
}

// A worker rides out a node restart on its one websocket: once the node is stopped and started again
// on the same home, the worker bids on the next order, wins it, starts the lease and serves a task.
// Its receipt is anchored on the worker's own schedule (max_age = 3 blocks), while the lease still
// runs.
func workerServesTheNextOrderAfterANodeRestart(t *testing.T, c *chain) {
	const subscriptions = "fog_worker_chain_subscriptions_total"
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	w := c.startWorkerWith(t, "n-p1", 3, "n-customer", map[string]string{"max_age": "'3 blocks'"})
	c.waitRegistered(t, w)
	c.waitFor(t, 100, "the worker subscribed to blocks", func() bool { return w.metric(subscriptions) >= 1 })
	require.Equal(t, 1.0, w.metric(subscriptions), "one websocket for the whole worker")

	stoppedAt := c.height()
	c.stop()
	c.startNode(t)
	c.waitHeight(t, stoppedAt+1)

	module, err := os.ReadFile(sha256Wasm)
	require.NoError(t, err)
	hash := sha256.Sum256(module)
	r := c.mustTx(t, "n-customer", "market", "create-order", hex.EncodeToString(hash[:]), "10ufog", "--cpu", "1000", "--memory", "256",
		"--lease-blocks", "400", "--sla-tier", "bronze", "--commit-blocks", runCommitBlocks, "--reveal-blocks", runRevealBlocks)
	id := r.attr("fog.market.v1.EventOrderCreated", "order_id")
	o := c.order(t, id)
	t.Logf("node stopped at height %d and restarted; order %d created at height %d", stoppedAt, atoi(t, id), r.Height)
	commitBy, revealBy := atoi(t, o.CommitDeadline), atoi(t, o.RevealDeadline)
	c.waitFor(t, commitBy-c.height()+1, "the worker committed a bid", func() bool { return c.order(t, id).BidCount == 1 })
	c.waitHeight(t, revealBy)
	var l leaseJSON
	c.waitFor(t, 100, "the worker won and started the lease", func() bool {
		leases := c.ownLeases(t, "n-customer")
		if len(leases) != 1 {
			return false
		}
		l = leases[0]
		return l.State == "LEASE_STATE_ACTIVE"
	})
	require.Equal(t, c.addr(t, "n-p1"), l.Provider)

	// the customer's side of a task, as `fogd client run` delivers it
	client := c.newChainClient(t, ctx, "n-customer")
	prov, found, err := client.Provider(ctx, l.Provider)
	require.NoError(t, err)
	require.True(t, found)
	info, err := customer.AddrInfo(prov)
	require.NoError(t, err)
	h, err := libp2p.New(libp2p.NoListenAddrs)
	require.NoError(t, err)
	defer h.Close()
	lease, err := client.Lease(ctx, uint64(atoi(t, l.ID)))
	require.NoError(t, err)
	input := []byte("served after a node restart\n")
	resp, err := task.Send(ctx, h, info, task.Task{ChainID: chainID, LeaseID: lease.Id, Seq: 1, Module: module, Input: input},
		customer.KeyringSigner{Keyring: client.Context().Keyring, Name: "n-customer"})
	require.NoError(t, err)
	require.NoError(t, customer.CheckReceipt(*resp.Receipt, chainID, prov.WorkerPubkey, lease, 1, module, input, resp.Output))
	sum := sha256.Sum256(input)
	require.Equal(t, hex.EncodeToString(sum[:]), strings.TrimSpace(string(resp.Output)))

	var batches []batchJSON
	c.waitFor(t, 60, "the receipt anchored on the worker's schedule", func() bool {
		var res struct{ Batches []batchJSON }
		c.query(t, &res, "proofs", "batches", "--lease-id", l.ID)
		batches = res.Batches
		return len(batches) > 0
	})
	require.Equal(t, "LEASE_STATE_ACTIVE", c.lease(t, l.ID).State, "anchored while the lease runs")
	require.Equal(t, "1", batches[0].LeafCount)
	require.Less(t, atoi(t, batches[0].Height), atoi(t, l.EndHeight))
	t.Logf("lease %s (ends at height %s): receipt anchored in batch %s at height %s", l.ID, l.EndHeight, batches[0].ID, batches[0].Height)
	c.mustTx(t, "n-customer", "market", "close-lease", l.ID)

	t.Logf("websocket subscriptions opened by the worker: %v", w.metric(subscriptions))
	for _, line := range w.logLines("subscription", "missed blocks", "bid committed", "bid revealed", "auction won", "receipts anchored") {
		t.Log(line)
	}
}
