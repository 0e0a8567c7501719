package task

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	markettypes "github.com/fogchain/fog/x/market/types"

	"github.com/fogchain/fog/offchain/wire"
)

// SessionLimits bound the task sessions a server holds.
//
// A session lets one peer send tasks on one lease without an owner signature per task: the owner
// signs one SessionGrant naming that peer, and the worker checks it and the lease once. The worker
// keeps a snapshot of the lease's order and serves session tasks from it; it reads the lease and the
// order again from the chain once the snapshot is older than RecheckInterval, so a lease closed on
// chain may still be served for up to RecheckInterval (plus the time a task takes to run), at the
// worker's own expense.
type SessionLimits struct {
	// MaxTTL is how far ahead a grant's not_after may lie (beyond it the grant is refused).
	MaxTTL time.Duration
	// RecheckInterval is the age past which a session's snapshot of its lease and order is read
	// again from the chain before a task is served.
	RecheckInterval time.Duration
	// Max sessions held in all, and MaxPerLease on one lease; expired sessions are evicted first,
	// and a grant that would exceed either is refused.
	Max         int
	MaxPerLease int
}

// DefaultSessionLimits are the limits a zero value takes.
func DefaultSessionLimits() SessionLimits {
	return SessionLimits{MaxTTL: 24 * time.Hour, RecheckInterval: 5 * time.Second, Max: 10_000, MaxPerLease: 16}
}

func (l SessionLimits) withDefaults() SessionLimits {
	d := DefaultSessionLimits()
	if l.MaxTTL <= 0 {
		l.MaxTTL = d.MaxTTL
	}
	if l.RecheckInterval <= 0 {
		l.RecheckInterval = d.RecheckInterval
	}
	if l.Max <= 0 {
		l.Max = d.Max
	}
	if l.MaxPerLease <= 0 {
		l.MaxPerLease = d.MaxPerLease
	}
	return l
}

// clockSkew is how far beyond MaxTTL a grant's end may lie and still be accepted: the customer
// computes it on its own clock.
const clockSkew = time.Minute

// sessionKey names a session: one peer's right to send tasks on one lease.
type sessionKey struct {
	peer  peer.ID
	lease uint64
}

type session struct {
	owner    string // the order owner's address, who signed the grant
	notAfter time.Time
	snap     atomic.Pointer[sessionSnapshot]
	// recheck is held while the snapshot is read again, so that tasks arriving meanwhile wait for
	// that one read instead of each making their own.
	recheck sync.Mutex
}

// sessionSnapshot is the order of a session's lease as the chain held it at checked, when the
// lease was active and this worker's.
type sessionSnapshot struct {
	order   markettypes.Order
	checked time.Time
}

// sessionStore holds the live sessions, within their limits.
type sessionStore struct {
	limits   SessionLimits
	mu       sync.Mutex
	byKey    map[sessionKey]*session
	perLease map[uint64]int
}

func newSessionStore(l SessionLimits) *sessionStore {
	return &sessionStore{limits: l, byKey: map[sessionKey]*session{}, perLease: map[uint64]int{}}
}

// get returns the live session of k, or nil; an expired one is dropped.
func (st *sessionStore) get(k sessionKey, now time.Time) *session {
	st.mu.Lock()
	defer st.mu.Unlock()
	s := st.byKey[k]
	if s != nil && !now.Before(s.notAfter) {
		st.deleteLocked(k)
		return nil
	}
	return s
}

// put stores s as k's session, replacing k's previous one, unless that would exceed the limits once
// the expired sessions are evicted.
func (st *sessionStore) put(k sessionKey, s *session, now time.Time) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.byKey[k]; ok {
		st.byKey[k] = s
		return nil
	}
	if len(st.byKey) >= st.limits.Max || st.perLease[k.lease] >= st.limits.MaxPerLease {
		for key, old := range st.byKey {
			if !now.Before(old.notAfter) {
				st.deleteLocked(key)
			}
		}
	}
	switch {
	case st.perLease[k.lease] >= st.limits.MaxPerLease:
		return refuse("lease %d already has %d open sessions, the most this worker holds for one lease: reuse one, or wait for one to expire", k.lease, st.perLease[k.lease])
	case len(st.byKey) >= st.limits.Max:
		return refuse("this worker already holds %d open sessions, the most it holds: send signed tasks, or try again later", len(st.byKey))
	}
	st.byKey[k] = s
	st.perLease[k.lease]++
	return nil
}

// remove drops k's session if it is still s.
func (st *sessionStore) remove(k sessionKey, s *session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.byKey[k] == s {
		st.deleteLocked(k)
	}
}

func (st *sessionStore) deleteLocked(k sessionKey) {
	delete(st.byKey, k)
	if st.perLease[k.lease]--; st.perLease[k.lease] <= 0 {
		delete(st.perLease, k.lease)
	}
}

func (st *sessionStore) len() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byKey)
}

