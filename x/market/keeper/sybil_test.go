package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// squatted is an order whose max_bids_per_order (100) slots are all taken by one attacker's 100
// sybil providers, each of which paid the provider bond and a bid deposit.
type squatted struct {
	*fixture.Fixture
	owner  sdk.AccAddress
	order  types.Order
	sybils []sdk.AccAddress
	honest []sdk.AccAddress
	// registered: each sybil's balance once registered (its bond paid), before it bid
	registered map[string]math.Int
	ownerAt    math.Int
}

func squat(t *testing.T) *squatted {
	f := fixture.New(t)
	require.EqualValues(t, 100, f.Params.MaxBidsPerOrder)
	s := &squatted{Fixture: f, owner: f.NewAccount(t, 1_000_000), registered: map[string]math.Int{}}
	s.order = f.CreateOrder(t, fixture.OrderMsg(s.owner)) // max 10ufog per block
	s.ownerAt = f.Balance(s.owner)
	for i := 0; i < int(f.Params.MaxBidsPerOrder); i++ {
		sybil := f.NewProvider(t)
		s.registered[sybil.String()] = f.Balance(sybil)
		f.Commit(t, s.order.Id, sybil, 10)
		s.sybils = append(s.sybils, sybil)
	}
	s.honest = []sdk.AccAddress{f.NewProvider(t), f.NewProvider(t)}
	_, err := f.Msg.CommitBid(f.Ctx, &types.MsgCommitBid{Provider: s.honest[0].String(), OrderId: s.order.Id, Commitment: make([]byte, 32)})
	require.ErrorIs(t, err, types.ErrTooManyBids, "the squatters hold every slot")
	return s
}

// The attack: fill every slot with free identities and withdraw them all at the commit deadline
// with full refunds, so that the order fails or a lone sybil wins at the max price. Identities now
// cost a bond, the last withdraw_lock_blocks of the commit phase take no withdrawal, and every
// withdrawal pays a fee to the order's owner: the slots come free while honest providers can still
// commit, an honest provider wins at an honest price, and the attacker pays.
func TestSybilSlotSquattingWithdrawAtTheDeadline(t *testing.T) {
	s := squat(t)
	f, o := s.Fixture, s.order

	// withdrawing at the last moment is refused, for every sybil, with nothing moved
	f.SetHeight(o.CommitDeadline)
	before := f.Snapshot(t)
	for _, sybil := range s.sybils {
		_, err := f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: sybil.String(), OrderId: o.Id})
		require.ErrorIs(t, err, types.ErrWithdrawLocked)
	}
	require.Equal(t, before, f.Snapshot(t))

	// so the attacker must withdraw by the withdraw deadline, and pays a fee per identity
	f.SetHeight(o.WithdrawDeadline)
	for _, sybil := range s.sybils {
		_, err := f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: sybil.String(), OrderId: o.Id})
		require.NoError(t, err)
	}
	fees := f.Params.WithdrawFee.Amount.MulRaw(int64(len(s.sybils)))
	require.Equal(t, s.ownerAt.Add(fees), f.Balance(s.owner), "every withdrawal paid the owner")

	// the freed slots are taken in the lock window by honest providers, who win at an honest price
	f.SetHeight(o.WithdrawDeadline + 1)
	bids := []fixture.SealedBid{f.Commit(t, o.Id, s.honest[0], 4), f.Commit(t, o.Id, s.honest[1], 6)}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, b := range bids {
		f.Reveal(t, o.Id, b)
	}
	f.AdvanceTo(t, o.RevealDeadline+1)
	o = f.Order(t, o.Id)
	require.Equal(t, types.OrderMatched, o.State)
	leases := f.LeasesOf(t, o.Id)
	require.Len(t, leases, 1)
	require.Equal(t, s.honest[0].String(), leases[0].Provider)
	require.Equal(t, int64(6), leases[0].PricePerBlock.Amount.Int64(), "the second honest price, not the max price")

	// the attacker paid the fees, and its bonds stay locked until each identity deregisters
	for _, sybil := range s.sybils {
		require.Equal(t, s.registered[sybil.String()].Sub(f.Params.WithdrawFee.Amount), f.Balance(sybil), "each sybil lost the withdraw fee")
		res, err := f.Msg.DeregisterProvider(f.Ctx, &types.MsgDeregisterProvider{Owner: sybil.String()})
		require.NoError(t, err)
		require.Equal(t, f.Params.ProviderBond, res.BondReturned)
		require.Equal(t, s.registered[sybil.String()].Sub(f.Params.WithdrawFee.Amount).Add(f.Params.ProviderBond.Amount), f.Balance(sybil))
	}
	f.CheckInvariants(t)
}

// The same squat held to the end: the sybils keep their slots and never reveal. The honest
// provider cannot get in, but the attack now burns a deposit per identity and marks each of them
// in x/reputation; the owner's escrow comes back whole.
func TestSybilSlotSquattingHeldToTheEnd(t *testing.T) {
	s := squat(t)
	f, o := s.Fixture, s.order
	supply := f.Supply()
	f.AdvanceTo(t, o.RevealDeadline+1)
	o = f.Order(t, o.Id)
	require.Equal(t, types.OrderFailed, o.State)
	require.Equal(t, s.ownerAt.Add(o.MaxPricePerBlock.Amount.MulRaw(int64(o.LeaseBlocks))), f.Balance(s.owner), "escrow refunded")
	burned := f.Params.BidDeposit.Amount.MulRaw(int64(len(s.sybils)))
	require.Equal(t, supply.Sub(burned), f.Supply(), "every unrevealed deposit is burned")
	for _, sybil := range s.sybils {
		score, found, err := f.Reputation.Score(f.Ctx, sybil)
		require.NoError(t, err)
		require.True(t, found)
		require.True(t, score.Beta.GT(score.Alpha), "an unrevealed bid counts against the identity")
	}
	f.CheckInvariants(t)
}
