package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// Governance replaces the params; the event carries the canonical authority and the new params.
func TestUpdateParams(t *testing.T) {
	for _, c := range []struct {
		name      string
		authority func(f *fixture.Fixture) string
	}{
		{"canonical authority", gov},
		{"upper-case authority", func(f *fixture.Fixture) string { return strings.ToUpper(gov(f)) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			p := types.DefaultParams()
			p.Gold.MinAsns, p.MaxAuditors, p.MaxSelectionWork = 4, 7, types.MinSelectionWork
			freshEvents(f)
			_, err := keeper.NewMsgServerImpl(f.Quorum).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: c.authority(f), Params: p})
			require.NoError(t, err)
			got, err := f.Quorum.Params.Get(f.Ctx)
			require.NoError(t, err)
			require.Equal(t, p, got)
			require.Equal(t, []any{&types.EventParamsUpdated{Authority: gov(f), Params: p}}, quorumEvents(t, f))
		})
	}
}

// Governance approves an auditor (stored and announced under its canonical spelling, with the
// height) and withdraws it.
func TestAddAndRemoveAuditor(t *testing.T) {
	for _, c := range []struct {
		name        string
		spell       func(sdk.AccAddress) string
		description string
	}{
		{"canonical address", sdk.AccAddress.String, "Example Audit GmbH"},
		{"upper-case address", func(a sdk.AccAddress) string { return strings.ToUpper(a.String()) }, "Exämple Audit"},
		{"no description", sdk.AccAddress.String, ""},
		{"description of 256 bytes", sdk.AccAddress.String, strings.Repeat("d", types.MaxDescriptionBytes)},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			msg := keeper.NewMsgServerImpl(f.Quorum)
			a := f.NewAccount(t, 0)
			f.SetHeight(42)
			freshEvents(f)
			_, err := msg.AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: c.spell(a), Description: c.description})
			require.NoError(t, err)
			got, err := f.Quorum.Auditors.Get(f.Ctx, a)
			require.NoError(t, err)
			require.Equal(t, types.Auditor{Address: a.String(), Description: c.description, AddedHeight: 42}, got)
			require.Equal(t, []any{&types.EventAuditorAdded{Auditor: a.String(), Description: c.description}}, quorumEvents(t, f))

			freshEvents(f)
			_, err = msg.RemoveAuditor(f.Ctx, &types.MsgRemoveAuditor{Authority: gov(f), Auditor: c.spell(a)})
			require.NoError(t, err)
			has, err := f.Quorum.Auditors.Has(f.Ctx, a)
			require.NoError(t, err)
			require.False(t, has)
			require.Equal(t, []any{&types.EventAuditorRemoved{Auditor: a.String()}}, quorumEvents(t, f))
		})
	}
}

// max_auditors counts the approved auditors: a removed one frees its place.
func TestMaxAuditorsCountsApprovedOnly(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Quorum)
	setQuorumParams(t, f, func(p *types.Params) { p.MaxAuditors = 2 })
	first, _ := addAuditor(t, f), addAuditor(t, f)
	third := f.NewAccount(t, 0)
	_, err := msg.AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: third.String()})
	require.ErrorIs(t, err, types.ErrTooManyAuditors)
	removeAuditor(t, f, first)
	_, err = msg.AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: third.String()})
	require.NoError(t, err)
}

// signed is what auditor has signed for provider (nil when nothing).
func signed(t *testing.T, f *fixture.Fixture, auditor, provider sdk.AccAddress) *types.AuditedAttributes {
	t.Helper()
	for _, e := range exportQuorum(t, f).Attributes {
		if e.Auditor == auditor.String() && e.Provider == provider.String() {
			return &e
		}
	}
	return nil
}

