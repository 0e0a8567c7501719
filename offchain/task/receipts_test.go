package task_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
)

func signed(t *testing.T, key ed25519.PrivateKey, lease, seq uint64) wire.SignedReceipt {
	r, err := wire.SignReceipt(wire.Receipt{ChainId: chainID, LeaseId: lease, TaskSeq: seq, OutputHash: wire.Hash([]byte{byte(seq)}), WorkerPubkey: key.Public().(ed25519.PublicKey)}, key)
	require.NoError(t, err)
	return r
}

// Receipts stored concurrently all reach the log once each, survive a reopen, and a record cut short
// by a crash at the end of the log is dropped without losing the others.
func TestReceiptStoreIsDurableAndComplete(t *testing.T) {
	dir := t.TempDir()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	s, err := task.OpenReceiptStore(dir)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for i := uint64(1); i <= 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			require.NoError(t, s.Put(signed(t, key, i%5, i)))
		}()
	}
	wg.Wait()
	require.ErrorIs(t, s.Put(signed(t, key, 3, 3)), task.ErrReceiptExists)
	require.NoError(t, s.Close())

	// a crash in the middle of appending leaves half a record
	f, err := os.OpenFile(filepath.Join(dir, "receipts.log"), os.O_APPEND|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	_, err = f.Write([]byte{0x40, 1, 2, 3})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	s, err = task.OpenReceiptStore(dir)
	require.NoError(t, err)
	defer s.Close()
	for i := uint64(1); i <= 200; i++ {
		require.True(t, s.Has(i%5, i))
		r, err := s.Get(i%5, i)
		require.NoError(t, err)
		require.NoError(t, r.Verify(key.Public().(ed25519.PublicKey)))
		require.Equal(t, i, r.Receipt.TaskSeq)
	}
	require.False(t, s.Has(0, 999))
	require.NoError(t, s.Put(signed(t, key, 9, 999)), "the store appends after the cut record")
	r, err := s.Get(9, 999)
	require.NoError(t, err)
	require.Equal(t, uint64(999), r.Receipt.TaskSeq)
}

// KeysFrom gives each stored receipt once to a reader that follows the store, in log order, and
// the log order survives a reopen.
func TestReceiptStoreKeysFrom(t *testing.T) {
	dir := t.TempDir()
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	s, err := task.OpenReceiptStore(dir)
	require.NoError(t, err)
	keys, next := s.KeysFrom(0)
	require.Empty(t, keys)
	require.Equal(t, 0, next)
	require.NoError(t, s.Put(signed(t, key, 2, 9)))
	require.NoError(t, s.Put(signed(t, key, 1, 5)))
	keys, next = s.KeysFrom(next)
	require.Equal(t, [][2]uint64{{2, 9}, {1, 5}}, keys)
	require.NoError(t, s.Put(signed(t, key, 1, 6)))
	keys, next = s.KeysFrom(next)
	require.Equal(t, [][2]uint64{{1, 6}}, keys)
	keys, _ = s.KeysFrom(next)
	require.Empty(t, keys)
	require.NoError(t, s.Close())

	s, err = task.OpenReceiptStore(dir)
	require.NoError(t, err)
	defer s.Close()
	keys, next = s.KeysFrom(1)
	require.Equal(t, [][2]uint64{{1, 5}, {1, 6}}, keys)
	require.Equal(t, 3, next)
}
