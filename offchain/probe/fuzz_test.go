package probe_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"

	"github.com/fogchain/fog/offchain/probe"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// FuzzReadRequest checks what a peer's bytes can do to the request reader: it never consumes more
// than a request, it reads a request exactly when 16 bytes are there, and what it reads encodes back
// to those bytes.
func FuzzReadRequest(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1})
	f.Add(make([]byte, probe.RequestSize-1))
	f.Add(make([]byte, probe.RequestSize))
	f.Add(bytes.Repeat([]byte{0xff}, 3*probe.RequestSize))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytesReader(in)
		req, err := probe.ReadRequest(r)
		consumed := len(in) - r.Len()
		if consumed > probe.RequestSize {
			t.Fatalf("consumed %d bytes of %d, more than a request", consumed, len(in))
		}
		if len(in) < probe.RequestSize {
			if err == nil {
				t.Fatalf("read a request from %d bytes", len(in))
			}
			if len(in) == 0 && err != io.EOF || len(in) > 0 && err != io.ErrUnexpectedEOF {
				t.Fatalf("%d bytes: error %v", len(in), err)
			}
			return
		}
		if err != nil {
			t.Fatalf("%d bytes: %v", len(in), err)
		}
		if req.LeaseID != binary.BigEndian.Uint64(in[:8]) {
			t.Fatalf("lease id %d from %x", req.LeaseID, in[:8])
		}
		if enc := req.Encode(); !bytes.Equal(enc[:], in[:probe.RequestSize]) {
			t.Fatalf("request re-encodes to %x, read from %x", enc, in[:probe.RequestSize])
		}
	})
}
