// Package simulation is x/quorum's part of the app simulation (simsx): a random genesis with params
// whose gold tier the simulation's providers can meet in some runs and cannot in others, a few
// approved auditors among the simulation's accounts and audited attributes for most accounts;
// message factories for the auditors' messages, valid most of the time and deliberately invalid (the
// documented error expected) the rest; and the governance messages as proposals, plus unauthorized
// copies of them that must fail.
//
// Every simulated account has a true ASN and power region (ASNOf, RegionOf), drawn from small sets
// (three ASNs, two regions) so that a gold tier's diversity both binds (the cheapest bids share an
// ASN or a region, and a dearer set wins) and fails (more ASNs or regions required than exist).
// Auditors mostly sign the true values, sometimes another (two auditors that disagree make the key
// unknown). The simulation's TEEs are simulated ones, which x/quorum does not count as a vendor: a
// gold tier that requires a TEE vendor is never met, one that requires none is met whenever enough
// audited, diverse bids are revealed.
package simulation

import (
	"crypto/sha256"
	"fmt"
	"math/rand"
	"sort"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/types"
)

// The values the simulation's auditors sign. Fewer ASNs than a gold tier may require (up to 4 here)
// and fewer regions (up to 3), so that some tiers are never met.
var (
	ASNs    = []string{"AS64500", "AS64501", "AS64502"}
	Regions = []string{"eu-grid-1", "us-grid-2"}
	// ExtraKeys are attributes that do not count for diversity.
	ExtraKeys = []string{"audit-ref", "rack"}
)

// ASNOf is the true ASN of a simulated account, derived from its address.
func ASNOf(addr sdk.AccAddress) string { return ASNs[derive("asn", addr)%len(ASNs)] }

// RegionOf is the true power region of a simulated account, derived from its address.
func RegionOf(addr sdk.AccAddress) string { return Regions[derive("power-region", addr)%len(Regions)] }

func derive(tag string, addr sdk.AccAddress) int {
	h := sha256.Sum256(append([]byte("fog-sim-quorum-"+tag), addr...))
	return int(h[0])
}

func between(r *rand.Rand, lo, hi int64) int64 { return lo + r.Int63n(hi-lo+1) }

// RandomParams draws params inside the ranges Params.Validate accepts. goldReplicas is how many
// replicas the market gives a gold order, if known (else 0: the market's simulation draws 2 to 4).
// Bronze and silver never need more replicas than the market's simulation gives their orders (1 and
// 1 to 3) and have no diversity, so that they settle as the market does. Gold is one of three kinds:
//   - half the draws, a tier the simulation can meet: at most goldReplicas replicas, 2 or more ASNs
//     (of the 3 signed) or 2 power regions, as many as goldReplicas members can span; no TEE vendor;
//   - a quarter, larger sets: up to 4 replicas, 4 ASNs and 3 regions, no TEE vendor (more ASNs or
//     regions than the simulation's auditors sign, or more replicas than the market gives, are never
//     met);
//   - a quarter, a tier never met: 1 or 2 TEE vendors.
//
// Each tier holds 1 to 3 standbys per order, none in a fifth of the draws and 4 to 8 in a fifth.
//
// The bounds are sometimes tight: a max_attributes of 1 or 2, a max_attribute_bytes below the
// length of "power-region", a max_auditors of 1 to 3, a max_selection_work at its minimum.
func RandomParams(r *rand.Rand, goldReplicas uint32) types.Params {
	p := types.DefaultParams()
	levels := func(t *types.SlaTier) {
		t.MaxP95LatencyMs = uint64(between(r, 1, types.MaxLatencyMs))
		t.MinUptimeBps = uint32(between(r, 1, types.MaxUptimeBps))
	}
	p.Bronze = types.SlaTier{MinReplicas: 1, MinAsns: uint32(r.Intn(2)), MinPowerRegions: uint32(r.Intn(2))}
	p.Silver = types.SlaTier{MinReplicas: 1, MinAsns: uint32(r.Intn(2)), MinPowerRegions: uint32(r.Intn(2))}
	if r.Intn(4) == 0 {
		p.Silver.MinReplicas = 2
	}
	p.Silver.Canaries = uint32(r.Int63n(int64(p.Silver.MinReplicas)))
	if goldReplicas == 0 {
		goldReplicas = uint32(between(r, 2, 4))
	}
	reps := int64(goldReplicas)
	var g types.SlaTier
	switch r.Intn(4) {
	case 0, 1:
		g.MinReplicas = uint32(between(r, 1, reps))
		g.MinAsns = uint32(between(r, 1, min(reps, int64(len(ASNs)))))
		g.MinPowerRegions = uint32(between(r, 1, min(reps, int64(len(Regions)))))
	case 2:
		g.MinReplicas = uint32(between(r, 1, 4))
		g.MinAsns, g.MinPowerRegions = uint32(between(r, 0, 4)), uint32(between(r, 0, 3))
	default:
		g.MinReplicas = uint32(between(r, 1, 3))
		g.MinAsns, g.MinPowerRegions = uint32(between(r, 0, 3)), uint32(between(r, 0, 2))
		g.MinTeeVendors = uint32(between(r, 1, types.MaxTeeVendors))
	}
	if !g.HasDiversity() {
		// a gold tier always constrains its sets (with one replica, this one is never met)
		g.MinAsns = 2
	}
	g.Canaries = uint32(r.Int63n(int64(g.MinReplicas)))
	p.Gold = g
	for _, t := range []*types.SlaTier{&p.Bronze, &p.Silver, &p.Gold} {
		levels(t)
		// standbys: mostly a few, sometimes none or the bound
		switch r.Intn(5) {
		case 0:
			t.MaxStandbys = 0
		case 1:
			t.MaxStandbys = uint32(between(r, 4, types.MaxStandbys))
		default:
			t.MaxStandbys = uint32(between(r, 1, 3))
		}
	}
	p.MaxCandidates = uint32(between(r, 1, types.MaxCandidates))
	if r.Intn(5) == 0 {
		p.MaxSelectionWork = types.MinSelectionWork
	} else {
		p.MaxSelectionWork = uint64(between(r, types.MinSelectionWork, 200_000))
	}
	if r.Intn(5) == 0 {
		p.MaxAttributes = uint32(between(r, 1, 2))
	} else {
		p.MaxAttributes = uint32(between(r, 3, 16))
	}
	if r.Intn(10) == 0 {
		p.MaxAttributeBytes = uint32(between(r, 1, int64(len(types.AttributePowerRegion)-1)))
	} else {
		p.MaxAttributeBytes = uint32(between(r, int64(len(types.AttributePowerRegion)), types.MaxAttributeBytesBound))
	}
	if r.Intn(5) == 0 {
		p.MaxAuditors = uint32(between(r, 1, 3))
	} else {
		p.MaxAuditors = uint32(between(r, 4, 50))
	}
	if err := p.Validate(); err != nil {
		panic("quorum simulation drew invalid params: " + err.Error())
	}
	return p
}

