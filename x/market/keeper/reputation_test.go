package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

func score(t *testing.T, f *fixture.Fixture, addr sdk.AccAddress) reputationtypes.Score {
	s, _, err := f.Reputation.Score(f.Ctx, addr)
	require.NoError(t, err)
	return s
}

// near checks a value read a few blocks after it was recorded (decay has barely begun).
func near(t *testing.T, want string, got math.LegacyDec) {
	t.Helper()
	require.True(t, got.Sub(math.LegacyMustNewDecFromStr(want)).Abs().LT(math.LegacyNewDecWithPrec(1, 4)), "got %s, want about %s", got, want)
}

// Outcomes the market reports: completion adds to α; a start timeout, an abandoned lease and an
// unrevealed bid add to β; a lease its owner closes is no outcome.
func TestMarketOutcomesMoveReputation(t *testing.T) {
	for _, c := range []struct {
		name        string
		act         func(t *testing.T, f *fixture.Fixture, owner, provider sdk.AccAddress, l types.Lease)
		alpha, beta string
	}{
		{"completed", func(t *testing.T, f *fixture.Fixture, _, p sdk.AccAddress, l types.Lease) {
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
			require.NoError(t, err)
			f.AdvanceTo(t, f.Lease(t, l.Id).EndHeight+1)
		}, "2", "1"},
		{"start timeout", func(t *testing.T, f *fixture.Fixture, _, _ sdk.AccAddress, l types.Lease) {
			f.AdvanceTo(t, l.StartDeadline+1)
		}, "1", "3"},
		{"abandoned by the provider", func(t *testing.T, f *fixture.Fixture, _, p sdk.AccAddress, l types.Lease) {
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
			require.NoError(t, err)
			_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: p.String(), LeaseId: l.Id})
			require.NoError(t, err)
		}, "1", "3"},
		{"closed by the owner: no outcome", func(t *testing.T, f *fixture.Fixture, o, p sdk.AccAddress, l types.Lease) {
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
			require.NoError(t, err)
			_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: o.String(), LeaseId: l.Id})
			require.NoError(t, err)
		}, "1", "1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			owner, provider, l := settledLease(t, f)
			c.act(t, f, owner, provider, l)
			s := score(t, f, provider)
			near(t, c.alpha, s.Alpha)
			near(t, c.beta, s.Beta)
			require.Equal(t, "1.000000000000000000", score(t, f, owner).Alpha.String(), "the owner is not scored")
		})
	}
	t.Run("unrevealed bid", func(t *testing.T) {
		f := fixture.New(t)
		o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
		silent := f.NewProvider(t)
		f.Commit(t, o.Id, silent, 3)
		f.AdvanceTo(t, o.RevealDeadline+1)
		near(t, "2", score(t, f, silent).Beta)
	})
}

func TestEqualPricesFavourTheHigherLowerBound(t *testing.T) {
	f := fixture.New(t)
	o := f.CreateOrder(t, fixture.OrderMsg(f.NewAccount(t, 1_000_000)))
	early, trusted := f.NewProvider(t), f.NewProvider(t)
	require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, trusted, reputationtypes.OutcomeLeaseCompleted, math.LegacyNewDec(10)))
	s1 := f.Commit(t, o.Id, early, 4)
	f.EndBlock(t)
	s2 := f.Commit(t, o.Id, trusted, 4) // later, but better trusted
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s1)
	f.Reveal(t, o.Id, s2)
	f.AdvanceTo(t, o.RevealDeadline+1)
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	require.Equal(t, trusted.String(), leases[0].Provider)
}

func TestMinimumReputationTier(t *testing.T) {
	f := fixture.New(t)
	msg := fixture.OrderMsg(f.NewAccount(t, 1_000_000))
	msg.MinReputationTier = reputationtypes.TierGold
	o := f.CreateOrder(t, msg)
	p := f.NewProvider(t)
	c := &types.MsgCommitBid{Provider: p.String(), OrderId: o.Id, Commitment: make([]byte, 32)}
	_, err := f.Msg.CommitBid(f.Ctx, c)
	require.ErrorIs(t, err, types.ErrReputationTooLow)
	// 20 completed leases' worth of evidence: lower bound above 0.80
	require.NoError(t, f.Reputation.RecordOutcome(f.Ctx, p, reputationtypes.OutcomeLeaseCompleted, math.LegacyNewDec(20)))
	require.GreaterOrEqual(t, score(t, f, p).Tier, reputationtypes.TierGold)
	_, err = f.Msg.CommitBid(f.Ctx, c)
	require.NoError(t, err)
}

// A provider completing leases climbs tiers, one that lets won leases time out drops, and after many
// half-lives without activity both return toward the prior.
func TestReputationScenario(t *testing.T) {
	f := fixture.New(t)
	rp, err := f.Reputation.Params.Get(f.Ctx)
	require.NoError(t, err)
	rp.HalfLifeBlocks = 500
	rp.Weights.LeaseCompleted = math.LegacyNewDec(5)
	require.NoError(t, f.Reputation.Params.Set(f.Ctx, rp))
	f.SetParams(t, func(p *types.Params) { p.StartTimeoutBlocks = 3 })

	good, bad := f.NewProvider(t), f.NewProvider(t)
	owner := f.NewAccount(t, 100_000_000)
	// the good one first builds a record on its own, the bad one as well (both complete three)
	run := func(p sdk.AccAddress, start bool) {
		msg := fixture.OrderMsg(owner)
		msg.LeaseBlocks, msg.CommitBlocks, msg.RevealBlocks = 5, 3, 3
		o := f.CreateOrder(t, msg)
		s := f.Commit(t, o.Id, p, 5)
		f.AdvanceTo(t, o.CommitDeadline+1)
		f.Reveal(t, o.Id, s)
		f.AdvanceTo(t, o.RevealDeadline+1)
		l := f.LeasesOf(t, o.Id)[0]
		if start {
			_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
			require.NoError(t, err)
			f.AdvanceTo(t, f.Lease(t, l.Id).EndHeight+1)
		} else {
			f.AdvanceTo(t, l.StartDeadline+1)
		}
	}
	var tiers []reputationtypes.Tier
	for i := 0; i < 8; i++ {
		run(good, true)
		tiers = append(tiers, score(t, f, good).Tier)
	}
	for i := 1; i < len(tiers); i++ {
		require.GreaterOrEqual(t, tiers[i], tiers[i-1], "tiers %v", tiers)
	}
	require.GreaterOrEqual(t, tiers[len(tiers)-1], reputationtypes.TierPlatinum, "tiers %v", tiers)

	for i := 0; i < 3; i++ {
		run(bad, true)
	}
	before := score(t, f, bad)
	run(bad, false)
	run(bad, false)
	after := score(t, f, bad)
	require.True(t, after.Mean.LT(before.Mean) && after.LowerBound.LT(before.LowerBound))
	require.Less(t, after.Tier, score(t, f, good).Tier)

	// 40 half-lives of silence: both are back near the prior
	f.SetHeight(f.Height() + 40*500)
	for _, p := range []sdk.AccAddress{good, bad} {
		s := score(t, f, p)
		require.True(t, s.Alpha.Sub(math.LegacyOneDec()).Abs().LT(math.LegacyNewDecWithPrec(1, 6)), "alpha %s", s.Alpha)
		require.True(t, s.Beta.Sub(math.LegacyOneDec()).Abs().LT(math.LegacyNewDecWithPrec(1, 6)), "beta %s", s.Beta)
		require.Equal(t, reputationtypes.TierBronze, s.Tier)
	}
}
