package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

func requireCode(t *testing.T, err error, code codes.Code, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Equal(t, code, status.Code(err), append([]any{"error %v"}, append([]any{err}, msgAndArgs...)...)...)
}

type queryCase struct {
	name string
	call func() error
	code codes.Code
}

// Every query refuses a nil request, and every address argument that is not an address of this
// chain, with InvalidArgument.
func TestQueriesRefuseBadRequests(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	someone := f.NewAccount(t, 0)
	_, mixed, foreign := spellingsOf(t, someone)
	cases := []queryCase{
		{"Params nil", func() error { _, err := q.Params(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"Tiers nil", func() error { _, err := q.Tiers(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"Auditors nil", func() error { _, err := q.Auditors(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"Auditor nil", func() error { _, err := q.Auditor(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"ProviderAttributes nil", func() error { _, err := q.ProviderAttributes(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"ValidateDiversity nil", func() error { _, err := q.ValidateDiversity(f.Ctx, nil); return err }, codes.InvalidArgument},
		{"Auditors with both offset and key", func() error {
			_, err := q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Offset: 1, Key: []byte{1}}})
			return err
		}, codes.InvalidArgument},
	}
	for _, bad := range []struct{ name, addr string }{{"empty", ""}, {"mixed case", mixed}, {"another prefix", foreign}, {"not bech32", "auditor"}} {
		addr := bad.addr
		cases = append(cases,
			queryCase{"Auditor of " + bad.name + " address", func() error {
				_, err := q.Auditor(f.Ctx, &types.QueryAuditorRequest{Address: addr})
				return err
			}, codes.InvalidArgument},
			queryCase{"ProviderAttributes of " + bad.name + " address", func() error {
				_, err := q.ProviderAttributes(f.Ctx, &types.QueryProviderAttributesRequest{Provider: addr})
				return err
			}, codes.InvalidArgument},
			queryCase{"ValidateDiversity with a provider of " + bad.name + " address", func() error {
				_, err := q.ValidateDiversity(f.Ctx, &types.QueryValidateDiversityRequest{Tier: "bronze", Providers: []string{someone.String(), addr}})
				return err
			}, codes.InvalidArgument},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { requireCode(t, c.call(), c.code) })
	}
}

func TestQueryParamsAndTiers(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	p, err := q.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, types.DefaultParams(), p.Params)

	tiers, err := q.Tiers(f.Ctx, &types.QueryTiersRequest{})
	require.NoError(t, err)
	require.Equal(t, []types.TierInfo{
		{Name: "bronze", Sla: types.SlaTier{MaxP95LatencyMs: 2500, MinUptimeBps: 9700, MinReplicas: 1, MinProbes: 100}},
		{Name: "silver", Sla: types.SlaTier{MaxP95LatencyMs: 1200, MinUptimeBps: 9900, MinReplicas: 2, Canaries: 1, MaxStandbys: 2, MinProbes: 300}},
		{Name: "gold", Sla: types.SlaTier{MaxP95LatencyMs: 400, MinUptimeBps: 9990, MinReplicas: 3, MinAsns: 3, MinTeeVendors: 2, MinPowerRegions: 2, MaxStandbys: 2, MinProbes: 3000}},
	}, tiers.Tiers)

	// the queries read the current params
	setQuorumParams(t, f, func(p *types.Params) { p.Gold.MinAsns = 5 })
	tiers, err = q.Tiers(f.Ctx, &types.QueryTiersRequest{})
	require.NoError(t, err)
	require.EqualValues(t, 5, tiers.Tiers[2].Sla.MinAsns)
}

// Auditor finds an approved auditor by any accepted spelling, and NotFound otherwise.
func TestQueryAuditor(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	a := addAuditor(t, f)
	want := types.Auditor{Address: a.String(), Description: "test auditor", AddedHeight: f.Height()}
	for _, s := range []string{a.String(), strings.ToUpper(a.String())} {
		got, err := q.Auditor(f.Ctx, &types.QueryAuditorRequest{Address: s})
		require.NoError(t, err)
		require.Equal(t, want, got.Auditor)
	}
	_, err := q.Auditor(f.Ctx, &types.QueryAuditorRequest{Address: f.NewAccount(t, 0).String()})
	requireCode(t, err, codes.NotFound, "never approved")
	removeAuditor(t, f, a)
	_, err = q.Auditor(f.Ctx, &types.QueryAuditorRequest{Address: a.String()})
	requireCode(t, err, codes.NotFound, "removed")
}

// Auditors pages through the approved auditors in address order, by key or by offset, with a
// total on request.
func TestQueryAuditorsPagination(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	empty, err := q.Auditors(f.Ctx, &types.QueryAuditorsRequest{})
	require.NoError(t, err)
	require.Empty(t, empty.Auditors)

	var all []string
	for range 5 {
		all = append(all, addAuditor(t, f).String())
	}
	removeAuditor(t, f, sdk.MustAccAddressFromBech32(all[2]))
	all = append(all[:2], all[3:]...)
	want := func() []string { // in the store's order: by address bytes
		gs := exportQuorum(t, f)
		out := make([]string, len(gs.Auditors))
		for i, a := range gs.Auditors {
			out[i] = a.Address
		}
		return out
	}()
	require.ElementsMatch(t, all, want)
	addresses := func(as []types.Auditor) []string {
		out := make([]string, len(as))
		for i, a := range as {
			out[i] = a.Address
		}
		return out
	}

	// no pagination: all of them
	resp, err := q.Auditors(f.Ctx, &types.QueryAuditorsRequest{})
	require.NoError(t, err)
	require.Equal(t, want, addresses(resp.Auditors))

	// pages of 3 by key, with the total on the first
	resp, err = q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Limit: 3, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, want[:3], addresses(resp.Auditors))
	require.EqualValues(t, 4, resp.Pagination.Total)
	require.NotEmpty(t, resp.Pagination.NextKey)
	resp, err = q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Limit: 3, Key: resp.Pagination.NextKey}})
	require.NoError(t, err)
	require.Equal(t, want[3:], addresses(resp.Auditors))
	require.Empty(t, resp.Pagination.NextKey, "the last page has no next key")

	// pages of 1 by key, all the way
	var got []string
	var key []byte
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10)
		resp, err := q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Limit: 1, Key: key}})
		require.NoError(t, err)
		got = append(got, addresses(resp.Auditors)...)
		if key = resp.Pagination.NextKey; len(key) == 0 {
			break
		}
	}
	require.Equal(t, want, got)

	// by offset
	resp, err = q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Offset: 1, Limit: 2, CountTotal: true}})
	require.NoError(t, err)
	require.Equal(t, want[1:3], addresses(resp.Auditors))
	require.EqualValues(t, 4, resp.Pagination.Total)

	// reversed
	resp, err = q.Auditors(f.Ctx, &types.QueryAuditorsRequest{Pagination: &query.PageRequest{Limit: 2, Reverse: true}})
	require.NoError(t, err)
	require.Equal(t, []string{want[3], want[2]}, addresses(resp.Auditors))
}

