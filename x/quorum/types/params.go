package types

import (
	"fmt"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
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
)

// TierNames are the market's SLA tiers by name, in the market's order (bronze = 1).
var TierNames = []string{"bronze", "silver", "gold"}

// DefaultParams: the seed's tiers (bronze p95 ≤ 2.5 s, ≥ 97 % uptime, 1 replica, no standbys;
// silver ≤ 1.2 s, ≥ 99 %, primary + canary, 2 standbys; gold ≤ 400 ms, ≥ 99.9 %, ≥ 3 replicas over
// ≥ 3 ASNs, ≥ 2 TEE vendors and ≥ 2 power regions, 2 standbys), a search among the 20 cheapest bids,
// and small bounds on auditors' writes.
func DefaultParams() Params {
	return Params{
		Bronze: SlaTier{MaxP95LatencyMs: 2_500, MinUptimeBps: 9_700, MinReplicas: 1},
		Silver: SlaTier{MaxP95LatencyMs: 1_200, MinUptimeBps: 9_900, MinReplicas: 2, Canaries: 1, MaxStandbys: DefaultMaxStandbys},
		Gold: SlaTier{MaxP95LatencyMs: 400, MinUptimeBps: 9_990, MinReplicas: 3, MinAsns: 3, MinTeeVendors: 2, MinPowerRegions: 2,
			MaxStandbys: DefaultMaxStandbys},
		MaxCandidates:     20,
		MaxSelectionWork:  100_000,
		MaxAttributes:     16,
		MaxAttributeBytes: 64,
		MaxAuditors:       100,
	}
}

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
	return nil
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
