// Package anchor puts the worker's receipts on chain on a schedule of their own (see Schedule): per
// lease, as soon as a batch is full, once the oldest waiting receipt is old enough, and when the lease
// closes, it builds an RFC 6962 Merkle tree over the receipts' canonical bytes and sends
// MsgAnchorBatch; it keeps which receipts each batch holds, so that it can give any receipt's
// inclusion proof (/fog/receipt-proof/1).
package anchor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
)

// Chain is what the anchorer needs from the node (offchain/chain.Client).
type Chain interface {
	Address() sdk.AccAddress
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	LeaseAndOrder(ctx context.Context, leaseID uint64) (markettypes.Lease, markettypes.Order, error)
}

// batchRecord is one anchored batch, as kept in anchors.log (one JSON object a line).
type batchRecord struct {
	BatchID uint64   `json:"batch_id"`
	LeaseID uint64   `json:"lease_id"`
	Seqs    []uint64 `json:"seqs"` // leaf order
}

type location struct {
	batch uint64
	index int
	total int
}

// Anchorer is the anchoring service.
type Anchorer struct {
	chain    Chain
	receipts *task.ReceiptStore
	schedule Schedule
	path     string
	log      *slog.Logger
	now      func() time.Time

	mu       sync.Mutex
	anchored map[[2]uint64]location // (lease, seq) → batch position
	batches  map[uint64]batchRecord
	seen     map[[2]uint64]waiting // receipts in no batch yet, as first seen
	// cursor is how far into the receipt log the anchorer has looked (task.ReceiptStore.KeysFrom):
	// a block looks only at the receipts stored since the last one, not at the whole log.
	cursor int
	closed map[uint64]bool // leases closed on chain while receipts of theirs wait

	cancel context.CancelFunc
	done   chan struct{}
}

// New builds an anchorer keeping its log in dir; an invalid schedule is an error.
func New(chain Chain, receipts *task.ReceiptStore, schedule Schedule, dir string, log *slog.Logger) (*Anchorer, error) {
	if err := schedule.Validate(); err != nil {
		return nil, err
	}
	return &Anchorer{chain: chain, receipts: receipts, schedule: schedule, path: filepath.Join(dir, "anchors.log"), log: log,
		now: time.Now, anchored: map[[2]uint64]location{}, batches: map[uint64]batchRecord{},
		seen: map[[2]uint64]waiting{}, closed: map[uint64]bool{}}, nil
}

// leaseClosed selects the events the anchorer follows: a closed lease gets no more receipts, so its
// waiting ones need not wait for max_age.
func leaseClosed(m proto.Message) bool {
	_, ok := m.(*markettypes.EventLeaseClosed)
	return ok
}

// Start reads the anchoring log back and follows the chain.
func (a *Anchorer) Start(ctx context.Context) error {
	f, err := os.Open(a.path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 64<<20)
		for sc.Scan() {
			var b batchRecord
			if json.Unmarshal(sc.Bytes(), &b) != nil {
				break // a line cut short by a crash: the batch is anchored again
			}
			a.remember(b)
		}
		f.Close()
	}
	ctx, a.cancel = context.WithCancel(ctx)
	a.done = make(chan struct{})
	go func() {
		defer close(a.done)
		for ev := range a.chain.Subscribe(ctx, leaseClosed) {
			if err := a.Step(ctx, ev); err != nil && ctx.Err() == nil {
				a.log.Warn("anchoring receipts", "err", err)
			}
		}
	}()
	return nil
}

// Stop stops following the chain.
func (a *Anchorer) Stop() {
	if a.cancel != nil {
		a.cancel()
		<-a.done
	}
}

func (a *Anchorer) remember(b batchRecord) {
	a.batches[b.BatchID] = b
	for i, seq := range b.Seqs {
		a.anchored[[2]uint64{b.LeaseID, seq}] = location{batch: b.BatchID, index: i, total: len(b.Seqs)}
	}
}

