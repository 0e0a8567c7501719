package wire_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/fogchain/fog/offchain/wire"
)

type frameMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func frame(t testing.TB, m frameMessage) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := wire.WriteFrame(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkReadFrame reads one frame of at most limit bytes from in into a fresh message and checks what a
// peer's bytes can do to the reader: a declared size over the limit is refused before the payload is
// read, the reader never consumes more than one length and one payload, and a decoded message
// re-encodes to a frame that decodes to the same message.
func checkReadFrame(t *testing.T, in []byte, limit int, fresh func() frameMessage) frameMessage {
	src := bytes.NewReader(in)
	r := bufio.NewReader(src)
	m := fresh()
	err := wire.ReadFrame(r, limit, m)
	consumed := len(in) - r.Buffered() - src.Len()

	size, k := binary.Uvarint(in)
	if k > 0 && size > uint64(limit) {
		if !errors.Is(err, wire.ErrFrameTooLarge) {
			t.Fatalf("frame of %d bytes over a limit of %d: got %v", size, limit, err)
		}
		return nil
	}
	if err != nil {
		return nil
	}
	if k <= 0 || consumed != k+int(size) {
		t.Fatalf("decoded a frame of %d bytes after consuming %d of %d", size, consumed, len(in))
	}

	bz, err := m.Marshal()
	if err != nil {
		t.Fatalf("decoded message does not re-encode: %v", err)
	}
	if len(bz) > limit {
		t.Fatalf("a %d-byte payload re-encodes to %d bytes, over the limit %d", size, len(bz), limit)
	}
	again := fresh()
	if err := wire.ReadFrame(bufio.NewReader(bytes.NewReader(frame(t, m))), limit, again); err != nil {
		t.Fatalf("re-encoded frame does not decode: %v", err)
	}
	bz2, err := again.Marshal()
	if err != nil || !bytes.Equal(bz, bz2) {
		t.Fatalf("re-encoding is not stable: %x != %x (%v)", bz, bz2, err)
	}
	return m
}

func FuzzReadTaskHeaderFrame(f *testing.F) {
	h := &wire.TaskHeader{
		ChainId: "fog-1", LeaseId: 7, TaskSeq: 3, ModuleSize: 1 << 20, ModuleHash: wire.Hash([]byte("module")),
		InputSize: 12, InputHash: wire.Hash([]byte("input")), OwnerPubkey: bytes.Repeat([]byte{2}, 33), Signature: bytes.Repeat([]byte{9}, 64),
	}
	valid := frame(f, h)
	f.Add(valid)
	f.Add(frame(f, &wire.TaskHeader{}))
	f.Add(valid[:len(valid)-1])
	f.Add(append(bytes.Clone(valid), valid...))
	f.Add([]byte{})
	f.Add([]byte{0x80})
	f.Add(binary.AppendUvarint(nil, wire.MaxHeaderBytes+1))
	f.Add(binary.AppendUvarint(nil, 1<<63))
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Add(append([]byte{0x80, 0x00}, 0x00)) // a non-minimal length of 0

	f.Fuzz(func(t *testing.T, in []byte) {
		m := checkReadFrame(t, in, wire.MaxHeaderBytes, func() frameMessage { return &wire.TaskHeader{} })
		if m == nil {
			return
		}
		// The server's next steps on a decoded header must refuse, not panic.
		hdr := m.(*wire.TaskHeader)
		if hdr.VerifyOwner() == nil {
			t.Fatal("an unsigned or fuzzed header verifies")
		}
		if _, err := hdr.SignBytes(); err != nil {
			t.Fatalf("decoded header has no sign bytes: %v", err)
		}
	})
}

// fuzzResponseLimit stands in for wire.MaxResponseBytes: the bound is what is under test, and a 64 MiB
// allocation per input would only slow the fuzzer.
const fuzzResponseLimit = 64 << 10

func FuzzReadTaskResponseFrame(f *testing.F) {
	resp := &wire.TaskResponse{
		Output: []byte("output"), Accepted: true, WorkloadError: "trap", WorkloadStderr: []byte("stderr"),
		Receipt: &wire.SignedReceipt{Receipt: &wire.Receipt{ChainId: "fog-1", LeaseId: 7, TaskSeq: 3, Status: 1, WorkerPubkey: bytes.Repeat([]byte{1}, 32)}, Signature: bytes.Repeat([]byte{5}, 64)},
	}
	valid := frame(f, resp)
	f.Add(valid)
	f.Add(frame(f, &wire.TaskResponse{Accepted: true}))
	f.Add(frame(f, &wire.TaskResponse{Error: "refused"}))
	f.Add(valid[:len(valid)-1])
	f.Add([]byte{})
	f.Add(binary.AppendUvarint(nil, fuzzResponseLimit+1))
	f.Add(binary.AppendUvarint(nil, wire.MaxResponseBytes+1))

	f.Fuzz(func(t *testing.T, in []byte) {
		m := checkReadFrame(t, in, fuzzResponseLimit, func() frameMessage { return &wire.TaskResponse{} })
		if m == nil {
			return
		}
		if sr := m.(*wire.TaskResponse).Receipt; sr != nil {
			if err := sr.Verify(bytes.Repeat([]byte{1}, 32)); err == nil {
				t.Fatal("a fuzzed receipt verifies")
			}
		}
	})
}

func FuzzReadSessionGrantFrame(f *testing.F) {
	g := &wire.SessionGrant{
		ChainId: "fog-1", LeaseId: 7, PeerId: bytes.Repeat([]byte{0x12}, 34), NotAfterUnix: 1_900_000_000,
		OwnerPubkey: bytes.Repeat([]byte{2}, 33), Signature: bytes.Repeat([]byte{9}, 64),
	}
	valid := frame(f, g)
	f.Add(valid)
	f.Add(frame(f, &wire.SessionGrant{}))
	f.Add(valid[:len(valid)-1])
	f.Add([]byte{})
	f.Add(binary.AppendUvarint(nil, wire.MaxHeaderBytes+1))
	// a signed task header's bytes, read as a grant
	f.Add(frame(f, &wire.TaskHeader{ChainId: "fog-1", LeaseId: 7, ModuleSize: 1_900_000_000, ModuleHash: bytes.Repeat([]byte{2}, 33), Signature: bytes.Repeat([]byte{9}, 64)}))

	f.Fuzz(func(t *testing.T, in []byte) {
		m := checkReadFrame(t, in, wire.MaxHeaderBytes, func() frameMessage { return &wire.SessionGrant{} })
		if m == nil {
			return
		}
		// The worker's next steps on a decoded grant must refuse, not panic.
		grant := m.(*wire.SessionGrant)
		if grant.VerifyOwner() == nil {
			t.Fatal("an unsigned or fuzzed grant verifies")
		}
		bz, err := grant.SignBytes()
		if err != nil {
			t.Fatalf("decoded grant has no sign bytes: %v", err)
		}
		if !bytes.HasPrefix(bz, []byte("fog/session-grant/1\n")) {
			t.Fatalf("grant sign bytes without their domain prefix: %q", bz)
		}
	})
}
