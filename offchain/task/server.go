// Package task is the /fog/task/1 protocol: an order owner delivers a WASM module and its input to
// the worker of one of its leases over libp2p and gets the output back with a signed receipt. Each
// task header is either signed by the owner, or sent by a peer the owner authorized for the lease
// with one signed SessionGrant on /fog/session/1 (sessions.go).
package task

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	markettypes "github.com/fogchain/fog/x/market/types"

	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/wire"
)

// Chain is what the server needs to know of the chain: a lease and its order.
type Chain interface {
	LeaseAndOrder(ctx context.Context, leaseID uint64) (markettypes.Lease, markettypes.Order, error)
}

// Executor runs a workload; *runtime.Runtime is one.
type Executor interface {
	Run(ctx context.Context, module, input []byte, lim runtime.Limits) (runtime.Result, error)
}

// Observer is told about every task the server answers (metrics).
type Observer interface {
	TaskDone(status string, d time.Duration)
}

// Config of a task server.
type Config struct {
	ChainID  string
	Provider string // bech32 address of this worker's provider
	Key      ed25519.PrivateKey
	Limits   runtime.Limits // memory comes from each order; the rest bound every task
	// StreamTimeout bounds reading a task and writing its answer (the run has its own limit).
	StreamTimeout time.Duration
	// MaxConcurrent tasks run at once; more wait for a slot (within their stream's deadline).
	MaxConcurrent int
	// AttestationHash, if set, gives the evidence hash of the worker's current x/tee enclave record
	// (nil when not attested); every receipt carries it.
	AttestationHash func() []byte

	// Sessions bounds the sessions opened on /fog/session/1 (zero values take the defaults).
	Sessions SessionLimits

	// InjectLatency is waited before each task's final answer: the worker's --unsafe-inject-latency,
	// for development networks only (it makes the worker look slow).
	InjectLatency time.Duration
	// UnsafeWrongOutput makes the server cheat, for tests of audits only (DEVELOPMENT ONLY): every
	// task's output is replaced by WrongOutput of it, and the receipt signs the hash of that wrong
	// output, so that a re-execution of the task disagrees with the receipt.
	UnsafeWrongOutput bool
}

// OrderLimits are the limits a task of order runs under: the worker's, with the order's memory. An
// audit's re-execution of a task runs under the same.
func OrderLimits(lim runtime.Limits, order markettypes.Order) runtime.Limits {
	lim.MemoryMiB = order.Resources.MemoryMib
	return lim
}

// OutputHash is the output hash a receipt signs for a run's output (wire.Hash, sha256): what an
// audit's committee member computes and votes on.
func OutputHash(output []byte) []byte { return wire.Hash(output) }

// WrongOutput is what a server with UnsafeWrongOutput returns instead of output: output with its last
// byte flipped, or "!" for an empty output. It never equals output.
func WrongOutput(output []byte) []byte {
	if len(output) == 0 {
		return []byte("!")
	}
	wrong := bytes.Clone(output)
	wrong[len(wrong)-1] ^= 0xff
	return wrong
}

// Server answers /fog/task/1 streams.
type Server struct {
	cfg      Config
	host     host.Host
	chain    Chain
	exec     Executor
	receipts *ReceiptStore
	obs      Observer
	log      *slog.Logger

	slots    chan struct{}
	mu       sync.Mutex
	inflight map[[2]uint64]bool // (lease, task seq) being run

	sessions *sessionStore
	now      func() time.Time // the clock sessions are checked against (tests move it)

	// record signs a task's receipt and stores it durably (signAndStore); a benchmark replaces it
	// to measure what that costs.
	record func(wire.Receipt) (*wire.SignedReceipt, error)
}

// NewServer builds a server on host h.
func NewServer(cfg Config, h host.Host, chain Chain, exec Executor, receipts *ReceiptStore, obs Observer, log *slog.Logger) *Server {
	if cfg.StreamTimeout == 0 {
		cfg.StreamTimeout = time.Minute
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 8
	}
	cfg.Sessions = cfg.Sessions.withDefaults()
	s := &Server{cfg: cfg, host: h, chain: chain, exec: exec, receipts: receipts, obs: obs, log: log,
		slots: make(chan struct{}, cfg.MaxConcurrent), inflight: map[[2]uint64]bool{},
		sessions: newSessionStore(cfg.Sessions), now: time.Now}
	s.record = s.signAndStore
	return s
}

// Start registers the protocol handlers: tasks and sessions.
func (s *Server) Start(ctx context.Context) error {
	s.host.SetStreamHandler(wire.ProtocolID, func(st network.Stream) { s.handle(ctx, st) })
	s.host.SetStreamHandler(wire.SessionProtocolID, func(st network.Stream) { s.handleSession(ctx, st) })
	return nil
}

