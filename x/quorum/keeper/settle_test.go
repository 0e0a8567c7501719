package keeper_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/fixture"
	marketkeeper "github.com/fogchain/fog/x/market/keeper"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// gov is the module's authority (x/gov's account).
func gov(f *fixture.Fixture) string { return f.Quorum.Authority() }

// profile gives provider an audited ASN and power region (signed by auditor) and an enclave record
// of vendor (none when unspecified), valid for 1,000 blocks.
func profile(t fixture.TB, f *fixture.Fixture, auditor, provider sdk.AccAddress, asn, region string, vendor fogtypes.TeeType) {
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

func addAuditor(t fixture.TB, f *fixture.Fixture) sdk.AccAddress {
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
	require.Equal(t, map[string]string{providers[0].String(): "12ufog", providers[2].String(): "14ufog", providers[3].String(): "15ufog"}, got,
		"each member is paid its critical value")
	f.AdvanceTo(t, f.Height()+3)
	f.CheckInvariants(t)

	// a market whose leases are paid different prices exports a genesis that validates and imports
	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate())
	g := fixture.New(t)
	g.SetHeight(f.Height())
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, gs))
}

// events of type T emitted so far in f.Ctx.
func eventsOf[T proto.Message](t fixture.TB, f *fixture.Fixture) []T {
	t.Helper()
	var out []T
	for _, e := range f.Ctx.EventManager().Events() {
		msg, err := sdk.ParseTypedEvent(abci.Event(e))
		if err != nil {
			continue
		}
		if m, ok := msg.(T); ok {
			out = append(out, m)
		}
	}
	return out
}

// A gold order whose bids hold no set diverse enough fails: the owner gets the whole escrow back,
// every bidder its deposit, and EventQuorumInfeasible says which constraints the bids cannot meet.
// The tier is never downgraded to the cheapest bids.
func TestInfeasibleGoldOrderFailsWithEverythingRefunded(t *testing.T) {
	f := fixture.New(t)
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	snp := fogtypes.TeeTypeSevSnp
	bidders := []bidder{
		{price: 10, asn: "AS1", region: "r1", tee: snp},
		{price: 11, asn: "AS1", region: "r2", tee: snp},
		{price: 12, asn: "AS2", region: "r1"},
		{price: 13, asn: "AS2", region: "r2", tee: snp},
	}
	supply := f.Supply()
	auditor := addAuditor(t, f)
	owner := f.NewAccount(t, 10_000_000)
	msg := fixture.OrderMsg(owner)
	msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, 30)
	ownerBefore := f.Balance(owner)
	o := f.CreateOrder(t, msg)
	providers := make([]sdk.AccAddress, len(bidders))
	before := make([]int64, len(bidders))
	sealed := make([]fixture.SealedBid, len(bidders))
	for i, b := range bidders {
		providers[i] = f.NewProvider(t)
		profile(t, f, auditor, providers[i], b.asn, b.region, b.tee)
		before[i] = f.Balance(providers[i]).Int64()
		sealed[i] = f.Commit(t, o.Id, providers[i], b.price)
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3) // settlement, then the deposit sweep

	got := f.Order(t, o.Id)
	require.Equal(t, markettypes.OrderFailed, got.State)
	require.Equal(t, markettypes.CloseReasonNoEligibleSet, got.CloseReason)
	require.Empty(t, f.LeasesOf(t, o.Id))
	require.Equal(t, ownerBefore.String(), f.Balance(owner).String(), "the owner has its whole escrow back")
	for i, p := range providers {
		require.Equal(t, before[i], f.Balance(p).Int64(), "bidder %d has its deposit back", i)
	}
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
	require.True(t, f.Supply().GTE(supply), "nothing was burned")

	evs := eventsOf[*types.EventQuorumInfeasible](t, f)
	require.Len(t, evs, 1)
	ev := evs[0]
	require.Equal(t, o.Id, ev.OrderId)
	require.Equal(t, "gold", ev.Tier)
	require.EqualValues(t, 4, ev.RevealedBids)
	failing := map[string]uint32{}
	for _, c := range ev.Constraints {
		if !c.Ok {
			failing[c.Name] = c.Got
		}
	}
	require.Equal(t, map[string]uint32{"asn": 2, "tee-vendor": 1}, failing, "two ASNs and one vendor among the bids")
	require.Empty(t, eventsOf[*types.EventQuorumSelected](t, f))
}

