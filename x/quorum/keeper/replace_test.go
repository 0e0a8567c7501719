package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// goldSet is a settled gold order of seven bidders (max price 30):
//
//	p0 10 AS1 r1 SEV-SNP   member, PRIMARY, paid 12
//	p1 11 AS1 r2 TDX       loses (no set with it is cheaper and diverse); could replace nobody
//	p2 12 AS2 r1 –         member, REPLICA, paid 14
//	p3 13 AS3 r2 TDX       member, REPLICA, paid 15
//	p4 14 AS4 r1 SEV-SNP   standby: could replace p2 (14 ≤ 14, {p0, p4, p3} is diverse)
//	p5 20 AS5 r3 TDX       loses: dearer than every member's pay
//	p6 15 AS6 r2 TDX       standby: could replace p3 (15 ≤ 15, {p0, p2, p6} is diverse)
type goldSet struct {
	f         *fixture.Fixture
	auditor   sdk.AccAddress
	order     markettypes.Order
	owner     sdk.AccAddress
	providers []sdk.AccAddress
	// leases of p0, p2 and p3, as settled
	leases []markettypes.Lease
	// owner's balance after settlement
	ownerSettled int64
}

func newGoldSet(t *testing.T) *goldSet {
	t.Helper()
	f := fixture.New(t)
	freshEvents(f)
	snp, tdx := fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx
	bidders := []bidder{
		{price: 10, asn: "AS1", region: "r1", tee: snp},
		{price: 11, asn: "AS1", region: "r2", tee: tdx},
		{price: 12, asn: "AS2", region: "r1"},
		{price: 13, asn: "AS3", region: "r2", tee: tdx},
		{price: 14, asn: "AS4", region: "r1", tee: snp},
		{price: 20, asn: "AS5", region: "r3", tee: tdx},
		{price: 15, asn: "AS6", region: "r2", tee: tdx},
	}
	g := &goldSet{f: f, auditor: addAuditor(t, f)}
	g.owner = f.NewAccount(t, 10_000_000)
	msg := fixture.OrderMsg(g.owner)
	msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, 30)
	o := f.CreateOrder(t, msg)
	sealed := make([]fixture.SealedBid, len(bidders))
	for i, b := range bidders {
		p := f.NewProvider(t)
		g.providers = append(g.providers, p)
		profile(t, f, g.auditor, p, b.asn, b.region, b.tee)
		sealed[i] = f.Commit(t, o.Id, p, b.price)
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3) // settled and swept
	f.CheckInvariants(t)
	g.order = f.Order(t, o.Id)
	require.Equal(t, markettypes.OrderMatched, g.order.State)
	g.leases = f.LeasesOf(t, o.Id)
	require.Len(t, g.leases, 3)
	for i, want := range []struct {
		provider int
		price    string
	}{{0, "12ufog"}, {2, "14ufog"}, {3, "15ufog"}} {
		require.Equal(t, g.providers[want.provider].String(), g.leases[i].Provider)
		require.Equal(t, want.price, g.leases[i].PricePerBlock.String())
	}
	g.ownerSettled = f.Balance(g.owner).Int64()
	return g
}

func (g *goldSet) record(t *testing.T) types.Quorum {
	t.Helper()
	resp, err := keeper.NewQueryServerImpl(g.f.Quorum).Quorum(g.f.Ctx, &types.QueryQuorumRequest{OrderId: g.order.Id})
	require.NoError(t, err)
	return resp.Quorum
}

func (g *goldSet) bid(t *testing.T, i int) markettypes.Bid {
	t.Helper()
	b, err := g.f.Keeper.Bids.Get(g.f.Ctx, collections.Join(g.order.Id, g.providers[i]))
	require.NoError(t, err)
	return b
}

func (g *goldSet) start(t *testing.T, l markettypes.Lease) {
	t.Helper()
	_, err := g.f.Msg.StartLease(g.f.Ctx, &markettypes.MsgStartLease{Provider: l.Provider, LeaseId: l.Id})
	require.NoError(t, err)
}

// runToTheEnd advances until every lease of the order is closed, checking the invariants each block.
func (g *goldSet) runToTheEnd(t *testing.T) {
	t.Helper()
	for i := 0; ; i++ {
		require.Less(t, i, 1000)
		open := false
		for _, l := range g.f.LeasesOf(t, g.order.Id) {
			open = open || l.State != markettypes.LeaseClosed
		}
		if !open {
			return
		}
		g.f.EndBlock(t)
		g.f.CheckInvariants(t)
	}
}

