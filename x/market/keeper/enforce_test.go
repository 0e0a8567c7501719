package keeper_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
)

// activeLease is settledLease started: 100 blocks at 10ufog, escrow 1000ufog.
func activeLease(t *testing.T, f *fixture.Fixture) (owner, provider sdk.AccAddress, l types.Lease) {
	t.Helper()
	owner, provider, l = settledLease(t, f)
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)
	l = f.Lease(t, l.Id)
	require.Equal(t, "10ufog", l.PricePerBlock.String())
	require.Equal(t, "1000ufog", l.Escrow.String())
	return owner, provider, l
}

// requireAccounted checks that an active lease's escrow and withheld pay add up to the price of the
// blocks not yet settled: the owner's money still held plus what was refunded ahead.
func requireAccounted(t *testing.T, f *fixture.Fixture, id uint64) types.Lease {
	t.Helper()
	l := f.Lease(t, id)
	if l.State == types.LeaseActive {
		unsettled := l.PricePerBlock.Amount.MulRaw(l.EndHeight - l.SettledThrough)
		require.Equal(t, unsettled.String(), l.Escrow.Amount.Add(keeper.Withheld(l).Amount).String(), "escrow + withheld")
	}
	f.CheckInvariants(t)
	return l
}

func withdraw(t *testing.T, f *fixture.Fixture, provider sdk.AccAddress, id uint64) int64 {
	t.Helper()
	res, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: provider.String(), LeaseId: id})
	require.NoError(t, err)
	return res.Amount.Amount.Int64()
}

// Pay withheld is refunded to the owner at once and kept from the provider's next settlements, as
// far as they go; the lease's pay at completion is short of exactly what was withheld, and the
// module's holdings stay exact throughout.
func TestWithholdPayoutKeepsItFromTheProvidersPay(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := activeLease(t, f)
	h0 := f.Height()
	ownerBal, provBal := f.Balance(owner).Int64(), f.Balance(provider).Int64()

	f.AdvanceTo(t, h0+5)
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	cut, err := f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(30))
	require.NoError(t, err)
	require.Equal(t, "30ufog", cut.String())
	require.Equal(t, ownerBal+30, f.Balance(owner).Int64(), "refunded at once")
	got := requireAccounted(t, f, l.Id)
	require.Equal(t, "970ufog", got.Escrow.String())
	require.Equal(t, "30ufog", got.Withheld.String())
	var withheld []*types.EventPayoutWithheld
	for _, e := range f.Ctx.EventManager().Events() {
		if msg, err := sdk.ParseTypedEvent(abci.Event(e)); err == nil {
			if w, ok := msg.(*types.EventPayoutWithheld); ok {
				withheld = append(withheld, w)
			}
		}
	}
	require.Equal(t, []*types.EventPayoutWithheld{{LeaseId: l.Id, Owner: owner.String(), Cut: coin(30), Withheld: coin(30)}}, withheld)

	// 10 blocks accrued, 30 of them kept
	f.AdvanceTo(t, h0+10)
	require.EqualValues(t, 70, withdraw(t, f, provider, l.Id))
	got = requireAccounted(t, f, l.Id)
	require.True(t, keeper.Withheld(got).IsZero())

	// a cut larger than what accrues before the next withdrawal is kept over several
	cut, err = f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(50))
	require.NoError(t, err)
	require.Equal(t, "50ufog", cut.String())
	requireAccounted(t, f, l.Id)
	f.AdvanceTo(t, h0+13)
	require.Zero(t, withdraw(t, f, provider, l.Id), "30 accrued, all kept")
	got = requireAccounted(t, f, l.Id)
	require.Equal(t, "20ufog", got.Withheld.String())
	f.AdvanceTo(t, h0+20)
	require.EqualValues(t, 50, withdraw(t, f, provider, l.Id), "70 accrued, the last 20 kept")
	requireAccounted(t, f, l.Id)

	for f.Lease(t, l.Id).State != types.LeaseClosed {
		f.EndBlock(t)
		requireAccounted(t, f, l.Id)
	}
	done := f.Lease(t, l.Id)
	require.Equal(t, types.CloseReasonCompleted, done.CloseReason)
	require.Equal(t, "920ufog", done.Paid.String(), "1000 less the 80 withheld")
	require.True(t, done.Escrow.IsZero())
	require.True(t, keeper.Withheld(done).IsZero())
	require.Equal(t, provBal+920+done.Bond.Amount.Int64(), f.Balance(provider).Int64(), "its pay and its bond back")
	require.Equal(t, ownerBal+80, f.Balance(owner).Int64())
	f.RequireOnlyBondsHeld(t)
}

