package anchor

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/pelletier/go-toml/v2"
	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// The batching policy: a full batch goes at once, a partial one when its oldest receipt reaches
// max_age (by the clock or in blocks) or its lease closed, and nothing goes when nothing waits.
func TestSchedulePlan(t *testing.T) {
	t0 := time.Unix(1_000, 0)
	at := func(seq uint64, ended time.Duration, seen int64) waiting {
		return waiting{seq: seq, ended: t0.Add(ended), seen: seen}
	}
	byClock := Schedule{MaxBatch: 3, MaxAge: Age{Duration: 30 * time.Second}}
	byBlocks := Schedule{MaxBatch: 3, MaxAge: Age{Blocks: 5}}
	seven := []waiting{at(1, 0, 10), at(2, time.Second, 10), at(3, 2*time.Second, 11), at(4, 3*time.Second, 12),
		at(5, 4*time.Second, 12), at(6, 5*time.Second, 13), at(7, 40*time.Second, 14)}
	for _, c := range []struct {
		name     string
		schedule Schedule
		waiting  []waiting
		now      time.Duration
		height   int64
		closed   bool
		want     [][]uint64
	}{
		{"nothing waits: no empty anchor", byClock, nil, time.Hour, 1000, true, nil},
		{"a young partial batch waits", byClock, seven[:2], 10 * time.Second, 11, false, nil},
		{"full batches go at once, the young rest waits", byClock, seven, 41 * time.Second, 14, false, [][]uint64{{1, 2, 3}, {4, 5, 6}}},
		{"a partial batch goes when its oldest is max_age old", byClock, seven[:2], 30 * time.Second, 11, false, [][]uint64{{1, 2}}},
		{"the rest goes too once it is old", byClock, seven, 70 * time.Second, 14, false, [][]uint64{{1, 2, 3}, {4, 5, 6}, {7}}},
		{"a closed lease's receipts go whatever their age", byClock, seven[:2], 0, 10, true, [][]uint64{{1, 2}}},
		{"in blocks: not yet", byBlocks, seven[:2], time.Hour, 14, false, nil},
		{"in blocks: max_age blocks after it was first seen", byBlocks, seven[:2], 0, 15, false, [][]uint64{{1, 2}}},
		{"exactly a full batch", byBlocks, seven[:3], 0, 11, false, [][]uint64{{1, 2, 3}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.want, c.schedule.plan(c.waiting, t0.Add(c.now), c.height, c.closed))
		})
	}
}

func TestScheduleConfig(t *testing.T) {
	var cfg struct {
		Anchor Schedule `toml:"anchor"`
	}
	require.NoError(t, toml.Unmarshal([]byte("[anchor]\nmax_batch = 8\nmax_age = '20 blocks'\n"), &cfg))
	require.Equal(t, Schedule{MaxBatch: 8, MaxAge: Age{Blocks: 20}}, cfg.Anchor)
	require.NoError(t, toml.Unmarshal([]byte("[anchor]\nmax_batch = 8\nmax_age = '1m30s'\n"), &cfg))
	require.Equal(t, Age{Duration: 90 * time.Second}, cfg.Anchor.MaxAge)
	bz, err := toml.Marshal(cfg)
	require.NoError(t, err)
	require.Contains(t, string(bz), "max_age = '1m30s'")

	err = toml.Unmarshal([]byte("[anchor]\nmax_age = '30'\n"), &cfg)
	require.ErrorContains(t, err, `neither a duration such as "30s" nor a block count such as "20 blocks"`)
	err = toml.Unmarshal([]byte("[anchor]\nmax_age = 'x blocks'\n"), &cfg)
	require.ErrorContains(t, err, "not an integer")

	require.NoError(t, DefaultSchedule().Validate())
	require.ErrorContains(t, Schedule{MaxBatch: 0, MaxAge: Age{Blocks: 1}}.Validate(), "anchor.max_batch = 0: want 1 to 1048576")
	require.ErrorContains(t, Schedule{MaxBatch: MaxBatchLimit + 1, MaxAge: Age{Blocks: 1}}.Validate(), "anchor.max_batch")
	require.ErrorContains(t, Schedule{MaxBatch: 1}.Validate(), `anchor.max_age = "0s": want a positive duration`)
	require.ErrorContains(t, Schedule{MaxBatch: 1, MaxAge: Age{Blocks: -2}}.Validate(), `anchor.max_age = "-2 blocks"`)
}

// fakeChain records the batches it is sent and answers with their ids; leases closed on it are
// what the anchorer reads on a resync.
type fakeChain struct {
	mu      sync.Mutex
	batches []*proofstypes.MsgAnchorBatch
	closed  map[uint64]bool
}

func (c *fakeChain) Address() sdk.AccAddress { return sdk.AccAddress(make([]byte, 20)) }

func (c *fakeChain) Subscribe(context.Context, chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	close(ch)
	return ch
}

func (c *fakeChain) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.batches = append(c.batches, msgs[0].(*proofstypes.MsgAnchorBatch))
	resp, err := codectypes.NewAnyWithValue(&proofstypes.MsgAnchorBatchResponse{BatchId: uint64(len(c.batches))})
	if err != nil {
		return nil, err
	}
	data, err := (&sdk.TxMsgData{MsgResponses: []*codectypes.Any{resp}}).Marshal()
	if err != nil {
		return nil, err
	}
	res := &ctypes.ResultTx{}
	res.TxResult.Data = data
	return res, nil
}

func (c *fakeChain) LeaseAndOrder(_ context.Context, id uint64) (markettypes.Lease, markettypes.Order, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	state := markettypes.LeaseActive
	if c.closed[id] {
		state = markettypes.LeaseClosed
	}
	return markettypes.Lease{Id: id, State: state}, markettypes.Order{}, nil
}