// Orders of tiers without diversity constraints settle exactly as by the market's own rule: its
// cheapest ranked bids win at the uniform Vickrey price (keeper.SelectionPrice), which is what the
// critical-value rule pays without constraints. x/quorum chooses them (to hold standbys) but
// changes neither the winners nor their price, and reports no diverse selection.
func TestBronzeAndSilverOrdersSettleByTheMarketsRule(t *testing.T) {
	for _, tier := range []markettypes.Tier{markettypes.TierBronze, markettypes.TierSilver} {
		t.Run(tier.String(), func(t *testing.T) {
			f := fixture.New(t)
			f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
			msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
			msg.Tier = tier
			o := f.CreateOrder(t, msg)
			var sealed []fixture.SealedBid
			for _, p := range []int64{3, 4, 5} {
				sealed = append(sealed, f.Commit(t, o.Id, f.NewProvider(t), p))
			}
			f.AdvanceTo(t, o.CommitDeadline+1)
			for _, s := range sealed {
				f.Reveal(t, o.Id, s)
			}
			f.AdvanceTo(t, o.RevealDeadline+1)
			leases := f.LeasesOf(t, o.Id)
			require.Len(t, leases, int(o.Replicas))
			// the market's rule: the replicas cheapest bids, each paid the first losing bid's price
			ranked := make([]markettypes.Bid, len(sealed))
			winners := make([]int, o.Replicas)
			for i, s := range sealed {
				ranked[i] = markettypes.Bid{Provider: s.Provider.String(), Price: s.Price}
			}
			for i := range winners {
				winners[i] = i
				require.Equal(t, sealed[i].Provider.String(), leases[i].Provider, "winner %d", i)
			}
			want := marketkeeper.SelectionPrice(ranked, winners, o.MaxPricePerBlock)
			require.Equal(t, sealed[o.Replicas].Price, want)
			for _, l := range leases {
				require.Equal(t, want.String(), l.PricePerBlock.String())
			}
			require.Equal(t, want.String(), f.Order(t, o.Id).ClearingPrice.String())
			require.Empty(t, eventsOf[*types.EventQuorumSelected](t, f))
			require.Empty(t, eventsOf[*types.EventQuorumInfeasible](t, f))
			require.Len(t, eventsOf[*types.EventQuorumCreated](t, f), 1)
		})
	}
}

// Governance may set a tier's minimum replicas above what the market gives its orders: such orders
// fail cleanly (the replicas constraint in the event), never settle with fewer members.
func TestOrderWithFewerReplicasThanItsTierFails(t *testing.T) {
	f := fixture.New(t)
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
	p, err := f.Quorum.Params.Get(f.Ctx)
	require.NoError(t, err)
	p.Silver.MinReplicas = 3
	_, err = keeper.NewMsgServerImpl(f.Quorum).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: gov(f), Params: p})
	require.NoError(t, err)
	msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
	msg.Tier = markettypes.TierSilver
	o := f.CreateOrder(t, msg)
	var sealed []fixture.SealedBid
	for _, price := range []int64{3, 4, 5} {
		sealed = append(sealed, f.Commit(t, o.Id, f.NewProvider(t), price))
	}
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+3)
	require.Equal(t, markettypes.CloseReasonNoEligibleSet, f.Order(t, o.Id).CloseReason)
	evs := eventsOf[*types.EventQuorumInfeasible](t, f)
	require.Len(t, evs, 1)
	require.Equal(t, []types.ConstraintResult{{Name: "replicas", Required: 3, Got: 2}}, evs[0].Constraints)
	f.RequireOnlyBondsHeld(t)
	f.CheckInvariants(t)
}