// A signature merges into what the auditor signed before: a key given again takes the new value,
// the others stay; the entry is sorted by key and dated by the last signature; the event lists all
// the auditor has signed for the provider now.
func TestSignMergesAttributes(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Quorum)
	auditor, provider := addAuditor(t, f), f.NewProvider(t)
	steps := []struct {
		name   string
		height int64
		sign   []types.Attribute
		want   []types.Attribute
	}{
		{"first signature, out of key order", 11, kv("power-region", "r1", "asn", "AS1"), kv("asn", "AS1", "power-region", "r1")},
		{"a new key joins", 12, kv("city", "Berlin"), kv("asn", "AS1", "city", "Berlin", "power-region", "r1")},
		{"a re-signed key takes its new value, the others stay", 13, kv("asn", "AS2"), kv("asn", "AS2", "city", "Berlin", "power-region", "r1")},
		{"the same values again", 14, kv("asn", "AS2", "city", "Berlin"), kv("asn", "AS2", "city", "Berlin", "power-region", "r1")},
	}
	for _, s := range steps {
		f.SetHeight(s.height)
		freshEvents(f)
		_, err := msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: s.sign})
		require.NoError(t, err, s.name)
		require.Equal(t, &types.AuditedAttributes{Provider: provider.String(), Auditor: auditor.String(), Attributes: s.want, SignedHeight: s.height},
			signed(t, f, auditor, provider), s.name)
		require.Equal(t, []any{&types.EventProviderAttributesSigned{Provider: provider.String(), Auditor: auditor.String(), Attributes: s.want}},
			quorumEvents(t, f), s.name)
	}
}

// Upper-case spellings of the auditor and the provider are the same accounts; state and events
// hold the canonical ones.
func TestSignAndDeleteCanonicalizeAddresses(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Quorum)
	auditor, provider := addAuditor(t, f), f.NewProvider(t)
	freshEvents(f)
	_, err := msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{
		Auditor: strings.ToUpper(auditor.String()), Provider: strings.ToUpper(provider.String()), Attributes: kv("asn", "AS1")})
	require.NoError(t, err)
	require.NotNil(t, signed(t, f, auditor, provider))
	require.Equal(t, []any{&types.EventProviderAttributesSigned{Provider: provider.String(), Auditor: auditor.String(), Attributes: kv("asn", "AS1")}},
		quorumEvents(t, f))
	freshEvents(f)
	_, err = msg.DeleteProviderAttributes(f.Ctx, &types.MsgDeleteProviderAttributes{
		Auditor: strings.ToUpper(auditor.String()), Provider: strings.ToUpper(provider.String())})
	require.NoError(t, err)
	require.Nil(t, signed(t, f, auditor, provider))
	require.Equal(t, []any{&types.EventProviderAttributesDeleted{Provider: provider.String(), Auditor: auditor.String(), Keys: []string{"asn"}, Remaining: []types.Attribute{}}},
		quorumEvents(t, f))
}

// Exactly max_attributes merged attributes may be signed, and the bound is the current param.
func TestSignUpToMaxAttributes(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Quorum)
	auditor, provider := addAuditor(t, f), f.NewProvider(t)
	setQuorumParams(t, f, func(p *types.Params) { p.MaxAttributes = 3 })
	signAttrs(t, f, auditor, provider, kv("asn", "AS1", "power-region", "r1")...)
	signAttrs(t, f, auditor, provider, kv("asn", "AS2", "city", "x")...) // 3 merged
	require.Len(t, signed(t, f, auditor, provider).Attributes, 3)
	_, err := msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: kv("rack", "y")})
	require.ErrorIs(t, err, types.ErrInvalidAttributes)
	// once the bound is lowered below what is signed, even re-signing a signed key is refused
	// until some are deleted
	setQuorumParams(t, f, func(p *types.Params) { p.MaxAttributes = 2 })
	_, err = msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: kv("asn", "AS3")})
	require.ErrorIs(t, err, types.ErrInvalidAttributes, "3 signed keys are above max_attributes 2")
	setQuorumParams(t, f, func(p *types.Params) { p.MaxAttributes = types.MaxAttributesBound })
	signAttrs(t, f, auditor, provider, manyAttrs(types.MaxAttributesBound-3)...)
	require.Len(t, signed(t, f, auditor, provider).Attributes, types.MaxAttributesBound)
}

