package app

import (
	"context"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// UpgradeIndexedState is the upgrade that moves x/market to indexed maps (consensus version 2) and
// gives x/tee its own set of active TEE leases, which it has since kept from the market's hooks. It
// adds and deletes no store, so it needs no store loader.
const UpgradeIndexedState = "v2-indexed-state"

// UpgradeQuorum adds x/quorum: its store, created by the store loader at the upgrade height, and its
// default genesis (params, no auditors), which RunMigrations runs for a module new to the version map.
const UpgradeQuorum = "v3-quorum"

// UpgradeStandbys moves x/quorum to consensus version 2: its params get each tier's max_standbys
// (keeper.Migrator.Migrate1to2) and it starts keeping quorum records (a new collection in its
// existing store), and the market starts holding standbys (a new collection in its store, empty
// until the first settlement after the upgrade). No store is added, so it needs no store loader.
// Orders matched before the upgrade have no quorum record and no standbys: their failed leases are
// refunded as before.
const UpgradeStandbys = "v4-standbys"

// UpgradeVerification moves x/quorum to consensus version 3: proof of audit and proof of SLA (their
// params by keeper.Migrator.Migrate2to3; new collections in its existing store, empty), and the
// market's leases gain withheld (absent in stored leases, read as zero). No store is added.
const UpgradeVerification = "v5-verification"

// registerUpgradeHandlers tells x/upgrade what to run when a plan of a known name is reached, and sets
// the store loader of an upgrade that adds stores when the node restarts at its height.
func (app *App) registerUpgradeHandlers() error {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeIndexedState,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			vm, err := app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
			if err != nil {
				return nil, err
			}
			return vm, app.backfillTeeLeases(ctx)
		})
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeQuorum,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			return app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
		})
	for _, name := range []string{UpgradeStandbys, UpgradeVerification} {
		app.UpgradeKeeper.SetUpgradeHandler(name,
			func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
				return app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
			})
	}

	info, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		return err
	}
	if info.Name == UpgradeQuorum && !app.UpgradeKeeper.IsSkipHeight(info.Height) {
		app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(info.Height, &storetypes.StoreUpgrades{Added: []string{quorumtypes.StoreKey}}))
	}
	return nil
}

// backfillTeeLeases records in x/tee every lease the market holds active (read from its state index)
// for an order that requires a TEE: the leases started before x/tee subscribed to the market's hooks. (x/tee reads no x/market
// state itself, so the app, which holds both keepers, does it once.)
func (app *App) backfillTeeLeases(ctx context.Context) error {
	active := collections.NewPrefixedPairRange[int32, uint64](int32(markettypes.LeaseActive))
	return app.MarketKeeper.Leases.Indexes.State.Walk(ctx, active, func(_ int32, id uint64) (bool, error) {
		l, err := app.MarketKeeper.Leases.Get(ctx, id)
		if err != nil {
			return true, err
		}
		o, err := app.MarketKeeper.Orders.Get(ctx, l.OrderId)
		if err != nil || !o.TeeRequired {
			return err != nil, err
		}
		provider, err := sdk.AccAddressFromBech32(l.Provider)
		if err != nil {
			return true, err
		}
		return false, app.TeeKeeper.TeeLeases.Set(ctx, collections.Join(provider, id))
	})
}
