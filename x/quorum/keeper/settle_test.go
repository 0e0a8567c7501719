package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// gov is the module's authority (x/gov's account).
func gov(f *fixture.Fixture) string { return f.Quorum.Authority() }

// profile gives provider an audited ASN and power region (signed by auditor) and an enclave record
// of vendor (none when unspecified), valid for 1,000 blocks.
func profile(t *testing.T, f *fixture.Fixture, auditor, provider sdk.AccAddress, asn, region string, vendor fogtypes.TeeType) {
	t.Helper()
	msg := keeper.NewMsgServerImpl(f.Quorum)
	var attrs []types.Attribute
	if asn != "" {
		attrs = append(attrs, types.Attribute{Key: types.AttributeASN, Value: asn})
	}
	if region != "" {
		attrs = append(attrs, types.Attribute{Key: types.AttributePowerRegion, Value: region})
	}
	if len(attrs) > 0 {
		_, err := msg.SignProviderAttributes(f.Ctx, &types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: attrs})
		require.NoError(t, err)
	}
	if vendor != fogtypes.TeeTypeUnspecified {
		require.NoError(t, f.Tee.Enclaves.Set(f.Ctx, provider, teetypes.Enclave{
			Provider: provider.String(), TeeType: vendor, AttestedHeight: f.Height(), ExpiryHeight: f.Height() + 1000,
		}))
	}
}

func addAuditor(t *testing.T, f *fixture.Fixture) sdk.AccAddress {
	t.Helper()
	auditor := f.NewAccount(t, 1_000_000)
	_, err := keeper.NewMsgServerImpl(f.Quorum).AddAuditor(f.Ctx, &types.MsgAddAuditor{Authority: gov(f), Auditor: auditor.String(), Description: "test auditor"})
	require.NoError(t, err)
	return auditor
}

type bidder struct {
	price  int64
	asn    string
	region string
	tee    fogtypes.TeeType
}

// goldAuction runs a gold order (3 replicas, max price 30) with one revealed bid per bidder, each a
// new provider with the bidder's audited profile, through its settlement.
func goldAuction(t *testing.T, f *fixture.Fixture, bidders []bidder) (markettypes.Order, []sdk.AccAddress) {
	t.Helper()
	auditor := addAuditor(t, f)
	msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
	msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, 30)
	o := f.CreateOrder(t, msg)
	require.EqualValues(t, 3, o.Replicas)
	providers := make([]sdk.AccAddress, len(bidders))
	sealed := make([]fixture.SealedBid, len(bidders))
	for i, b := range bidders {
		providers[i] = f.NewProvider(t)
		profile(t, f, auditor, providers[i], b.asn, b.region, b.tee)
		sealed[i] = f.Commit(t, o.Id, providers[i], b.price)
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+1)
	return f.Order(t, o.Id), providers
}

// A gold order settles to the cheapest set that spans 3 ASNs, 2 TEE vendors and 2 power regions,
// each member paid its critical value; the cheaper bids that would break diversity lose.
func TestGoldOrderSettlesToTheCheapestFeasibleSet(t *testing.T) {
	f := fixture.New(t)
	snp, tdx := fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx
	o, providers := goldAuction(t, f, []bidder{
		{price: 10, asn: "AS1", region: "r1", tee: snp},
		{price: 11, asn: "AS1", region: "r2", tee: tdx}, // same ASN as the cheapest
		{price: 12, asn: "AS2", region: "r1"},           // no TEE
		{price: 13, asn: "AS3", region: "r2", tee: tdx},
		{price: 14, asn: "AS4", region: "r1", tee: snp},
		{price: 20, asn: "AS5", region: "r3", tee: tdx},
	})
	require.Equal(t, markettypes.OrderMatched, o.State)
	got := map[string]string{}
	for _, l := range f.LeasesOf(t, o.Id) {
		got[l.Provider] = l.PricePerBlock.String()
	}
	// {10, 12, 13} = 35 is the cheapest set with 3 ASNs, 2 vendors (snp, tdx) and 2 regions.
	require.Len(t, got, 3)
	require.Contains(t, got, providers[0].String())
	require.Contains(t, got, providers[2].String())
	require.Contains(t, got, providers[3].String())
	f.AdvanceTo(t, f.Height()+3)
	f.CheckInvariants(t)
	t.Logf("pays: %v", got)
}
