// Package auditor is the worker's committee duty in x/quorum's proof of audit. When an audit's
// committee names the worker's provider (EventAuditRequested), the service fetches the module and
// the input of the receipt under audit from the requester (/fog/audit-data/1, offchain/auditdata),
// runs them as the task server runs a task (same runtime, same limits, the audited order's memory),
// hashes the output as a receipt does, and votes by commit and reveal: the output hash and a random
// salt are written to disk before the commitment is broadcast, the commitment is sent while the
// commit phase lasts and the reveal once it is over, at the heights the chain reports. A restart
// resumes from disk; nothing is ever committed twice, nor computed again once on disk.
package auditor

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/atomicfile"
	"github.com/fogchain/fog/offchain/auditdata"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/task"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Chain is what the committee duty needs from the node (offchain/chain.Client).
type Chain interface {
	Address() sdk.AccAddress
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	LeaseAndOrder(ctx context.Context, leaseID uint64) (markettypes.Lease, markettypes.Order, error)
	Audit(ctx context.Context, id uint64) (quorumtypes.Audit, error)
	Verifiers(ctx context.Context) ([]quorumtypes.Verifier, error)
	// RecentAudits visits the audits newest first until visit returns false.
	RecentAudits(ctx context.Context, visit func(quorumtypes.Audit) bool) error
}

// Config of the committee duty.
type Config struct {
	// Join: at start, put the provider into the verifier pool (MsgJoinVerifierPool, locking the
	// verifier deposit) unless it is in it. The duty is served either way: a provider in the pool is
	// drawn, and a member that does not vote loses its deposit.
	Join bool
	// Limits are the task limits of the worker; the memory limit is the audited order's
	// (task.OrderLimits). The module and input fetched are bounded by MaxModuleBytes and MaxInputBytes.
	Limits runtime.Limits
	// FetchTimeout bounds fetching the module and input of one audit (default 30 s).
	FetchTimeout time.Duration
	// Attempts at fetching and running an audit's task while its commit phase lasts (default 3), one
	// per new height at most.
	Attempts int
}

// DefaultFetchTimeout is the fetch timeout a zero Config.FetchTimeout takes.
const DefaultFetchTimeout = 30 * time.Second

const (
	defaultAttempts = 3
	// saltSize is the size of a vote's random salt.
	saltSize = 32
	// concurrentRuns bounds the audits fetched and run at once (tasks have their own slots).
	concurrentRuns = 1
	// maxResyncAudits bounds the audits a resync looks at to find those it was drawn for.
	maxResyncAudits = 1_000
)

// Phase of one duty. Computed: the vote (output hash and salt) is on disk and its commitment not known
// to be on chain.
type Phase string

const (
	PhaseComputed  Phase = "computed"
	PhaseCommitted Phase = "committed"
	PhaseRevealed  Phase = "revealed"
	PhaseDone      Phase = "done"
)

// Duty is one audit the provider votes on, kept as JSON in <dir>/audits/<audit id>.json from the
// moment its vote is computed, before anything is broadcast.
type Duty struct {
	AuditID        uint64 `json:"audit_id"`
	LeaseID        uint64 `json:"lease_id"`
	TaskSeq        uint64 `json:"task_seq"`
	Provider       string `json:"provider"` // the audited provider
	CommitDeadline int64  `json:"commit_deadline"`
	RevealDeadline int64  `json:"reveal_deadline"`
	Phase          Phase  `json:"phase"`
	// OutputHash is the vote: the output hash of the re-execution (task.OutputHash); RunStatus its
	// runtime status.
	OutputHash []byte `json:"output_hash"`
	RunStatus  string `json:"run_status"`
	Salt       []byte `json:"salt"`
	Commitment []byte `json:"commitment"`
	Outcome    string `json:"outcome,omitempty"`
}

// request is an audit the provider was drawn for whose vote is not computed yet.
type request struct {
	ev       quorumtypes.EventAuditRequested
	attempts int
	running  bool
	lastErr  error
}

// result is what one attempt at computing a vote gave.
type result struct {
	id         uint64
	outputHash []byte
	status     runtime.Status
	err        error
}

// Service serves the provider's committee duty.
type Service struct {
	chain     Chain
	host      host.Host
	exec      task.Executor
	cfg       Config
	dir       string
	log       *slog.Logger
	self      string
	selfBytes []byte

	mu       sync.Mutex
	duties   map[uint64]*Duty
	requests map[uint64]*request
	skipped  map[uint64]bool // drawn, and given up on (not persisted: a restart tries again)
	height   int64

	results chan result
	runs    chan struct{}
	cancel  context.CancelFunc
	done    chan struct{}
	workers sync.WaitGroup
}

