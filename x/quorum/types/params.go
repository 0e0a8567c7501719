package types

import (
	"fmt"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Bounds of the params: each keeps settlement's search and the state an auditor can write small,
// and every comparison inside integer range.
const (
	// MaxReplicas is the market's bound on replicas per order; no tier may need more.
	MaxReplicas = 64
	// MaxTeeVendors is how many TEE vendors x/tee verifies (AMD SEV-SNP, Intel TDX).
	MaxTeeVendors = 2
	// MaxCandidates bounds max_candidates: C(20, 3) = 1,140 triples for a gold order.
	MaxCandidates = 20
	// MinSelectionWork lets a pool of the order's replicas alone always be searched: the optimum and
	// one search per winner visit 2R + 1 nodes for R replicas, at most 2·MaxReplicas + 1.
	MinSelectionWork = 2*MaxReplicas + 1
	// MaxSelectionWork bounds the search nodes of one settlement, what EndBlock may spend on it.
	MaxSelectionWork = 1_000_000
	// MaxLatencyMs bounds a tier's p95 latency: one hour.
	MaxLatencyMs = 3_600_000
	// MaxUptimeBps is 100 %.
	MaxUptimeBps = 10_000
	// MaxAttributesBound bounds max_attributes; MaxAttributeBytesBound bounds max_attribute_bytes.
	MaxAttributesBound     = 64
	MaxAttributeBytesBound = 256
	// MaxAuditorsBound bounds max_auditors.
	MaxAuditorsBound = 1_000
	// MaxStandbys bounds a tier's max_standbys: the market holds at most this many per order (its
	// types.MaxStandbys; a keeper test checks that they agree).
	MaxStandbys = 8
	// DefaultMaxStandbys is the silver and gold tiers' max_standbys by default; bronze holds none.
	DefaultMaxStandbys = 2
	// MaxVerifiersBound bounds max_verifiers: one draw reads every member of the pool once.
	MaxVerifiersBound = 1_000
	// MaxOpenDutiesBound bounds max_open_duties.
	MaxOpenDutiesBound = 1_000
	// MaxCommitteeSize bounds audit_committee_size and sla_observers.
	MaxCommitteeSize = 15
	// MaxPhaseBlocks bounds the audit phases, the SLA window and its report period: about a week of
	// 1 s blocks, so that deadlines stay far inside int64.
	MaxPhaseBlocks = 1_000_000
	// MaxSlaWindowsBound bounds max_sla_windows.
	MaxSlaWindowsBound = 10_000
	// MaxProbesBound bounds max_probes_per_window and a tier's min_probes.
	MaxProbesBound = 1_000_000
)

// TierNames are the market's SLA tiers by name, in the market's order (bronze = 1).
var TierNames = []string{"bronze", "silver", "gold"}

// DefaultParams: the seed's tiers (bronze p95 ≤ 2.5 s, ≥ 97 % uptime, 1 replica, no standbys;
// silver ≤ 1.2 s, ≥ 99 %, primary + canary, 2 standbys; gold ≤ 400 ms, ≥ 99.9 %, ≥ 3 replicas over
// ≥ 3 ASNs, ≥ 2 TEE vendors and ≥ 2 power regions, 2 standbys), a search among the 20 cheapest bids,
// and small bounds on auditors' writes.
func DefaultParams() Params {
	return Params{
		Bronze: SlaTier{MaxP95LatencyMs: 2_500, MinUptimeBps: 9_700, MinReplicas: 1, MinProbes: 100},
		Silver: SlaTier{MaxP95LatencyMs: 1_200, MinUptimeBps: 9_900, MinReplicas: 2, Canaries: 1, MaxStandbys: DefaultMaxStandbys, MinProbes: 300},
		Gold: SlaTier{MaxP95LatencyMs: 400, MinUptimeBps: 9_990, MinReplicas: 3, MinAsns: 3, MinTeeVendors: 2, MinPowerRegions: 2,
			MaxStandbys: DefaultMaxStandbys, MinProbes: 3_000},
		MaxCandidates:     20,
		MaxSelectionWork:  100_000,
		MaxAttributes:     16,
		MaxAttributeBytes: 64,
		MaxAuditors:       100,

		VerifierDeposit:        sdk.NewInt64Coin(DefaultDenom, 1_000_000),
		MaxVerifiers:           200,
		MaxOpenDuties:          16,
		AuditCommitteeSize:     5,
		AuditFee:               sdk.NewInt64Coin(DefaultDenom, 100_000),
		AuditCommitBlocks:      20,
		AuditRevealBlocks:      20,
		AuditCommitteeShareBps: 2_000,
		SlaObservers:           4,
		SlaWindowBlocks:        100,
		SlaReportBlocks:        20,
		MaxSlaWindows:          1_000,
		SlaReportFee:           sdk.NewInt64Coin(DefaultDenom, 1_000),
		MaxProbesPerWindow:     100_000,
		SlaBreachesToClose:     3,
	}
}

// DefaultDenom is the denom of the default deposits and fees.
const DefaultDenom = "ufog"

// Tier returns the tier named name (bronze, silver, gold).
func (p Params) Tier(name string) (SlaTier, error) {
	switch name {
	case "bronze":
		return p.Bronze, nil
	case "silver":
		return p.Silver, nil
	case "gold":
		return p.Gold, nil
	}
	return SlaTier{}, errorsmod.Wrapf(ErrInvalidTier, "%q: want bronze, silver or gold", name)
}

// HasDiversity reports whether the tier constrains who its members are beyond their number.
func (t SlaTier) HasDiversity() bool {
	return t.MinAsns > 1 || t.MinTeeVendors > 0 || t.MinPowerRegions > 1
}

// Validate checks every param's bound; each failure wraps ErrInvalidParams and names the field.
func (p Params) Validate() error {
	for i, t := range []SlaTier{p.Bronze, p.Silver, p.Gold} {
		if err := t.validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidParams, "%s: %s", TierNames[i], err)
		}
	}
	switch {
	case p.MaxCandidates == 0 || p.MaxCandidates > MaxCandidates:
		return errorsmod.Wrapf(ErrInvalidParams, "max_candidates %d not in [1, %d]", p.MaxCandidates, MaxCandidates)
	case p.MaxSelectionWork < MinSelectionWork || p.MaxSelectionWork > MaxSelectionWork:
		return errorsmod.Wrapf(ErrInvalidParams, "max_selection_work %d not in [%d, %d]", p.MaxSelectionWork, MinSelectionWork, MaxSelectionWork)
	case p.MaxAttributes == 0 || p.MaxAttributes > MaxAttributesBound:
		return errorsmod.Wrapf(ErrInvalidParams, "max_attributes %d not in [1, %d]", p.MaxAttributes, MaxAttributesBound)
	case p.MaxAttributeBytes == 0 || p.MaxAttributeBytes > MaxAttributeBytesBound:
		return errorsmod.Wrapf(ErrInvalidParams, "max_attribute_bytes %d not in [1, %d]", p.MaxAttributeBytes, MaxAttributeBytesBound)
	case p.MaxAuditors == 0 || p.MaxAuditors > MaxAuditorsBound:
		return errorsmod.Wrapf(ErrInvalidParams, "max_auditors %d not in [1, %d]", p.MaxAuditors, MaxAuditorsBound)
	}
	return p.validateVerification()
}

