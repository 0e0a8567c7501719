package app

import (
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// The v2-indexed-state plan runs x/market's 1→2 migration, which empties the version 1 index
// prefixes, and records the market at version 2, the other modules staying where they were; and it
// gives x/tee the active TEE leases that started before x/tee subscribed to the market's hooks.
func TestUpgradeIndexedStateMigratesTheMarket(t *testing.T) {
	app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	require.True(t, app.UpgradeKeeper.HasHandler(UpgradeIndexedState))
	ctx := app.NewUncachedContext(false, cmtproto.Header{Height: 2})

	before := app.ModuleManager.GetVersionMap()
	require.EqualValues(t, 2, before[markettypes.ModuleName])
	before[markettypes.ModuleName] = 1
	require.NoError(t, app.UpgradeKeeper.SetModuleVersionMap(ctx, before))
	market := ctx.KVStore(app.GetKey(markettypes.StoreKey))
	v1Entry := append(append([]byte{}, markettypes.RetiredLiveBidsByProviderKey...), 20, 1)
	market.Set(v1Entry, []byte{})
	// an active lease of a TEE order, a pending one and an active one of a public order: only the
	// first pins its provider in x/tee
	provider := sdk.AccAddress(make([]byte, 20))
	coin := sdk.NewInt64Coin(BaseDenom, 0)
	for id, c := range []struct {
		tee   bool
		state markettypes.LeaseState
	}{{true, markettypes.LeaseActive}, {true, markettypes.LeasePending}, {false, markettypes.LeaseActive}} {
		order := markettypes.Order{Id: uint64(id + 1), Owner: provider.String(), TeeRequired: c.tee, State: markettypes.OrderMatched, Escrow: coin, MaxPricePerBlock: coin}
		require.NoError(t, app.MarketKeeper.Orders.Set(ctx, order.Id, order))
		lease := markettypes.Lease{Id: uint64(id + 1), OrderId: order.Id, Owner: provider.String(), Provider: provider.String(), State: c.state,
			PricePerBlock: coin, Escrow: coin, Bond: coin, Paid: coin}
		require.NoError(t, app.MarketKeeper.Leases.Set(ctx, lease.Id, lease))
	}

	require.NoError(t, app.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: UpgradeIndexedState, Height: 2}))
	after, err := app.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, app.ModuleManager.GetVersionMap(), after)
	require.False(t, market.Has(v1Entry), "the migration emptied the version 1 indexes")
	leases, err := app.TeeKeeper.ActiveTeeLeases(ctx, provider)
	require.NoError(t, err)
	require.Equal(t, []uint64{1}, leases, "x/tee learnt of the active TEE lease started before the upgrade")
}

// The v3-quorum plan adds x/quorum to a chain that did not have it: RunMigrations finds the module
// missing from the version map and runs its default genesis (default params, no auditors).
func TestUpgradeQuorumInitialisesTheModule(t *testing.T) {
	app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	require.True(t, app.UpgradeKeeper.HasHandler(UpgradeQuorum))
	ctx := app.NewUncachedContext(false, cmtproto.Header{Height: 2})

	before := app.ModuleManager.GetVersionMap()
	delete(before, quorumtypes.ModuleName)
	require.NoError(t, app.UpgradeKeeper.SetModuleVersionMap(ctx, before))
	require.NoError(t, app.QuorumKeeper.Params.Remove(ctx))

	require.NoError(t, app.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: UpgradeQuorum, Height: 2}))
	after, err := app.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, app.ModuleManager.GetVersionMap(), after)
	p, err := app.QuorumKeeper.Params.Get(ctx)
	require.NoError(t, err)
	require.Equal(t, quorumtypes.DefaultParams(), p)
}

// The v4-standbys plan runs x/quorum's 1→2 migration: version 1 params (no max_standbys) get the
// default standbys of each tier, the other params stay, and the module is recorded at version 2.
func TestUpgradeStandbysMigratesTheQuorumParams(t *testing.T) {
	app := New(log.NewNopLogger(), dbm.NewMemDB(), nil, true, simtestutil.NewAppOptionsWithFlagHome(t.TempDir()))
	require.True(t, app.UpgradeKeeper.HasHandler(UpgradeStandbys))
	ctx := app.NewUncachedContext(false, cmtproto.Header{Height: 2})

	before := app.ModuleManager.GetVersionMap()
	require.EqualValues(t, 3, before[quorumtypes.ModuleName])
	before[quorumtypes.ModuleName] = 1
	require.NoError(t, app.UpgradeKeeper.SetModuleVersionMap(ctx, before))
	v1 := quorumtypes.DefaultParams()
	v1.Bronze.MaxStandbys, v1.Silver.MaxStandbys, v1.Gold.MaxStandbys = 0, 0, 0
	// nor proof of audit's and SLA's params (version 3): the 1→2→3 migrations give their defaults
	v1.Bronze.MinProbes, v1.Silver.MinProbes, v1.Gold.MinProbes = 0, 0, 0
	v1.VerifierDeposit, v1.AuditFee, v1.SlaReportFee = sdk.Coin{}, sdk.Coin{}, sdk.Coin{}
	v1.MaxVerifiers, v1.MaxOpenDuties, v1.AuditCommitteeSize, v1.AuditCommitBlocks, v1.AuditRevealBlocks = 0, 0, 0, 0, 0
	v1.AuditCommitteeShareBps, v1.SlaObservers, v1.SlaWindowBlocks, v1.SlaReportBlocks, v1.MaxSlaWindows, v1.MaxProbesPerWindow = 0, 0, 0, 0, 0, 0
	v1.MaxCandidates = 7
	require.NoError(t, app.QuorumKeeper.Params.Set(ctx, v1))

	require.NoError(t, app.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: UpgradeStandbys, Height: 2}))
	after, err := app.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, app.ModuleManager.GetVersionMap(), after)
	p, err := app.QuorumKeeper.Params.Get(ctx)
	require.NoError(t, err)
	want := quorumtypes.DefaultParams()
	want.MaxCandidates = 7
	require.Equal(t, want, p)
}