// Stop removes the protocol handlers; streams in flight finish.
func (s *Server) Stop() {
	s.host.RemoveStreamHandler(wire.ProtocolID)
	s.host.RemoveStreamHandler(wire.SessionProtocolID)
}

// refusal is a task (or grant) refused before it ran; its message goes back to the customer, with
// a code when the customer's software can act on it.
type refusal struct {
	msg  string
	code wire.TaskRefusal
}

func (r refusal) Error() string { return r.msg }

func refuse(format string, args ...any) error { return refusal{msg: fmt.Sprintf(format, args...)} }

func (s *Server) handle(ctx context.Context, st network.Stream) {
	defer st.Close()
	_ = st.SetDeadline(time.Now().Add(s.cfg.StreamTimeout + s.cfg.Limits.Timeout + s.cfg.InjectLatency))
	start := time.Now()
	remote := st.Conn().RemotePeer()
	r := getReader(st)
	defer putReader(r)
	resp, err := s.serve(ctx, remote, r, st)
	status := "ok"
	if err != nil {
		resp = &wire.TaskResponse{}
		var ref refusal
		if errors.As(err, &ref) {
			status = "refused"
			s.log.Info("task refused", "peer", remote, "reason", err)
			resp.Refusal = ref.code
		} else {
			status = "error"
			s.log.Error("task failed", "peer", remote, "err", err)
			err = errors.New("internal error")
		}
		resp.Error = err.Error()
	} else if resp.Receipt.Receipt.Status != 0 {
		status = runtime.Status(resp.Receipt.Receipt.Status).String()
	}
	if s.cfg.InjectLatency > 0 {
		time.Sleep(s.cfg.InjectLatency)
	}
	if s.obs != nil {
		s.obs.TaskDone(status, time.Since(start))
	}
	if err := wire.WriteFrame(st, resp); err != nil {
		s.log.Warn("writing task response", "err", err)
	}
}

// serve reads and checks a task, runs it and returns the response. Every check that can refuse a task
// runs before its module and input are read: only then is the header accepted and are they sent.
func (s *Server) serve(ctx context.Context, remote peer.ID, r *bufio.Reader, w io.Writer) (*wire.TaskResponse, error) {
	var h wire.TaskHeader
	if err := wire.ReadFrame(r, wire.MaxHeaderBytes, &h); err != nil {
		return nil, refuse("malformed task header: %s", err)
	}
	if err := s.check(ctx, &h); err != nil {
		return nil, err
	}
	order, err := s.authorize(ctx, remote, &h)
	if err != nil {
		return nil, err
	}
	release, err := s.reserve(h.LeaseId, h.TaskSeq)
	if err != nil {
		return nil, err
	}
	defer release()
	if err := wire.WriteFrame(w, &wire.TaskResponse{Accepted: true}); err != nil {
		return nil, err
	}
	module, err := readExactly(r, h.ModuleSize, h.ModuleHash, "module")
	if err != nil {
		return nil, err
	}
	input, err := readExactly(r, h.InputSize, h.InputHash, "input")
	if err != nil {
		return nil, err
	}

	// A slot bounds the runs at once (CPU and wasm memory); it is given back once the run is over,
	// so that a task waiting for the fsync of its receipt does not keep another from running.
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	started := time.Now()
	res, err := s.exec.Run(ctx, module, input, OrderLimits(s.cfg.Limits, order))
	<-s.slots
	if err != nil {
		if errors.Is(err, runtime.ErrTooLarge) {
			return nil, refuse("%s", err)
		}
		return nil, err
	}
	ended := time.Now()
	if s.cfg.UnsafeWrongOutput {
		res.Output = WrongOutput(res.Output)
	}
	receipt := wire.Receipt{
		ChainId: s.cfg.ChainID, LeaseId: h.LeaseId, TaskSeq: h.TaskSeq,
		ModuleHash: h.ModuleHash, InputHash: h.InputHash, OutputHash: OutputHash(res.Output),
		Status: int32(res.Status), ExitCode: res.ExitCode, DurationMicros: uint64(res.Duration.Microseconds()),
		StartUnixMs: started.UnixMilli(), EndUnixMs: ended.UnixMilli(),
		WorkerPubkey: s.cfg.Key.Public().(ed25519.PublicKey), Provider: s.cfg.Provider,
	}
	if s.cfg.AttestationHash != nil {
		receipt.AttestationHash = s.cfg.AttestationHash()
	}
	signed, err := s.record(receipt)
	if err != nil {
		return nil, err
	}
	return &wire.TaskResponse{Output: res.Output, Receipt: signed, WorkloadError: res.Error, WorkloadStderr: res.Stderr}, nil
}

