package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/quorum/types"
)

// richQuorum is a fixture whose quorum state holds changed params, approved auditors, a removed
// auditor whose signatures stay, and several providers' attributes.
func richQuorum(t *testing.T) (*fixture.Fixture, []sdk.AccAddress) {
	f := fixture.New(t)
	setQuorumParams(t, f, func(p *types.Params) { p.Gold.MinAsns, p.MaxAuditors, p.MaxCandidates = 4, 50, 12 })
	a, b := addAuditor(t, f), addAuditor(t, f)
	f.SetHeight(20)
	removed := addAuditor(t, f)
	p1, p2 := f.NewProvider(t), f.NewAccount(t, 0)
	signAttrs(t, f, a, p1, kv("asn", "AS1", "power-region", "r1", "city", "Zürich")...)
	f.SetHeight(25)
	signAttrs(t, f, b, p1, kv("asn", "AS2")...)
	signAttrs(t, f, removed, p1, kv("power-region", "r9")...)
	signAttrs(t, f, a, p2, manyAttrs(16)...)
	signAttrs(t, f, removed, p2, kv("asn", "AS3")...)
	removeAuditor(t, f, removed)
	return f, []sdk.AccAddress{p1, p2}
}

// The default genesis validates; an export imported into a fresh chain (through JSON) exports the
// same, and the providers' profiles are the same there.
func TestGenesisRoundTrip(t *testing.T) {
	require.NoError(t, types.DefaultGenesis().Validate())

	f, providers := richQuorum(t)
	gs := exportQuorum(t, f)
	require.Len(t, gs.Auditors, 2)
	require.Len(t, gs.Attributes, 5)
	require.NoError(t, gs.Validate())
	bz, err := f.Codec.MarshalJSON(gs)
	require.NoError(t, err)

	g := fixture.New(t)
	var imported types.GenesisState
	require.NoError(t, g.Codec.UnmarshalJSON(bz, &imported))
	require.NoError(t, g.Quorum.InitGenesis(g.Ctx, &imported))
	again := exportQuorum(t, g)
	require.Equal(t, gs, again)
	bz2, err := g.Codec.MarshalJSON(again)
	require.NoError(t, err)
	require.Equal(t, string(bz), string(bz2))

	for _, p := range providers {
		want, err := f.Quorum.Profile(f.Ctx, p)
		require.NoError(t, err)
		got, err := g.Quorum.Profile(g.Ctx, p)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	// p1: a says AS1, b says AS2 (conflict); the removed auditor's r9 does not count
	prof, err := g.Quorum.Profile(g.Ctx, providers[0])
	require.NoError(t, err)
	require.Equal(t, types.DiversityProfile{Provider: providers[0].String(), PowerRegion: "r1", Conflicts: []string{"asn"}}, prof)
}

// A state that a lowered param left above the param's new value (more attributes per entry, longer
// values, more auditors) still exports, validates and imports: the genesis bounds are absolute.
func TestGenesisImportsStateAboveLoweredParams(t *testing.T) {
	f, _ := richQuorum(t)
	setQuorumParams(t, f, func(p *types.Params) { p.MaxAttributes, p.MaxAttributeBytes, p.MaxAuditors = 1, 2, 1 })
	gs := exportQuorum(t, f)
	require.NoError(t, gs.Validate())
	g := fixture.New(t)
	require.NoError(t, g.Quorum.InitGenesis(g.Ctx, gs))
	require.Equal(t, gs, exportQuorum(t, g))
}

// InitGenesis refuses an invalid state and writes none of it.
func TestInitGenesisRefusesInvalidState(t *testing.T) {
	f, _ := richQuorum(t)
	valid := exportQuorum(t, f)
	cases := []struct {
		name   string
		mutate func(*types.GenesisState)
		want   error
	}{
		{"invalid params", func(gs *types.GenesisState) { gs.Params.MaxCandidates = 0 }, types.ErrInvalidParams},
		{"duplicate auditor", func(gs *types.GenesisState) { gs.Auditors = append(gs.Auditors, gs.Auditors[0]) }, types.ErrInvalidGenesis},
		{"non-canonical auditor", func(gs *types.GenesisState) { gs.Auditors[1].Address = strings.ToUpper(gs.Auditors[1].Address) }, types.ErrInvalidGenesis},
		{"oversized description", func(gs *types.GenesisState) {
			gs.Auditors[1].Description = strings.Repeat("d", types.MaxDescriptionBytes+1)
		}, types.ErrInvalidGenesis},
		{"negative added_height", func(gs *types.GenesisState) { gs.Auditors[0].AddedHeight = -5 }, types.ErrInvalidGenesis},
		{"duplicate (provider, auditor) entry", func(gs *types.GenesisState) {
			gs.Attributes = append(gs.Attributes, gs.Attributes[len(gs.Attributes)-1])
		}, types.ErrInvalidGenesis},
		{"unsorted keys", func(gs *types.GenesisState) {
			e := &gs.Attributes[longest(gs)]
			e.Attributes = append([]types.Attribute{}, e.Attributes...)
			e.Attributes[0], e.Attributes[1] = e.Attributes[1], e.Attributes[0]
		}, types.ErrInvalidGenesis},
		{"invalid attribute value", func(gs *types.GenesisState) {
			e := &gs.Attributes[longest(gs)]
			e.Attributes = append([]types.Attribute{}, e.Attributes...)
			e.Attributes[0].Value = "\t"
		}, types.ErrInvalidGenesis},
		{"negative signed_height", func(gs *types.GenesisState) { gs.Attributes[1].SignedHeight = -1 }, types.ErrInvalidGenesis},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gs := *valid
			gs.Auditors = append([]types.Auditor{}, valid.Auditors...)
			gs.Attributes = append([]types.AuditedAttributes{}, valid.Attributes...)
			c.mutate(&gs)
			g := fixture.New(t)
			before := exportQuorum(t, g)
			require.ErrorIs(t, g.Quorum.InitGenesis(g.Ctx, &gs), c.want)
			require.Equal(t, before, exportQuorum(t, g), "nothing written")
		})
	}
}

// longest is the index of the entry with the most attributes.
func longest(gs *types.GenesisState) int {
	best := 0
	for i, e := range gs.Attributes {
		if len(e.Attributes) > len(gs.Attributes[best].Attributes) {
			best = i
		}
	}
	return best
}
