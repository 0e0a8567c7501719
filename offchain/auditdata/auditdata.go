// Package auditdata is /fog/audit-data/1, the libp2p protocol on which an audit's requester gives
// the committee the module and input of the receipt under audit, by their sha256 hashes.
//
// The exchange is one request and one response on a fresh stream:
//
//	request:  the 32-byte sha256 hash, raw (then the client closes its write side)
//	response: one status byte, 0 (found) or 1 (not found); when found, a uvarint length and that many
//	          bytes, whose sha256 is the hash asked for
//
// The client checks the declared length against its bound before it reads or allocates anything,
// and the bytes against the hash before it returns them: a server can make it read at most maxBytes,
// never accept other bytes than those asked for.
package auditdata

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// ProtocolID is the libp2p protocol of audit data.
const ProtocolID = "/fog/audit-data/1"

// HashSize is the size of a request: a sha256 hash.
const HashSize = sha256.Size

// Status bytes of a response.
const (
	StatusFound    byte = 0
	StatusNotFound byte = 1
)

// StreamTimeout bounds a stream on the server's side (reading the request and writing the blob), and
// on the client's when its context has no deadline.
const StreamTimeout = 2 * time.Minute

// requestTimeout bounds how long the server waits for the 32 bytes of a request.
const requestTimeout = 10 * time.Second

var (
	// ErrNotFound: the server does not have the blob.
	ErrNotFound = errors.New("the data peer does not have it")
	// ErrTooLarge: the server declared more bytes than the client accepts; nothing was read.
	ErrTooLarge = errors.New("blob larger than allowed")
	// ErrHashMismatch: the server sent bytes whose sha256 is not the hash asked for.
	ErrHashMismatch = errors.New("bytes do not match the hash asked for")
)

// servers holds, per host, the blobs served on it: several callers may serve on one host (the audits
// of several receipts of one run share the module and input), each stop removing only its own.
var (
	mu      sync.Mutex
	servers = map[host.Host]*server{}
)

type server struct {
	blobs map[[HashSize]byte]*blob
}

type blob struct {
	data []byte
	refs int
}

// Serve answers /fog/audit-data/1 on h with blobs, each by its sha256, until stop is called. Calls on
// the same host add up: a blob is served while any call that serves it has not been stopped, and the
// handler is removed with the last one. stop may be called more than once.
func Serve(h host.Host, blobs ...[]byte) (stop func()) {
	keys := make([][HashSize]byte, len(blobs))
	mu.Lock()
	s := servers[h]
	if s == nil {
		s = &server{blobs: map[[HashSize]byte]*blob{}}
		servers[h] = s
		h.SetStreamHandler(ProtocolID, func(st network.Stream) { s.handle(st) })
	}
	for i, b := range blobs {
		keys[i] = sha256.Sum256(b)
		if e := s.blobs[keys[i]]; e != nil {
			e.refs++
		} else {
			s.blobs[keys[i]] = &blob{data: b, refs: 1}
		}
	}
	mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			mu.Lock()
			defer mu.Unlock()
			for _, k := range keys {
				if e := s.blobs[k]; e != nil {
					if e.refs--; e.refs == 0 {
						delete(s.blobs, k)
					}
				}
			}
			if len(s.blobs) == 0 && servers[h] == s {
				delete(servers, h)
				h.RemoveStreamHandler(ProtocolID)
			}
		})
	}
}

func (s *server) lookup(k [HashSize]byte) ([]byte, bool) {
	mu.Lock()
	defer mu.Unlock()
	if e := s.blobs[k]; e != nil {
		return e.data, true
	}
	return nil, false
}

func (s *server) handle(st network.Stream) {
	defer st.Close()
	_ = st.SetDeadline(time.Now().Add(StreamTimeout))
	_ = st.SetReadDeadline(time.Now().Add(requestTimeout))
	var k [HashSize]byte
	if _, err := io.ReadFull(st, k[:]); err != nil {
		_ = st.Reset()
		return
	}
	data, ok := s.lookup(k)
	if !ok {
		_, _ = st.Write([]byte{StatusNotFound})
		return
	}
	_ = WriteResponse(st, data)
}