// signAndStore signs a receipt and returns once it is on disk: the customer never holds a receipt
// the worker could lose in a crash.
func (s *Server) signAndStore(receipt wire.Receipt) (*wire.SignedReceipt, error) {
	signed, err := wire.SignReceipt(receipt, s.cfg.Key)
	if err != nil {
		return nil, err
	}
	if err := s.receipts.Put(signed); err != nil {
		if errors.Is(err, ErrReceiptExists) {
			return nil, refuse("task %d of lease %d was already run", receipt.TaskSeq, receipt.LeaseId)
		}
		return nil, err
	}
	return &signed, nil
}

// reserve marks a task as running so that a second copy arriving meanwhile is refused; release
// unmarks it (the stored receipt refuses later copies).
func (s *Server) reserve(lease, seq uint64) (release func(), err error) {
	key := [2]uint64{lease, seq}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[key] || s.receipts.Has(lease, seq) {
		return nil, refuse("task %d of lease %d was already run", seq, lease)
	}
	s.inflight[key] = true
	return func() {
		s.mu.Lock()
		delete(s.inflight, key)
		s.mu.Unlock()
	}, nil
}

// check validates the header on its own: chain, sizes, hashes, signature (a session task has none:
// authorize checks its session), sequence.
func (s *Server) check(_ context.Context, h *wire.TaskHeader) error {
	switch {
	case h.ChainId != s.cfg.ChainID:
		return refuse("task for chain %q, this worker serves %q", h.ChainId, s.cfg.ChainID)
	case h.ModuleSize == 0 || h.ModuleSize > uint64(s.cfg.Limits.MaxModuleBytes):
		return refuse("module of %d bytes: must be 1 to %d bytes", h.ModuleSize, s.cfg.Limits.MaxModuleBytes)
	case h.InputSize > uint64(s.cfg.Limits.MaxInputBytes):
		return refuse("input of %d bytes: at most %d bytes", h.InputSize, s.cfg.Limits.MaxInputBytes)
	case len(h.ModuleHash) != 32 || len(h.InputHash) != 32:
		return refuse("module and input hashes must be 32-byte sha256")
	}
	switch {
	case h.IsSessionTask():
	case len(h.Signature) == 0:
		return refuse("task header has an owner key but no signature: sign it, or send neither to use a session")
	case len(h.OwnerPubkey) == 0:
		return refuse("task header has a signature but no owner key: set owner_pubkey, or send neither to use a session")
	default:
		if err := h.VerifyOwner(); err != nil {
			return refuse("%s", err)
		}
	}
	if s.receipts.Has(h.LeaseId, h.TaskSeq) {
		return refuse("task %d of lease %d was already run", h.TaskSeq, h.LeaseId)
	}
	return nil
}

// authorize checks the task against the chain: the lease is active and this worker's, the signer owns
// the order, and the module is the order's workload. A session task is authorized by the sending
// peer's session for the lease instead, whose snapshot of the lease and order is read again from the
// chain once it is older than the recheck interval (sessionOrder).
func (s *Server) authorize(ctx context.Context, remote peer.ID, h *wire.TaskHeader) (markettypes.Order, error) {
	var order markettypes.Order
	if h.IsSessionTask() {
		var err error
		if order, err = s.sessionOrder(ctx, remote, h.LeaseId); err != nil {
			return order, err
		}
	} else {
		var lease markettypes.Lease
		var err error
		lease, order, err = s.chain.LeaseAndOrder(ctx, h.LeaseId)
		if err != nil {
			return order, refuse("lease %d: %s", h.LeaseId, err)
		}
		owner, _ := h.OwnerAddress()
		if err := s.checkLease(h.LeaseId, lease, order, owner.String(), "task signed"); err != nil {
			return order, err
		}
	}
	if !bytes.Equal(h.ModuleHash, order.WorkloadHash) {
		return order, refuse("module hash %x is not the order's workload hash %x", h.ModuleHash, order.WorkloadHash)
	}
	return order, nil
}

// checkLease checks a lease and its order as the chain holds them: the lease is this worker's and
// active, and its order belongs to owner, who made the request (what: "task signed", "session
// granted").
func (s *Server) checkLease(id uint64, lease markettypes.Lease, order markettypes.Order, owner, what string) error {
	switch {
	case lease.Provider != s.cfg.Provider:
		return refuse("lease %d belongs to provider %s, not to this worker", id, lease.Provider)
	case lease.State != markettypes.LeaseActive:
		return refuse("lease %d is %s, not active", id, lease.State)
	case order.Owner != owner:
		return refuse("%s by %s, but order %d belongs to %s", what, owner, order.Id, order.Owner)
	}
	return nil
}

func readExactly(r io.Reader, n uint64, hash []byte, what string) ([]byte, error) {
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, refuse("reading %s: %s", what, err)
	}
	if !bytes.Equal(wire.Hash(buf), hash) {
		return nil, refuse("%s bytes do not match the header's hash", what)
	}
	return buf, nil
}
