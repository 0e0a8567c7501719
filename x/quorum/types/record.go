package types

import (
	"fmt"
	"slices"
	"strings"

	"github.com/fogchain/fog/internal/accaddr"
)

// Names of the market's lease close reasons (fog.market.v1.CloseReason) that a record holds in
// QuorumMember.close_reason. Any other close reason of a lease is its provider's fault (start
// timeout, provider closed, and those that come later: a failed audit, an SLA breach).
const (
	ReasonCompleted   = "CLOSE_REASON_COMPLETED"
	ReasonOwnerClosed = "CLOSE_REASON_OWNER_CLOSED"
	reasonPrefix      = "CLOSE_REASON_"
)

// FaultReason is whether a recorded close reason is a provider's fault: a close reason that is
// neither a completion nor the owner's.
func FaultReason(reason string) bool {
	return strings.HasPrefix(reason, reasonPrefix) && len(reason) > len(reasonPrefix) &&
		reason != ReasonCompleted && reason != ReasonOwnerClosed && reason != reasonPrefix+"UNSPECIFIED"
}

// MaxMembers bounds a quorum's members: its replicas and one replacement per standby.
const MaxMembers = MaxReplicas + MaxStandbys

// Live is whether a member's lease may still run (pending or active).
func (m QuorumMember) Live() bool { return m.State == MemberPending || m.State == MemberActive }

// Member returns the index of the member of lease id, or -1.
func (q Quorum) Member(leaseID uint64) int {
	return slices.IndexFunc(q.Members, func(m QuorumMember) bool { return m.LeaseId == leaseID })
}

// Standby returns the index of provider's standby, or -1.
func (q Quorum) Standby(provider string) int {
	return slices.IndexFunc(q.Standbys, func(s QuorumStandby) bool { return s.Provider == provider })
}

// Running is whether the quorum may still change: a member is pending or active, or a standby is
// held (the market promotes it or releases it when a lease closes).
func (q Quorum) Running() bool {
	return slices.ContainsFunc(q.Members, QuorumMember.Live) ||
		slices.ContainsFunc(q.Standbys, func(s QuorumStandby) bool { return s.State == StandbyHeld })
}

// Validate checks that a record is one the module's hooks could have written: a known tier and
// state, 1 to MaxMembers members and at most MaxStandbys standbys with canonical, distinct
// addresses and distinct lease ids; each member's state consistent with its close reason, heights
// and replacement links (a REPLACED member names the member that replaced it, which names it back,
// has its role, and is a PROMOTED standby of the same lease); one PRIMARY among the members since
// settlement; the quorum ACTIVE exactly while it is Running. It reads nothing else: whether the
// leases and bids exist is the app's cross-check with the market.
func (q Quorum) Validate() error {
	ac := accaddr.Codec()
	fail := func(format string, args ...any) error {
		return fmt.Errorf("quorum of order %d: %s", q.OrderId, fmt.Sprintf(format, args...))
	}
	if q.OrderId == 0 {
		return fail("order id 0")
	}
	if !slices.Contains(TierNames, q.Tier) {
		return fail("unknown tier %q", q.Tier)
	}
	if len(q.Members) == 0 || len(q.Members) > MaxMembers {
		return fail("%d members, want 1 to %d", len(q.Members), MaxMembers)
	}
	if len(q.Standbys) > MaxStandbys {
		return fail("%d standbys, at most %d", len(q.Standbys), MaxStandbys)
	}
	if q.CreatedHeight < 0 {
		return fail("negative created_height %d", q.CreatedHeight)
	}
	providers := map[string]bool{}
	leases := map[uint64]int{}
	primaries := 0
	for i, m := range q.Members {
		if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("members[%d].provider", i), m.Provider); err != nil {
			return fail("%s", err)
		}
		if providers[m.Provider] {
			return fail("provider %s is a member twice", m.Provider)
		}
		providers[m.Provider] = true
		if m.LeaseId == 0 {
			return fail("members[%d]: lease id 0", i)
		}
		if _, dup := leases[m.LeaseId]; dup {
			return fail("lease %d is two members'", m.LeaseId)
		}
		leases[m.LeaseId] = i
		if err := m.PricePerBlock.Validate(); err != nil || !m.PricePerBlock.IsPositive() {
			return fail("members[%d].price_per_block %s is not a positive coin", i, m.PricePerBlock)
		}
		switch m.Role {
		case RolePrimary:
			if m.Replaces == 0 {
				primaries++
			}
		case RoleCanary, RoleReplica:
		default:
			return fail("members[%d]: unknown role %d", i, m.Role)
		}
		if m.JoinedHeight < q.CreatedHeight || m.StartedHeight < 0 || m.EndedHeight < 0 {
			return fail("members[%d]: joined at %d before the quorum's creation at %d, or a negative height", i, m.JoinedHeight, q.CreatedHeight)
		}
		if err := validateMemberState(m); err != nil {
			return fail("members[%d] (lease %d): %s", i, m.LeaseId, err)
		}
	}
	if primaries != 1 {
		return fail("%d primaries among the members since settlement, want 1", primaries)
	}
	standbys := map[string]bool{}
	for i, s := range q.Standbys {
		if _, err := accaddr.ParseCanonical(ac, fmt.Sprintf("standbys[%d].provider", i), s.Provider); err != nil {
			return fail("%s", err)
		}
		if standbys[s.Provider] {
			return fail("provider %s is a standby twice", s.Provider)
		}
		standbys[s.Provider] = true
		if err := s.Bid.Validate(); err != nil || !s.Bid.IsPositive() {
			return fail("standbys[%d].bid %s is not a positive coin", i, s.Bid)
		}
		switch s.State {
		case StandbyHeld, StandbyReleased:
			if s.LeaseId != 0 || providers[s.Provider] {
				return fail("standbys[%d]: %s, but it has lease %d or is a member", i, s.State, s.LeaseId)
			}
		case StandbyPromoted:
			j, ok := leases[s.LeaseId]
			if !ok || q.Members[j].Provider != s.Provider || q.Members[j].Replaces == 0 {
				return fail("standbys[%d]: promoted to lease %d, which is no replacement member of its provider", i, s.LeaseId)
			}
		default:
			return fail("standbys[%d]: unknown state %d", i, s.State)
		}
	}
	// replacement links: each replaced member names its replacement, which names it back, has its
	// role, and was a standby promoted to that lease
	for i, m := range q.Members {
		if m.State == MemberReplaced {
			j, ok := leases[m.ReplacedBy]
			if !ok || q.Members[j].Replaces != m.LeaseId || q.Members[j].Role != m.Role {
				return fail("members[%d]: replaced by lease %d, which does not replace it in its role", i, m.ReplacedBy)
			}
		}
		if m.Replaces != 0 {
			j, ok := leases[m.Replaces]
			if !ok || q.Members[j].State != MemberReplaced || q.Members[j].ReplacedBy != m.LeaseId {
				return fail("members[%d]: replaces lease %d, which was not replaced by it", i, m.Replaces)
			}
			if k := q.Standby(m.Provider); k < 0 || q.Standbys[k].State != StandbyPromoted || q.Standbys[k].LeaseId != m.LeaseId {
				return fail("members[%d]: a replacement, but no standby of %s was promoted to lease %d", i, m.Provider, m.LeaseId)
			}
		}
	}
	switch q.State {
	case QuorumActive:
		if !q.Running() || q.EndedHeight != 0 {
			return fail("active, but no member is pending or active and no standby is held, or it has an end height")
		}
	case QuorumEnded:
		if q.Running() || q.EndedHeight < q.CreatedHeight {
			return fail("ended at %d, but a member is pending or active or a standby is held, or it ended before its creation", q.EndedHeight)
		}
	default:
		return fail("unknown state %d", q.State)
	}
	return nil
}

