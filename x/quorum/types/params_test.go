package types_test

import (
	"math/big"
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// The default params are valid and are the product's tiers.
func TestDefaultParams(t *testing.T) {
	p := types.DefaultParams()
	require.NoError(t, p.Validate())
	require.NoError(t, types.DefaultGenesis().Validate())
	for _, c := range []struct {
		name string
		got  types.SlaTier
		want types.SlaTier
	}{
		{"bronze: p95 2.5 s, 97 % uptime (claimed from 100 probes), 1 replica", p.Bronze,
			types.SlaTier{MaxP95LatencyMs: 2500, MinUptimeBps: 9700, MinReplicas: 1, MinProbes: 100}},
		{"silver: p95 1.2 s, 99 % uptime (from 300 probes), primary + 1 canary, 2 standbys", p.Silver,
			types.SlaTier{MaxP95LatencyMs: 1200, MinUptimeBps: 9900, MinReplicas: 2, Canaries: 1, MaxStandbys: 2, MinProbes: 300}},
		{"gold: p95 400 ms, 99.9 % uptime (from 3,000 probes), 3 replicas over 3 ASNs, 2 TEE vendors, 2 power regions, 2 standbys", p.Gold,
			types.SlaTier{MaxP95LatencyMs: 400, MinUptimeBps: 9990, MinReplicas: 3, MinAsns: 3, MinTeeVendors: 2, MinPowerRegions: 2, MaxStandbys: 2, MinProbes: 3000}},
	} {
		t.Run(c.name, func(t *testing.T) { require.Equal(t, c.want, c.got) })
	}
	require.False(t, p.Bronze.HasDiversity(), "bronze constrains only the number of replicas")
	require.False(t, p.Silver.HasDiversity(), "silver constrains only the number of replicas")
	require.True(t, p.Gold.HasDiversity())
	require.LessOrEqual(t, p.MaxCandidates, uint32(types.MaxCandidates))
}

// Params.Tier finds the tiers by their lower-case names only.
func TestParamsTier(t *testing.T) {
	p := types.DefaultParams()
	for i, name := range types.TierNames {
		got, err := p.Tier(name)
		require.NoError(t, err, name)
		require.Equal(t, []types.SlaTier{p.Bronze, p.Silver, p.Gold}[i], got, name)
	}
	for _, bad := range []string{"", "platinum", "Gold", "GOLD", "TIER_GOLD", " gold"} {
		_, err := p.Tier(bad)
		require.ErrorIs(t, err, types.ErrInvalidTier, "%q", bad)
	}
}

// Every bound of Params.Validate: one step outside it is refused with ErrInvalidParams naming the
// field, and the bound itself is accepted.
func TestParamsValidateBounds(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*types.Params)
		field  string // "" when the params are valid
	}{
		// each tier's service levels
		{"bronze latency 0", func(p *types.Params) { p.Bronze.MaxP95LatencyMs = 0 }, "max_p95_latency_ms"},
		{"silver latency over one hour", func(p *types.Params) { p.Silver.MaxP95LatencyMs = types.MaxLatencyMs + 1 }, "max_p95_latency_ms"},
		{"gold latency one hour", func(p *types.Params) { p.Gold.MaxP95LatencyMs = types.MaxLatencyMs }, ""},
		{"gold latency 1 ms", func(p *types.Params) { p.Gold.MaxP95LatencyMs = 1 }, ""},
		{"bronze uptime 0", func(p *types.Params) { p.Bronze.MinUptimeBps = 0 }, "min_uptime_bps"},
		{"gold uptime over 10000 bps", func(p *types.Params) { p.Gold.MinUptimeBps = types.MaxUptimeBps + 1 }, "min_uptime_bps"},
		{"gold uptime 10000 bps", func(p *types.Params) { p.Gold.MinUptimeBps = types.MaxUptimeBps }, ""},
		{"bronze min_replicas 0", func(p *types.Params) { p.Bronze.MinReplicas = 0 }, "min_replicas"},
		{"gold min_replicas over 64", func(p *types.Params) { p.Gold.MinReplicas = types.MaxReplicas + 1 }, "min_replicas"},
		{"gold min_replicas 64", func(p *types.Params) { p.Gold.MinReplicas = types.MaxReplicas }, ""},
		{"silver canaries = min_replicas", func(p *types.Params) { p.Silver.Canaries = p.Silver.MinReplicas }, "canaries"},
		{"bronze one canary of one replica", func(p *types.Params) { p.Bronze.Canaries = 1 }, "canaries"},
		{"silver canaries = min_replicas - 1", func(p *types.Params) { p.Silver.MinReplicas, p.Silver.Canaries = 5, 4 }, ""},
		{"gold min_asns over 64", func(p *types.Params) { p.Gold.MinAsns = types.MaxReplicas + 1 }, "min_asns"},
		{"gold min_asns 64", func(p *types.Params) { p.Gold.MinAsns = types.MaxReplicas }, ""},
		{"gold min_tee_vendors 3", func(p *types.Params) { p.Gold.MinTeeVendors = types.MaxTeeVendors + 1 }, "min_tee_vendors"},
		{"silver min_tee_vendors 2", func(p *types.Params) { p.Silver.MinTeeVendors = types.MaxTeeVendors }, ""},
		{"gold min_power_regions over 64", func(p *types.Params) { p.Gold.MinPowerRegions = types.MaxReplicas + 1 }, "min_power_regions"},
		{"gold min_power_regions 64", func(p *types.Params) { p.Gold.MinPowerRegions = types.MaxReplicas }, ""},
		{"gold max_standbys 9", func(p *types.Params) { p.Gold.MaxStandbys = types.MaxStandbys + 1 }, "max_standbys"},
		{"bronze max_standbys 8", func(p *types.Params) { p.Bronze.MaxStandbys = types.MaxStandbys }, ""},
		// the search
		{"max_candidates 0", func(p *types.Params) { p.MaxCandidates = 0 }, "max_candidates"},
		{"max_candidates 21", func(p *types.Params) { p.MaxCandidates = types.MaxCandidates + 1 }, "max_candidates"},
		{"max_candidates 1", func(p *types.Params) { p.MaxCandidates = 1 }, ""},
		{"max_selection_work below 2*64+1", func(p *types.Params) { p.MaxSelectionWork = 2*types.MaxReplicas + 1 - 1 }, "max_selection_work"},
		{"max_selection_work 0", func(p *types.Params) { p.MaxSelectionWork = 0 }, "max_selection_work"},
		{"max_selection_work 2*64+1", func(p *types.Params) { p.MaxSelectionWork = 2*types.MaxReplicas + 1 }, ""},
		{"max_selection_work over 1,000,000", func(p *types.Params) { p.MaxSelectionWork = 1_000_001 }, "max_selection_work"},
		{"max_selection_work 1,000,000", func(p *types.Params) { p.MaxSelectionWork = 1_000_000 }, ""},
		// auditors' writes
		{"max_attributes 0", func(p *types.Params) { p.MaxAttributes = 0 }, "max_attributes"},
		{"max_attributes 65", func(p *types.Params) { p.MaxAttributes = 65 }, "max_attributes"},
		{"max_attributes 64", func(p *types.Params) { p.MaxAttributes = 64 }, ""},
		{"max_attribute_bytes 0", func(p *types.Params) { p.MaxAttributeBytes = 0 }, "max_attribute_bytes"},
		{"max_attribute_bytes 257", func(p *types.Params) { p.MaxAttributeBytes = 257 }, "max_attribute_bytes"},
		{"max_attribute_bytes 256", func(p *types.Params) { p.MaxAttributeBytes = 256 }, ""},
		{"max_auditors 0", func(p *types.Params) { p.MaxAuditors = 0 }, "max_auditors"},
		{"max_auditors 1001", func(p *types.Params) { p.MaxAuditors = 1001 }, "max_auditors"},
		{"max_auditors 1000", func(p *types.Params) { p.MaxAuditors = 1000 }, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := types.DefaultParams()
			c.mutate(&p)
			err := p.Validate()
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidParams)
			require.ErrorContains(t, err, c.field)
			if tier := strings.Fields(c.name)[0]; tier == "bronze" || tier == "silver" || tier == "gold" {
				require.ErrorContains(t, err, tier, "the error names the tier")
			}
		})
	}
	require.Equal(t, 129, types.MinSelectionWork)
	require.Equal(t, 1_000_000, types.MaxSelectionWork)
}

