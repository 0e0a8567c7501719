package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// setEnclave gives provider an enclave record of teeType expiring at expiry.
func setEnclave(t *testing.T, f *fixture.Fixture, provider sdk.AccAddress, teeType fogtypes.TeeType, expiry int64) {
	t.Helper()
	require.NoError(t, f.Tee.Enclaves.Set(f.Ctx, provider, teetypes.Enclave{
		Provider: provider.String(), TeeType: teeType, AttestedHeight: f.Height() - 1, ExpiryHeight: expiry,
	}))
}

// Profile counts the ASN and power region that approved auditors signed (unknown when they
// disagree) and the vendor of a valid SEV-SNP or TDX enclave record; nothing else.
func TestProfile(t *testing.T) {
	type want struct {
		asn, region string
		tee         fogtypes.TeeType
		conflicts   []string
	}
	cases := []struct {
		name string
		// setup builds the provider's records with approved auditors a and b.
		setup func(t *testing.T, f *fixture.Fixture, a, b, provider sdk.AccAddress)
		want  want
	}{
		{"nothing signed, no enclave", func(*testing.T, *fixture.Fixture, sdk.AccAddress, sdk.AccAddress, sdk.AccAddress) {}, want{}},
		{"one approved auditor", func(t *testing.T, f *fixture.Fixture, a, _, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1", "power-region", "r1")...)
		}, want{asn: "AS1", region: "r1"}},
		{"ASN and region from two auditors", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1")...)
			signAttrs(t, f, b, p, kv("power-region", "r1")...)
		}, want{asn: "AS1", region: "r1"}},
		{"two approved auditors agreeing", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1", "power-region", "r1")...)
			signAttrs(t, f, b, p, kv("asn", "AS1", "power-region", "r1")...)
		}, want{asn: "AS1", region: "r1"}},
		{"two approved auditors disagreeing on the ASN", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1", "power-region", "r1")...)
			signAttrs(t, f, b, p, kv("asn", "AS2", "power-region", "r1")...)
		}, want{region: "r1", conflicts: []string{"asn"}}},
		{"two approved auditors disagreeing on both", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1", "power-region", "r1")...)
			signAttrs(t, f, b, p, kv("asn", "AS2", "power-region", "r2")...)
		}, want{conflicts: []string{"asn", "power-region"}}},
		{"values differing only in case disagree", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1")...)
			signAttrs(t, f, b, p, kv("asn", "as1")...)
		}, want{conflicts: []string{"asn"}}},
		{"three auditors, two agreeing, one not", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1")...)
			signAttrs(t, f, b, p, kv("asn", "AS1")...)
			signAttrs(t, f, addAuditor(t, f), p, kv("asn", "AS2")...)
		}, want{conflicts: []string{"asn"}}},
		{"an unapproved auditor's attributes are ignored", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1")...)
			signAttrs(t, f, b, p, kv("asn", "AS2", "power-region", "r2")...)
			removeAuditor(t, f, b)
		}, want{asn: "AS1"}},
		{"only an unapproved auditor signed", func(t *testing.T, f *fixture.Fixture, _, b, p sdk.AccAddress) {
			signAttrs(t, f, b, p, kv("asn", "AS2", "power-region", "r2")...)
			removeAuditor(t, f, b)
		}, want{}},
		{"keys other than asn and power-region do not count", func(t *testing.T, f *fixture.Fixture, a, _, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("as", "AS1", "asn.v2", "AS1", "region", "r1", "power-region-2", "r1")...)
		}, want{}},
		{"another provider's attributes do not count", func(t *testing.T, f *fixture.Fixture, a, _, _ sdk.AccAddress) {
			signAttrs(t, f, a, f.NewProvider(t), kv("asn", "AS1", "power-region", "r1")...)
		}, want{}},
		{"self-declared market attributes never count", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			// p registers itself; the market keeps its attributes, the profile ignores them
			msg := fixture.RegisterMsg(p)
			msg.Attributes = []markettypes.Attribute{{Key: "asn", Value: "AS64500"}, {Key: "power-region", Value: "eu-west"}}
			_, err := f.Msg.RegisterProvider(f.Ctx, msg)
			require.NoError(t, err)
			prov, err := f.Keeper.Providers.Get(f.Ctx, p)
			require.NoError(t, err)
			require.Len(t, prov.Attributes, 2)
		}, want{}},
		{"SEV-SNP enclave", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeSevSnp, f.Height()+100)
		}, want{tee: fogtypes.TeeTypeSevSnp}},
		{"TDX enclave", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeTdx, f.Height()+100)
		}, want{tee: fogtypes.TeeTypeTdx}},
		{"TDX enclave expiring at the next height", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeTdx, f.Height()+1)
		}, want{tee: fogtypes.TeeTypeTdx}},
		{"simulated enclave", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeSimulated, f.Height()+100)
		}, want{}},
		{"SEV-SNP enclave expiring at this height", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeSevSnp, f.Height())
		}, want{}},
		{"TDX enclave expired before this height", func(t *testing.T, f *fixture.Fixture, _, _, p sdk.AccAddress) {
			setEnclave(t, f, p, fogtypes.TeeTypeTdx, f.Height()-1)
		}, want{}},
		{"all of it", func(t *testing.T, f *fixture.Fixture, a, b, p sdk.AccAddress) {
			signAttrs(t, f, a, p, kv("asn", "AS1", "power-region", "r1")...)
			signAttrs(t, f, b, p, kv("asn", "AS1", "power-region", "r2")...)
			setEnclave(t, f, p, fogtypes.TeeTypeSevSnp, f.Height()+100)
		}, want{asn: "AS1", tee: fogtypes.TeeTypeSevSnp, conflicts: []string{"power-region"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			a, b, provider := addAuditor(t, f), addAuditor(t, f), f.NewAccount(t, 100_000_000)
			c.setup(t, f, a, b, provider)
			got, err := f.Quorum.Profile(f.Ctx, provider)
			require.NoError(t, err)
			require.Equal(t, provider.String(), got.Provider)
			require.Equal(t, c.want.asn, got.Asn, "asn")
			require.Equal(t, c.want.region, got.PowerRegion, "power region")
			require.Equal(t, c.want.tee, got.TeeVendor, "TEE vendor")
			require.Equal(t, c.want.conflicts, got.Conflicts, "conflicts")
		})
	}
}

// An enclave record counts until its expiry height, and from then on not.
func TestProfileTeeVendorExpires(t *testing.T) {
	f := fixture.New(t)
	p := f.NewAccount(t, 0)
	setEnclave(t, f, p, fogtypes.TeeTypeSevSnp, f.Height()+2)
	for _, c := range []struct {
		height int64
		want   fogtypes.TeeType
	}{
		{f.Height(), fogtypes.TeeTypeSevSnp},
		{f.Height() + 1, fogtypes.TeeTypeSevSnp},
		{f.Height() + 2, fogtypes.TeeTypeUnspecified},
		{f.Height() + 3, fogtypes.TeeTypeUnspecified},
	} {
		g := *f
		g.Ctx = f.Ctx.WithBlockHeight(c.height)
		got, err := g.Quorum.Profile(g.Ctx, p)
		require.NoError(t, err)
		require.Equal(t, c.want, got.TeeVendor, "height %d", c.height)
	}
}
