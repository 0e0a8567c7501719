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
	// version 2 params lack version 3's, which Migrate2to3 sets and then validates the whole
	return m.k.Params.Set(ctx, p)
}

// Migrate2to3 gives the stored params those of proof of audit and proof of SLA, new in version 3:
// the defaults (types.DefaultParams) for the verifier pool, audits and watches, and each tier's
// min_probes; other params unchanged. The new collections start empty.
func (m Migrator) Migrate2to3(ctx sdk.Context) error {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	d := types.DefaultParams()
	p.Bronze.MinProbes, p.Silver.MinProbes, p.Gold.MinProbes = d.Bronze.MinProbes, d.Silver.MinProbes, d.Gold.MinProbes
	p.VerifierDeposit, p.MaxVerifiers, p.MaxOpenDuties = d.VerifierDeposit, d.MaxVerifiers, d.MaxOpenDuties
	p.AuditCommitteeSize, p.AuditFee, p.AuditCommitBlocks, p.AuditRevealBlocks = d.AuditCommitteeSize, d.AuditFee, d.AuditCommitBlocks, d.AuditRevealBlocks
	p.AuditCommitteeShareBps = d.AuditCommitteeShareBps
	p.SlaObservers, p.SlaWindowBlocks, p.SlaReportBlocks, p.MaxSlaWindows = d.SlaObservers, d.SlaWindowBlocks, d.SlaReportBlocks, d.MaxSlaWindows
	p.SlaReportFee, p.MaxProbesPerWindow, p.SlaBreachesToClose = d.SlaReportFee, d.MaxProbesPerWindow, d.SlaBreachesToClose
	if err := p.Validate(); err != nil {
		return err
	}
	return m.k.Params.Set(ctx, p)
}