// The settlement records the quorum: the cheapest member is the primary (gold has no canaries),
// the others replicas, all pending; the two standbys that could each replace a member are held,
// their deposits locked, and the bids that could replace nobody lose as before.
func TestSettlementCreatesTheQuorumRecord(t *testing.T) {
	g := newGoldSet(t)
	f, t0 := g.f, g.order
	q := g.record(t)
	require.Equal(t, types.QuorumActive, q.State)
	require.Equal(t, "gold", q.Tier)
	require.Len(t, q.Members, 3)
	for i, want := range []types.MemberRole{types.RolePrimary, types.RoleReplica, types.RoleReplica} {
		m := q.Members[i]
		require.Equal(t, want, m.Role)
		require.Equal(t, types.MemberPending, m.State)
		require.Equal(t, g.leases[i].Id, m.LeaseId)
		require.Equal(t, g.leases[i].PricePerBlock, m.PricePerBlock)
	}
	require.Equal(t, []types.QuorumStandby{
		{Provider: g.providers[4].String(), Bid: sdk.NewInt64Coin(fixture.Denom, 14), State: types.StandbyHeld},
		{Provider: g.providers[6].String(), Bid: sdk.NewInt64Coin(fixture.Denom, 15), State: types.StandbyHeld},
	}, q.Standbys)
	for i, want := range map[int]markettypes.BidState{1: markettypes.BidLost, 4: markettypes.BidStandby, 5: markettypes.BidLost, 6: markettypes.BidStandby} {
		require.Equal(t, want, g.bid(t, i).State, "bidder %d", i)
	}
	created := eventsOf[*types.EventQuorumCreated](t, f)
	require.Len(t, created, 1)
	require.Equal(t, q, created[0].Quorum)
	active, err := keeper.NewQueryServerImpl(f.Quorum).Quorums(f.Ctx, &types.QueryQuorumsRequest{State: types.QuorumActive})
	require.NoError(t, err)
	require.Len(t, active.Quorums, 1)
	require.Equal(t, t0.Id, active.Quorums[0].OrderId)
}