// What counts is what approved auditors sign at settlement: when governance removes the auditor
// who signed two of the cheap providers' ASNs, those ASNs stop counting and a dearer set wins.
func TestRemovedAuditorsSignaturesStopCountingAtSettlement(t *testing.T) {
	f := fixture.New(t)
	snp, tdx := fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx
	trusted, removed := addAuditor(t, f), addAuditor(t, f)
	msg := fixture.OrderMsg(f.NewAccount(t, 10_000_000))
	msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, 30)
	o := f.CreateOrder(t, msg)
	type spec struct {
		price   int64
		auditor sdk.AccAddress
		asn     string
		region  string
		tee     fogtypes.TeeType
	}
	specs := []spec{
		{10, removed, "AS1", "r1", snp},
		{11, removed, "AS2", "r2", tdx},
		{12, trusted, "AS3", "r1", tdx},
		{13, trusted, "AS4", "r2", snp},
		{14, trusted, "AS5", "r1", tdx},
	}
	providers := make([]sdk.AccAddress, len(specs))
	var sealed []fixture.SealedBid
	for i, s := range specs {
		providers[i] = f.NewProvider(t)
		profile(t, f, s.auditor, providers[i], s.asn, s.region, s.tee)
		sealed = append(sealed, f.Commit(t, o.Id, providers[i], s.price))
	}
	_, err := keeper.NewMsgServerImpl(f.Quorum).RemoveAuditor(f.Ctx, &types.MsgRemoveAuditor{Authority: gov(f), Auditor: removed.String()})
	require.NoError(t, err)
	f.AdvanceTo(t, o.CommitDeadline+1)
	for _, s := range sealed {
		f.Reveal(t, o.Id, s)
	}
	f.AdvanceTo(t, o.RevealDeadline+1)
	var won []string
	for _, l := range f.LeasesOf(t, o.Id) {
		won = append(won, l.Provider)
	}
	require.ElementsMatch(t, []string{providers[2].String(), providers[3].String(), providers[4].String()}, won,
		"the providers whose ASNs only a removed auditor signed cannot make up a gold set")
	f.CheckInvariants(t)
}