// validateMemberState checks a member's close reason, replacement link and heights against its
// state.
func validateMemberState(m QuorumMember) error {
	wantReason := func(ok bool) error {
		if !ok {
			return fmt.Errorf("%s with close reason %q", m.State, m.CloseReason)
		}
		return nil
	}
	if m.State != MemberReplaced && m.ReplacedBy != 0 {
		return fmt.Errorf("%s, but replaced by lease %d", m.State, m.ReplacedBy)
	}
	if m.Replaces == m.LeaseId && m.Replaces != 0 {
		return fmt.Errorf("replaces itself")
	}
	switch m.State {
	case MemberPending:
		if m.StartedHeight != 0 || m.EndedHeight != 0 {
			return fmt.Errorf("pending, but started at %d or ended at %d", m.StartedHeight, m.EndedHeight)
		}
		return wantReason(m.CloseReason == "")
	case MemberActive:
		if m.StartedHeight < m.JoinedHeight || m.EndedHeight != 0 {
			return fmt.Errorf("active, but started at %d (joined at %d) or ended at %d", m.StartedHeight, m.JoinedHeight, m.EndedHeight)
		}
		return wantReason(m.CloseReason == "")
	case MemberFailed, MemberReplaced:
		if m.State == MemberReplaced && m.ReplacedBy == 0 {
			return fmt.Errorf("replaced by no lease")
		}
		if err := endedAfterJoining(m); err != nil {
			return err
		}
		return wantReason(FaultReason(m.CloseReason))
	case MemberCompleted:
		if err := endedAfterJoining(m); err != nil {
			return err
		}
		return wantReason(m.CloseReason == ReasonCompleted && m.StartedHeight != 0)
	case MemberClosed:
		if err := endedAfterJoining(m); err != nil {
			return err
		}
		return wantReason(m.CloseReason == ReasonOwnerClosed)
	}
	return fmt.Errorf("unknown state %d", m.State)
}

func endedAfterJoining(m QuorumMember) error {
	if m.EndedHeight < m.JoinedHeight || (m.StartedHeight != 0 && (m.StartedHeight < m.JoinedHeight || m.EndedHeight < m.StartedHeight)) {
		return fmt.Errorf("joined at %d, started at %d, ended at %d: out of order", m.JoinedHeight, m.StartedHeight, m.EndedHeight)
	}
	return nil
}