// RandomizedGenState writes x/quorum's random genesis: random params (for the gold replicas of the
// market's random genesis, when it was drawn first, as the simulation manager's order by name has
// it); 1 to 4 approved auditors among
// the accounts (none in an eighth of the runs, at most max_auditors); for three accounts in four,
// the ASN and region one approved auditor signed (mostly both, mostly the true ones, sometimes with
// an attribute that does not count); for some, a second auditor's signature, which may disagree; and
// some signatures of a former auditor, which do not count.
func RandomizedGenState(simState *module.SimulationState) {
	r := simState.Rand
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(r, marketGoldReplicas(simState))
	accs := simState.Accounts
	n := int(between(r, 1, 4))
	if r.Intn(8) == 0 {
		n = 0
	}
	n = min(n, int(gs.Params.MaxAuditors), len(accs))
	perm := r.Perm(len(accs))
	var auditors []sdk.AccAddress
	for i, j := range perm[:n] {
		a := accs[j].Address
		auditors = append(auditors, a)
		gs.Auditors = append(gs.Auditors, types.Auditor{Address: a.String(), Description: fmt.Sprintf("simulated auditor %d", i)})
	}
	var former sdk.AccAddress
	if len(perm) > n && r.Intn(3) == 0 {
		former = accs[perm[n]].Address
	}
	for _, acc := range accs {
		signed := map[string]bool{}
		sign := func(auditor sdk.AccAddress, attrs []types.Attribute) {
			if len(attrs) == 0 || signed[auditor.String()] {
				return
			}
			signed[auditor.String()] = true
			gs.Attributes = append(gs.Attributes, types.AuditedAttributes{Provider: acc.Address.String(), Auditor: auditor.String(), Attributes: attrs})
		}
		if len(auditors) > 0 && r.Intn(4) != 0 {
			sign(auditors[r.Intn(len(auditors))], RandomAttributes(r, acc.Address, 90))
			if r.Intn(10) == 0 {
				sign(auditors[r.Intn(len(auditors))], RandomAttributes(r, acc.Address, 60))
			}
		}
		if former != nil && r.Intn(10) == 0 {
			sign(former, RandomAttributes(r, acc.Address, 50))
		}
	}
	if err := gs.Validate(); err != nil {
		panic("quorum simulation drew an invalid genesis: " + err.Error())
	}
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// marketGoldReplicas is the replicas of the gold tier in the market's random genesis, or 0 when it
// has not been drawn.
func marketGoldReplicas(simState *module.SimulationState) uint32 {
	bz, ok := simState.GenState[markettypes.ModuleName]
	if !ok {
		return 0
	}
	var gs markettypes.GenesisState
	if err := simState.Cdc.UnmarshalJSON(bz, &gs); err != nil {
		panic("quorum simulation: the market's random genesis: " + err.Error())
	}
	return gs.Params.Gold.Replicas
}

// RandomAttributes draws what an auditor signs of provider, sorted by key: its ASN, its power region
// or both (both in half the draws), each the true one with probability truePercent/100 and another
// of the set otherwise, and in a draw in six one attribute that does not count.
func RandomAttributes(r *rand.Rand, provider sdk.AccAddress, truePercent int) []types.Attribute {
	value := func(truth string, set []string) string {
		if r.Intn(100) < truePercent {
			return truth
		}
		return set[r.Intn(len(set))]
	}
	var out []types.Attribute
	which := r.Intn(4)
	if which != 3 {
		out = append(out, types.Attribute{Key: types.AttributeASN, Value: value(ASNOf(provider), ASNs)})
	}
	if which != 2 {
		out = append(out, types.Attribute{Key: types.AttributePowerRegion, Value: value(RegionOf(provider), Regions)})
	}
	if r.Intn(6) == 0 {
		out = append(out, types.Attribute{Key: ExtraKeys[r.Intn(len(ExtraKeys))], Value: fmt.Sprintf("v%d", r.Intn(100))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
