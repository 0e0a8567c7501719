package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	fogapp "github.com/fogchain/fog/app"
	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// recordsMidway is a gold order midway: its primary started, one member replaced by a standby whose
// lease is pending, the other standby held.
func recordsMidway(t *testing.T) *goldSet {
	g := newGoldSet(t)
	g.start(t, g.leases[0])
	g.start(t, g.leases[2])
	g.f.AdvanceTo(t, g.leases[1].StartDeadline+1)
	require.Len(t, g.f.LeasesOf(t, g.order.Id), 4)
	return g
}

// The quorum records export with the market's state and import into a fresh chain, which carries
// on: the replacement starts, the leases run out, the held standby is released, and the records and
// the money agree every block.
func TestQuorumRecordsExportAndImport(t *testing.T) {
	g := recordsMidway(t)
	f := g.f
	qgs := exportQuorum(t, f)
	require.Len(t, qgs.Quorums, 1)
	require.NoError(t, qgs.Validate())
	mgs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, mgs.Validate(), "the market's export validates with a standby and a replacement lease")

	h := fixture.New(t)
	h.SetHeight(f.Height())
	require.NoError(t, h.Keeper.InitGenesis(h.Ctx, mgs))
	require.NoError(t, h.Quorum.InitGenesis(h.Ctx, qgs))
	require.NoError(t, banktestutil.FundModuleAccount(h.Ctx, h.Bank, markettypes.ModuleName, f.ModuleBalance()))
	h.CheckInvariants(t)
	require.Equal(t, qgs, exportQuorum(t, h))
	held, err := h.Keeper.Holdings(h.Ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, held.Standbys, "the standby index is rebuilt from the bids")

	repl := h.LeasesOf(t, g.order.Id)[3]
	_, err = h.Msg.StartLease(h.Ctx, &markettypes.MsgStartLease{Provider: repl.Provider, LeaseId: repl.Id})
	require.NoError(t, err)
	for i := 0; i < 1000; i++ {
		q, err := h.Quorum.Quorums.Get(h.Ctx, g.order.Id)
		require.NoError(t, err)
		if q.State == types.QuorumEnded {
			break
		}
		h.EndBlock(t)
		h.CheckInvariants(t)
	}
	q, err := h.Quorum.Quorums.Get(h.Ctx, g.order.Id)
	require.NoError(t, err)
	require.Equal(t, types.QuorumEnded, q.State)
	require.Equal(t, types.StandbyReleased, q.Standbys[1].State)
	h.RequireOnlyBondsHeld(t)
}

// Genesis validation refuses quorum records the hooks could not have written, naming the record.
func TestGenesisRefusesInconsistentQuorumRecords(t *testing.T) {
	g := recordsMidway(t)
	valid := exportQuorum(t, g.f)
	require.NoError(t, valid.Validate())
	other := g.f.NewAccount(t, 0).String()
	for _, c := range []struct {
		name   string
		mutate func(q *types.Quorum, gs *types.GenesisState)
		want   string
	}{
		{"two records of one order", func(q *types.Quorum, gs *types.GenesisState) { gs.Quorums = append(gs.Quorums, *q) }, "second record"},
		{"order id 0", func(q *types.Quorum, _ *types.GenesisState) { q.OrderId = 0 }, "order id 0"},
		{"unknown tier", func(q *types.Quorum, _ *types.GenesisState) { q.Tier = "platinum" }, "unknown tier"},
		{"no members", func(q *types.Quorum, _ *types.GenesisState) { q.Members = nil }, "0 members"},
		{"a non-canonical provider", func(q *types.Quorum, _ *types.GenesisState) {
			q.Members[0].Provider = strings.ToUpper(q.Members[0].Provider)
		}, "members[0].provider"},
		{"a provider twice", func(q *types.Quorum, _ *types.GenesisState) { q.Members[2].Provider = q.Members[0].Provider }, "member twice"},
		{"a lease twice", func(q *types.Quorum, _ *types.GenesisState) { q.Members[2].LeaseId = q.Members[0].LeaseId }, "two members'"},
		{"a zero price", func(q *types.Quorum, _ *types.GenesisState) {
			q.Members[0].PricePerBlock = sdk.NewInt64Coin(fixture.Denom, 0)
		}, "price_per_block"},
		{"two primaries", func(q *types.Quorum, _ *types.GenesisState) { q.Members[2].Role = types.RolePrimary }, "primaries"},
		{"an unknown role", func(q *types.Quorum, _ *types.GenesisState) { q.Members[2].Role = 9 }, "unknown role"},
		{"an active member that never started", func(q *types.Quorum, _ *types.GenesisState) { q.Members[0].StartedHeight = 0 }, "active, but started"},
		{"a pending member with a close reason", func(q *types.Quorum, _ *types.GenesisState) {
			q.Members[3].CloseReason = types.ReasonCompleted
		}, "close reason"},
		{"a failed member closed by its owner", func(q *types.Quorum, _ *types.GenesisState) {
			q.Members[1].CloseReason = types.ReasonOwnerClosed
		}, "close reason"},
		{"a replaced member without its replacement", func(q *types.Quorum, _ *types.GenesisState) { q.Members[1].ReplacedBy = 0 }, "replaced by no lease"},
		{"a replacement in another role", func(q *types.Quorum, _ *types.GenesisState) { q.Members[3].Role = types.RoleCanary }, "in its role"},
		{"a replacement of a member not replaced", func(q *types.Quorum, _ *types.GenesisState) { q.Members[3].Replaces = q.Members[0].LeaseId }, "replace"},
		{"a replacement that was no standby", func(q *types.Quorum, _ *types.GenesisState) {
			q.Standbys[0].State = types.StandbyHeld
			q.Standbys[0].LeaseId = 0
		}, "is a member"},
		{"a promoted standby of another lease", func(q *types.Quorum, _ *types.GenesisState) { q.Standbys[0].LeaseId = q.Members[0].LeaseId }, "promoted to lease"},
		{"a standby twice", func(q *types.Quorum, _ *types.GenesisState) { q.Standbys[1].Provider = q.Standbys[0].Provider }, "standby twice"},
		{"too many standbys", func(q *types.Quorum, _ *types.GenesisState) {
			for len(q.Standbys) <= types.MaxStandbys {
				q.Standbys = append(q.Standbys, types.QuorumStandby{Provider: other, Bid: q.Standbys[1].Bid, State: types.StandbyReleased})
			}
		}, "standbys, at most"},
		{"an unknown standby state", func(q *types.Quorum, _ *types.GenesisState) { q.Standbys[1].State = 7 }, "unknown state"},
		{"ended while a member runs", func(q *types.Quorum, _ *types.GenesisState) {
			q.State, q.EndedHeight = types.QuorumEnded, q.CreatedHeight+1
		}, "ended at"},
		{"an unknown quorum state", func(q *types.Quorum, _ *types.GenesisState) { q.State = 5 }, "unknown state"},
	} {
		t.Run(c.name, func(t *testing.T) {
			gs := *valid
			gs.Quorums = []types.Quorum{cloneQuorum(valid.Quorums[0])}
			c.mutate(&gs.Quorums[0], &gs)
			err := gs.Validate()
			require.ErrorIs(t, err, types.ErrInvalidGenesis)
			require.ErrorContains(t, err, c.want)
			h := fixture.New(t)
			require.Error(t, h.Quorum.InitGenesis(h.Ctx, &gs))
			require.Empty(t, exportQuorum(t, h).Quorums, "nothing written")
		})
	}
}

