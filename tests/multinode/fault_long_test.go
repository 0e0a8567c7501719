//go:build long

package multinode

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// haltRounds: the live nodes must sit at the next height this many full rounds of base timeouts
// (propose + prevote + precommit) before the halt is taken as shown; the proof that no block was
// committed meanwhile comes after the restart (see restartBothResumes).
const haltRounds = 3

// TestFaultSuite runs the fault stories one after another on one network of four equal-power
// validators, with the load running throughout: one validator down, two down (a halt), both back,
// a node catching up by block sync, and a worker restarted between its commit and its reveal.
func TestFaultSuite(t *testing.T) {
	began := time.Now()
	roles := defaultRoles("")
	c := newCluster(t, 4, funds, append(roles.accounts(), "wk-provider", "wk-customer")...)
	t.Logf("4 validators up in %s", time.Since(began).Round(time.Millisecond))
	l := startLoad(t, c, roles)
	l.waitConfirmedAfter(t, 0, 10)

	var halted int64 // the last height before the halt
	steps := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"KillOneKeepsMakingBlocks", func(t *testing.T) { killOneKeepsMakingBlocks(t, c, l) }},
		{"KillTwoHalts", func(t *testing.T) { halted = killTwoHalts(t, c) }},
		{"RestartBothResumes", func(t *testing.T) { restartBothResumes(t, c, l, halted) }},
		{"RestartedNodeCatchesUpByBlockSync", func(t *testing.T) { catchesUpByBlockSync(t, c, l) }},
		{"WorkerRevealsAfterRestart", func(t *testing.T) { workerRevealsAfterRestart(t, c, l) }},
	}
	for _, s := range steps {
		stepBegan := time.Now()
		if !t.Run(s.name, s.run) {
			return
		}
		t.Logf("%s: %s", s.name, time.Since(stepBegan).Round(100*time.Millisecond))
	}
	l.stop()
	c.requireSameChain(t, c.nodes, 1, minHeight(c.nodes))
	t.Logf("fault suite: %s; load: %s", time.Since(began).Round(time.Second), l.report())
}

// One validator of four crashes: the other three (3/4 of the power) keep making blocks, and the
// load's transactions keep being confirmed and are in their state.
func killOneKeepsMakingBlocks(t *testing.T, c *cluster, l *load) {
	c.kill(t, c.nodes[3])
	from := c.tip()
	for _, nd := range c.live() {
		c.waitNodeHeight(t, nd, from+5)
	}
	l.waitConfirmedAfter(t, from, 10)
	l.verify(t)
}