// WithholdPayout takes at most what the escrow holds: then the provider is paid nothing more, not
// even for blocks already run, and a further cut takes nothing.
func TestWithholdPayoutCapsAtTheEscrow(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := activeLease(t, f)
	ownerBal := f.Balance(owner).Int64()
	f.AdvanceTo(t, f.Height()+10)
	cut, err := f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(5_000))
	require.NoError(t, err)
	require.Equal(t, "1000ufog", cut.String())
	got := requireAccounted(t, f, l.Id)
	require.True(t, got.Escrow.IsZero())
	require.Equal(t, ownerBal+1_000, f.Balance(owner).Int64())
	cut, err = f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(1))
	require.NoError(t, err)
	require.True(t, cut.IsZero(), "nothing left to take")
	require.Zero(t, withdraw(t, f, provider, l.Id))
	requireAccounted(t, f, l.Id)
	f.AdvanceTo(t, l.EndHeight+1)
	done := requireAccounted(t, f, l.Id)
	require.Equal(t, types.LeaseClosed, done.State)
	require.True(t, done.Paid.IsZero())
	require.Equal(t, ownerBal+1_000, f.Balance(owner).Int64(), "the owner paid nothing in the end")
	f.RequireOnlyBondsHeld(t)
}

// Pay still withheld when the owner closes the lease, which the provider's accruals have not
// covered, comes out of the provider's bond back into the escrow: the owner gets the escrow left and
// that, the lease closes withholding nothing, and the provider gets the rest of its bond.
func TestWithheldPayWhenTheOwnerCloses(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := activeLease(t, f)
	ownerBal, provBal := f.Balance(owner).Int64(), f.Balance(provider).Int64()
	h0 := f.Height()
	f.AdvanceTo(t, h0+5)
	_, err := f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(200))
	require.NoError(t, err)
	f.AdvanceTo(t, h0+10)
	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: owner.String(), LeaseId: l.Id})
	require.NoError(t, err)
	done := requireAccounted(t, f, l.Id)
	require.Equal(t, types.CloseReasonOwnerClosed, done.CloseReason)
	require.True(t, keeper.Withheld(done).IsZero())
	require.True(t, done.Paid.IsZero(), "the 100 accrued were kept")
	require.Equal(t, ownerBal+1_100, f.Balance(owner).Int64(), "200 refunded ahead, 800 at the close and the 100 accruals did not cover, from the bond")
	require.Equal(t, provBal+done.Bond.Amount.Int64(), f.Balance(provider).Int64(), "the bond less 100 back, no pay")
	require.Equal(t, l.Bond.Amount.Int64()-100, done.Bond.Amount.Int64())
	f.RequireOnlyBondsHeld(t)
}