// Step anchors, at a new block, what the schedule says is due. A lease the block closed is flushed;
// on a resync, the leases with waiting receipts are read, since a closure may have been missed.
func (a *Anchorer) Step(ctx context.Context, ev chain.Event) error {
	waiting := a.waiting(ev.Height)
	var errs []error
	for _, m := range ev.Events {
		if c, ok := m.(*markettypes.EventLeaseClosed); ok && len(waiting[c.LeaseId]) > 0 {
			a.setClosed(c.LeaseId)
		}
	}
	leases := make([]uint64, 0, len(waiting))
	for l := range waiting {
		leases = append(leases, l)
	}
	sort.Slice(leases, func(i, j int) bool { return leases[i] < leases[j] })
	if ev.Resync {
		for _, lease := range leases {
			if a.isClosed(lease) {
				continue
			}
			l, _, err := a.chain.LeaseAndOrder(ctx, lease)
			if err != nil {
				errs = append(errs, fmt.Errorf("lease %d: %w", lease, err))
				continue
			}
			if l.State == markettypes.LeaseClosed {
				a.setClosed(lease)
			}
		}
	}
	now := a.now()
	var anchored []batchRecord
	for _, lease := range leases {
		batches := a.schedule.plan(waiting[lease], now, ev.Height, a.isClosed(lease))
		flushed := 0
		for _, seqs := range batches {
			rec, err := a.anchor(ctx, lease, seqs)
			if err != nil {
				errs = append(errs, fmt.Errorf("lease %d: %w", lease, err))
				break
			}
			anchored = append(anchored, rec)
			flushed += len(seqs)
		}
		if flushed == len(waiting[lease]) {
			a.mu.Lock()
			delete(a.closed, lease)
			a.mu.Unlock()
		}
	}
	if err := a.logAnchored(anchored); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// waiting groups the receipts in no batch yet by lease, in sequence order, noting when each was first
// seen. It reads only the receipts stored since the previous block; a receipt it cannot read yet is
// read again at the next block, with those after it.
func (a *Anchorer) waiting(h int64) map[uint64][]waiting {
	keys, next := a.receipts.KeysFrom(a.cursor)
	for i, k := range keys {
		a.mu.Lock()
		_, done := a.anchored[k]
		_, known := a.seen[k]
		a.mu.Unlock()
		if done || known {
			continue
		}
		r, err := a.receipts.Get(k[0], k[1])
		if err != nil {
			a.log.Warn("reading a receipt", "lease", k[0], "seq", k[1], "err", err)
			next = a.cursor + i
			break
		}
		a.mu.Lock()
		a.seen[k] = waiting{seq: k[1], ended: time.UnixMilli(r.Receipt.EndUnixMs), seen: h}
		a.mu.Unlock()
	}
	a.cursor = next

	out := map[uint64][]waiting{}
	a.mu.Lock()
	for k, w := range a.seen {
		out[k[0]] = append(out[k[0]], w)
	}
	a.mu.Unlock()
	for _, ws := range out {
		sort.Slice(ws, func(i, j int) bool { return ws[i].seq < ws[j].seq })
	}
	return out
}

func (a *Anchorer) setClosed(lease uint64) {
	a.mu.Lock()
	a.closed[lease] = true
	a.mu.Unlock()
}

func (a *Anchorer) isClosed(lease uint64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.closed[lease]
}

func (a *Anchorer) leaves(lease uint64, seqs []uint64) ([][]byte, error) {
	leaves := make([][]byte, len(seqs))
	for i, seq := range seqs {
		r, err := a.receipts.Get(lease, seq)
		if err != nil {
			return nil, err
		}
		if leaves[i], err = r.Receipt.Marshal(); err != nil {
			return nil, err
		}
	}
	return leaves, nil
}

// anchor sends one batch's MsgAnchorBatch and returns its record once the transaction is included.
func (a *Anchorer) anchor(ctx context.Context, lease uint64, seqs []uint64) (batchRecord, error) {
	leaves, err := a.leaves(lease, seqs)
	if err != nil {
		return batchRecord{}, err
	}
	res, err := a.chain.Broadcast(ctx, &proofstypes.MsgAnchorBatch{
		Submitter: a.chain.Address().String(), LeaseId: lease, Kind: proofstypes.BatchKindExecution,
		MerkleRoot: proofstypes.MerkleRoot(leaves), LeafCount: uint64(len(leaves)),
	})
	if err != nil {
		return batchRecord{}, err
	}
	var out proofstypes.MsgAnchorBatchResponse
	if err := chain.MsgResponse(res, &out); err != nil {
		return batchRecord{}, err
	}
	return batchRecord{BatchID: out.BatchId, LeaseID: lease, Seqs: seqs}, nil
}

// logAnchored appends the batches anchored at one block to anchors.log with one sync, and only then serves
// their proofs. A crash before the sync loses the lines, not the batches on chain: their receipts
// are anchored again, as after a crash between a transaction and its line.
func (a *Anchorer) logAnchored(recs []batchRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var lines []byte
	for _, rec := range recs {
		line, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		lines = append(append(lines, line...), '\n')
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(lines); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	a.mu.Lock()
	for _, rec := range recs {
		a.remember(rec)
		for _, seq := range rec.Seqs {
			delete(a.seen, [2]uint64{rec.LeaseID, seq})
		}
	}
	a.mu.Unlock()
	for _, rec := range recs {
		a.log.Info("receipts anchored", "lease", rec.LeaseID, "batch", rec.BatchID, "receipts", len(rec.Seqs))
	}
	return nil
}

// Proof is a receipt with its inclusion proof, or with batch id 0 if it is not anchored yet.
func (a *Anchorer) Proof(lease, seq uint64) (wire.AnchoredReceipt, error) {
	r, err := a.receipts.Get(lease, seq)
	if err != nil {
		return wire.AnchoredReceipt{}, err
	}
	out := wire.AnchoredReceipt{Receipt: &r}
	a.mu.Lock()
	loc, ok := a.anchored[[2]uint64{lease, seq}]
	var b batchRecord
	if ok {
		b = a.batches[loc.batch]
	}
	a.mu.Unlock()
	if !ok {
		return out, nil
	}
	leaves, err := a.leaves(lease, b.Seqs)
	if err != nil {
		return out, err
	}
	_, proofs := proofstypes.MerkleProofs(leaves)
	out.BatchId, out.Proof = b.BatchID, &proofs[loc.index]
	return out, nil
}