// validateVerification checks the params of proof of audit and proof of SLA.
func (p Params) validateVerification() error {
	for _, c := range []struct {
		name string
		coin sdk.Coin
	}{{"verifier_deposit", p.VerifierDeposit}, {"audit_fee", p.AuditFee}, {"sla_report_fee", p.SlaReportFee}} {
		if err := c.coin.Validate(); err != nil || c.coin.Amount.IsNil() {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %s: %v", c.name, c.coin, err)
		}
		// every amount the module multiplies stays far inside 256 bits
		if c.coin.Amount.BigInt().BitLen() > 128 {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %s: above 2^128", c.name, c.coin)
		}
	}
	inRange := func(name string, v, lo, hi uint64) error {
		if v < lo || v > hi {
			return errorsmod.Wrapf(ErrInvalidParams, "%s %d not in [%d, %d]", name, v, lo, hi)
		}
		return nil
	}
	for _, c := range []struct {
		name      string
		v, lo, hi uint64
	}{
		{"max_verifiers", uint64(p.MaxVerifiers), 1, MaxVerifiersBound},
		{"max_open_duties", uint64(p.MaxOpenDuties), 1, MaxOpenDutiesBound},
		{"audit_committee_size", uint64(p.AuditCommitteeSize), 1, MaxCommitteeSize},
		{"audit_commit_blocks", p.AuditCommitBlocks, 1, MaxPhaseBlocks},
		{"audit_reveal_blocks", p.AuditRevealBlocks, 1, MaxPhaseBlocks},
		{"audit_committee_share_bps", uint64(p.AuditCommitteeShareBps), 0, MaxUptimeBps},
		{"sla_observers", uint64(p.SlaObservers), 1, MaxCommitteeSize},
		{"sla_window_blocks", p.SlaWindowBlocks, 1, MaxPhaseBlocks},
		{"sla_report_blocks", p.SlaReportBlocks, 1, MaxPhaseBlocks},
		{"max_sla_windows", uint64(p.MaxSlaWindows), 1, MaxSlaWindowsBound},
		{"max_probes_per_window", uint64(p.MaxProbesPerWindow), 1, MaxProbesBound},
		{"sla_breaches_to_close", uint64(p.SlaBreachesToClose), 0, MaxSlaWindowsBound},
	} {
		if err := inRange(c.name, c.v, c.lo, c.hi); err != nil {
			return err
		}
	}
	if p.AuditCommitteeSize%2 == 0 {
		return errorsmod.Wrapf(ErrInvalidParams, "audit_committee_size %d must be odd (a majority always exists when all reveal the same)", p.AuditCommitteeSize)
	}
	return nil
}

