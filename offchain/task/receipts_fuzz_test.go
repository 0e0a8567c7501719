package task_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/wire"
)

func receiptRecord(t testing.TB, lease, seq uint64) []byte {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	r, err := wire.SignReceipt(wire.Receipt{ChainId: "fog-1", LeaseId: lease, TaskSeq: seq, OutputHash: wire.Hash([]byte{byte(seq)}), WorkerPubkey: key.Public().(ed25519.PublicKey)}, key)
	if err != nil {
		t.Fatal(err)
	}
	bz, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return append(binary.AppendUvarint(nil, uint64(len(bz))), bz...)
}

// A receipt log is read back from disk after a crash, so whatever bytes it holds: opening keeps a prefix
// of it, every indexed receipt loads under its own key, the kept prefix reopens to the same index, and
// the store still takes new receipts.
func FuzzOpenReceiptStore(f *testing.F) {
	one, two := receiptRecord(f, 1, 1), receiptRecord(f, 2, 5)
	f.Add(append(bytes.Clone(one), two...))
	f.Add(append(bytes.Clone(one), two[:len(two)-3]...))
	f.Add(append(bytes.Clone(one), one...))
	f.Add([]byte{})
	f.Add([]byte{0x00})
	f.Add(append(bytes.Clone(one), 0xff, 0xff, 0xff, 0xff, 0x0f))
	f.Add(append(bytes.Clone(one), binary.AppendUvarint(nil, 64<<10+1)...))
	f.Add(append(bytes.Clone(one), 0x02, 0x12, 0x00)) // a record with a signature but no receipt

	f.Fuzz(func(t *testing.T, log []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "receipts.log")
		if err := os.WriteFile(path, log, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := task.OpenReceiptStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(log, kept) {
			t.Fatalf("opening rewrote the log: kept %x of %x", kept, log)
		}
		keys := s.Keys()
		for _, k := range keys {
			r, err := s.Get(k[0], k[1])
			if err != nil {
				t.Fatalf("indexed receipt %v does not load: %v", k, err)
			}
			if r.Receipt == nil || r.Receipt.LeaseId != k[0] || r.Receipt.TaskSeq != k[1] {
				t.Fatalf("receipt under key %v is %v", k, r.Receipt)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}

		s, err = task.OpenReceiptStore(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if again := s.Keys(); !slices.Equal(keys, again) {
			t.Fatalf("reopening the kept log changed the index: %v then %v", keys, again)
		}
		lease := uint64(1 << 62)
		for s.Has(lease, 1) {
			lease++
		}
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
		r, err := wire.SignReceipt(wire.Receipt{ChainId: "fog-1", LeaseId: lease, TaskSeq: 1, WorkerPubkey: key.Public().(ed25519.PublicKey)}, key)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(r); err != nil {
			t.Fatalf("store opened from a damaged log refuses a new receipt: %v", err)
		}
		if got, err := s.Get(lease, 1); err != nil || got.Receipt.LeaseId != lease {
			t.Fatalf("new receipt does not load back: %v", err)
		}
	})
}