// handleSession answers a /fog/session/1 stream: one SessionGrant in, one SessionResponse out.
func (s *Server) handleSession(ctx context.Context, st network.Stream) {
	defer st.Close()
	_ = st.SetDeadline(time.Now().Add(s.cfg.StreamTimeout))
	remote := st.Conn().RemotePeer()
	resp := &wire.SessionResponse{}
	grant, notAfter, err := s.openSession(ctx, remote, bufio.NewReader(st))
	switch {
	case err == nil:
		resp.NotAfterUnix = notAfter.Unix()
		s.log.Info("session opened", "peer", remote, "lease", grant.LeaseId, "until", notAfter)
	case errors.As(err, new(refusal)):
		resp.Error = err.Error()
		s.log.Info("session refused", "peer", remote, "reason", err)
	default:
		resp.Error = "internal error"
		s.log.Error("opening a session failed", "peer", remote, "err", err)
	}
	if err := wire.WriteFrame(st, resp); err != nil {
		s.log.Warn("writing session response", "err", err)
	}
}

// openSession reads a grant, checks it and stores its session. The checks, in order: the grant
// decodes; its chain is this worker's; it names the peer that sent it; it ends in the future and at
// most MaxTTL ahead; its signature verifies with its owner key; then, on the chain, the lease is
// this worker's and active and its order belongs to the grant's owner.
func (s *Server) openSession(ctx context.Context, remote peer.ID, r *bufio.Reader) (*wire.SessionGrant, time.Time, error) {
	var g wire.SessionGrant
	if err := wire.ReadFrame(r, wire.MaxHeaderBytes, &g); err != nil {
		return nil, time.Time{}, refuse("malformed session grant: %s", err)
	}
	now := s.now()
	notAfter := time.Unix(g.NotAfterUnix, 0)
	granted, err := peer.IDFromBytes(g.PeerId)
	switch {
	case g.ChainId != s.cfg.ChainID:
		return nil, notAfter, refuse("session grant for chain %q, this worker serves %q", g.ChainId, s.cfg.ChainID)
	case err != nil:
		return nil, notAfter, refuse("session grant's peer_id is not a peer ID: %s", err)
	case granted != remote:
		return nil, notAfter, refuse("session grant is for peer %s, but peer %s sent it: a grant serves only the peer it names", granted, remote)
	case !now.Before(notAfter):
		return nil, notAfter, refuse("session grant expired at %s (worker clock %s)", notAfter.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	case notAfter.Sub(now) > s.cfg.Sessions.MaxTTL+clockSkew:
		return nil, notAfter, refuse("session grant ends in %s, more than this worker's max session TTL of %s: ask for a shorter session",
			notAfter.Sub(now).Round(time.Second), s.cfg.Sessions.MaxTTL)
	}
	if err := g.VerifyOwner(); err != nil {
		return nil, notAfter, refuse("%s", err)
	}
	owner, _ := g.OwnerAddress()
	lease, order, err := s.chain.LeaseAndOrder(ctx, g.LeaseId)
	if err != nil {
		return nil, notAfter, refuse("lease %d: %s", g.LeaseId, err)
	}
	if err := s.checkLease(g.LeaseId, lease, order, owner.String(), "session granted"); err != nil {
		return nil, notAfter, err
	}
	sess := &session{owner: owner.String(), notAfter: notAfter}
	sess.snap.Store(&sessionSnapshot{order: order, checked: now})
	if err := s.sessions.put(sessionKey{remote, g.LeaseId}, sess, now); err != nil {
		return nil, notAfter, err
	}
	return &g, notAfter, nil
}

// sessionOrder authorizes a session task: remote holds a live session for the lease. It returns the
// session's order, read again from the chain first if the snapshot is older than the recheck
// interval; a lease no longer active (or no longer this worker's) ends the session.
func (s *Server) sessionOrder(ctx context.Context, remote peer.ID, leaseID uint64) (markettypes.Order, error) {
	key := sessionKey{remote, leaseID}
	now := s.now()
	sess := s.sessions.get(key, now)
	if sess == nil {
		return markettypes.Order{}, refusal{
			msg:  fmt.Sprintf("no session for lease %d from peer %s: open one on %s, or sign the task header", leaseID, remote, wire.SessionProtocolID),
			code: wire.TaskRefusal_TASK_REFUSAL_NO_SESSION,
		}
	}
	if snap := sess.snap.Load(); now.Sub(snap.checked) < s.cfg.Sessions.RecheckInterval {
		return snap.order, nil
	}
	sess.recheck.Lock()
	defer sess.recheck.Unlock()
	if snap := sess.snap.Load(); now.Sub(snap.checked) < s.cfg.Sessions.RecheckInterval {
		return snap.order, nil // read again while this task waited
	}
	qctx, cancel := context.WithTimeout(ctx, s.cfg.StreamTimeout)
	defer cancel()
	lease, order, err := s.chain.LeaseAndOrder(qctx, leaseID)
	if err != nil {
		// the session stays: the node may answer the next task
		return order, refuse("lease %d: %s", leaseID, err)
	}
	if err := s.checkLease(leaseID, lease, order, sess.owner, "session granted"); err != nil {
		s.sessions.remove(key, sess)
		return order, err
	}
	sess.snap.Store(&sessionSnapshot{order: order, checked: now})
	return order, nil
}
