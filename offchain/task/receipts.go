package task

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/fogchain/fog/internal/atomicfile"
	"github.com/fogchain/fog/offchain/wire"
)

// ErrReceiptExists: a receipt for that lease and task is already stored.
var ErrReceiptExists = errors.New("receipt already stored")

// ReceiptStore keeps signed receipts durably, one file per (lease, task seq), for anchoring and for
// answering challenges later.
type ReceiptStore struct {
	dir string
	mu  sync.Mutex
}

// OpenReceiptStore opens (and creates) the store under dir.
func OpenReceiptStore(dir string) (*ReceiptStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &ReceiptStore{dir: dir}, nil
}

func (s *ReceiptStore) path(lease, seq uint64) string {
	return filepath.Join(s.dir, fmt.Sprintf("%d-%d.receipt", lease, seq))
}

// Has tells whether a receipt for (lease, seq) is stored.
func (s *ReceiptStore) Has(lease, seq uint64) bool {
	_, err := os.Stat(s.path(lease, seq))
	return err == nil
}

// Put stores a receipt, synced to disk, unless one for the same task exists.
func (s *ReceiptStore) Put(r wire.SignedReceipt) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	path := s.path(r.Receipt.LeaseId, r.Receipt.TaskSeq)
	if _, err := os.Stat(path); err == nil {
		return ErrReceiptExists
	}
	bz, err := r.Marshal()
	if err != nil {
		return err
	}
	return atomicfile.Write(path, bz, 0o600)
}

// Get loads a stored receipt.
func (s *ReceiptStore) Get(lease, seq uint64) (wire.SignedReceipt, error) {
	var r wire.SignedReceipt
	bz, err := os.ReadFile(s.path(lease, seq))
	if err != nil {
		return r, err
	}
	return r, r.Unmarshal(bz)
}