// ProviderAttributes lists every signature on the provider, approved or not, and the profile that
// counts.
func TestQueryProviderAttributes(t *testing.T) {
	f := fixture.New(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	approved, removed, provider := addAuditor(t, f), addAuditor(t, f), f.NewProvider(t)

	resp, err := q.ProviderAttributes(f.Ctx, &types.QueryProviderAttributesRequest{Provider: provider.String()})
	require.NoError(t, err)
	require.Empty(t, resp.Signed, "nothing signed")
	require.Equal(t, types.DiversityProfile{Provider: provider.String()}, resp.Profile)

	signAttrs(t, f, approved, provider, kv("asn", "AS1", "city", "x")...)
	signAttrs(t, f, removed, provider, kv("asn", "AS2", "power-region", "r2")...)
	signAttrs(t, f, approved, f.NewProvider(t), kv("asn", "AS9")...) // another provider's
	removeAuditor(t, f, removed)
	setEnclave(t, f, provider, fogtypes.TeeTypeTdx, f.Height()+10)

	for _, spelling := range []string{provider.String(), strings.ToUpper(provider.String())} {
		resp, err = q.ProviderAttributes(f.Ctx, &types.QueryProviderAttributesRequest{Provider: spelling})
		require.NoError(t, err)
		byAuditor := map[string]types.SignedAttributes{}
		for _, s := range resp.Signed {
			byAuditor[s.Attributes.Auditor] = s
		}
		require.Len(t, resp.Signed, 2)
		require.Equal(t, types.SignedAttributes{Approved: true, Attributes: types.AuditedAttributes{
			Provider: provider.String(), Auditor: approved.String(), Attributes: kv("asn", "AS1", "city", "x"), SignedHeight: f.Height()}},
			byAuditor[approved.String()])
		require.Equal(t, types.SignedAttributes{Approved: false, Attributes: types.AuditedAttributes{
			Provider: provider.String(), Auditor: removed.String(), Attributes: kv("asn", "AS2", "power-region", "r2"), SignedHeight: f.Height()}},
			byAuditor[removed.String()])
		require.Equal(t, types.DiversityProfile{Provider: provider.String(), Asn: "AS1", TeeVendor: fogtypes.TeeTypeTdx}, resp.Profile)
	}
}

// diversityFixture has eight providers with audited profiles:
//
//	p0 AS1 r1 SEV-SNP   p1 AS2 r2 TDX   p2 AS3 r1 SEV-SNP   p3 AS1 r2 TDX
//	p4 AS4 r1 simulated p5 AS5 —  TDX   p6 —   r2 SEV-SNP   p7 nothing
func diversityFixture(t *testing.T) (*fixture.Fixture, []string) {
	f := fixture.New(t)
	auditor := addAuditor(t, f)
	snp, tdx, sim := fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx, fogtypes.TeeTypeSimulated
	var out []string
	for _, p := range []struct {
		asn, region string
		tee         fogtypes.TeeType
	}{
		{"AS1", "r1", snp}, {"AS2", "r2", tdx}, {"AS3", "r1", snp}, {"AS1", "r2", tdx},
		{"AS4", "r1", sim}, {"AS5", "", tdx}, {"", "r2", snp}, {"", "", fogtypes.TeeTypeUnspecified},
	} {
		addr := f.NewProvider(t)
		profile(t, f, auditor, addr, p.asn, p.region, p.tee)
		out = append(out, addr.String())
	}
	return f, out
}

// ValidateDiversity checks a set of providers against a tier as settlement would, constraint by
// constraint; it refuses an unknown tier and a malformed set with InvalidArgument.
func TestQueryValidateDiversity(t *testing.T) {
	f, p := diversityFixture(t)
	q := keeper.NewQueryServerImpl(f.Quorum)
	c := func(name string, required, got uint32) types.ConstraintResult {
		return types.ConstraintResult{Name: name, Required: required, Got: got, Ok: got >= required}
	}
	cases := []struct {
		name      string
		tier      string
		providers []string
		feasible  bool
		want      []types.ConstraintResult
	}{
		{"a feasible gold set", "gold", []string{p[0], p[1], p[2]}, true,
			[]types.ConstraintResult{c("replicas", 3, 3), c("asn", 3, 3), c("tee-vendor", 2, 2), c("power-region", 2, 2)}},
		{"a feasible gold set of four", "gold", []string{p[0], p[1], p[2], p[3]}, true,
			[]types.ConstraintResult{c("replicas", 3, 4), c("asn", 3, 3), c("tee-vendor", 2, 2), c("power-region", 2, 2)}},
		{"gold sharing an ASN", "gold", []string{p[0], p[1], p[3]}, false,
			[]types.ConstraintResult{c("replicas", 3, 3), c("asn", 3, 2), c("tee-vendor", 2, 2), c("power-region", 2, 2)}},
		{"gold with one TEE vendor (a simulated enclave does not count)", "gold", []string{p[0], p[2], p[4]}, false,
			[]types.ConstraintResult{c("replicas", 3, 3), c("asn", 3, 3), c("tee-vendor", 2, 1), c("power-region", 2, 1)}},
		{"gold with unknown ASN and region", "gold", []string{p[5], p[6], p[7]}, false,
			[]types.ConstraintResult{c("replicas", 3, 3), c("asn", 3, 1), c("tee-vendor", 2, 2), c("power-region", 2, 1)}},
		{"gold with fewer providers than min_replicas", "gold", []string{p[0], p[1]}, false,
			[]types.ConstraintResult{c("replicas", 3, 2), c("asn", 3, 2), c("tee-vendor", 2, 2), c("power-region", 2, 2)}},
		{"silver with fewer providers than min_replicas", "silver", []string{p[7]}, false,
			[]types.ConstraintResult{c("replicas", 2, 1), c("asn", 0, 0), c("tee-vendor", 0, 0), c("power-region", 0, 0)}},
		{"silver of two, no diversity required", "silver", []string{p[7], p[6]}, true,
			[]types.ConstraintResult{c("replicas", 2, 2), c("asn", 0, 0), c("tee-vendor", 0, 1), c("power-region", 0, 1)}},
		{"bronze with one unaudited provider", "bronze", []string{p[7]}, true,
			[]types.ConstraintResult{c("replicas", 1, 1), c("asn", 0, 0), c("tee-vendor", 0, 0), c("power-region", 0, 0)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := q.ValidateDiversity(f.Ctx, &types.QueryValidateDiversityRequest{Tier: tc.tier, Providers: tc.providers})
			require.NoError(t, err)
			require.Equal(t, tc.feasible, resp.Feasible)
			require.Equal(t, tc.want, resp.Constraints)
			require.Len(t, resp.Profiles, len(tc.providers))
			for i, prof := range resp.Profiles {
				want, err := f.Quorum.Profile(f.Ctx, sdk.MustAccAddressFromBech32(tc.providers[i]))
				require.NoError(t, err)
				require.Equal(t, want, prof, "profiles in the order given")
			}
		})
	}

	many := make([]string, types.MaxReplicas+1)
	for i := range many {
		many[i] = sdk.AccAddress(fmt.Appendf(nil, "provider %011d", i)).String()
	}
	for _, bad := range []struct {
		name      string
		tier      string
		providers []string
	}{
		{"unknown tier", "platinum", p[:3]},
		{"empty tier", "", p[:3]},
		{"tier in upper case", "GOLD", p[:3]},
		{"no providers", "gold", nil},
		{"65 providers", "gold", many},
		{"a provider twice", "gold", []string{p[0], p[1], p[0]}},
		{"a provider twice, spelt differently", "gold", []string{p[0], p[1], strings.ToUpper(p[0])}},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := q.ValidateDiversity(f.Ctx, &types.QueryValidateDiversityRequest{Tier: bad.tier, Providers: bad.providers})
			requireCode(t, err, codes.InvalidArgument)
		})
	}
	t.Run("64 providers", func(t *testing.T) {
		resp, err := q.ValidateDiversity(f.Ctx, &types.QueryValidateDiversityRequest{Tier: "bronze", Providers: many[:types.MaxReplicas]})
		require.NoError(t, err)
		require.True(t, resp.Feasible)
		require.Len(t, resp.Profiles, types.MaxReplicas)
	})
}
