package task

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/fogchain/fog/offchain/wire"
)

// Session sends tasks on one lease without signing each: the order owner signed one SessionGrant
// that authorizes this host's peer ID on the lease until the grant ends, and the worker holds the
// session. It is safe for concurrent use.
type Session struct {
	h       host.Host
	p       peer.AddrInfo
	chainID string
	leaseID uint64
	signer  Signer
	ttl     time.Duration

	mu       sync.Mutex // held while a grant is signed and opened
	gen      uint64     // grants opened so far
	notAfter time.Time
}

// NewSessionGrant makes the grant by which signer, the order owner, lets peer id send tasks on the
// lease until notAfter (whole seconds).
func NewSessionGrant(chainID string, leaseID uint64, id peer.ID, notAfter time.Time, signer Signer) (*wire.SessionGrant, error) {
	pub, err := publicKey(signer)
	if err != nil {
		return nil, err
	}
	g := &wire.SessionGrant{ChainId: chainID, LeaseId: leaseID, PeerId: []byte(id), NotAfterUnix: notAfter.Unix(), OwnerPubkey: pub}
	bz, err := g.SignBytes()
	if err != nil {
		return nil, err
	}
	if g.Signature, _, err = signer.Sign(bz); err != nil {
		return nil, err
	}
	return g, nil
}

// OpenSession signs a grant for h's peer on the lease, valid for ttl (at least a second, and at most
// the worker's max session TTL: 24 hours by default), and opens it on the worker at p.
func OpenSession(ctx context.Context, h host.Host, p peer.AddrInfo, chainID string, leaseID uint64, signer Signer, ttl time.Duration) (*Session, error) {
	if ttl < time.Second {
		return nil, fmt.Errorf("session ttl %s: must be at least 1s", ttl)
	}
	s := &Session{h: h, p: p, chainID: chainID, leaseID: leaseID, signer: signer, ttl: ttl}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.openLocked(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// NotAfter is when the current grant ends; Send opens a new one shortly before.
func (s *Session) NotAfter() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.notAfter
}

// openLocked signs a new grant and opens it; s.mu is held.
func (s *Session) openLocked(ctx context.Context) error {
	g, err := NewSessionGrant(s.chainID, s.leaseID, s.h.ID(), time.Now().Add(s.ttl), s.signer)
	if err != nil {
		return err
	}
	resp, err := RequestSession(ctx, s.h, s.p, g)
	if err != nil {
		return err
	}
	if resp.Error != "" {
		return fmt.Errorf("worker refused the session: %s", resp.Error)
	}
	s.notAfter = time.Unix(resp.NotAfterUnix, 0)
	s.gen++
	return nil
}

// RequestSession sends a grant on /fog/session/1 and returns the worker's answer; a refusal is in
// its Error.
func RequestSession(ctx context.Context, h host.Host, p peer.AddrInfo, g *wire.SessionGrant) (*wire.SessionResponse, error) {
	if err := connect(ctx, h, p); err != nil {
		return nil, err
	}
	st, err := h.NewStream(ctx, p.ID, wire.SessionProtocolID)
	if err != nil {
		return nil, fmt.Errorf("opening %s stream to %s: %w", wire.SessionProtocolID, p.ID, err)
	}
	defer st.Close()
	setDeadline(ctx, st)
	if err := wire.WriteFrame(st, g); err != nil {
		return nil, fmt.Errorf("sending the session grant: %w", err)
	}
	_ = st.CloseWrite()
	var resp wire.SessionResponse
	if err := wire.ReadFrame(bufio.NewReader(st), wire.MaxHeaderBytes, &resp); err != nil {
		return nil, fmt.Errorf("reading the worker's answer to the session grant: %w", err)
	}
	if resp.Error == "" && resp.NotAfterUnix == 0 {
		return nil, errors.New("worker neither opened nor refused the session")
	}
	return &resp, nil
}

// renewBefore is how long before its end a grant is replaced: a tenth of the ttl, at most a minute.
func (s *Session) renewBefore() time.Duration { return min(s.ttl/10, time.Minute) }

// current returns the generation of the grant a task goes under, opening a new grant first if the
// current one ends soon.
func (s *Session) current(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Until(s.notAfter) < s.renewBefore() {
		if err := s.openLocked(ctx); err != nil {
			return 0, err
		}
	}
	return s.gen, nil
}

// reopen opens a new grant after the worker refused a task under grant gen for want of a session,
// unless another task opened one since.
func (s *Session) reopen(ctx context.Context, gen uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return nil
	}
	return s.openLocked(ctx)
}

// Send delivers a task on the session's lease (t's chain and lease may be left empty) and waits for
// its answer, like Send but with no signature. If the worker holds no session for this peer any
// more (it restarted, or the session ended), Send opens the session again once and retries the task.
// A refusal by the worker is returned as an error (a *RefusedError).
func (s *Session) Send(ctx context.Context, t Task) (*wire.TaskResponse, error) {
	if t.ChainID == "" {
		t.ChainID = s.chainID
	}
	if t.LeaseID == 0 {
		t.LeaseID = s.leaseID
	}
	if t.ChainID != s.chainID || t.LeaseID != s.leaseID {
		return nil, fmt.Errorf("task for chain %q lease %d sent on the session of chain %q lease %d", t.ChainID, t.LeaseID, s.chainID, s.leaseID)
	}
	gen, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	header := newHeader(t)
	resp, err := exchange(ctx, s.h, s.p, &header, t)
	var refused *RefusedError
	if !errors.As(err, &refused) || refused.Refusal != wire.TaskRefusal_TASK_REFUSAL_NO_SESSION {
		return resp, err
	}
	if err := s.reopen(ctx, gen); err != nil {
		return nil, fmt.Errorf("the worker holds no session for this peer, and opening one again failed: %w", err)
	}
	return exchange(ctx, s.h, s.p, &header, t)
}
