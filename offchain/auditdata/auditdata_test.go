package auditdata_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/auditdata"
	"github.com/fogchain/fog/offchain/task"
)

// newHost makes a host as the worker and the customer do (task.HostOptions), on loopback.
func newHost(t *testing.T) host.Host {
	opts, err := task.HostOptions()
	require.NoError(t, err)
	h, err := libp2p.New(append(opts, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))...)
	require.NoError(t, err)
	t.Cleanup(func() { h.Close() })
	return h
}

func info(h host.Host) peer.AddrInfo { return peer.AddrInfo{ID: h.ID(), Addrs: h.Addrs()} }

func hashOf(b []byte) []byte {
	s := sha256.Sum256(b)
	return s[:]
}

func fetch(t *testing.T, client, server host.Host, hash []byte, max int64) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return auditdata.Fetch(ctx, client, info(server), hash, max)
}

// handle makes server answer every request with respond's bytes, as a server of its own would.
func handle(server host.Host, respond func(w io.Writer, req []byte)) {
	server.SetStreamHandler(auditdata.ProtocolID, func(st network.Stream) {
		defer st.Close()
		req := make([]byte, auditdata.HashSize)
		if _, err := io.ReadFull(st, req); err != nil {
			return
		}
		respond(st, req)
	})
}

func TestFetchServedBlobs(t *testing.T) {
	server, client := newHost(t), newHost(t)
	module, input := bytes.Repeat([]byte("wasm"), 100_000), []byte("the input")
	stop := auditdata.Serve(server, module, input, nil)
	defer stop()

	got, err := fetch(t, client, server, hashOf(module), int64(len(module)))
	require.NoError(t, err)
	require.Equal(t, module, got)
	got, err = fetch(t, client, server, hashOf(input), 1<<20)
	require.NoError(t, err)
	require.Equal(t, input, got)
	got, err = fetch(t, client, server, hashOf(nil), 0)
	require.NoError(t, err, "an empty blob is served too")
	require.Empty(t, got)

	_, err = fetch(t, client, server, hashOf([]byte("never served")), 1<<20)
	require.True(t, errors.Is(err, auditdata.ErrNotFound), "%v", err)

	_, err = fetch(t, client, server, hashOf(module)[:31], 1<<20)
	require.ErrorContains(t, err, "want a 32-byte sha256")
}

// A blob over the client's bound is refused on its declared length, before a byte of it is read.
func TestFetchRefusesOversizeBlobs(t *testing.T) {
	server, client := newHost(t), newHost(t)
	blob := bytes.Repeat([]byte{7}, 1000)
	stop := auditdata.Serve(server, blob)
	_, err := fetch(t, client, server, hashOf(blob), 999)
	require.True(t, errors.Is(err, auditdata.ErrTooLarge), "%v", err)
	require.ErrorContains(t, err, "declares 1000 bytes, at most 999")
	stop()

	// a server that declares a terabyte and sends nothing: refused at once, nothing allocated
	handle(server, func(w io.Writer, _ []byte) {
		_, _ = w.Write(binary.AppendUvarint([]byte{auditdata.StatusFound}, 1<<40))
	})
	start := time.Now()
	_, err = fetch(t, client, server, hashOf(blob), 64<<20)
	require.True(t, errors.Is(err, auditdata.ErrTooLarge), "%v", err)
	require.Less(t, time.Since(start), 5*time.Second)
}

// A server that sends other bytes than those asked for (a requester that lies about the task's
// module or input) is caught by the hash; one that sends fewer than it declares, by the length.
func TestFetchRejectsWrongBytes(t *testing.T) {
	server, client := newHost(t), newHost(t)
	asked := []byte("the module the receipt names")
	handle(server, func(w io.Writer, _ []byte) { _ = auditdata.WriteResponse(w, []byte("another module")) })
	_, err := fetch(t, client, server, hashOf(asked), 1<<20)
	require.True(t, errors.Is(err, auditdata.ErrHashMismatch), "%v", err)

	handle(server, func(w io.Writer, _ []byte) {
		_, _ = w.Write(append(binary.AppendUvarint([]byte{auditdata.StatusFound}, 100), asked...))
	})
	_, err = fetch(t, client, server, hashOf(asked), 1<<20)
	require.True(t, errors.Is(err, io.ErrUnexpectedEOF), "%v", err)

	handle(server, func(w io.Writer, _ []byte) { _, _ = w.Write([]byte{9}) })
	_, err = fetch(t, client, server, hashOf(asked), 1<<20)
	require.ErrorContains(t, err, "unknown status 9")
}

// A server that never answers does not hold the client beyond its context's deadline.
func TestFetchDeadline(t *testing.T) {
	server, client := newHost(t), newHost(t)
	release := make(chan struct{})
	defer close(release)
	handle(server, func(io.Writer, []byte) { <-release })
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := auditdata.Fetch(ctx, client, info(server), hashOf(nil), 10)
	require.Error(t, err)
	require.Less(t, time.Since(start), 5*time.Second)
}

// Serving adds up per host: a blob served by two callers stays served until both stopped, and the
// handler goes with the last one.
func TestServeStops(t *testing.T) {
	server, client := newHost(t), newHost(t)
	shared, own := []byte("module"), []byte("input of the first audit")
	stop1 := auditdata.Serve(server, shared, own)
	stop2 := auditdata.Serve(server, shared)

	stop1()
	stop1() // twice is harmless
	_, err := fetch(t, client, server, hashOf(own), 100)
	require.True(t, errors.Is(err, auditdata.ErrNotFound), "%v", err)
	got, err := fetch(t, client, server, hashOf(shared), 100)
	require.NoError(t, err)
	require.Equal(t, shared, got)

	stop2()
	_, err = fetch(t, client, server, hashOf(shared), 100)
	require.Error(t, err)
	require.False(t, errors.Is(err, auditdata.ErrNotFound), "the protocol is no longer served at all: %v", err)
}