// New builds the service; it keeps its duties under dir/audits. h is the worker's libp2p host, from
// which the requester is dialled; exec runs the audited tasks (the worker's runtime).
func New(c Chain, h host.Host, exec task.Executor, cfg Config, dir string, log *slog.Logger) (*Service, error) {
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = DefaultFetchTimeout
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = defaultAttempts
	}
	if cfg.Limits.MaxModuleBytes <= 0 || cfg.Limits.MaxInputBytes < 0 {
		return nil, fmt.Errorf("audit limits: max module bytes %d, max input bytes %d", cfg.Limits.MaxModuleBytes, cfg.Limits.MaxInputBytes)
	}
	return &Service{chain: c, host: h, exec: exec, cfg: cfg, dir: filepath.Join(dir, "audits"), log: log,
		self: c.Address().String(), selfBytes: c.Address(),
		duties: map[uint64]*Duty{}, requests: map[uint64]*request{}, skipped: map[uint64]bool{},
		results: make(chan result), runs: make(chan struct{}, concurrentRuns)}, nil
}

// Start reads the duties back from disk, joins the verifier pool if Join says so, and follows the
// chain.
func (s *Service) Start(ctx context.Context) error {
	if err := s.load(); err != nil {
		return err
	}
	if s.cfg.Join {
		if err := s.join(ctx); err != nil {
			return err
		}
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.done = make(chan struct{})
	go s.run(ctx)
	return nil
}

// Stop stops following the chain and waits for the runs in flight; the duties stay on disk.
func (s *Service) Stop() {
	if s.cancel != nil {
		s.cancel()
		<-s.done
		s.workers.Wait()
	}
}

// Duties returns a copy of the duties, by audit id.
func (s *Service) Duties() []Duty {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Duty, 0, len(s.duties))
	for _, d := range s.duties {
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AuditID < out[j].AuditID })
	return out
}

func (s *Service) load() error {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return err
	}
	pending := 0
	for _, ent := range entries {
		if !strings.HasSuffix(ent.Name(), ".json") {
			continue
		}
		bz, err := os.ReadFile(filepath.Join(s.dir, ent.Name()))
		if err != nil {
			return err
		}
		var d Duty
		if err := json.Unmarshal(bz, &d); err != nil {
			return fmt.Errorf("%s: %w", filepath.Join(s.dir, ent.Name()), err)
		}
		s.duties[d.AuditID] = &d
		if d.Phase != PhaseDone {
			pending++
		}
	}
	if pending > 0 {
		s.log.Info("resumed audit duties", "pending", pending)
	}
	return nil
}

func (s *Service) save(d *Duty) error {
	bz, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(s.dir, strconv.FormatUint(d.AuditID, 10)+".json"), bz, 0o600)
}

// join puts the provider into the verifier pool unless it is in it already.
func (s *Service) join(ctx context.Context) error {
	vs, err := s.chain.Verifiers(ctx)
	if err == nil {
		for _, v := range vs {
			if v.Address == s.self {
				s.log.Info("in the verifier pool", "deposit", v.Deposit, "since_height", v.JoinedHeight, "open_duties", v.OpenDuties)
				return nil
			}
		}
	} else {
		s.log.Warn("reading the verifier pool; joining all the same", "err", err)
	}
	_, err = s.chain.Broadcast(ctx, &quorumtypes.MsgJoinVerifierPool{Provider: s.self})
	switch {
	case errors.Is(err, quorumtypes.ErrVerifierExists):
		s.log.Info("in the verifier pool")
		return nil
	case err != nil:
		return fmt.Errorf("joining the verifier pool ([verifier] join = true): %w", err)
	}
	s.log.Info("joined the verifier pool: the verifier deposit is locked until the provider leaves it", "provider", s.self)
	return nil
}

func (s *Service) run(ctx context.Context) {
	defer close(s.done)
	events := s.chain.Subscribe(ctx, s.follows)
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				return
			}
			if ev.Resync {
				s.resync(ctx, ev.Height)
			} else {
				s.handle(ctx, ev)
			}
		case r := <-s.results:
			s.computed(ctx, r)
		}
	}
}

