package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/internal/selection"
	"github.com/fogchain/fog/x/quorum/types"
)

// The quorum record of each matched order follows the market's hooks: created from the settlement's
// leases and standbys, then kept current as leases start and close, standbys are promoted and
// released. x/quorum reads no market state: what it records is what the market told it. An order
// matched before the module kept records has none, and its leases are ignored.

// roleOf is the role of the i-th winner (ranked cheapest first) of a tier with canaries canaries.
func roleOf(i int, canaries uint32) types.MemberRole {
	switch {
	case i == 0:
		return types.RolePrimary
	case i <= int(canaries):
		return types.RoleCanary
	}
	return types.RoleReplica
}

// record loads an order's quorum record; found is false when it has none.
func (k Keeper) record(ctx context.Context, orderID uint64) (q types.Quorum, found bool, err error) {
	q, err = k.Quorums.Get(ctx, orderID)
	if errors.Is(err, collections.ErrNotFound) {
		return q, false, nil
	}
	return q, err == nil, err
}

// AfterAuctionSettled creates the order's quorum record: one pending member per lease (ranked
// cheapest first: the primary, then the tier's canaries, then replicas) and the standbys held.
func (h MarketHooks) AfterAuctionSettled(ctx context.Context, o markettypes.Order, leases []markettypes.Lease, standbys []markettypes.Bid, _ sdk.Coin) error {
	name, err := tierName(o.Tier)
	if err != nil {
		return err
	}
	params, err := h.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	tier, err := params.Tier(name)
	if err != nil {
		return err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	q := types.Quorum{OrderId: o.Id, Tier: name, State: types.QuorumActive, CreatedHeight: height}
	for i, l := range leases {
		q.Members = append(q.Members, types.QuorumMember{
			Provider: l.Provider, LeaseId: l.Id, Role: roleOf(i, tier.Canaries), State: types.MemberPending,
			PricePerBlock: l.PricePerBlock, JoinedHeight: height,
		})
	}
	for _, b := range standbys {
		q.Standbys = append(q.Standbys, types.QuorumStandby{Provider: b.Provider, Bid: b.Price, State: types.StandbyHeld})
	}
	if err := h.k.Quorums.Set(ctx, q.OrderId, q); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventQuorumCreated{Quorum: q})
}

// AfterLeaseStarted marks the lease's member active.
func (h MarketHooks) AfterLeaseStarted(ctx context.Context, o markettypes.Order, l markettypes.Lease) error {
	q, found, err := h.k.record(ctx, o.Id)
	if err != nil || !found {
		return err
	}
	i := q.Member(l.Id)
	if i < 0 {
		return nil
	}
	m := &q.Members[i]
	m.State, m.StartedHeight = types.MemberActive, l.StartHeight
	if err := h.k.Quorums.Set(ctx, q.OrderId, q); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventMemberStarted{
		OrderId: q.OrderId, LeaseId: l.Id, Provider: m.Provider, Role: m.Role,
	})
}

// AfterLeaseClosed records how the lease's member ended: FAILED when at its provider's fault (a
// replacement, if the market makes one, follows with AfterStandbyPromoted), COMPLETED, or CLOSED by
// the owner; the quorum ends when no member is left and no standby held.
func (h MarketHooks) AfterLeaseClosed(ctx context.Context, l markettypes.Lease, reason markettypes.CloseReason) error {
	q, found, err := h.k.record(ctx, l.OrderId)
	if err != nil || !found {
		return err
	}
	i := q.Member(l.Id)
	if i < 0 {
		return nil
	}
	m := &q.Members[i]
	m.CloseReason, m.EndedHeight = reason.String(), l.ClosedHeight
	em := sdk.UnwrapSDKContext(ctx).EventManager()
	switch {
	case markettypes.ReplaceableReason(reason):
		m.State = types.MemberFailed
		err = em.EmitTypedEvent(&types.EventMemberFailed{OrderId: q.OrderId, LeaseId: l.Id, Provider: m.Provider, Role: m.Role, Reason: m.CloseReason})
	case reason == markettypes.CloseReasonCompleted:
		m.State = types.MemberCompleted
	default:
		m.State = types.MemberClosed
	}
	if err != nil {
		return err
	}
	if m.State != types.MemberFailed {
		if err := em.EmitTypedEvent(&types.EventMemberClosed{
			OrderId: q.OrderId, LeaseId: l.Id, Provider: m.Provider, Role: m.Role, State: m.State, Reason: m.CloseReason,
		}); err != nil {
			return err
		}
	}
	return h.k.saveRecord(ctx, q, l.ClosedHeight)
}

