package task

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	goruntime "runtime"
	"sort"
	"sync"

	"github.com/fogchain/fog/offchain/wire"
)

// ErrReceiptExists: a receipt for that lease and task is already stored.
var ErrReceiptExists = errors.New("receipt already stored")

// maxReceiptBytes bounds one stored record when the log is read back.
const maxReceiptBytes = 64 << 10

type receiptKey struct{ lease, seq uint64 }

// ReceiptStore keeps signed receipts durably, for anchoring and for answering challenges later: an
// append-only log (receipts.log: uvarint length, protobuf SignedReceipt) indexed in memory. Receipts
// stored at about the same time share one fsync (group commit); Put returns once its receipt is on
// disk.
type ReceiptStore struct {
	mu       sync.Mutex
	f        *os.File
	index    map[receiptKey]int64 // offset of each record
	order    []receiptKey         // the records in log order
	size     int64
	pending  []pendingReceipt
	inBatch  []pendingReceipt // the batch being written
	flushing bool
	cond     *sync.Cond
	synced   uint64 // batches synced so far
	err      error  // a failed write poisons the store: later Puts fail too
	// sync makes the log's written records durable (the file's Sync; tests watch it).
	sync func() error
}

type pendingReceipt struct {
	key receiptKey
	rec []byte
}

// OpenReceiptStore opens (and creates) the store under dir, reading its index back from the log. A
// record cut short by a crash at the end of the log is dropped.
func OpenReceiptStore(dir string) (*ReceiptStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "receipts.log"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	s := &ReceiptStore{f: f, index: map[receiptKey]int64{}, sync: f.Sync}
	s.cond = sync.NewCond(&s.mu)
	r := bufio.NewReader(f)
	for {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			break
		}
		if n > maxReceiptBytes {
			break
		}
		bz := make([]byte, n)
		if _, err := io.ReadFull(r, bz); err != nil {
			break
		}
		var rec wire.SignedReceipt
		if err := rec.Unmarshal(bz); err != nil || rec.Receipt == nil {
			break
		}
		key := receiptKey{rec.Receipt.LeaseId, rec.Receipt.TaskSeq}
		s.index[key] = s.size
		s.order = append(s.order, key)
		s.size += int64(uvarintLen(n)) + int64(n)
	}
	if err := f.Truncate(s.size); err != nil {
		return nil, err
	}
	if _, err := f.Seek(s.size, io.SeekStart); err != nil {
		return nil, err
	}
	return s, nil
}

func uvarintLen(n uint64) int {
	var b [binary.MaxVarintLen64]byte
	return binary.PutUvarint(b[:], n)
}

// Close closes the log.
func (s *ReceiptStore) Close() error { return s.f.Close() }

// Has tells whether a receipt for (lease, seq) is stored.
func (s *ReceiptStore) Has(lease, seq uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.index[receiptKey{lease, seq}]
	return ok
}

// Put stores a receipt and returns once it is synced to disk, unless one for the same task exists.
func (s *ReceiptStore) Put(r wire.SignedReceipt) error {
	bz, err := r.Marshal()
	if err != nil {
		return err
	}
	var lenBuf [binary.MaxVarintLen64]byte
	rec := append(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(bz)))], bz...)
	key := receiptKey{r.Receipt.LeaseId, r.Receipt.TaskSeq}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.index[key]; ok {
		return ErrReceiptExists
	}
	for _, p := range append(s.pending, s.inBatch...) {
		if p.key == key {
			return ErrReceiptExists
		}
	}
	s.pending = append(s.pending, pendingReceipt{key: key, rec: rec})
	// Wait for a batch that holds this receipt to be synced: the first waiter flushes for everyone.
	target := s.synced + 1
	if s.flushing {
		target++ // the batch being flushed now does not contain this receipt
	}
	yielded := false
	for s.synced < target && s.err == nil {
		if !s.flushing {
			if !yielded {
				// Let the goroutines that are about to store their receipts (tasks that ended at
				// about the same time) join this batch: one sync for more receipts.
				yielded = true
				s.mu.Unlock()
				goruntime.Gosched()
				s.mu.Lock()
				continue
			}
			s.flush()
			continue
		}
		s.cond.Wait()
	}
	return s.err
}

// flush writes and syncs the pending receipts as one batch; called with s.mu held, it releases the
// lock while it does I/O.
func (s *ReceiptStore) flush() {
	batch := s.pending
	s.pending, s.inBatch = nil, batch
	s.flushing = true
	offset := s.size
	s.mu.Unlock()

	var buf []byte
	offsets := make([]int64, len(batch))
	for i, p := range batch {
		offsets[i] = offset + int64(len(buf))
		buf = append(buf, p.rec...)
	}
	_, err := s.f.Write(buf)
	if err == nil {
		err = s.sync()
	}

	s.mu.Lock()
	s.flushing, s.inBatch = false, nil
	if err != nil {
		s.err = fmt.Errorf("storing receipts: %w", err)
	} else {
		for i, p := range batch {
			s.index[p.key] = offsets[i]
			s.order = append(s.order, p.key)
		}
		s.size = offset + int64(len(buf))
	}
	s.synced++
	s.cond.Broadcast()
}

// Get loads a stored receipt.
func (s *ReceiptStore) Get(lease, seq uint64) (wire.SignedReceipt, error) {
	var r wire.SignedReceipt
	s.mu.Lock()
	off, ok := s.index[receiptKey{lease, seq}]
	s.mu.Unlock()
	if !ok {
		return r, fmt.Errorf("no receipt for task %d of lease %d", seq, lease)
	}
	var head [binary.MaxVarintLen64]byte
	n, err := s.f.ReadAt(head[:], off)
	if err != nil && !errors.Is(err, io.EOF) {
		return r, err
	}
	size, k := binary.Uvarint(head[:n])
	if k <= 0 || size > maxReceiptBytes {
		return r, fmt.Errorf("corrupt receipt record at %d", off)
	}
	bz := make([]byte, size)
	if _, err := s.f.ReadAt(bz, off+int64(k)); err != nil {
		return r, err
	}
	return r, r.Unmarshal(bz)
}

// KeysFrom lists the (lease, task seq) of the receipts stored from the from-th on (0 is the first
// in the log), in the order they were stored, and the position to ask from next time: a reader
// that follows the store sees each receipt once, however many it holds.
func (s *ReceiptStore) KeysFrom(from int) (keys [][2]uint64, next int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	from = min(max(from, 0), len(s.order))
	keys = make([][2]uint64, 0, len(s.order)-from)
	for _, k := range s.order[from:] {
		keys = append(keys, [2]uint64{k.lease, k.seq})
	}
	return keys, len(s.order)
}

// Keys lists the stored receipts' (lease, task seq), by lease then seq.
func (s *ReceiptStore) Keys() [][2]uint64 {
	s.mu.Lock()
	out := make([][2]uint64, 0, len(s.index))
	for k := range s.index {
		out = append(out, [2]uint64{k.lease, k.seq})
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}