// follows selects the audits whose committee names the provider, and every audit's decision.
func (s *Service) follows(m proto.Message) bool {
	switch m := m.(type) {
	case *quorumtypes.EventAuditRequested:
		return slices.Contains(m.Committee, s.self)
	case *quorumtypes.EventAuditDecided:
		return true
	}
	return false
}

// handle moves the duties on with one block: the audits it drew the provider for and those it
// decided, then what the height calls for.
func (s *Service) handle(ctx context.Context, ev chain.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.height = ev.Height
	for _, m := range ev.Events {
		switch m := m.(type) {
		case *quorumtypes.EventAuditRequested:
			s.drawn(ctx, *m, ev.Height)
		case *quorumtypes.EventAuditDecided:
			s.decided(m)
		}
	}
	s.tick(ctx, ev.Height)
}

// resync brings the duties up to height h from the chain's state: each pending duty's audit is read
// again, and the newest audits are looked at for any the provider was drawn for while the worker did
// not follow the chain (down, or disconnected).
func (s *Service) resync(ctx context.Context, h int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.height = h
	for _, d := range s.pending() {
		if err := s.reconcile(ctx, d); err != nil && ctx.Err() == nil {
			s.log.Warn("reading an audit", "audit", d.AuditID, "phase", d.Phase, "err", err)
		}
	}
	seen := 0
	err := s.chain.RecentAudits(ctx, func(a quorumtypes.Audit) bool {
		// Audits are drawn in id order with commit deadlines that do not decrease (while the commit
		// phase's length does not change): past the first whose commit phase is over, none can still
		// be committed to.
		if a.CommitDeadline <= h || seen >= maxResyncAudits {
			return false
		}
		seen++
		i := a.Member(s.self)
		if a.State != quorumtypes.AuditOpen || i < 0 || s.duties[a.Id] != nil || s.requests[a.Id] != nil || s.skipped[a.Id] {
			return true
		}
		if len(a.Committee[i].Commitment) > 0 {
			// committed by a worker whose data directory is not this one: the salt is not here
			s.skipped[a.Id] = true
			s.log.Error("drawn for an audit whose vote this provider committed, but its salt is not on disk: it cannot be revealed, and the verifier deposit will be slashed", "audit", a.Id)
			return true
		}
		s.drawn(ctx, quorumtypes.EventAuditRequested{AuditId: a.Id, LeaseId: a.LeaseId, TaskSeq: a.TaskSeq, Provider: a.Provider,
			Requester: a.Requester, ModuleHash: a.ModuleHash, InputHash: a.InputHash, DataPeerId: a.DataPeerId,
			DataMultiaddrs: a.DataMultiaddrs, CommitDeadline: a.CommitDeadline, RevealDeadline: a.RevealDeadline}, h)
		return true
	})
	if err != nil && ctx.Err() == nil {
		s.log.Warn("listing recent audits", "err", err)
	}
	s.tick(ctx, h)
}

// pending lists the duties not done, by audit id.
func (s *Service) pending() []*Duty {
	out := make([]*Duty, 0, len(s.duties))
	for _, d := range s.duties {
		if d.Phase != PhaseDone {
			out = append(out, d)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AuditID < out[j].AuditID })
	return out
}

// drawn starts the duty of an audit the provider was drawn for, seen at height h.
func (s *Service) drawn(ctx context.Context, ev quorumtypes.EventAuditRequested, h int64) {
	id := ev.AuditId
	if s.duties[id] != nil || s.requests[id] != nil || s.skipped[id] {
		return
	}
	if !canLand(h, ev.CommitDeadline) {
		s.skipped[id] = true
		s.log.Warn("drawn for an audit too late to commit to it: the verifier deposit will be slashed", "audit", id,
			"height", h, "commit_deadline", ev.CommitDeadline)
		return
	}
	s.log.Info("drawn for an audit's committee", "audit", id, "lease", ev.LeaseId, "task", ev.TaskSeq, "provider", ev.Provider,
		"commit_deadline", ev.CommitDeadline, "reveal_deadline", ev.RevealDeadline)
	req := &request{ev: ev}
	s.requests[id] = req
	s.spawn(ctx, req)
}

// canLand tells whether a transaction broadcast once the chain reported height h can still be
// included by deadline: it lands at h+1 at the earliest.
func canLand(h, deadline int64) bool { return h < deadline }