// A member that never starts is replaced by the cheapest standby that keeps the set diverse: a new
// pending lease at the failed member's price for the whole lease, its escrow moved from the closed
// lease (the owner is refunded nothing and pays nothing more), its bond the standby's deposit; the
// failed member's bond is burned. The record shows the member replaced and the new one in its role.
// The replacement starts and completes, the other standby is released when no lease could use it,
// and at the end the market holds nothing but the providers' bonds.
func TestAMemberThatNeverStartsIsReplacedByAStandby(t *testing.T) {
	g := newGoldSet(t)
	f := g.f
	g.start(t, g.leases[0])
	g.start(t, g.leases[2])
	deposit := f.Params.BidDeposit.Amount.Int64()
	before := map[int]int64{}
	for i := range g.providers {
		before[i] = f.Balance(g.providers[i]).Int64()
	}
	supply := f.Supply()
	freshEvents(f)
	f.AdvanceTo(t, g.leases[1].StartDeadline+1)
	f.CheckInvariants(t)

	failed := f.Lease(t, g.leases[1].Id)
	require.Equal(t, markettypes.CloseReasonStartTimeout, failed.CloseReason)
	require.Equal(t, supply.Sub(failed.Bond.Amount).String(), f.Supply().String(), "the failed member's bond is burned, nothing else")
	require.Equal(t, g.ownerSettled, f.Balance(g.owner).Int64(), "no refund: the escrow moved")
	leases := f.LeasesOf(t, g.order.Id)
	require.Len(t, leases, 4)
	repl := leases[3]
	require.Equal(t, g.providers[4].String(), repl.Provider, "the cheapest standby that keeps the set diverse")
	require.Equal(t, markettypes.LeasePending, repl.State)
	require.Equal(t, "14ufog", repl.PricePerBlock.String(), "the failed member's price")
	require.Equal(t, g.order.LeaseBlocks, repl.LeaseBlocks)
	require.Equal(t, g.leases[1].Escrow.String(), repl.Escrow.String())
	require.Equal(t, f.Params.BidDeposit.String(), repl.Bond.String(), "the standby's deposit is its bond")
	require.Equal(t, before[4], f.Balance(g.providers[4]).Int64(), "its deposit stays locked, as the bond")
	require.Equal(t, markettypes.BidWon, g.bid(t, 4).State)
	require.Equal(t, markettypes.BidStandby, g.bid(t, 6).State, "the other standby is still held")
	require.Equal(t, markettypes.OrderMatched, f.Order(t, g.order.Id).State)

	q := g.record(t)
	require.Equal(t, types.MemberReplaced, q.Members[1].State)
	require.Equal(t, markettypes.CloseReasonStartTimeout.String(), q.Members[1].CloseReason)
	require.Equal(t, repl.Id, q.Members[1].ReplacedBy)
	require.Len(t, q.Members, 4)
	require.Equal(t, types.QuorumMember{
		Provider: repl.Provider, LeaseId: repl.Id, Role: types.RoleReplica, State: types.MemberPending, PricePerBlock: repl.PricePerBlock,
		Replaces: g.leases[1].Id, JoinedHeight: repl.CreatedHeight,
	}, q.Members[3])
	require.Equal(t, types.StandbyPromoted, q.Standbys[0].State)
	require.Equal(t, repl.Id, q.Standbys[0].LeaseId)
	require.Equal(t, types.StandbyHeld, q.Standbys[1].State)

	failedEvs := eventsOf[*types.EventMemberFailed](t, f)
	require.Len(t, failedEvs, 1)
	require.Equal(t, types.EventMemberFailed{OrderId: g.order.Id, LeaseId: g.leases[1].Id, Provider: g.providers[2].String(),
		Role: types.RoleReplica, Reason: markettypes.CloseReasonStartTimeout.String()}, *failedEvs[0])
	replaced := eventsOf[*types.EventMemberReplaced](t, f)
	require.Len(t, replaced, 1)
	require.Equal(t, types.EventMemberReplaced{OrderId: g.order.Id, Role: types.RoleReplica, FailedLeaseId: g.leases[1].Id,
		FailedProvider: g.providers[2].String(), LeaseId: repl.Id, Provider: repl.Provider, PricePerBlock: repl.PricePerBlock}, *replaced[0])
	promoted := eventsOf[*markettypes.EventStandbyPromoted](t, f)
	require.Len(t, promoted, 1)
	require.Equal(t, repl.Id, promoted[0].LeaseId)

	// the replacement starts and everything runs out
	g.start(t, repl)
	require.Equal(t, types.MemberActive, g.record(t).Members[3].State)
	require.Len(t, eventsOf[*types.EventMemberStarted](t, f), 1)
	g.runToTheEnd(t)
	q = g.record(t)
	require.Equal(t, types.QuorumEnded, q.State)
	for i, want := range []types.MemberState{types.MemberCompleted, types.MemberReplaced, types.MemberCompleted, types.MemberCompleted} {
		require.Equal(t, want, q.Members[i].State, "member %d", i)
	}
	require.Equal(t, types.StandbyReleased, q.Standbys[1].State)
	require.Equal(t, markettypes.BidLost, g.bid(t, 6).State)
	require.Equal(t, before[6]+deposit, f.Balance(g.providers[6]).Int64(), "the released standby has its deposit back")
	require.Equal(t, before[4]+deposit+14*int64(g.order.LeaseBlocks), f.Balance(g.providers[4]).Int64(), "the replacement is paid and has its bond back")
	require.Equal(t, g.ownerSettled, f.Balance(g.owner).Int64(), "the owner paid each member's price once, no more")
	ended := eventsOf[*types.EventQuorumEnded](t, f)
	require.Len(t, ended, 1)
	require.Equal(t, types.EventQuorumEnded{OrderId: g.order.Id, Tier: "gold", Completed: 3, Replaced: 1}, *ended[0])
	require.Len(t, eventsOf[*types.EventQuorumStandbyReleased](t, f), 1)
	require.Len(t, eventsOf[*markettypes.EventStandbyReleased](t, f), 1)
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
	none, err := keeper.NewQueryServerImpl(f.Quorum).Quorums(f.Ctx, &types.QueryQuorumsRequest{State: types.QuorumActive})
	require.NoError(t, err)
	require.Empty(t, none.Quorums)
}

