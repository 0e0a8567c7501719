package auditdata_test

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fogchain/fog/offchain/auditdata"
)

// FuzzReadResponse feeds the response reader what a data peer may send: it never returns bytes that
// are over the bound or do not hash to the hash asked for, never reads past one response, and refuses
// a declared length over the bound as ErrTooLarge.
func FuzzReadResponse(f *testing.F) {
	blob := []byte("a module")
	var ok bytes.Buffer
	_ = auditdata.WriteResponse(&ok, blob)
	f.Add(ok.Bytes(), true, int64(100))
	f.Add(ok.Bytes(), true, int64(3))
	f.Add(ok.Bytes(), false, int64(100))
	f.Add([]byte{auditdata.StatusNotFound}, true, int64(100))
	f.Add(binary.AppendUvarint([]byte{auditdata.StatusFound}, 1<<62), true, int64(1<<30))
	f.Add([]byte{auditdata.StatusFound, 0x80}, true, int64(10))
	f.Add([]byte{auditdata.StatusFound, 0}, false, int64(0))
	f.Add([]byte{2}, true, int64(10))
	f.Add([]byte{}, true, int64(10))
	f.Fuzz(func(t *testing.T, in []byte, askBlob bool, maxBytes int64) {
		hash := sha256.Sum256(nil)
		if askBlob {
			hash = sha256.Sum256(blob)
		}
		src := bytes.NewReader(in)
		r := bufio.NewReader(src)
		got, err := auditdata.ReadResponse(r, hash[:], maxBytes)
		consumed := len(in) - r.Buffered() - src.Len()
		if len(in) >= 1 && in[0] == auditdata.StatusFound {
			if size, k := binary.Uvarint(in[1:]); k > 0 && (maxBytes < 0 || size > uint64(maxBytes)) {
				if !errors.Is(err, auditdata.ErrTooLarge) {
					t.Fatalf("declared %d bytes over a bound of %d: got %v", size, maxBytes, err)
				}
				if consumed != 1+k {
					t.Fatalf("read %d bytes of a response refused on its length (%d-byte prefix)", consumed, 1+k)
				}
				return
			}
		}
		if err != nil {
			if got != nil {
				t.Fatalf("bytes returned with an error: %v", err)
			}
			return
		}
		if int64(len(got)) > maxBytes {
			t.Fatalf("%d bytes returned, bound %d", len(got), maxBytes)
		}
		if sum := sha256.Sum256(got); sum != hash {
			t.Fatalf("returned bytes hash to %x, asked for %x", sum, hash)
		}
		_, k := binary.Uvarint(in[1:])
		if consumed != 1+k+len(got) {
			t.Fatalf("read %d bytes for a response of %d", consumed, 1+k+len(got))
		}
	})
}