// spawn fetches and runs an audit's task on a goroutine of its own; the result comes back to the
// service's loop.
func (s *Service) spawn(ctx context.Context, req *request) {
	req.running = true
	req.attempts++
	ev := req.ev
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		hash, st, err := s.compute(ctx, ev)
		select {
		case s.results <- result{id: ev.AuditId, outputHash: hash, status: st, err: err}:
		case <-ctx.Done():
		}
	}()
}

// compute fetches the audit's module and input from its requester, within the task limits, and runs
// them as the task server runs a task: same runtime and limits, the audited order's memory. The vote
// is the output hash a receipt of that run signs.
func (s *Service) compute(ctx context.Context, ev quorumtypes.EventAuditRequested) ([]byte, runtime.Status, error) {
	select {
	case s.runs <- struct{}{}:
		defer func() { <-s.runs }()
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	info, err := DataPeer(ev.DataPeerId, ev.DataMultiaddrs)
	if err != nil {
		return nil, 0, err
	}
	fctx, cancel := context.WithTimeout(ctx, s.cfg.FetchTimeout)
	defer cancel()
	module, err := s.fetch(fctx, info, ev.ModuleHash, int64(s.cfg.Limits.MaxModuleBytes))
	if err != nil {
		return nil, 0, &unavailableError{fmt.Errorf("fetching the module: %w", err)}
	}
	input, err := s.fetch(fctx, info, ev.InputHash, int64(s.cfg.Limits.MaxInputBytes))
	if err != nil {
		return nil, 0, &unavailableError{fmt.Errorf("fetching the input: %w", err)}
	}
	_, order, err := s.chain.LeaseAndOrder(ctx, ev.LeaseId)
	if err != nil {
		return nil, 0, fmt.Errorf("reading the audited lease %d: %w", ev.LeaseId, err)
	}
	res, err := s.exec.Run(ctx, module, input, task.OrderLimits(s.cfg.Limits, order))
	if err != nil {
		return nil, 0, fmt.Errorf("running the audited task: %w", err)
	}
	return task.OutputHash(res.Output), res.Status, nil
}

var emptyHash = sha256.Sum256(nil)

// unavailableError is a failure to get the audited module or input from the requester (none served,
// or bytes that are not those the receipt names): the member then votes
// quorumtypes.DataUnavailable, which keeps its deposit when the majority could not get the data
// either.
type unavailableError struct{ err error }

func (e *unavailableError) Error() string { return e.err.Error() }
func (e *unavailableError) Unwrap() error { return e.err }

// fetch gets one blob; the empty blob, which its hash determines, is not asked for.
func (s *Service) fetch(ctx context.Context, info peer.AddrInfo, hash []byte, maxBytes int64) ([]byte, error) {
	if bytes.Equal(hash, emptyHash[:]) {
		return []byte{}, nil
	}
	return auditdata.Fetch(ctx, s.host, info, hash, maxBytes)
}

// DataPeer is the address of an audit's requester, as its request names it.
func DataPeer(id string, addrs []string) (peer.AddrInfo, error) {
	pid, err := peer.Decode(id)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("data peer id %q: %w", id, err)
	}
	info := peer.AddrInfo{ID: pid}
	for _, s := range addrs {
		a, err := ma.NewMultiaddr(s)
		if err != nil {
			return info, fmt.Errorf("data multiaddr %q: %w", s, err)
		}
		if transport, _ := peer.SplitAddr(a); transport != nil {
			a = transport
		}
		info.Addrs = append(info.Addrs, a)
	}
	if len(info.Addrs) == 0 {
		return info, fmt.Errorf("the audit names no multiaddr of its data peer %s", id)
	}
	return info, nil
}

