package customer_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/customer"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// leases is the chain as the workers see it: the leases of one order.
type leases struct {
	mu     sync.Mutex
	order  markettypes.Order
	leases map[uint64]markettypes.Lease
}

func (c *leases) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.leases[id]
	if !ok {
		return l, c.order, fmt.Errorf("lease %d not found", id)
	}
	return l, c.order, nil
}

// owner signs task headers as the order owner's keyring key would.
type owner struct{ priv *secp256k1.PrivKey }

func (k owner) Sign(msg []byte) ([]byte, []byte, error) {
	sig, err := k.priv.Sign(msg)
	return sig, k.priv.PubKey().Bytes(), err
}

// flipper runs the workload and flips the first byte of its output: a worker that lies about the
// result and signs the lie.
type flipper struct{ task.Executor }

func (f flipper) Run(ctx context.Context, module, input []byte, lim runtime.Limits) (runtime.Result, error) {
	res, err := f.Executor.Run(ctx, module, input, lim)
	if err == nil && len(res.Output) > 0 {
		res.Output = bytes.Clone(res.Output)
		res.Output[0] ^= 0xff
	}
	return res, err
}

func newHost(t *testing.T, listen bool) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	if listen {
		opts = append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	} else {
		opts = append(opts, libp2p.NoListenAddrs)
	}
	h, err := libp2p.New(opts...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

// replicatedOrder starts one real worker (task server on its own libp2p host, key and receipt store)
// per executor, each holding one lease of a replicated order of owner for module, and returns the
// order, its leases and their providers as registered on chain.
func replicatedOrder(t *testing.T, own owner, module []byte, execs ...task.Executor) (markettypes.Order, []markettypes.Lease, []markettypes.Provider) {
	order := markettypes.Order{Id: voteOrder, Owner: sdk.AccAddress(own.priv.PubKey().Address()).String(), WorkloadHash: wire.Hash(module),
		Replicas: uint32(len(execs)), Resources: markettypes.Resources{CpuMillicores: 1000, MemoryMib: 1}}
	chain := &leases{order: order, leases: map[uint64]markettypes.Lease{}}
	var ls []markettypes.Lease
	var provs []markettypes.Provider
	for i, exec := range execs {
		pub, key, err := ed25519.GenerateKey(rand.Reader)
		require.NoError(t, err)
		provider := sdk.AccAddress(bytes.Repeat([]byte{byte(i + 1)}, 20)).String()
		l := markettypes.Lease{Id: uint64(10 + i), OrderId: order.Id, Provider: provider, State: markettypes.LeaseActive}
		chain.leases[l.Id] = l
		h := newHost(t, true)
		receipts, err := task.OpenReceiptStore(t.TempDir())
		require.NoError(t, err)
		t.Cleanup(func() { receipts.Close() })
		lim := runtime.DefaultLimits()
		lim.Timeout = 5 * time.Second
		cfg := task.Config{ChainID: voteChain, Provider: provider, Key: key, Limits: lim}
		if w, ok := exec.(unsafeWrongOutput); ok {
			cfg.UnsafeWrongOutput, exec = true, w.Executor
		}
		srv := task.NewServer(cfg, h, chain, exec, receipts, nil,
			slog.New(slog.NewTextHandler(io.Discard, nil)))
		require.NoError(t, srv.Start(context.Background()))
		t.Cleanup(srv.Stop)
		addrs := make([]string, len(h.Addrs()))
		for j, a := range h.Addrs() {
			addrs[j] = a.String()
		}
		ls = append(ls, l)
		provs = append(provs, markettypes.Provider{Owner: provider, PeerId: h.ID().String(), Multiaddrs: addrs, WorkerPubkey: pub})
	}
	return order, ls, provs
}

// deliverAll delivers the task to every lease's worker over /fog/task/1 as Run does, and concludes
// as Run does.
func deliverAll(t *testing.T, own owner, order markettypes.Order, ls []markettypes.Lease, provs []markettypes.Provider, module, input []byte) (*customer.Result, string, error) {
	h := newHost(t, false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ballots := make([]customer.Ballot, len(ls))
	result := &customer.Result{Order: order}
	for i, l := range ls {
		rep, err := customer.DeliverTask(ctx, h, voteChain, provs[i], l, voteSeq, module, input, own)
		ballots[i] = customer.Ballot{Lease: l, Replica: rep, Err: err}
		if rep != nil {
			result.Replicas = append(result.Replicas, *rep)
		}
	}
	var out bytes.Buffer
	err := customer.Conclude(&customer.Client{Out: &out}, result, voteChain, voteSeq, customer.Order{Module: module, Input: input}, ballots)
	return result, out.String(), err
}

// A gold order on three real workers, one of which flips a byte of the output and signs that: the
// two honest replicas are the majority and their output is the result; the liar is reported, with
// its signed receipt, as the disagreement an audit is asked for.
func TestReplicatedRunThroughWorkers(t *testing.T) {
	rt, err := runtime.New(context.Background())
	require.NoError(t, err)
	t.Cleanup(func() { rt.Close(context.Background()) })
	own := owner{secp256k1.GenPrivKey()}
	module, input := wasmtest.Echo(), []byte("the same bytes everywhere")

	t.Run("gold, one liar", func(t *testing.T) {
		order, ls, provs := replicatedOrder(t, own, module, rt, flipper{rt}, rt)
		res, printed, err := deliverAll(t, own, order, ls, provs, module, input)
		require.NoError(t, err, printed)
		require.Equal(t, input, res.Output)
		require.Len(t, res.Replicas, 3)
		require.Equal(t, []customer.Verdict{maj, dis, maj}, verdicts(res.Tally))
		require.Equal(t, 2, res.Tally.Agree)

		d := res.Disagreement
		require.NotNil(t, d)
		require.Len(t, d.Disagreeing, 1)
		liar := d.Disagreeing[0]
		require.Equal(t, ls[1].Id, liar.Lease.Id)
		require.NoError(t, liar.Receipt.Verify(provs[1].WorkerPubkey), "the lie is signed by the liar's worker key")
		require.NotEqual(t, input, liar.Output)
		require.Equal(t, wire.Hash(liar.Output), liar.Receipt.Receipt.OutputHash)
		require.Len(t, d.Agreeing, 2)

		require.Contains(t, printed, fmt.Sprintf("lease %d, provider %s: output %s (ok): DISAGREES with the majority", ls[1].Id, ls[1].Provider, hexHash(liar.Output)))
		require.Contains(t, printed, fmt.Sprintf("lease %d, provider %s: output %s (ok): majority", ls[0].Id, ls[0].Provider, hexHash(input)))
		require.Contains(t, printed, "majority output "+hexHash(input)+" (ok), signed by 2 of the 3 replicas")
		require.Contains(t, printed, fmt.Sprintf("WARNING: 1 replica disagrees with the majority: lease %d (provider %s)", ls[1].Id, ls[1].Provider))
		require.Contains(t, printed, "An audit of each disagreeing receipt is requested")
		t.Logf("printed:\n%s", printed)
	})

	t.Run("silver, honest primary and lying canary", func(t *testing.T) {
		order, ls, provs := replicatedOrder(t, own, module, rt, flipper{rt})
		res, printed, err := deliverAll(t, own, order, ls, provs, module, input)
		var noMajority *customer.NoMajorityError
		require.True(t, errors.As(err, &noMajority), "%v", err)
		require.Equal(t, 2, noMajority.Valid)
		require.Nil(t, res.Output, "no output is picked")
		require.Equal(t, []customer.Verdict{none, none}, verdicts(res.Tally))
		require.NotNil(t, res.Disagreement)
		require.Len(t, res.Disagreement.Disagreeing, 2)
		require.Contains(t, printed, "NO MAJORITY")
		t.Logf("printed:\n%s", printed)
	})

	t.Run("gold, one worker gone", func(t *testing.T) {
		order, ls, provs := replicatedOrder(t, own, module, rt, rt, rt)
		provs[2].Multiaddrs = []string{"/ip4/127.0.0.1/tcp/1"} // nobody listens there
		res, printed, err := deliverAll(t, own, order, ls, provs, module, input)
		require.NoError(t, err, printed)
		require.Equal(t, input, res.Output)
		require.Equal(t, []customer.Verdict{maj, maj, fail}, verdicts(res.Tally))
		require.Nil(t, res.Disagreement)
		require.True(t, strings.Contains(printed, fmt.Sprintf("lease %d, provider %s: failed (no vote): ", ls[2].Id, ls[2].Provider)), printed)
	})
}