// SlaQuorum is how many reports decide a window with n observers: 2f+1, f = (n-1)/3 the faults
// tolerated (as in OCR: n ≥ 3f+1 observers, 2f+1 reports hold a majority of honest ones).
func SlaQuorum(n uint32) uint32 {
	if n == 0 {
		return 1
	}
	return 2*((n-1)/3) + 1
}

func (t SlaTier) validate() error {
	switch {
	case t.MaxP95LatencyMs == 0 || t.MaxP95LatencyMs > MaxLatencyMs:
		return fmt.Errorf("max_p95_latency_ms %d not in [1, %d]", t.MaxP95LatencyMs, MaxLatencyMs)
	case t.MinUptimeBps == 0 || t.MinUptimeBps > MaxUptimeBps:
		return fmt.Errorf("min_uptime_bps %d not in [1, %d]", t.MinUptimeBps, MaxUptimeBps)
	case t.MinReplicas == 0 || t.MinReplicas > MaxReplicas:
		return fmt.Errorf("min_replicas %d not in [1, %d]", t.MinReplicas, MaxReplicas)
	case t.Canaries >= t.MinReplicas:
		return fmt.Errorf("canaries %d: at most min_replicas - 1 = %d (one member is the primary)", t.Canaries, t.MinReplicas-1)
	case t.MinAsns > MaxReplicas:
		return fmt.Errorf("min_asns %d above %d replicas", t.MinAsns, MaxReplicas)
	case t.MinTeeVendors > MaxTeeVendors:
		return fmt.Errorf("min_tee_vendors %d: only %d TEE vendors are verified", t.MinTeeVendors, MaxTeeVendors)
	case t.MinPowerRegions > MaxReplicas:
		return fmt.Errorf("min_power_regions %d above %d replicas", t.MinPowerRegions, MaxReplicas)
	case t.MaxStandbys > MaxStandbys:
		return fmt.Errorf("max_standbys %d: the market holds at most %d standbys per order", t.MaxStandbys, MaxStandbys)
	case t.MinProbes > MaxProbesBound:
		return fmt.Errorf("min_probes %d above %d", t.MinProbes, MaxProbesBound)
	}
	return nil
}

// ValidateAttributes checks attributes an auditor signs: 1 to maxAttrs of them, keys distinct, keys
// of lower-case letters, digits, '-' and '.' , values UTF-8 without control characters (C0, DEL or
// C1) and without spaces at the ends, each 1 to maxBytes bytes.
func ValidateAttributes(attrs []Attribute, maxAttrs, maxBytes uint32) error {
	if len(attrs) == 0 || len(attrs) > int(maxAttrs) {
		return errorsmod.Wrapf(ErrInvalidAttributes, "%d attributes: must be 1 to %d", len(attrs), maxAttrs)
	}
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if err := ValidateAttributeKey(a.Key, maxBytes); err != nil {
			return err
		}
		if seen[a.Key] {
			return errorsmod.Wrapf(ErrInvalidAttributes, "key %q given twice", a.Key)
		}
		seen[a.Key] = true
		if err := validateValue(a.Value, maxBytes); err != nil {
			return errorsmod.Wrapf(ErrInvalidAttributes, "value of %q: %s", a.Key, err)
		}
	}
	return nil
}

// ValidateAttributeKey checks one key: 1 to maxBytes of [a-z0-9.-].
func ValidateAttributeKey(key string, maxBytes uint32) error {
	if len(key) == 0 || len(key) > int(maxBytes) {
		return errorsmod.Wrapf(ErrInvalidAttributes, "key %q: must be 1 to %d bytes", key, maxBytes)
	}
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return errorsmod.Wrapf(ErrInvalidAttributes, "key %q: only a-z, 0-9, '-' and '.'", key)
		}
	}
	return nil
}

func validateValue(v string, maxBytes uint32) error {
	switch {
	case len(v) == 0 || len(v) > int(maxBytes):
		return fmt.Errorf("must be 1 to %d bytes, got %d", maxBytes, len(v))
	case !utf8.ValidString(v):
		return fmt.Errorf("not UTF-8")
	case v[0] == ' ' || v[len(v)-1] == ' ':
		return fmt.Errorf("leading or trailing space")
	}
	for _, c := range v {
		// the control characters (general category Cc, fixed by Unicode): C0, DEL and C1
		if c < 0x20 || c >= 0x7f && c <= 0x9f {
			return fmt.Errorf("control character %U", c)
		}
	}
	return nil
}