// AfterStandbyPromoted records a replacement: the failed member is REPLACED by the promoted
// standby, a new pending member with its role at its price.
func (h MarketHooks) AfterStandbyPromoted(ctx context.Context, o markettypes.Order, closed, l markettypes.Lease) error {
	q, found, err := h.k.record(ctx, o.Id)
	if err != nil || !found {
		return err
	}
	i := q.Member(closed.Id)
	if i < 0 {
		return fmt.Errorf("order %d: the replaced lease %d is no member", o.Id, closed.Id)
	}
	failed := &q.Members[i]
	failed.State, failed.ReplacedBy = types.MemberReplaced, l.Id
	role, failedProvider := failed.Role, failed.Provider
	if j := q.Standby(l.Provider); j >= 0 {
		q.Standbys[j].State, q.Standbys[j].LeaseId = types.StandbyPromoted, l.Id
	} else {
		return fmt.Errorf("order %d: the promoted provider %s is no standby", o.Id, l.Provider)
	}
	q.Members = append(q.Members, types.QuorumMember{
		Provider: l.Provider, LeaseId: l.Id, Role: role, State: types.MemberPending, PricePerBlock: l.PricePerBlock,
		Replaces: closed.Id, JoinedHeight: l.CreatedHeight,
	})
	q.State, q.EndedHeight = types.QuorumActive, 0
	if err := h.k.Quorums.Set(ctx, q.OrderId, q); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventMemberReplaced{
		OrderId: q.OrderId, Role: role, FailedLeaseId: closed.Id, FailedProvider: failedProvider,
		LeaseId: l.Id, Provider: l.Provider, PricePerBlock: l.PricePerBlock,
	})
}

// AfterStandbyReleased records the release of a standby; the quorum ends when it was the last
// thing left.
func (h MarketHooks) AfterStandbyReleased(ctx context.Context, o markettypes.Order, b markettypes.Bid) error {
	q, found, err := h.k.record(ctx, o.Id)
	if err != nil || !found {
		return err
	}
	j := q.Standby(b.Provider)
	if j < 0 {
		return nil
	}
	q.Standbys[j].State = types.StandbyReleased
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventQuorumStandbyReleased{OrderId: q.OrderId, Provider: b.Provider}); err != nil {
		return err
	}
	return h.k.saveRecord(ctx, q, sdk.UnwrapSDKContext(ctx).BlockHeight())
}

// saveRecord writes a record, ending the quorum first (EventQuorumEnded) when it is active but no
// member is pending or active and no standby is held.
func (k Keeper) saveRecord(ctx context.Context, q types.Quorum, height int64) error {
	ended := q.State == types.QuorumActive && !q.Running()
	if ended {
		q.State, q.EndedHeight = types.QuorumEnded, height
	}
	if err := k.Quorums.Set(ctx, q.OrderId, q); err != nil || !ended {
		return err
	}
	ev := types.EventQuorumEnded{OrderId: q.OrderId, Tier: q.Tier}
	for _, m := range q.Members {
		switch m.State {
		case types.MemberCompleted:
			ev.Completed++
		case types.MemberFailed:
			ev.Failed++
		case types.MemberReplaced:
			ev.Replaced++
		case types.MemberClosed:
			ev.Closed++
		}
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&ev)
}

// ChooseReplacement chooses, for a member whose lease ended at its provider's fault, the cheapest
// standby still held (in the record's ranked order) whose bid is at most the failed member's price
// and with which the members left (pending or active) still meet the order's tier now: as many
// distinct ASNs, TEE vendors and power regions as the tier requires, by the profiles read now. A
// tier without diversity constraints needs the price alone. It chooses nothing when the order has no
// record, the lease is no member, or no standby qualifies (the market then refunds as before). It
// writes nothing: the record changes when the market reports the promotion.
func (h MarketHooks) ChooseReplacement(ctx context.Context, o markettypes.Order, closed markettypes.Lease, _ []markettypes.Lease, standbys []markettypes.Bid) (int, bool, error) {
	q, found, err := h.k.record(ctx, o.Id)
	if err != nil || !found || q.Member(closed.Id) < 0 {
		return 0, false, err
	}
	params, err := h.k.Params.Get(ctx)
	if err != nil {
		return 0, false, err
	}
	tier, err := params.Tier(q.Tier)
	if err != nil {
		return 0, false, err
	}
	var live []selection.Candidate
	if tier.HasDiversity() {
		for _, m := range q.Members {
			if !m.Live() || m.LeaseId == closed.Id {
				continue
			}
			c, err := h.k.candidate(ctx, m.Provider)
			if err != nil {
				return 0, false, err
			}
			live = append(live, c)
		}
	}
	for _, s := range q.Standbys {
		if s.State != types.StandbyHeld {
			continue
		}
		i := indexOfBid(standbys, s.Provider)
		if i < 0 || standbys[i].Price.Denom != closed.PricePerBlock.Denom || standbys[i].Price.Amount.GT(closed.PricePerBlock.Amount) {
			continue
		}
		if !tier.HasDiversity() {
			return i, true, nil
		}
		c, err := h.k.candidate(ctx, s.Provider)
		if err != nil {
			return 0, false, err
		}
		set := append(append([]selection.Candidate(nil), live...), c)
		cons := constraintsOf(tier, uint32(len(set)))
		if selection.Check(set, cons).Feasible {
			return i, true, nil
		}
	}
	return 0, false, nil
}

// candidate is provider's diversity profile now, as a selection candidate.
func (k Keeper) candidate(ctx context.Context, provider string) (selection.Candidate, error) {
	addr, err := k.addressCodec.StringToBytes(provider)
	if err != nil {
		return selection.Candidate{}, err
	}
	p, err := k.Profile(ctx, addr)
	if err != nil {
		return selection.Candidate{}, err
	}
	return selection.Candidate{Provider: provider, ASN: p.Asn, Region: p.PowerRegion, TEE: p.TeeVendor}, nil
}

func indexOfBid(bids []markettypes.Bid, provider string) int {
	for i, b := range bids {
		if b.Provider == provider {
			return i
		}
	}
	return -1
}