// A second validator crashes: two of four (1/2 of the power, less than the 2/3 a commit needs)
// are left, and the chain halts. The halt is shown without sleeping an arbitrary time: both live
// nodes report the same last height H, their consensus has been at H+1 for haltRounds full rounds
// of timeouts, and their heights did not move meanwhile. Both have the same block at H: no fork.
func killTwoHalts(t *testing.T, c *cluster) int64 {
	c.kill(t, c.nodes[2])
	live := c.live()
	window := haltRounds * (timeoutPropose + timeoutPrevote + timeoutPrecommit)
	var h int64
	var states []roundState
	deadline := time.Now().Add(stall)
	for {
		require.True(t, time.Now().Before(deadline), "the live nodes never showed a halt")
		h, states = 0, nil
		ok := true
		for i, nd := range live {
			st, okStatus := nd.status()
			cs, okState := nd.consensusState()
			if !okStatus || !okState || cs.height != st.height+1 || time.Since(cs.start) < window || (i > 0 && st.height != h) {
				ok = false
				break
			}
			h = st.height
			states = append(states, cs)
		}
		if ok {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	for i, nd := range live {
		cs := states[i]
		require.Equal(t, h, nd.height(), "%s made a block during the halt", nd.name())
		var votes []string
		for _, v := range cs.votes {
			votes = append(votes, fmt.Sprintf("round %d prevotes %s precommits %s", v.Round, v.Prevotes, v.Precommits))
		}
		t.Logf("%s: halted at height %d; consensus at %d/%d/%d for %s; %s", nd.name(), h, cs.height, cs.round, cs.step,
			time.Since(cs.start).Round(100*time.Millisecond), strings.Join(votes, "; "))
	}
	want, ok := live[0].header(h)
	require.True(t, ok)
	for _, nd := range live[1:] {
		got, ok := nd.header(h)
		require.True(t, ok)
		require.Equal(t, want, got, "%s and %s differ at the last height %d", live[0].name(), nd.name(), h)
	}
	return h
}

// Both crashed validators restart: the chain resumes. The first new block, H+1, is proof that
// nothing was committed during the halt: its commit includes a restarted validator's precommit,
// and every precommit of it was signed after the restart. Then all four nodes report
// identical block hashes and app hashes at every height, and the load's confirmed transactions are
// in all four states.
func restartBothResumes(t *testing.T, c *cluster, l *load, halted int64) {
	require.NotZero(t, halted, "the halt step did not run")
	restarted := []*node{c.nodes[2], c.nodes[3]}
	restartAt := time.Now()
	for _, nd := range restarted {
		c.start(t, nd)
	}
	for _, nd := range restarted {
		require.NoError(t, c.waitServing(nd), "restarting %s", nd.name())
	}
	var first *node
	deadline := restartAt.Add(stall)
	for first == nil {
		require.True(t, time.Now().Before(deadline), "the chain did not resume")
		for _, nd := range c.nodes {
			if nd.height() > halted {
				first = nd
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	resumed := time.Since(restartAt)
	t.Logf("time to resume: %s from the restart of %s and %s to block %d (seen first by %s)", resumed.Round(10*time.Millisecond),
		restarted[0].name(), restarted[1].name(), halted+1, first.name())

	// the commit of H+1 is read once H+2 exists (it is H+2's last commit, as every node stores it)
	c.waitNodeHeight(t, first, halted+2)
	signers, ok := first.commitSigners(halted + 1)
	require.True(t, ok)
	var addrs []string
	for _, p := range signers {
		addrs = append(addrs, p.address)
		require.True(t, p.time.After(restartAt), "block %d has a precommit of %s from %s, before the restart at %s", halted+1, p.address, p.time, restartAt)
	}
	require.True(t, slices.Contains(addrs, restarted[0].valAddr) || slices.Contains(addrs, restarted[1].valAddr),
		"block %d is committed without a restarted validator: %v", halted+1, addrs)
	t.Logf("block %d: committed by %d precommits, all after the restart, including a restarted validator's", halted+1, len(signers))

	tip := c.tip() + 3
	for _, nd := range c.nodes {
		c.waitNodeHeight(t, nd, tip)
	}
	c.requireSameChain(t, c.nodes, 1, tip)
	l.waitConfirmedAfter(t, halted, 10)
	l.verify(t)
}

// A validator crashes while the others make 25 blocks; restarted, it catches up by block sync (its
// log shows block sync handing over to consensus 20+ blocks above where it stopped) and reports the
// same blocks and app hashes as the others.
func catchesUpByBlockSync(t *testing.T, c *cluster, l *load) {
	const behind = 25
	victim := c.nodes[1]
	c.kill(t, victim)
	for _, nd := range c.live() {
		c.waitNodeHeight(t, nd, victim.heightAtStop+behind)
	}
	offset := victim.logSize()
	target := c.tip()
	restartAt := time.Now()
	c.restart(t, victim)
	sawCatchingUp := false
	require.NoError(t, c.poll(func() bool {
		st, _ := victim.status()
		sawCatchingUp = sawCatchingUp || st.catchingUp
		return st.height >= target
	}))
	caughtUp := time.Since(restartAt)
	switched, ok := victim.switchedToConsensusAt(offset)
	require.NoError(t, c.poll(func() bool {
		switched, ok = victim.switchedToConsensusAt(offset)
		return ok
	}), "%s never switched from block sync to consensus", victim.name())
	require.GreaterOrEqual(t, switched, victim.heightAtStop+20, "%s switched to consensus at height %d: block sync did not fetch the blocks it missed", victim.name(), switched)
	t.Logf("catch-up: %s stopped at height %d, restarted %d blocks behind, reached height %d in %s; block sync handed over to consensus at height %d (catching_up seen: %v)",
		victim.name(), victim.heightAtStop, target-victim.heightAtStop, target, caughtUp.Round(10*time.Millisecond), switched, sawCatchingUp)
	c.waitNodeHeight(t, victim, c.tip()+2)
	c.requireSameChain(t, c.nodes, 1, minHeight(c.nodes))
	l.verify(t)
}

// workerProc is a `fogd worker start` process.
type workerProc struct {
	home string
	cmd  *exec.Cmd
	done chan struct{}
}

func (w *workerProc) start(t *testing.T) {
	logFile, err := os.OpenFile(filepath.Join(w.home, "worker.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	w.cmd = exec.Command(fogdBin, "worker", "start", "--home", w.home)
	w.cmd.Stdout, w.cmd.Stderr = logFile, logFile
	w.cmd.SysProcAttr = diesWithTest()
	require.NoError(t, w.cmd.Start())
	w.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		logFile.Close()
		close(done)
	}(w.cmd, w.done)
}

func (w *workerProc) kill() {
	_ = w.cmd.Process.Kill()
	<-w.done
}

func (w *workerProc) stop() {
	select {
	case <-w.done:
		return
	default:
	}
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case <-w.done:
	case <-time.After(20 * time.Second):
		w.kill()
	}
}

func (w *workerProc) logTail() string {
	bz, _ := os.ReadFile(filepath.Join(w.home, "worker.log"))
	return tail(string(bz), 30)
}

// setWorkerNode points a worker at a node.
func setWorkerNode(t *testing.T, home string, nd *node) {
	path := filepath.Join(home, "worker.toml")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg := regexp.MustCompile(`(?m)^rpc = .*$`).ReplaceAllString(string(bz), fmt.Sprintf("rpc = '%s'", nd.rpcAddr()))
	cfg = regexp.MustCompile(`(?m)^grpc = .*$`).ReplaceAllString(cfg, fmt.Sprintf("grpc = '%s'", nd.grpcAddr()))
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
}

// A provider's worker is killed (SIGKILL) after the chain shows its sealed bid and before the
// reveal phase, and restarted in the reveal phase against another validator. It reveals the bid
// it saved on disk, wins, starts the lease, and gets its whole deposit back when the lease closes:
// nothing forfeited.
func workerRevealsAfterRestart(t *testing.T, c *cluster, l *load) {
	provider, customer := c.address(t, "wk-provider").String(), c.address(t, "wk-customer").String()
	home := filepath.Join(c.dir, "worker")
	fogd(t, "worker", "init", "--home", home, "--chain-id", chainID, "--rpc", c.nodes[0].rpcAddr(), "--grpc", c.nodes[0].grpcAddr(),
		"--key", "wk-provider", "--keyring-backend", "test", "--keyring-dir", c.keysHome,
		"--listen", fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", reservePort(t)), "--metrics-addr", fmt.Sprintf("127.0.0.1:%d", reservePort(t)))
	path := filepath.Join(home, "worker.toml")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	cfg := string(bz)
	for key, value := range map[string]string{
		"base_per_block": "'3'", "per_millicpu": "'0'", "per_mib_memory": "'0'", "per_gpu": "'0'", "margin": "'1'",
		"withdraw_every_blocks": "5", "owners": fmt.Sprintf("['%s']", customer),
	} {
		re := regexp.MustCompile(`(?m)^` + key + ` = .*$`)
		require.True(t, re.MatchString(cfg), "worker.toml has no %s", key)
		cfg = re.ReplaceAllString(cfg, key+" = "+value)
	}
	require.NoError(t, os.WriteFile(path, []byte(cfg), 0o600))
	w := &workerProc{home: home}
	w.start(t)
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("worker log:\n%s", w.logTail())
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	q := func() markettypes.QueryClient { return markettypes.NewQueryClient(l.queryContext(c.live()[0])) }
	require.NoError(t, c.poll(func() bool {
		_, err := q().Provider(ctx, &markettypes.QueryProviderRequest{Address: provider})
		return err == nil
	}), "the worker registers its provider:\n%s", w.logTail())
	balance := func() int64 {
		res, err := l.bankBalance(ctx, c.live()[0], provider)
		require.NoError(t, err)
		return res
	}
	start := balance()

	hash := make([]byte, markettypes.WorkloadHashSize)
	res := l.mustDeliver(t, "wk-customer", &markettypes.MsgCreateOrder{Owner: customer,
		Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 256}, Tier: markettypes.TierBronze,
		Privacy: markettypes.PrivacyPublic, WorkloadHash: hash, LeaseBlocks: 100,
		MaxPricePerBlock: sdk.NewInt64Coin(denom, 10), CommitBlocks: 40, RevealBlocks: 30})
	var created markettypes.MsgCreateOrderResponse
	require.NoError(t, chain.MsgResponse(res, &created))
	o, err := q().Order(ctx, &markettypes.QueryOrderRequest{Id: created.OrderId})
	require.NoError(t, err)
	order := o.Order
	t.Logf("order %d: commits up to height %d, reveals up to %d", order.Id, order.CommitDeadline, order.RevealDeadline)

	var bid markettypes.Bid
	require.NoError(t, c.poll(func() bool {
		got, err := q().Bid(ctx, &markettypes.QueryBidRequest{OrderId: order.Id, Provider: provider})
		if err != nil {
			return false
		}
		bid = got.Bid
		return true
	}))
	require.LessOrEqual(t, bid.CommitHeight, order.CommitDeadline)
	w.kill() // a crash between the commit and the reveal
	killedAt := c.tip()
	require.Less(t, killedAt, order.CommitDeadline, "the worker must be killed before the reveal phase")
	t.Logf("worker committed at height %d and was killed at height %d", bid.CommitHeight, killedAt)

	for _, nd := range c.live() {
		c.waitNodeHeight(t, nd, order.CommitDeadline)
	}
	setWorkerNode(t, home, c.nodes[2])
	w.start(t)
	t.Logf("worker restarted at height %d (reveal phase), against %s", c.tip(), c.nodes[2].name())

	require.NoError(t, c.poll(func() bool {
		got, err := q().Order(ctx, &markettypes.QueryOrderRequest{Id: order.Id})
		return err == nil && got.Order.State != markettypes.OrderOpen
	}))
	got, err := q().Bid(ctx, &markettypes.QueryBidRequest{OrderId: order.Id, Provider: provider})
	require.NoError(t, err)
	require.Equal(t, markettypes.BidWon, got.Bid.State, "revealed after the restart:\n%s", w.logTail())
	require.Greater(t, got.Bid.RevealHeight, order.CommitDeadline)
	require.LessOrEqual(t, got.Bid.RevealHeight, order.RevealDeadline)
	t.Logf("the restarted worker revealed %s at height %d", got.Bid.Price, got.Bid.RevealHeight)

	// the deposit is the lease's bond now; once the worker has started the lease and the owner
	// closes it, the bond comes back whole with the payment
	var lease markettypes.Lease
	require.NoError(t, c.poll(func() bool {
		res, err := q().LeasesByOrder(ctx, &markettypes.QueryLeasesByOrderRequest{OrderId: order.Id})
		if err != nil || len(res.Leases) != 1 {
			return false
		}
		lease = res.Leases[0]
		return lease.State == markettypes.LeaseActive
	}), "the worker starts the lease:\n%s", w.logTail())
	l.mustDeliver(t, "wk-customer", &markettypes.MsgCloseLease{Sender: customer, LeaseId: lease.Id})
	var closed markettypes.Lease
	require.NoError(t, c.poll(func() bool {
		res, err := q().Lease(ctx, &markettypes.QueryLeaseRequest{Id: lease.Id})
		if err != nil {
			return false
		}
		closed = res.Lease
		return closed.State == markettypes.LeaseClosed
	}))
	paid := closed.Paid.Amount.Int64()
	require.Positive(t, paid)
	require.NoError(t, c.poll(func() bool { return balance() == start+paid }),
		"the provider's balance is its start plus the payment: nothing forfeited (start %d, paid %d, now %d)", start, paid, balance())
	t.Logf("lease %d closed: paid %dufog; the provider's deposit came back whole", lease.Id, paid)
	l.verify(t)
}