// computed takes the result of an attempt: a vote is written to disk and committed at once; a
// failure is tried again at the next height while attempts and the commit phase last.
func (s *Service) computed(ctx context.Context, r result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := s.requests[r.id]
	if req == nil {
		return
	}
	req.running = false
	if r.err != nil {
		req.lastErr = r.err
		var unavailable *unavailableError
		lastChance := req.attempts >= s.cfg.Attempts || !canLand(s.height+1, req.ev.CommitDeadline)
		switch {
		case errors.As(r.err, &unavailable) && lastChance && canLand(s.height, req.ev.CommitDeadline):
			// the requester did not serve the data: vote so, rather than not at all
			s.log.Warn("audit: the requester did not serve the audited module or input; voting data unavailable",
				"audit", r.id, "attempts", req.attempts, "err", r.err)
			r = result{id: r.id, outputHash: quorumtypes.DataUnavailable}
		case lastChance:
			s.giveUp(req)
			return
		default:
			s.log.Warn("audit: fetching or running the audited task failed; trying again at the next height", "audit", r.id,
				"attempt", req.attempts, "of", s.cfg.Attempts, "err", r.err)
			return
		}
	}
	ev := req.ev
	salt := make([]byte, saltSize)
	if _, err := rand.Read(salt); err != nil {
		req.lastErr = err
		s.giveUp(req)
		return
	}
	d := &Duty{AuditID: ev.AuditId, LeaseID: ev.LeaseId, TaskSeq: ev.TaskSeq, Provider: ev.Provider,
		CommitDeadline: ev.CommitDeadline, RevealDeadline: ev.RevealDeadline, Phase: PhaseComputed,
		OutputHash: r.outputHash, RunStatus: r.status.String(), Salt: salt,
		Commitment: quorumtypes.AuditCommitment(ev.AuditId, s.selfBytes, r.outputHash, salt)}
	// on disk before anything is broadcast: a commitment whose salt is lost cannot be revealed
	if err := s.save(d); err != nil {
		req.lastErr = fmt.Errorf("saving the vote: %w", err)
		s.giveUp(req)
		return
	}
	delete(s.requests, r.id)
	s.duties[d.AuditID] = d
	s.log.Info("audit: task re-executed", "audit", d.AuditID, "output_hash", fmt.Sprintf("%x", d.OutputHash), "status", d.RunStatus)
	s.step(ctx, d, s.height)
}

// giveUp drops an audit whose vote could not be computed: not voting costs the verifier deposit.
func (s *Service) giveUp(req *request) {
	delete(s.requests, req.ev.AuditId)
	s.skipped[req.ev.AuditId] = true
	s.log.Warn("audit: cannot fetch or run the audited task; skipping the audit: no vote will be committed, so this verifier's deposit will be slashed",
		"audit", req.ev.AuditId, "data_peer", req.ev.DataPeerId, "attempts", req.attempts, "err", req.lastErr)
}

// tick acts on height h: each duty's next step, and another attempt for each vote not computed yet.
func (s *Service) tick(ctx context.Context, h int64) {
	for _, d := range s.pending() {
		s.step(ctx, d, h)
	}
	ids := make([]uint64, 0, len(s.requests))
	for id := range s.requests {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		req := s.requests[id]
		switch {
		case req.running:
		case !canLand(h, req.ev.CommitDeadline):
			s.giveUp(req)
		default:
			s.spawn(ctx, req)
		}
	}
}

// step moves one duty on at height h: commit while the commit phase lasts, reveal once it is over
// and while the reveal phase lasts, and read the decision once it is due.
func (s *Service) step(ctx context.Context, d *Duty, h int64) {
	var err error
	switch d.Phase {
	case PhaseComputed:
		if !canLand(h, d.CommitDeadline) {
			// the commit may have been included before a crash: the chain says
			if err = s.reconcile(ctx, d); err == nil && d.Phase == PhaseComputed {
				s.finish(d, "the commit phase ended before the vote was committed: the verifier deposit will be slashed", true)
			}
			break
		}
		err = s.commit(ctx, d)
	case PhaseCommitted:
		if h < d.CommitDeadline {
			return
		}
		if !canLand(h, d.RevealDeadline) {
			if err = s.reconcile(ctx, d); err == nil && d.Phase == PhaseCommitted {
				s.finish(d, "the reveal phase ended before the vote was revealed: the verifier deposit will be slashed", true)
			}
			break
		}
		err = s.reveal(ctx, d)
	case PhaseRevealed:
		if h < d.RevealDeadline {
			return
		}
		// decided in the reveal deadline's EndBlock; its event was not seen (or the decision waits)
		err = s.reconcile(ctx, d)
	}
	if err != nil && ctx.Err() == nil {
		s.log.Warn("audit duty", "audit", d.AuditID, "phase", d.Phase, "height", h, "err", err)
	}
}