// Only an active lease withholds: a pending or closed one takes nothing and changes nothing; an
// amount in another denom or negative is refused.
func TestWithholdPayoutOnlyFromActiveLeases(t *testing.T) {
	f := fixture.New(t)
	owner, _, pending := settledLease(t, f)
	snap := f.Snapshot(t)
	cut, err := f.Keeper.WithholdPayout(f.Ctx, pending.Id, coin(10))
	require.NoError(t, err)
	require.Equal(t, "0ufog", cut.String())
	require.Equal(t, snap, f.Snapshot(t))

	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: owner.String(), LeaseId: pending.Id})
	require.NoError(t, err)
	snap = f.Snapshot(t)
	cut, err = f.Keeper.WithholdPayout(f.Ctx, pending.Id, coin(10))
	require.NoError(t, err)
	require.True(t, cut.IsZero())
	require.Equal(t, snap, f.Snapshot(t))

	_, _, l := activeLease(t, f)
	snap = f.Snapshot(t)
	for name, amount := range map[string]sdk.Coin{
		"another denom": sdk.NewInt64Coin("uatom", 10),
		"negative":      {Denom: fixture.Denom, Amount: math.NewInt(-1)},
		"no amount":     {Denom: fixture.Denom},
	} {
		cut, err := f.Keeper.WithholdPayout(f.Ctx, l.Id, amount)
		require.ErrorIs(t, err, types.ErrInvalidPrice, name)
		require.True(t, cut.IsZero(), name)
		require.Equal(t, snap, f.Snapshot(t), name)
	}
	cut, err = f.Keeper.WithholdPayout(f.Ctx, l.Id, coin(0))
	require.NoError(t, err)
	require.True(t, cut.IsZero())
	require.Equal(t, snap, f.Snapshot(t), "a cut of zero changes nothing")
	_, err = f.Keeper.WithholdPayout(f.Ctx, 999, coin(1))
	require.ErrorIs(t, err, types.ErrLeaseNotFound)
	f.CheckInvariants(t)
}

// SlashLeaseBond closes an active lease AUDIT_FAILED and hands its bond to the module named: the
// provider is paid what accrued, the owner gets the rest of the escrow. A closed lease has no bond
// left to slash: zero, and nothing changes.
func TestSlashLeaseBond(t *testing.T) {
	f := fixture.New(t)
	owner, provider, l := activeLease(t, f)
	f.AdvanceTo(t, f.Height()+10)
	ownerBal, provBal, supply := f.Balance(owner).Int64(), f.Balance(provider).Int64(), f.Supply()
	to := authtypes.NewModuleAddress(distrtypes.ModuleName)
	toBal := f.Bank.GetBalance(f.Ctx, to, fixture.Denom).Amount.Int64()
	for _, bad := range []string{"", types.ModuleName} {
		_, err := f.Keeper.SlashLeaseBond(f.Ctx, l.Id, types.CloseReasonAuditFailed, bad)
		require.Error(t, err, "to %q", bad)
		require.Equal(t, types.LeaseActive, f.Lease(t, l.Id).State)
	}
	_, err := f.Keeper.SlashLeaseBond(f.Ctx, l.Id, types.CloseReasonOwnerClosed, distrtypes.ModuleName)
	require.ErrorContains(t, err, "failed audit or an SLA violation", "only a proven fault slashes")
	bond, err := f.Keeper.SlashLeaseBond(f.Ctx, l.Id, types.CloseReasonAuditFailed, distrtypes.ModuleName)
	require.NoError(t, err)
	require.Equal(t, l.Bond, bond)
	closed := f.Lease(t, l.Id)
	require.Equal(t, types.LeaseClosed, closed.State)
	require.Equal(t, types.CloseReasonAuditFailed, closed.CloseReason)
	require.Equal(t, "100ufog", closed.Paid.String())
	require.Equal(t, provBal+100, f.Balance(provider).Int64(), "paid what accrued, the bond is gone")
	require.Equal(t, ownerBal+900, f.Balance(owner).Int64())
	require.Equal(t, toBal+bond.Amount.Int64(), f.Bank.GetBalance(f.Ctx, to, fixture.Denom).Amount.Int64())
	require.Equal(t, supply.String(), f.Supply().String(), "handed over, not burned")
	f.CheckInvariants(t)

	snap := f.Snapshot(t)
	again, err := f.Keeper.SlashLeaseBond(f.Ctx, l.Id, types.CloseReasonAuditFailed, distrtypes.ModuleName)
	require.NoError(t, err)
	require.True(t, again.IsZero())
	require.Equal(t, l.Bond.Denom, again.Denom)
	require.Equal(t, snap, f.Snapshot(t))
	_, err = f.Keeper.SlashLeaseBond(f.Ctx, 999, types.CloseReasonAuditFailed, distrtypes.ModuleName)
	require.ErrorIs(t, err, types.ErrLeaseNotFound)
	f.RequireOnlyBondsHeld(t)
}
