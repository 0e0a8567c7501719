package app

import (
	"context"

	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/types/module"
)

// UpgradeIndexedState is the upgrade that moves x/market to indexed maps (consensus version 2). It
// adds and deletes no store, so it needs no store loader.
const UpgradeIndexedState = "v2-indexed-state"

// registerUpgradeHandlers tells x/upgrade what to run when a plan of a known name is reached.
func (app *App) registerUpgradeHandlers() {
	app.UpgradeKeeper.SetUpgradeHandler(UpgradeIndexedState,
		func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
			return app.ModuleManager.RunMigrations(ctx, app.Configurator(), fromVM)
		})
}