// WriteResponse writes a found response for data: the status byte, the length and the bytes, in one
// Write.
func WriteResponse(w io.Writer, data []byte) error {
	out := make([]byte, 0, 1+binary.MaxVarintLen64+len(data))
	out = append(out, StatusFound)
	out = binary.AppendUvarint(out, uint64(len(data)))
	_, err := w.Write(append(out, data...))
	return err
}

// Fetch asks the peer info for the blob whose sha256 is hash, and returns it once it is checked: at
// most maxBytes long (checked before anything is read or allocated) and hashing to hash. A blob the
// peer does not have is ErrNotFound, one over maxBytes ErrTooLarge, other bytes ErrHashMismatch. The
// stream is bounded by ctx's deadline, or StreamTimeout.
func Fetch(ctx context.Context, h host.Host, info peer.AddrInfo, hash []byte, maxBytes int64) ([]byte, error) {
	if len(hash) != HashSize {
		return nil, fmt.Errorf("hash of %d bytes: want a %d-byte sha256", len(hash), HashSize)
	}
	if maxBytes < 0 {
		return nil, fmt.Errorf("negative size bound %d", maxBytes)
	}
	if err := h.Connect(ctx, info); err != nil {
		return nil, fmt.Errorf("connecting to data peer %s: %w", info.ID, err)
	}
	st, err := h.NewStream(ctx, info.ID, ProtocolID)
	if err != nil {
		return nil, fmt.Errorf("opening %s stream to %s: %w", ProtocolID, info.ID, err)
	}
	defer st.Close()
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(StreamTimeout)
	}
	_ = st.SetDeadline(deadline)
	// a context cancelled before the deadline ends the stream too
	stopAfter := context.AfterFunc(ctx, func() { _ = st.Reset() })
	defer stopAfter()
	if _, err := st.Write(hash); err != nil {
		return nil, fmt.Errorf("sending the request to %s: %w", info.ID, err)
	}
	if err := st.CloseWrite(); err != nil {
		return nil, fmt.Errorf("sending the request to %s: %w", info.ID, err)
	}
	data, err := ReadResponse(bufio.NewReader(st), hash, maxBytes)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("data peer %s: %w (%w)", info.ID, err, ctx.Err())
		}
		return nil, fmt.Errorf("data peer %s: %w", info.ID, err)
	}
	return data, nil
}

// ReadResponse reads one response to a request for hash: the blob, once its declared length is found
// to be at most maxBytes (before anything more is read) and its sha256 to be hash. The buffer grows
// with the bytes that arrive, not with the length the peer declares.
func ReadResponse(r *bufio.Reader, hash []byte, maxBytes int64) ([]byte, error) {
	status, err := r.ReadByte()
	if err != nil {
		return nil, fmt.Errorf("reading the status: %w", err)
	}
	switch status {
	case StatusFound:
	case StatusNotFound:
		return nil, fmt.Errorf("%x: %w", hash, ErrNotFound)
	default:
		return nil, fmt.Errorf("unknown status %d", status)
	}
	size, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("reading the length: %w", err)
	}
	if maxBytes < 0 || size > uint64(maxBytes) {
		return nil, fmt.Errorf("%w: the data peer declares %d bytes, at most %d are accepted", ErrTooLarge, size, maxBytes)
	}
	var buf bytes.Buffer
	buf.Grow(int(min(size, 64<<10)))
	if _, err := buf.ReadFrom(io.LimitReader(r, int64(size))); err != nil {
		return nil, fmt.Errorf("reading the data: %w", err)
	}
	if uint64(buf.Len()) != size {
		return nil, fmt.Errorf("reading the data: %w after %d of %d bytes", io.ErrUnexpectedEOF, buf.Len(), size)
	}
	if sum := sha256.Sum256(buf.Bytes()); !bytes.Equal(sum[:], hash) {
		return nil, fmt.Errorf("%w: asked for %x, got %d bytes hashing to %x", ErrHashMismatch, hash, size, sum)
	}
	return buf.Bytes(), nil
}