func (s *Service) commit(ctx context.Context, d *Duty) error {
	_, err := s.chain.Broadcast(ctx, &quorumtypes.MsgCommitAuditVote{Auditor: s.self, AuditId: d.AuditID, Commitment: d.Commitment})
	switch {
	case err == nil:
	case errors.Is(err, quorumtypes.ErrAlreadyVoted):
		// committed before a crash, or by another process with this key: the chain says which
		return s.reconcile(ctx, d)
	case errors.Is(err, quorumtypes.ErrNotOnCommittee), errors.Is(err, quorumtypes.ErrAuditNotFound):
		s.finish(d, "commit refused: "+err.Error(), true)
		return nil
	default:
		return fmt.Errorf("committing (tried again at the next height): %w", err)
	}
	d.Phase = PhaseCommitted
	s.log.Info("audit vote committed", "audit", d.AuditID, "reveal_after", d.CommitDeadline)
	return s.save(d)
}

func (s *Service) reveal(ctx context.Context, d *Duty) error {
	_, err := s.chain.Broadcast(ctx, &quorumtypes.MsgRevealAuditVote{Auditor: s.self, AuditId: d.AuditID, OutputHash: d.OutputHash, Salt: d.Salt})
	switch {
	case err == nil, errors.Is(err, quorumtypes.ErrAlreadyVoted):
	case errors.Is(err, quorumtypes.ErrNotOnCommittee), errors.Is(err, quorumtypes.ErrAuditNotFound), errors.Is(err, quorumtypes.ErrBadReveal):
		s.finish(d, "reveal refused: "+err.Error(), true)
		return nil
	default:
		return fmt.Errorf("revealing (tried again at the next height): %w", err)
	}
	d.Phase = PhaseRevealed
	s.log.Info("audit vote revealed", "audit", d.AuditID, "output_hash", fmt.Sprintf("%x", d.OutputHash))
	return s.save(d)
}

// reconcile reads the duty's audit and takes from it what the chain knows of the vote: committed,
// revealed, or decided.
func (s *Service) reconcile(ctx context.Context, d *Duty) error {
	a, err := s.chain.Audit(ctx, d.AuditID)
	if status.Code(err) == codes.NotFound {
		s.finish(d, "the audit is not on chain", true)
		return nil
	}
	if err != nil {
		return err
	}
	i := a.Member(s.self)
	if i < 0 {
		s.finish(d, "the provider is not on the audit's committee", true)
		return nil
	}
	if a.State != quorumtypes.AuditOpen {
		v := a.Committee[i]
		s.concluded(d, a.State, a.MajorityOutputHash, v.Slashed.IsValid() && v.Slashed.IsPositive(), v.Paid)
		return nil
	}
	v := a.Committee[i]
	switch {
	case len(v.OutputHash) > 0 && d.Phase != PhaseRevealed:
		d.Phase = PhaseRevealed
		return s.save(d)
	case len(v.Commitment) > 0 && d.Phase == PhaseComputed:
		if !bytes.Equal(v.Commitment, d.Commitment) {
			s.finish(d, fmt.Sprintf("another commitment (%x) is on chain for this provider, not the one on disk: it cannot be revealed", v.Commitment), true)
			return nil
		}
		d.Phase = PhaseCommitted
		return s.save(d)
	}
	return nil
}

// decided takes an audit's decision from its event.
func (s *Service) decided(m *quorumtypes.EventAuditDecided) {
	delete(s.requests, m.AuditId)
	d := s.duties[m.AuditId]
	if d == nil || d.Phase == PhaseDone {
		return
	}
	s.concluded(d, m.State, m.MajorityOutputHash, slices.Contains(m.SlashedAuditors, s.self), sdk.Coin{})
}

// concluded ends a duty whose audit was decided, saying how the provider's vote fared (paid, when
// known: the audit's record has it, its event not).
func (s *Service) concluded(d *Duty, state quorumtypes.AuditState, majority []byte, slashed bool, paid sdk.Coin) {
	with := len(majority) > 0 && bytes.Equal(majority, d.OutputHash)
	outcome := fmt.Sprintf("audit %s; this provider's vote %x is with the majority: %t", state, d.OutputHash, with)
	if slashed {
		outcome += "; its verifier deposit was slashed"
	}
	if paid.IsValid() && paid.IsPositive() {
		outcome += "; paid " + paid.String()
	}
	s.finish(d, outcome, slashed)
}

func (s *Service) finish(d *Duty, outcome string, warn bool) {
	d.Phase, d.Outcome = PhaseDone, outcome
	if warn {
		s.log.Warn("audit duty done", "audit", d.AuditID, "outcome", outcome)
	} else {
		s.log.Info("audit duty done", "audit", d.AuditID, "outcome", outcome)
	}
	if err := s.save(d); err != nil {
		s.log.Warn("saving an audit duty", "audit", d.AuditID, "err", err)
	}
}