// Deleting keys keeps the rest (the event lists the keys and what remains); deleting the last key,
// or all keys at once, removes the entry.
func TestDeleteProviderAttributes(t *testing.T) {
	for _, c := range []struct {
		name      string
		keys      []string
		remaining []types.Attribute // nil: the entry is gone
		event     []string          // the event's keys
	}{
		{"one key", []string{"asn"}, kv("city", "x", "power-region", "r1"), []string{"asn"}},
		{"two keys, in any order", []string{"power-region", "asn"}, kv("city", "x"), []string{"power-region", "asn"}},
		{"every key by name", []string{"city", "asn", "power-region"}, nil, []string{"city", "asn", "power-region"}},
		{"all (no keys)", nil, nil, []string{"asn", "city", "power-region"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			auditor, other, provider := addAuditor(t, f), addAuditor(t, f), f.NewProvider(t)
			signAttrs(t, f, auditor, provider, kv("asn", "AS1", "city", "x", "power-region", "r1")...)
			signAttrs(t, f, other, provider, kv("asn", "AS1")...)
			before := signed(t, f, auditor, provider)
			f.SetHeight(f.Height() + 5)
			freshEvents(f)
			_, err := keeper.NewMsgServerImpl(f.Quorum).DeleteProviderAttributes(f.Ctx,
				&types.MsgDeleteProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Keys: c.keys})
			require.NoError(t, err)
			got := signed(t, f, auditor, provider)
			if c.remaining == nil {
				require.Nil(t, got)
			} else {
				want := *before
				want.Attributes = c.remaining
				require.Equal(t, &want, got, "the rest stays, with the height of its signature")
			}
			remaining := c.remaining
			if remaining == nil {
				remaining = []types.Attribute{} // the event says remaining: []
			}
			require.Equal(t, []any{&types.EventProviderAttributesDeleted{Provider: provider.String(), Auditor: auditor.String(), Keys: c.event, Remaining: remaining}},
				quorumEvents(t, f))
			require.Equal(t, kv("asn", "AS1"), signed(t, f, other, provider).Attributes, "another auditor's entry is untouched")
		})
	}
}

// A removed auditor's attributes stop counting at once and count again if it is approved again;
// meanwhile it may delete them, but not sign.
func TestRemovedAuditorStopsCountingAndMayDelete(t *testing.T) {
	f := fixture.New(t)
	msg := keeper.NewMsgServerImpl(f.Quorum)
	auditor, provider := addAuditor(t, f), f.NewProvider(t)
	signAttrs(t, f, auditor, provider, kv("asn", "AS1", "power-region", "r1", "city", "x")...)
	counted := types.DiversityProfile{Provider: provider.String(), Asn: "AS1", PowerRegion: "r1"}
	none := types.DiversityProfile{Provider: provider.String()}
	requireProfile(t, f, provider, counted)

	removeAuditor(t, f, auditor)
	requireProfile(t, f, provider, none)
	require.NotNil(t, signed(t, f, auditor, provider), "the removed auditor's entry stays")

	_, err := msg.AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: auditor.String()})
	require.NoError(t, err)
	requireProfile(t, f, provider, counted)

	removeAuditor(t, f, auditor)
	_, err = msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: kv("asn", "AS2")})
	require.ErrorIs(t, err, types.ErrAuditorNotFound)
	freshEvents(f)
	_, err = msg.DeleteProviderAttributes(f.Ctx, &types.MsgDeleteProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Keys: []string{"city"}})
	require.NoError(t, err)
	require.Equal(t, []any{&types.EventProviderAttributesDeleted{Provider: provider.String(), Auditor: auditor.String(),
		Keys: []string{"city"}, Remaining: kv("asn", "AS1", "power-region", "r1")}}, quorumEvents(t, f))
	_, err = msg.DeleteProviderAttributes(f.Ctx, &types.MsgDeleteProviderAttributes{Auditor: auditor.String(), Provider: provider.String()})
	require.NoError(t, err)
	require.Nil(t, signed(t, f, auditor, provider))

	// approved again, it has nothing left that counts
	_, err = msg.AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: auditor.String()})
	require.NoError(t, err)
	requireProfile(t, f, provider, none)
}

func requireProfile(t *testing.T, f *fixture.Fixture, provider sdk.AccAddress, want types.DiversityProfile) {
	t.Helper()
	got, err := f.Quorum.Profile(f.Ctx, provider)
	require.NoError(t, err)
	require.Equal(t, want, got)
}
