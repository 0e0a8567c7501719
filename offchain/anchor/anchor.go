// Package anchor puts the worker's receipts on chain: per lease, every N receipts, every M blocks, and
// when the lease ends, it builds an RFC 6962 Merkle tree over the receipts' canonical bytes and sends
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
	"sync"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"

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

// Policy says when a lease's receipts are anchored.
type Policy struct {
	EveryReceipts int   `toml:"every_receipts"` // anchor once this many receipts wait
	EveryBlocks   int64 `toml:"every_blocks"`   // or once the oldest waiting receipt is this old
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
	policy   Policy
	path     string
	log      *slog.Logger

	mu       sync.Mutex
	anchored map[[2]uint64]location // (lease, seq) → batch position
	batches  map[uint64]batchRecord
	waiting  map[uint64]int64 // lease → height its oldest unanchored receipt was first seen

	cancel context.CancelFunc
	done   chan struct{}
}

// New builds an anchorer keeping its log in dir.
func New(chain Chain, receipts *task.ReceiptStore, policy Policy, dir string, log *slog.Logger) *Anchorer {
	if policy.EveryReceipts <= 0 {
		policy.EveryReceipts = 16
	}
	if policy.EveryBlocks <= 0 {
		policy.EveryBlocks = 20
	}
	return &Anchorer{chain: chain, receipts: receipts, policy: policy, path: filepath.Join(dir, "anchors.log"), log: log,
		anchored: map[[2]uint64]location{}, batches: map[uint64]batchRecord{}, waiting: map[uint64]int64{}}
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
		for ev := range a.chain.Subscribe(ctx, nil) {
			if err := a.Step(ctx, ev.Height); err != nil && ctx.Err() == nil {
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

// Step anchors, at height h, the leases whose receipts are due.
func (a *Anchorer) Step(ctx context.Context, h int64) error {
	pending := map[uint64][]uint64{}
	var leases []uint64
	a.mu.Lock()
	for _, k := range a.receipts.Keys() {
		if _, ok := a.anchored[k]; ok {
			continue
		}
		if _, seen := pending[k[0]]; !seen {
			leases = append(leases, k[0])
		}
		pending[k[0]] = append(pending[k[0]], k[1])
	}
	for _, l := range leases {
		if _, ok := a.waiting[l]; !ok {
			a.waiting[l] = h
		}
	}
	a.mu.Unlock()
	var errs []error
	for _, lease := range leases {
		seqs := pending[lease]
		due := len(seqs) >= a.policy.EveryReceipts || h-a.waiting[lease] >= a.policy.EveryBlocks
		if !due {
			l, _, err := a.chain.LeaseAndOrder(ctx, lease)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			due = l.State == markettypes.LeaseClosed
		}
		if due {
			if err := a.anchor(ctx, lease, seqs); err != nil {
				errs = append(errs, fmt.Errorf("lease %d: %w", lease, err))
			}
		}
	}
	return errors.Join(errs...)
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

func (a *Anchorer) anchor(ctx context.Context, lease uint64, seqs []uint64) error {
	leaves, err := a.leaves(lease, seqs)
	if err != nil {
		return err
	}
	res, err := a.chain.Broadcast(ctx, &proofstypes.MsgAnchorBatch{
		Submitter: a.chain.Address().String(), LeaseId: lease, Kind: proofstypes.BatchKindExecution,
		MerkleRoot: proofstypes.MerkleRoot(leaves), LeafCount: uint64(len(leaves)),
	})
	if err != nil {
		return err
	}
	var out proofstypes.MsgAnchorBatchResponse
	if err := chain.MsgResponse(res, &out); err != nil {
		return err
	}
	rec := batchRecord{BatchID: out.BatchId, LeaseID: lease, Seqs: seqs}
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(a.path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
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
	a.remember(rec)
	delete(a.waiting, lease)
	a.mu.Unlock()
	a.log.Info("receipts anchored", "lease", lease, "batch", out.BatchId, "receipts", len(seqs))
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