func (c *fakeChain) sent() [][2]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out [][2]uint64
	for _, b := range c.batches {
		out = append(out, [2]uint64{b.LeaseId, b.LeafCount})
	}
	return out
}

// The anchorer follows its schedule block by block: full batches at once, an old partial batch, a
// lease closed by a block's event or found closed on a resync; no block ever sends an empty batch,
// and every anchored receipt's proof verifies.
func TestAnchorerFollowsItsSchedule(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	store, err := task.OpenReceiptStore(t.TempDir())
	require.NoError(t, err)
	defer store.Close()
	clock := time.Unix(5_000, 0)
	put := func(lease, seq uint64) {
		r, err := wire.SignReceipt(wire.Receipt{ChainId: "fog-test", LeaseId: lease, TaskSeq: seq, OutputHash: wire.Hash([]byte{byte(seq)}),
			EndUnixMs: clock.UnixMilli(), WorkerPubkey: key.Public().(ed25519.PublicKey)}, key)
		require.NoError(t, err)
		require.NoError(t, store.Put(r))
	}
	c := &fakeChain{closed: map[uint64]bool{}}
	a, err := New(c, store, Schedule{MaxBatch: 4, MaxAge: Age{Duration: time.Minute}}, t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	a.now = func() time.Time { return clock }
	ctx := context.Background()
	block := func(h int64, resync bool, events ...proto.Message) {
		require.NoError(t, a.Step(ctx, chain.Event{Height: h, Resync: resync, Events: events}))
	}

	block(1, true)
	require.Empty(t, c.sent(), "nothing waits: nothing is sent")

	for seq := uint64(1); seq <= 9; seq++ {
		put(7, seq)
	}
	put(8, 1)
	block(2, false)
	require.Equal(t, [][2]uint64{{7, 4}, {7, 4}}, c.sent(), "two full batches of lease 7; its ninth receipt and lease 8's wait")

	clock = clock.Add(59 * time.Second)
	block(3, false)
	require.Len(t, c.sent(), 2, "not old enough yet")
	clock = clock.Add(time.Second)
	block(4, false)
	require.Equal(t, [][2]uint64{{7, 4}, {7, 4}, {7, 1}, {8, 1}}, c.sent(), "max_age reached")

	block(5, false)
	require.Len(t, c.sent(), 4, "all anchored: no empty batch")

	put(8, 2)
	block(6, false, &markettypes.EventLeaseClosed{LeaseId: 8})
	require.Equal(t, [2]uint64{8, 1}, c.sent()[4], "the block closed lease 8: its last receipt goes at once")

	put(9, 1)
	block(7, false)
	require.Len(t, c.sent(), 5)
	c.closed[9] = true
	block(8, true)
	require.Equal(t, [2]uint64{9, 1}, c.sent()[5], "a closure missed while disconnected is found on the resync")

	for _, k := range store.Keys() {
		p, err := a.Proof(k[0], k[1])
		require.NoError(t, err)
		require.NotZero(t, p.BatchId, "receipt %v", k)
		leaf, err := p.Receipt.Receipt.Marshal()
		require.NoError(t, err)
		b := c.batches[p.BatchId-1]
		require.NoError(t, proofstypes.VerifyInclusion(b.MerkleRoot, leaf, *p.Proof), "receipt %v", k)
	}
}

// The batches anchored at one block are logged together; a restarted anchorer reads them back and
// serves their proofs, and a last line cut short by a crash leaves its receipts to be anchored again.
func TestAnchorsLogSurvivesRestart(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	store, err := task.OpenReceiptStore(t.TempDir())
	require.NoError(t, err)
	defer store.Close()
	for lease := uint64(1); lease <= 2; lease++ {
		for seq := uint64(1); seq <= 4; seq++ {
			r, err := wire.SignReceipt(wire.Receipt{ChainId: "fog-test", LeaseId: lease, TaskSeq: seq,
				OutputHash: wire.Hash([]byte{byte(seq)}), WorkerPubkey: key.Public().(ed25519.PublicKey)}, key)
			require.NoError(t, err)
			require.NoError(t, store.Put(r))
		}
	}
	dir := t.TempDir()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	schedule := Schedule{MaxBatch: 2, MaxAge: Age{Duration: time.Hour}}
	c := &fakeChain{closed: map[uint64]bool{}}
	a, err := New(c, store, schedule, dir, log)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, a.Step(ctx, chain.Event{Height: 1}))
	require.Len(t, c.sent(), 4, "two full batches for each lease")

	restarted := func() *Anchorer {
		b, err := New(c, store, schedule, dir, log)
		require.NoError(t, err)
		require.NoError(t, b.Start(ctx))
		b.Stop()
		return b
	}
	b := restarted()
	for _, k := range store.Keys() {
		p, err := b.Proof(k[0], k[1])
		require.NoError(t, err)
		require.NotZero(t, p.BatchId, "receipt %v", k)
		leaf, err := p.Receipt.Receipt.Marshal()
		require.NoError(t, err)
		require.NoError(t, proofstypes.VerifyInclusion(c.batches[p.BatchId-1].MerkleRoot, leaf, *p.Proof), "receipt %v", k)
	}
	require.NoError(t, b.Step(ctx, chain.Event{Height: 2}))
	require.Len(t, c.sent(), 4, "nothing anchored twice after a restart")

	// A crash in the middle of the last line: that batch's receipts are anchored again.
	path := filepath.Join(dir, "anchors.log")
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, bz[:len(bz)-5], 0o600))
	b = restarted()
	require.NoError(t, b.Step(ctx, chain.Event{Height: 3}))
	require.Len(t, c.sent(), 5, "the batch of the cut line is anchored again")
}