// Every param of proof of audit and proof of SLA is bounded: each value outside its bound is refused
// with ErrInvalidParams naming the param, so that no governance change can make a draw, a deadline or
// a fee product overflow or halt EndBlock; the bounds themselves are accepted.
func TestVerificationParamsBounds(t *testing.T) {
	big := math.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 130))
	cases := []struct {
		name   string
		mutate func(*types.Params)
		field  string
	}{
		{"no committee", func(p *types.Params) { p.AuditCommitteeSize = 0 }, "audit_committee_size"},
		{"an even committee", func(p *types.Params) { p.AuditCommitteeSize = 4 }, "audit_committee_size"},
		{"a committee of 17", func(p *types.Params) { p.AuditCommitteeSize = 17 }, "audit_committee_size"},
		{"no commit phase", func(p *types.Params) { p.AuditCommitBlocks = 0 }, "audit_commit_blocks"},
		{"a reveal phase of 10^6 + 1 blocks", func(p *types.Params) { p.AuditRevealBlocks = types.MaxPhaseBlocks + 1 }, "audit_reveal_blocks"},
		{"a committee share above 100 %", func(p *types.Params) { p.AuditCommitteeShareBps = 10_001 }, "audit_committee_share_bps"},
		{"no observer", func(p *types.Params) { p.SlaObservers = 0 }, "sla_observers"},
		{"16 observers", func(p *types.Params) { p.SlaObservers = 16 }, "sla_observers"},
		{"an empty window", func(p *types.Params) { p.SlaWindowBlocks = 0 }, "sla_window_blocks"},
		{"no report period", func(p *types.Params) { p.SlaReportBlocks = 0 }, "sla_report_blocks"},
		{"no window per watch", func(p *types.Params) { p.MaxSlaWindows = 0 }, "max_sla_windows"},
		{"10,001 windows per watch", func(p *types.Params) { p.MaxSlaWindows = types.MaxSlaWindowsBound + 1 }, "max_sla_windows"},
		{"no probe per window", func(p *types.Params) { p.MaxProbesPerWindow = 0 }, "max_probes_per_window"},
		{"an empty pool", func(p *types.Params) { p.MaxVerifiers = 0 }, "max_verifiers"},
		{"a pool of 1,001", func(p *types.Params) { p.MaxVerifiers = types.MaxVerifiersBound + 1 }, "max_verifiers"},
		{"no open duty", func(p *types.Params) { p.MaxOpenDuties = 0 }, "max_open_duties"},
		{"a fee without a denom", func(p *types.Params) { p.AuditFee = sdk.Coin{Amount: math.NewInt(1)} }, "audit_fee"},
		{"a negative deposit", func(p *types.Params) { p.VerifierDeposit = sdk.Coin{Denom: "ufog", Amount: math.NewInt(-1)} }, "verifier_deposit"},
		{"a report fee above 2^128", func(p *types.Params) { p.SlaReportFee = sdk.NewCoin("ufog", big) }, "sla_report_fee"},
		{"a tier's min_probes above 10^6", func(p *types.Params) { p.Gold.MinProbes = types.MaxProbesBound + 1 }, "min_probes"},
		{"closing after 10,001 breaches", func(p *types.Params) { p.SlaBreachesToClose = types.MaxSlaWindowsBound + 1 }, "sla_breaches_to_close"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := types.DefaultParams()
			c.mutate(&p)
			err := p.Validate()
			require.ErrorIs(t, err, types.ErrInvalidParams)
			require.ErrorContains(t, err, c.field)
		})
	}
	p := types.DefaultParams()
	p.AuditCommitteeSize, p.SlaObservers = types.MaxCommitteeSize, types.MaxCommitteeSize
	p.AuditCommitBlocks, p.AuditRevealBlocks, p.SlaWindowBlocks, p.SlaReportBlocks = types.MaxPhaseBlocks, types.MaxPhaseBlocks, types.MaxPhaseBlocks, types.MaxPhaseBlocks
	p.MaxSlaWindows, p.MaxVerifiers, p.MaxOpenDuties = types.MaxSlaWindowsBound, types.MaxVerifiersBound, types.MaxOpenDutiesBound
	p.AuditCommitteeShareBps, p.AuditFee = types.MaxUptimeBps, sdk.NewInt64Coin("ufog", 0)
	require.NoError(t, p.Validate(), "the bounds themselves")
	require.EqualValues(t, 1, types.SlaQuorum(1))
	require.EqualValues(t, 3, types.SlaQuorum(4))
	require.EqualValues(t, 9, types.SlaQuorum(15))
}