// Whole gold auctions through the keeper with random bids and profiles, then their leases run with
// random starts and closes, failed members replaced by standbys: every winner is paid at least its
// bid and at most the max price, the chosen set meets the tier, a replacement takes its failed
// member's price, the owner pays nothing after settlement, and the module account always matches
// the market's records, which x/quorum's records follow (no coin created, lost or left behind).
func TestGoldSettlementProperties(t *testing.T) {
	base := fixture.New(t)
	rapid.Check(t, func(rt *rapid.T) {
		f := base.Fork()
		f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
		auditor := addAuditor(rt, f)
		maxPrice := rapid.Int64Range(5, 50).Draw(rt, "maxPrice")
		msg := fixture.OrderMsg(f.NewAccount(rt, 100_000_000))
		msg.Tier, msg.MaxPricePerBlock = markettypes.TierGold, sdk.NewInt64Coin(fixture.Denom, maxPrice)
		o := f.CreateOrder(rt, msg)
		// half the auctions have well-audited bidders (every attribute known, real TEE vendors),
		// which mostly settle and hold standbys; the others are mostly infeasible
		audited := rapid.Bool().Draw(rt, "audited")
		n := rapid.IntRange(3, 9).Draw(rt, "bids")
		vendors := []fogtypes.TeeType{fogtypes.TeeTypeUnspecified, fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx, fogtypes.TeeTypeSimulated}
		asns, regions := []string{"", "AS1", "AS2", "AS3", "AS4"}, []string{"", "r1", "r2", "r3"}
		if audited {
			n = rapid.IntRange(5, 10).Draw(rt, "bids")
			vendors, asns, regions = vendors[1:3], asns[1:], regions[1:]
		}
		prices := map[string]int64{}
		var sealed []fixture.SealedBid
		for i := 0; i < n; i++ {
			p := f.NewProvider(rt)
			asn := rapid.SampledFrom(asns).Draw(rt, "asn")
			region := rapid.SampledFrom(regions).Draw(rt, "region")
			profile(rt, f, auditor, p, asn, region, rapid.SampledFrom(vendors).Draw(rt, "tee"))
			price := rapid.Int64Range(1, maxPrice).Draw(rt, "price")
			prices[p.String()] = price
			sealed = append(sealed, f.Commit(rt, o.Id, p, price))
		}
		f.AdvanceTo(rt, o.CommitDeadline+1)
		for _, s := range sealed {
			f.Reveal(rt, o.Id, s)
		}
		f.AdvanceTo(rt, o.RevealDeadline+3)
		got := f.Order(rt, o.Id)
		leases := f.LeasesOf(rt, o.Id)
		switch got.State {
		case markettypes.OrderMatched:
			require.Len(rt, leases, 3)
			var members []string
			for _, l := range leases {
				pay := l.PricePerBlock.Amount.Int64()
				require.GreaterOrEqual(rt, pay, prices[l.Provider], "a winner is paid at least its bid")
				require.LessOrEqual(rt, pay, maxPrice, "and at most the max price")
				members = append(members, l.Provider)
			}
			resp, err := keeper.NewQueryServerImpl(f.Quorum).ValidateDiversity(f.Ctx, &types.QueryValidateDiversityRequest{Tier: "gold", Providers: members})
			require.NoError(rt, err)
			require.True(rt, resp.Feasible, "the chosen set meets the tier: %v", resp.Constraints)
			require.Len(rt, eventsOf[*types.EventQuorumSelected](rt, f), 1)
		case markettypes.OrderFailed:
			require.Empty(rt, leases)
			require.Len(rt, eventsOf[*types.EventQuorumInfeasible](rt, f), 1)
			f.RequireOnlyBondsHeld(rt)
			f.CheckInvariants(rt)
			return
		default:
			rt.Fatalf("order %s after settlement", got.State)
		}
		f.CheckInvariants(rt)

		// The leases run: each pending lease (replacements included) starts or not, active ones may
		// be closed by either side; members that fail are replaced by standbys the tier allows, at
		// their price. Auditors may change a standby's ASN meanwhile. Every block keeps the money
		// and the records in step, and at the end nothing but the providers' bonds is held.
		owner, _ := sdk.AccAddressFromBech32(got.Owner)
		ownerSettled := f.Balance(owner)
		var standbys []sdk.AccAddress
		q, err := f.Quorum.Quorums.Get(f.Ctx, got.Id)
		require.NoError(rt, err)
		for _, s := range q.Standbys {
			addr, _ := sdk.AccAddressFromBech32(s.Provider)
			standbys = append(standbys, addr)
		}
		decided := map[uint64]bool{}
		for step := 0; ; step++ {
			require.Less(rt, step, 2000, "the leases outlive every bound")
			if len(standbys) > 0 && rapid.IntRange(0, 30).Draw(rt, "resign") == 0 {
				p := rapid.SampledFrom(standbys).Draw(rt, "standby")
				signAttrs(rt, f, auditor, p, kv("asn", rapid.SampledFrom([]string{"AS1", "AS2", "AS3", "AS4"}).Draw(rt, "asn"))...)
			}
			open := 0
			for _, l := range f.LeasesOf(rt, got.Id) {
				switch l.State {
				case markettypes.LeasePending:
					open++
					if !decided[l.Id] {
						decided[l.Id] = true
						if rapid.IntRange(0, 3).Draw(rt, "start") > 0 {
							_, err := f.Msg.StartLease(f.Ctx, &markettypes.MsgStartLease{Provider: l.Provider, LeaseId: l.Id})
							require.NoError(rt, err)
						}
					}
				case markettypes.LeaseActive:
					open++
					if rapid.IntRange(0, 60).Draw(rt, "close") == 0 {
						sender := l.Owner
						if rapid.Bool().Draw(rt, "byProvider") {
							sender = l.Provider
						}
						_, err := f.Msg.CloseLease(f.Ctx, &markettypes.MsgCloseLease{Sender: sender, LeaseId: l.Id})
						require.NoError(rt, err)
					}
				}
			}
			if open == 0 {
				break
			}
			f.EndBlock(rt)
			f.CheckInvariants(rt)
		}
		q, err = f.Quorum.Quorums.Get(f.Ctx, got.Id)
		require.NoError(rt, err)
		require.Equal(rt, types.QuorumEnded, q.State)
		for _, m := range q.Members {
			require.GreaterOrEqual(rt, m.PricePerBlock.Amount.Int64(), prices[m.Provider], "a member is paid at least its bid")
			if m.Replaces != 0 {
				require.Equal(rt, q.Members[q.Member(m.Replaces)].PricePerBlock, m.PricePerBlock, "a replacement takes the failed member's price")
			}
		}
		for _, s := range q.Standbys {
			require.NotEqual(rt, types.StandbyHeld, s.State)
		}
		require.True(rt, f.Balance(owner).LTE(ownerSettled.Add(got.ClearingPrice.Amount.MulRaw(int64(got.LeaseBlocks)*3))))
		spent := ownerSettled.Sub(f.Balance(owner))
		require.False(rt, spent.IsPositive(), "the owner pays nothing after settlement (refunds only)")
		f.RequireOnlyBondsHeld(rt)
		f.CheckInvariants(rt)
	})
}