func cloneQuorum(q types.Quorum) types.Quorum {
	q.Members = append([]types.QuorumMember(nil), q.Members...)
	q.Standbys = append([]types.QuorumStandby(nil), q.Standbys...)
	return q
}

// Quorum answers one record or NotFound; Quorums pages through the records, all or those in one
// state (through the state index); bad requests are InvalidArgument.
func TestQuorumQueries(t *testing.T) {
	g := recordsMidway(t)
	f := g.f
	q := keeper.NewQueryServerImpl(f.Quorum)
	// a second, bronze order that has ended (its owner closed its only lease, no standbys)
	msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
	msg.CommitBlocks, msg.RevealBlocks = 3, 3
	o := f.CreateOrder(t, msg)
	s := f.Commit(t, o.Id, f.NewProvider(t), 3)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s)
	f.AdvanceTo(t, o.RevealDeadline+1)
	_, err := f.Msg.CloseLease(f.Ctx, &markettypes.MsgCloseLease{Sender: msg.Owner, LeaseId: f.LeasesOf(t, o.Id)[0].Id})
	require.NoError(t, err)

	one, err := q.Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: g.order.Id})
	require.NoError(t, err)
	require.Equal(t, types.QuorumActive, one.Quorum.State)
	require.Equal(t, g.record(t), one.Quorum)
	_, err = q.Quorum(f.Ctx, &types.QueryQuorumRequest{OrderId: 99})
	requireCode(t, err, codes.NotFound)
	_, err = q.Quorum(f.Ctx, &types.QueryQuorumRequest{})
	requireCode(t, err, codes.InvalidArgument)
	_, err = q.Quorum(f.Ctx, nil)
	requireCode(t, err, codes.InvalidArgument)

	ids := func(resp *types.QueryQuorumsResponse) (out []uint64) {
		for _, r := range resp.Quorums {
			out = append(out, r.OrderId)
		}
		return out
	}
	all, err := q.Quorums(f.Ctx, &types.QueryQuorumsRequest{})
	require.NoError(t, err)
	require.Equal(t, []uint64{g.order.Id, o.Id}, ids(all))
	active, err := q.Quorums(f.Ctx, &types.QueryQuorumsRequest{State: types.QuorumActive})
	require.NoError(t, err)
	require.Equal(t, []uint64{g.order.Id}, ids(active))
	ended, err := q.Quorums(f.Ctx, &types.QueryQuorumsRequest{State: types.QuorumEnded})
	require.NoError(t, err)
	require.Equal(t, []uint64{o.Id}, ids(ended))
	first, err := q.Quorums(f.Ctx, &types.QueryQuorumsRequest{Pagination: &query.PageRequest{Limit: 1, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, []uint64{g.order.Id}, ids(first))
	require.EqualValues(t, 2, first.Pagination.Total)
	next, err := q.Quorums(f.Ctx, &types.QueryQuorumsRequest{Pagination: &query.PageRequest{Key: first.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, []uint64{o.Id}, ids(next))
	_, err = q.Quorums(f.Ctx, &types.QueryQuorumsRequest{State: 9})
	requireCode(t, err, codes.InvalidArgument)
	_, err = q.Quorums(f.Ctx, nil)
	requireCode(t, err, codes.InvalidArgument)
}

// The 1→2 migration gives version 1 params (no max_standbys) the default standbys of each tier
// and leaves every other param as it was.
func TestMigrate1to2SetsTheDefaultStandbys(t *testing.T) {
	f := fixture.New(t)
	setQuorumParams(t, f, func(p *types.Params) {
		p.Bronze.MaxStandbys, p.Silver.MaxStandbys, p.Gold.MaxStandbys = 0, 0, 0
		p.Gold.MinAsns, p.MaxCandidates = 4, 12
	})
	require.NoError(t, keeper.NewMigrator(f.Quorum).Migrate1to2(f.Ctx))
	p, err := f.Quorum.Params.Get(f.Ctx)
	require.NoError(t, err)
	want := types.DefaultParams()
	want.Gold.MinAsns, want.MaxCandidates = 4, 12
	require.Equal(t, want, p)
}

// x/quorum's types mirror the market's without importing them: the bound on standbys is the
// market's, and a recorded close reason counts as a provider's fault exactly when the market would
// replace the lease.
func TestQuorumTypesAgreeWithTheMarket(t *testing.T) {
	require.Equal(t, markettypes.MaxStandbys, types.MaxStandbys)
	for n := range markettypes.CloseReason_name {
		r := markettypes.CloseReason(n)
		switch r {
		case markettypes.CloseReasonInsufficientBids, markettypes.CloseReasonOwnerCancelled, markettypes.CloseReasonNoEligibleSet:
			continue // orders' reasons: no lease closes for them
		}
		require.Equal(t, markettypes.ReplaceableReason(r), types.FaultReason(r.String()), r.String())
	}
	require.False(t, types.FaultReason(""))
	require.False(t, types.FaultReason("CLOSE_REASON_"))
}

// The app's cross-check finds every way x/quorum's records can disagree with the market: a member's
// state, lease or price, a standby's state, a market standby the record does not hold, an open
// lease no member has.
func TestCrossCheckFindsRecordsThatDisagreeWithTheMarket(t *testing.T) {
	g := recordsMidway(t)
	require.NoError(t, fogapp.CheckQuorumLeases(g.f.Ctx, g.f.Keeper, g.f.Quorum))
	for _, c := range []struct {
		name   string
		damage func(f *fixture.Fixture, q *types.Quorum)
		want   string
	}{
		{"a pending member recorded active", func(_ *fixture.Fixture, q *types.Quorum) {
			q.Members[3].State, q.Members[3].StartedHeight = types.MemberActive, q.Members[3].JoinedHeight
		}, "the lease is"},
		{"a member of another lease", func(_ *fixture.Fixture, q *types.Quorum) { q.Members[0].LeaseId = q.Members[2].LeaseId + 100 }, "member lease"},
		{"a member at another price", func(_ *fixture.Fixture, q *types.Quorum) {
			q.Members[0].PricePerBlock = q.Members[0].PricePerBlock.AddAmount(math.OneInt())
		}, "market's lease"},
		{"a failed member recorded for another reason", func(_ *fixture.Fixture, q *types.Quorum) {
			q.Members[1].CloseReason = markettypes.CloseReasonProviderClosed.String()
		}, "the lease is"},
		{"a held standby recorded released", func(_ *fixture.Fixture, q *types.Quorum) { q.Standbys[1].State = types.StandbyReleased }, "its bid is"},
		{"a market standby no record holds", func(f *fixture.Fixture, q *types.Quorum) {
			require.NoError(t, f.Quorum.Quorums.Remove(f.Ctx, q.OrderId))
		}, "no quorum record"},
		{"an open lease no member has", func(_ *fixture.Fixture, q *types.Quorum) {
			q.Members = q.Members[:3]
			q.Members[1].State, q.Members[1].ReplacedBy = types.MemberFailed, 0
			q.Standbys = q.Standbys[1:]
		}, "no live member"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := g.f.Fork()
			q := cloneQuorum(g.record(t))
			c.damage(f, &q)
			if _, err := f.Quorum.Quorums.Get(f.Ctx, q.OrderId); err == nil {
				require.NoError(t, f.Quorum.Quorums.Set(f.Ctx, q.OrderId, q))
			}
			err := fogapp.CheckQuorumLeases(f.Ctx, f.Keeper, f.Quorum)
			require.ErrorContains(t, err, c.want)
		})
	}
}