// A provider that walks away from its running lease is replaced for the blocks it had left: the
// cheapest standby would leave the set with one TEE vendor, so the next one, priced at the failed
// member's pay, takes its place.
func TestAProviderThatClosesItsLeaseIsReplaced(t *testing.T) {
	g := newGoldSet(t)
	f := g.f
	for _, l := range g.leases {
		g.start(t, l)
	}
	f.AdvanceTo(t, f.Height()+20)
	_, err := f.Msg.CloseLease(f.Ctx, &markettypes.MsgCloseLease{Sender: g.providers[3].String(), LeaseId: g.leases[2].Id})
	require.NoError(t, err)
	f.CheckInvariants(t)
	closed := f.Lease(t, g.leases[2].Id)
	require.Equal(t, markettypes.CloseReasonProviderClosed, closed.CloseReason)
	require.Equal(t, "300ufog", closed.Paid.String(), "20 blocks at 15")
	leases := f.LeasesOf(t, g.order.Id)
	require.Len(t, leases, 4)
	repl := leases[3]
	require.Equal(t, g.providers[6].String(), repl.Provider, "p4 would leave one TEE vendor; p6 keeps the set diverse")
	require.Equal(t, "15ufog", repl.PricePerBlock.String())
	require.EqualValues(t, 80, repl.LeaseBlocks, "the blocks the closed lease had left")
	require.Equal(t, "1200ufog", repl.Escrow.String())
	require.Equal(t, g.ownerSettled, f.Balance(g.owner).Int64())
	q := g.record(t)
	require.Equal(t, types.MemberReplaced, q.Members[2].State)
	require.Equal(t, markettypes.CloseReasonProviderClosed.String(), q.Members[2].CloseReason)
	require.Equal(t, types.RoleReplica, q.Members[3].Role)
	require.Equal(t, markettypes.BidStandby, g.bid(t, 4).State, "the cheaper standby is still held")

	g.start(t, repl)
	g.runToTheEnd(t)
	q = g.record(t)
	require.Equal(t, types.QuorumEnded, q.State)
	require.Equal(t, types.StandbyReleased, q.Standbys[0].State)
	require.Equal(t, g.ownerSettled, f.Balance(g.owner).Int64(), "the owner paid 100 blocks of each member, once")
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// When no standby can take the failed member's place, the market refunds the lease's escrow as
// before and the record shows the member failed: the primary paid 12 can only be replaced by a bid
// of at most 12, and none is held; a standby whose ASN an auditor changed would break the set's
// diversity, by the profiles read at the failure.
func TestNoEligibleStandbyRefundsAndRecordsTheFailure(t *testing.T) {
	for _, c := range []struct {
		name   string
		failed int // index into the settled leases
		setUp  func(t *testing.T, g *goldSet)
	}{
		{"every standby bid above the failed member's price", 0, func(*testing.T, *goldSet) {}},
		{"the standby would break the set's diversity now", 1, func(t *testing.T, g *goldSet) {
			// p4 now in AS3, p3's ASN: {p0, p4, p3} spans two ASNs; p6 (15) is dearer than 14
			signAttrs(t, g.f, g.auditor, g.providers[4], kv("asn", "AS3")...)
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := newGoldSet(t)
			f := g.f
			for i, l := range g.leases {
				if i != c.failed {
					g.start(t, l)
				}
			}
			c.setUp(t, g)
			freshEvents(f)
			fail := g.leases[c.failed]
			f.AdvanceTo(t, fail.StartDeadline+1)
			f.CheckInvariants(t)
			require.Len(t, f.LeasesOf(t, g.order.Id), 3, "no replacement")
			require.Equal(t, g.ownerSettled+fail.Escrow.Amount.Int64(), f.Balance(g.owner).Int64(), "the lease's escrow refunded as before")
			q := g.record(t)
			require.Equal(t, types.MemberFailed, q.Members[c.failed].State)
			require.Equal(t, markettypes.CloseReasonStartTimeout.String(), q.Members[c.failed].CloseReason)
			require.Zero(t, q.Members[c.failed].ReplacedBy)
			require.Len(t, eventsOf[*types.EventMemberFailed](t, f), 1)
			require.Empty(t, eventsOf[*types.EventMemberReplaced](t, f))
			require.Equal(t, types.QuorumActive, q.State)
			g.runToTheEnd(t)
			q = g.record(t)
			require.Equal(t, types.QuorumEnded, q.State)
			for _, s := range q.Standbys {
				require.Equal(t, types.StandbyReleased, s.State)
			}
			f.RequireOnlyBondsHeld(t)
			f.CheckInvariants(t)
		})
	}
}

// A silver order has a primary and a canary and settles by the market's rule; its standbys are the
// next bids at the clearing price. A canary that never starts is replaced by the first standby, which
// becomes the canary; the last replacement left unused is released at the end.
func TestASilverCanaryThatFailsIsReplaced(t *testing.T) {
	f := fixture.New(t)
	freshEvents(f)
	msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
	msg.Tier = markettypes.TierSilver
	o := f.CreateOrder(t, msg)
	var providers []sdk.AccAddress
	var sealed []fixture.SealedBid
	for _, price := range []int64{3, 4, 5, 5, 6} {
		p := f.NewProvider(t)
		providers = append(providers, p)
		sealed = append(sealed, f.Commit(t, o.Id, p, price))
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3)
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 2)
	for _, l := range leases {
		require.Equal(t, "5ufog", l.PricePerBlock.String(), "the market's Vickrey price")
	}
	resp, err := keeper.NewQueryServerImpl(f.Quorum).Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: o.Id})
	require.NoError(t, err)
	q := resp.Quorum
	require.Equal(t, types.RolePrimary, q.Members[0].Role)
	require.Equal(t, types.RoleCanary, q.Members[1].Role)
	require.Equal(t, providers[1].String(), q.Members[1].Provider)
	require.Len(t, q.Standbys, 2, "the bids of 5; the 6 could replace nobody")
	canary := leases[1]
	_, err = f.Msg.StartLease(f.Ctx, &markettypes.MsgStartLease{Provider: leases[0].Provider, LeaseId: leases[0].Id})
	require.NoError(t, err)
	f.AdvanceTo(t, canary.StartDeadline+1)
	f.CheckInvariants(t)
	resp, err = keeper.NewQueryServerImpl(f.Quorum).Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: o.Id})
	require.NoError(t, err)
	q = resp.Quorum
	require.Len(t, q.Members, 3)
	require.Equal(t, types.MemberReplaced, q.Members[1].State)
	require.Equal(t, types.RoleCanary, q.Members[2].Role, "the replacement is the canary")
	require.Equal(t, q.Standbys[0].Provider, q.Members[2].Provider, "the first standby in ranked order")
	repl := f.Lease(t, q.Members[2].LeaseId)
	_, err = f.Msg.StartLease(f.Ctx, &markettypes.MsgStartLease{Provider: repl.Provider, LeaseId: repl.Id})
	require.NoError(t, err)
	for i := 0; i < 1000 && len(eventsOf[*types.EventQuorumEnded](t, f)) == 0; i++ {
		f.EndBlock(t)
	}
	resp, err = keeper.NewQueryServerImpl(f.Quorum).Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: o.Id})
	require.NoError(t, err)
	require.Equal(t, types.QuorumEnded, resp.Quorum.State)
	require.Equal(t, types.StandbyReleased, resp.Quorum.Standbys[1].State)
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// Bronze holds no standbys by default: a bronze winner that never starts is refunded as before,
// and its record shows the failure.
func TestBronzeHoldsNoStandbysByDefault(t *testing.T) {
	f := fixture.New(t)
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 10_000_000)))
	var sealed []fixture.SealedBid
	for _, price := range []int64{3, 4, 4} {
		sealed = append(sealed, f.Commit(t, o.Id, f.NewProvider(t), price))
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3)
	l := f.LeasesOf(t, o.Id)[0]
	f.AdvanceTo(t, l.StartDeadline+1)
	require.Len(t, f.LeasesOf(t, o.Id), 1)
	resp, err := keeper.NewQueryServerImpl(f.Quorum).Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: o.Id})
	require.NoError(t, err)
	require.Empty(t, resp.Quorum.Standbys)
	require.Equal(t, types.MemberFailed, resp.Quorum.Members[0].State)
	require.Equal(t, types.QuorumEnded, resp.Quorum.State)
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// A replacement that fails in turn is replaced by the next standby that qualifies; the record
// chains the replacements.
func TestAReplacementThatFailsIsReplacedInTurn(t *testing.T) {
	f := fixture.New(t)
	setQuorumParams(t, f, func(p *types.Params) { p.Bronze.MaxStandbys = 3 })
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 10_000_000)))
	var sealed []fixture.SealedBid
	for _, price := range []int64{3, 4, 4, 4} {
		sealed = append(sealed, f.Commit(t, o.Id, f.NewProvider(t), price))
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3)
	for round := 1; round <= 3; round++ {
		leases := f.LeasesOf(t, o.Id)
		require.Len(t, leases, round)
		f.AdvanceTo(t, leases[round-1].StartDeadline+1)
		f.CheckInvariants(t)
	}
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 4)
	last := leases[3]
	_, err := f.Msg.StartLease(f.Ctx, &markettypes.MsgStartLease{Provider: last.Provider, LeaseId: last.Id})
	require.NoError(t, err)
	resp, err := keeper.NewQueryServerImpl(f.Quorum).Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: o.Id})
	require.NoError(t, err)
	q := resp.Quorum
	for i := 0; i < 3; i++ {
		require.Equal(t, types.MemberReplaced, q.Members[i].State)
		require.Equal(t, q.Members[i+1].LeaseId, q.Members[i].ReplacedBy)
		require.Equal(t, q.Members[i].LeaseId, q.Members[i+1].Replaces)
		require.Equal(t, types.RolePrimary, q.Members[i+1].Role)
	}
	require.Equal(t, types.MemberActive, q.Members[3].State)
	f.AdvanceTo(t, f.Lease(t, last.Id).EndHeight+1)
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}
