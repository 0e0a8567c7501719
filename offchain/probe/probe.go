// Package probe is the /fog/probe/1 protocol: anyone may ask a worker whether it serves a lease, and
// the round trip of the answer is what an SLA observer measures (offchain/observer).
//
// A request is 16 bytes: the lease id (uint64, big endian) and an 8-byte nonce chosen by the prober.
// The worker answers with the 8-byte nonce when it is the lease's provider and the lease is active,
// and with one refusal byte otherwise (RefusedNotServed; RefusedMalformed for a request it could not
// read), then closes the stream. Nothing else is read or written, so a probe costs the worker one
// stream, 16 bytes in and at most 8 out, and a map lookup: it never asks the chain (see Leases).
package probe

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// ProtocolID is the libp2p protocol of probes.
const ProtocolID protocol.ID = "/fog/probe/1"

// RequestSize is the size of a request: lease id (8 bytes, big endian) and nonce (8 bytes).
const RequestSize = 16

// NonceSize is the size of the nonce, and of an answer.
const NonceSize = 8

// The refusal bytes: the one-byte answer of a worker that does not answer the probe.
const (
	// RefusedNotServed: the worker is not the lease's provider, or the lease is not active.
	RefusedNotServed byte = 1
	// RefusedMalformed: the worker could not read a whole request.
	RefusedMalformed byte = 2
)

// DefaultTimeout bounds a probe stream on the worker's side (reading the request, writing the
// answer), and on the prober's side when its context has no deadline.
const DefaultTimeout = 10 * time.Second

// Request is one probe request.
type Request struct {
	LeaseID uint64
	Nonce   [NonceSize]byte
}

// Encode is the request's 16 bytes.
func (r Request) Encode() [RequestSize]byte {
	var b [RequestSize]byte
	binary.BigEndian.PutUint64(b[:8], r.LeaseID)
	copy(b[8:], r.Nonce[:])
	return b
}

// ReadRequest reads one request from r: exactly RequestSize bytes, never more. A stream that ends
// before them is an error (io.EOF when it sent nothing, io.ErrUnexpectedEOF otherwise).
func ReadRequest(r io.Reader) (Request, error) {
	var b [RequestSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Request{}, err
	}
	req := Request{LeaseID: binary.BigEndian.Uint64(b[:8])}
	copy(req.Nonce[:], b[8:])
	return req, nil
}

// LeaseSet tells whether this worker serves a lease now: it is the lease's provider and the lease is
// active. It is asked once per probe, so it must answer from memory (*Leases does).
type LeaseSet interface {
	Serves(leaseID uint64) bool
}

// ServerConfig tunes Serve.
type ServerConfig struct {
	// Timeout bounds reading a request and writing its answer (DefaultTimeout if zero).
	Timeout time.Duration
	// Delay is waited before each answer: the worker's --unsafe-inject-latency, for development
	// networks only (it makes the worker look slow to SLA observers).
	Delay time.Duration
	// Log gets the debug line of each probe answered or refused (nil: none).
	Log *slog.Logger
}

// Serve answers /fog/probe/1 on h from leases until Unserve.
func Serve(h host.Host, leases LeaseSet, cfg ServerConfig) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	h.SetStreamHandler(ProtocolID, func(st network.Stream) { handle(st, leases, cfg) })
}

// Unserve stops answering probes on h (streams in flight finish).
func Unserve(h host.Host) { h.RemoveStreamHandler(ProtocolID) }

func handle(st network.Stream, leases LeaseSet, cfg ServerConfig) {
	defer st.Close()
	_ = st.SetDeadline(time.Now().Add(cfg.Timeout + cfg.Delay))
	answer := []byte{RefusedMalformed}
	req, err := ReadRequest(st)
	if err == nil {
		answer = []byte{RefusedNotServed}
		if leases.Serves(req.LeaseID) {
			answer = req.Nonce[:]
		}
	}
	if cfg.Delay > 0 {
		time.Sleep(cfg.Delay)
	}
	_, werr := st.Write(answer)
	if cfg.Log != nil {
		cfg.Log.Debug("probe", "peer", st.Conn().RemotePeer(), "lease", req.LeaseID, "answered", len(answer) == NonceSize,
			"read_err", err, "write_err", werr)
	}
}

// RefusedError is a probe the worker answered with a refusal byte.
type RefusedError struct {
	LeaseID uint64
	Code    byte
}

func (e *RefusedError) Error() string {
	switch e.Code {
	case RefusedNotServed:
		return fmt.Sprintf("worker refused the probe: it does not serve lease %d (not its provider, or not active)", e.LeaseID)
	case RefusedMalformed:
		return "worker refused the probe as malformed"
	}
	return fmt.Sprintf("worker refused the probe of lease %d (code %d)", e.LeaseID, e.Code)
}

// ErrWrongNonce: the worker answered with a nonce that is not the probe's.
var ErrWrongNonce = errors.New("worker answered the probe with another nonce")

// Probe asks the worker at info whether it serves leaseID and returns the round trip of the answer:
// from opening the stream to reading the echoed nonce. A connection to the worker is made first if
// there is none, outside the measured time, so that the dial of the first probe does not count; a
// dial that fails is an error like any other unanswered probe. A refusal is a *RefusedError. The
// stream is bounded by ctx's deadline (DefaultTimeout without one).
func Probe(ctx context.Context, h host.Host, info peer.AddrInfo, leaseID uint64) (time.Duration, error) {
	if err := h.Connect(ctx, info); err != nil {
		return 0, fmt.Errorf("connecting to %s: %w", info.ID, err)
	}
	req := Request{LeaseID: leaseID}
	if _, err := rand.Read(req.Nonce[:]); err != nil {
		return 0, err
	}
	bz := req.Encode()
	start := time.Now()
	st, err := h.NewStream(ctx, info.ID, ProtocolID)
	if err != nil {
		return 0, fmt.Errorf("opening a %s stream to %s: %w", ProtocolID, info.ID, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = start.Add(DefaultTimeout)
	}
	_ = st.SetDeadline(deadline)
	if _, err := st.Write(bz[:]); err != nil {
		_ = st.Reset()
		return 0, fmt.Errorf("sending the probe: %w", err)
	}
	var answer [NonceSize]byte
	n, err := io.ReadFull(st, answer[:])
	rtt := time.Since(start)
	switch {
	case err == nil:
		_ = st.Close()
		if answer != req.Nonce {
			return 0, ErrWrongNonce
		}
		return rtt, nil
	case n == 1 && errors.Is(err, io.ErrUnexpectedEOF):
		_ = st.Close()
		return 0, &RefusedError{LeaseID: leaseID, Code: answer[0]}
	default:
		_ = st.Reset()
		return 0, fmt.Errorf("reading the probe's answer: %w", err)
	}
}
