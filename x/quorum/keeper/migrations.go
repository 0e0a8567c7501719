package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// Migrator runs x/quorum's store migrations.
type Migrator struct {
	k Keeper
}

// NewMigrator returns x/quorum's Migrator.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 gives the stored params the tiers' max_standbys, new in version 2: the default
// (types.DefaultParams) for each tier, other params unchanged. Version 1 params decode with
// max_standbys 0, which would hold no standbys until governance raised it. The quorum records are a
// new collection and start empty: orders matched before the upgrade have none, and their leases are
// never replaced.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	d := types.DefaultParams()
	p.Bronze.MaxStandbys, p.Silver.MaxStandbys, p.Gold.MaxStandbys = d.Bronze.MaxStandbys, d.Silver.MaxStandbys, d.Gold.MaxStandbys
	if err := p.Validate(); err != nil {
		return err
	}
	return m.k.Params.Set(ctx, p)
}
