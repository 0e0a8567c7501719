package app

import (
	"testing"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/log"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// The v2-indexed-state plan runs x/market's 1→2 migration, which empties the version 1 index
// prefixes, and records the market at version 2; the other modules stay where they were.
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

	require.NoError(t, app.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: UpgradeIndexedState, Height: 2}))
	after, err := app.UpgradeKeeper.GetModuleVersionMap(ctx)
	require.NoError(t, err)
	require.Equal(t, app.ModuleManager.GetVersionMap(), after)
	require.False(t, market.Has(v1Entry), "the migration emptied the version 1 indexes")
}
