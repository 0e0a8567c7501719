package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// fullGenesis exports a market with a record in every state the genesis can hold: the busy market,
// plus a closed lease, a silver order holding a standby, and a cancelled order whose deposit sweep
// is half done (one deposit per block).
func fullGenesis(t *testing.T) *types.GenesisState {
	f, a := busyMarket(t)
	closed := f.CreateOrder(t, fixture.OrderMsg(a.owner))
	msg := fixture.OrderMsg(a.owner)
	msg.Tier = types.TierSilver
	withStandby := f.CreateOrder(t, msg)
	s := f.Commit(t, closed.Id, a.other, 3)
	sealed := []fixture.SealedBid{f.Commit(t, withStandby.Id, a.bidder, 3), f.Commit(t, withStandby.Id, a.other, 4),
		f.Commit(t, withStandby.Id, f.NewProvider(t), 4)}
	f.AdvanceTo(t, closed.CommitDeadline+1)
	f.Reveal(t, closed.Id, s)
	for _, s := range sealed {
		f.Reveal(t, withStandby.Id, s)
	}
	f.AdvanceTo(t, closed.RevealDeadline+1)
	h, err := f.Keeper.Holdings(f.Ctx)
	require.NoError(t, err)
	require.EqualValues(t, 1, h.Standbys, "silver holds the bid at the clearing price as a standby")
	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: a.owner.String(), LeaseId: f.LeasesOf(t, closed.Id)[0].Id})
	require.NoError(t, err)
	open := f.CreateOrder(t, fixture.OrderMsg(a.owner))
	s = f.Commit(t, open.Id, a.other, 5)
	f.Commit(t, open.Id, a.bidder, 4) // stays sealed
	f.AdvanceTo(t, open.CommitDeadline+1)
	f.Reveal(t, open.Id, s)
	o := f.CreateOrder(t, fixture.OrderMsg(a.owner))
	f.Commit(t, o.Id, a.bidder, 4)
	f.Commit(t, o.Id, a.other, 5)
	f.SetParams(t, func(p *types.Params) { p.MaxWorkPerBlock = 1 })
	_, err = f.Msg.CancelOrder(f.Ctx, &types.MsgCancelOrder{Owner: a.owner.String(), OrderId: o.Id})
	require.NoError(t, err)
	f.EndBlock(t)
	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.DepositSweeps, 1)
	require.NotEmpty(t, gs.DepositSweeps[0].After, "the sweep stopped half way")
	require.NoError(t, gs.Validate())

	// the export imports into a fresh chain and carries on: the sweep finishes there (x/quorum's
	// records of the orders come along, as in the app's genesis)
	g := fixture.New(t)
	g.SetHeight(f.Height())
	require.NoError(t, g.Keeper.InitGenesis(g.Ctx, gs))
	qgs, err := f.Quorum.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, g.Quorum.InitGenesis(g.Ctx, qgs))
	require.NoError(t, banktestutil.FundModuleAccount(g.Ctx, g.Bank, types.ModuleName, f.ModuleBalance()))
	g.CheckInvariants(t)
	g.EndBlock(t)
	g.CheckInvariants(t)
	return gs
}

// index returns the position of the first element that matches.
func index[T any](t *testing.T, xs []T, match func(T) bool) int {
	for i, x := range xs {
		if match(x) {
			return i
		}
	}
	t.Fatal("no element matches")
	return -1
}

// Every rule of the market's genesis validation, one case each: a valid exported genesis with one
// field broken is refused with an error that names that field.
func TestGenesisValidationNamesTheField(t *testing.T) {
	base := fullGenesis(t)
	openOrder := func(o types.Order) bool { return o.State == types.OrderOpen }
	matchedOrder := func(o types.Order) bool { return o.State == types.OrderMatched }
	failedOrder := func(o types.Order) bool { return o.State == types.OrderFailed }
	state := func(s types.BidState) func(types.Bid) bool { return func(b types.Bid) bool { return b.State == s } }
	leaseIn := func(s types.LeaseState) func(types.Lease) bool {
		return func(l types.Lease) bool { return l.State == s }
	}
	upperAddr := func(s string) string { return strings.ToUpper(s) }
	cases := []struct {
		name, field string
		mutate      func(t *testing.T, g *types.GenesisState)
	}{
		{"invalid params", "params", func(t *testing.T, g *types.GenesisState) { g.Params.MaxBidsPerOrder = 0 }},
		{"params: max_bids_per_order above its bound", "max_bids_per_order", func(t *testing.T, g *types.GenesisState) { g.Params.MaxBidsPerOrder = types.MaxBidsPerOrderLimit + 1 }},
		{"params: block count that would wrap as int64", "max_lease_blocks", func(t *testing.T, g *types.GenesisState) { g.Params.MaxLeaseBlocks = 1 << 63 }},
		{"next_order_id zero", "next_order_id", func(t *testing.T, g *types.GenesisState) { g.NextOrderId = 0 }},
		{"next_lease_id zero", "next_lease_id", func(t *testing.T, g *types.GenesisState) { g.NextLeaseId = 0 }},
		{"next_order_id not above every order", "orders[", func(t *testing.T, g *types.GenesisState) { g.NextOrderId = 2 }},
		{"next_lease_id not above every lease", "leases[", func(t *testing.T, g *types.GenesisState) { g.NextLeaseId = 2 }},

		{"provider owner not an address", "providers[0].owner", func(t *testing.T, g *types.GenesisState) { g.Providers[0].Owner = "fog1nope" }},
		{"provider owner not canonical", "providers[0].owner", func(t *testing.T, g *types.GenesisState) { g.Providers[0].Owner = upperAddr(g.Providers[0].Owner) }},
		{"provider duplicated", "providers[1].owner", func(t *testing.T, g *types.GenesisState) { g.Providers[1].Owner = g.Providers[0].Owner }},
		{"provider peer id", "providers[0]", func(t *testing.T, g *types.GenesisState) { g.Providers[0].PeerId = "nope" }},
		{"provider capacity", "providers[0]", func(t *testing.T, g *types.GenesisState) { g.Providers[0].Capacity = types.Resources{} }},
		{"provider bond", "providers[0].bond", func(t *testing.T, g *types.GenesisState) {
			g.Providers[0].Bond = sdk.Coin{Denom: "!", Amount: math.OneInt()}
		}},
		{"provider registered height", "providers[0].registered_height", func(t *testing.T, g *types.GenesisState) { g.Providers[0].RegisteredHeight = -1 }},
		{"provider updated before registered", "providers[0].updated_height", func(t *testing.T, g *types.GenesisState) {
			g.Providers[0].UpdatedHeight = g.Providers[0].RegisteredHeight - 1
		}},

		{"order id zero", "orders[0].id", func(t *testing.T, g *types.GenesisState) { g.Orders[0].Id = 0 }},
		{"order duplicated", "orders[1].id", func(t *testing.T, g *types.GenesisState) { g.Orders[1].Id = g.Orders[0].Id }},
		{"order owner not canonical", "orders[0].owner", func(t *testing.T, g *types.GenesisState) { g.Orders[0].Owner = upperAddr(g.Orders[0].Owner) }},
		{"order tier", "orders[0]", func(t *testing.T, g *types.GenesisState) { g.Orders[0].Tier = 7 }},
		{"order workload hash", "orders[0]", func(t *testing.T, g *types.GenesisState) { g.Orders[0].WorkloadHash = []byte{1} }},
		{"order max price", "orders[0]", func(t *testing.T, g *types.GenesisState) {
			g.Orders[0].MaxPricePerBlock.Amount = types.MaxCoinAmount.AddRaw(1)
		}},
		{"order lease blocks", "orders[0]", func(t *testing.T, g *types.GenesisState) { g.Orders[0].LeaseBlocks = 0 }},
		{"order replicas", "orders[0].replicas", func(t *testing.T, g *types.GenesisState) { g.Orders[0].Replicas = 0 }},
		{"order created height", "orders[0].created_height", func(t *testing.T, g *types.GenesisState) { g.Orders[0].CreatedHeight = -1 }},
		{"order commit deadline", "orders[0].commit_deadline", func(t *testing.T, g *types.GenesisState) {
			g.Orders[0].CommitDeadline = g.Orders[0].CreatedHeight
		}},
		{"order reveal deadline", "orders[0].reveal_deadline", func(t *testing.T, g *types.GenesisState) {
			g.Orders[0].RevealDeadline = g.Orders[0].CommitDeadline
		}},
		{"order withdraw deadline", "orders[0].withdraw_deadline", func(t *testing.T, g *types.GenesisState) {
			g.Orders[0].WithdrawDeadline = g.Orders[0].CommitDeadline + 1
		}},
		{"order escrow denom", "escrow", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Orders, openOrder)
			g.Orders[i].Escrow.Denom = "uatom"
		}},
		{"open order escrow not max price × blocks × replicas", "escrow", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Orders, openOrder)
			g.Orders[i].Escrow.Amount = g.Orders[i].Escrow.Amount.SubRaw(1)
		}},
		{"open order with a close reason", "close_reason", func(t *testing.T, g *types.GenesisState) {
			g.Orders[index(t, g.Orders, openOrder)].CloseReason = types.CloseReasonCompleted
		}},
		{"closed order holding escrow", "escrow", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Orders, matchedOrder)
			g.Orders[i].Escrow.Amount = math.OneInt()
		}},
		{"order clearing price above max", "clearing_price", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Orders, matchedOrder)
			g.Orders[i].ClearingPrice.Amount = g.Orders[i].MaxPricePerBlock.Amount.AddRaw(1)
		}},
		{"confidential order not requiring a TEE", "tee_required", func(t *testing.T, g *types.GenesisState) {
			g.Orders[0].Privacy, g.Orders[0].TeeRequired = types.PrivacyConfidential, false
		}},
		{"order state unknown", "state", func(t *testing.T, g *types.GenesisState) { g.Orders[index(t, g.Orders, matchedOrder)].State = 9 }},
		{"order close reason unknown", "close_reason", func(t *testing.T, g *types.GenesisState) {
			g.Orders[index(t, g.Orders, matchedOrder)].CloseReason = 99
		}},
		{"order bid count", "bid_count", func(t *testing.T, g *types.GenesisState) { g.Orders[index(t, g.Orders, openOrder)].BidCount++ }},

		{"bid on unknown order", "bids[0].order_id", func(t *testing.T, g *types.GenesisState) { g.Bids[0].OrderId = 99 }},
		{"bid provider not canonical", "bids[0].provider", func(t *testing.T, g *types.GenesisState) { g.Bids[0].Provider = upperAddr(g.Bids[0].Provider) }},
		{"bid duplicated", "bids[1]", func(t *testing.T, g *types.GenesisState) {
			g.Bids[1].OrderId, g.Bids[1].Provider = g.Bids[0].OrderId, g.Bids[0].Provider
		}},
		{"bid commitment", "bids[0].commitment", func(t *testing.T, g *types.GenesisState) { g.Bids[0].Commitment = []byte{1} }},
		{"bid committed outside the commit phase", "commit_height", func(t *testing.T, g *types.GenesisState) { g.Bids[0].CommitHeight = -5 }},
		{"bid deposit", "deposit", func(t *testing.T, g *types.GenesisState) {
			g.Bids[0].Deposit = sdk.Coin{Denom: "!", Amount: math.OneInt()}
		}},
		{"bid withdraw fee above the deposit", "withdraw_fee", func(t *testing.T, g *types.GenesisState) {
			g.Bids[0].WithdrawFee.Amount = g.Bids[0].Deposit.Amount.AddRaw(1)
		}},
		{"bid withdraw fee in another denom", "withdraw_fee", func(t *testing.T, g *types.GenesisState) { g.Bids[0].WithdrawFee.Denom = "uatom" }},
		{"revealed price above the max", "price", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Bids, state(types.BidRevealed))
			g.Bids[i].Price.Amount = math.NewInt(1000)
		}},
		{"revealed price in another denom", "price", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidRevealed))].Price.Denom = "uatom"
		}},
		{"revealed outside the reveal phase", "reveal_height", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidRevealed))].RevealHeight = 1
		}},
		{"sealed bid with a price", "price", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidCommitted))].Price.Amount = math.OneInt()
		}},
		{"won bid on an open order", "state", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidRevealed))].State = types.BidWon
		}},
		{"returned bid on a matched order", "state", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidWon))].State = types.BidReturned
		}},
		{"forfeited bid on a cancelled order", "state", func(t *testing.T, g *types.GenesisState) {
			g.Bids[index(t, g.Bids, state(types.BidReturned))].State = types.BidForfeited
		}},
		{"lost bid on a failed order", "state", func(t *testing.T, g *types.GenesisState) {
			failed := g.Orders[index(t, g.Orders, failedOrder)].Id
			g.Bids[index(t, g.Bids, func(b types.Bid) bool { return b.OrderId == failed })].State = types.BidLost
		}},
		{"standby bid on a failed order", "state", func(t *testing.T, g *types.GenesisState) {
			failed := g.Orders[index(t, g.Orders, failedOrder)].Id
			g.Bids[index(t, g.Bids, func(b types.Bid) bool { return b.OrderId == failed })].State = types.BidStandby
		}},
		{"standby no open lease could take", "state", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Bids, state(types.BidStandby))
			g.Bids[i].Price.Amount = g.Orders[index(t, g.Orders, func(o types.Order) bool { return o.Id == g.Bids[i].OrderId })].MaxPricePerBlock.Amount
		}},
		{"bid state unknown", "state", func(t *testing.T, g *types.GenesisState) { g.Bids[0].State = 42 }},
		{"live bid of a closed order nobody sweeps", "state", func(t *testing.T, g *types.GenesisState) { g.DepositSweeps = nil }},

		{"lease id zero", "leases[0].id", func(t *testing.T, g *types.GenesisState) { g.Leases[0].Id = 0 }},
		{"lease duplicated", "leases[1].id", func(t *testing.T, g *types.GenesisState) { g.Leases[1].Id = g.Leases[0].Id }},
		{"lease of an unknown order", "leases[0].order_id", func(t *testing.T, g *types.GenesisState) { g.Leases[0].OrderId = 99 }},
		{"lease of an order that did not match", "leases[0].order_id", func(t *testing.T, g *types.GenesisState) {
			g.Leases[0].OrderId = g.Orders[index(t, g.Orders, openOrder)].Id
		}},
		{"lease owner not the order's", "leases[0].owner", func(t *testing.T, g *types.GenesisState) { g.Leases[0].Owner = g.Leases[0].Provider }},
		{"lease provider not an address", "leases[0].provider", func(t *testing.T, g *types.GenesisState) { g.Leases[0].Provider = "fog1nope" }},
		{"lease provider without a won bid", "leases[0].provider", func(t *testing.T, g *types.GenesisState) { g.Leases[0].Provider = g.Leases[0].Owner }},
		{"won bid without a lease", "bids", func(t *testing.T, g *types.GenesisState) {
			g.Leases = g.Leases[1:]
			g.StartQueue, g.EndQueue = nil, nil
		}},
		{"lease price above the clearing price", "leases[0].price_per_block", func(t *testing.T, g *types.GenesisState) {
			g.Leases[0].PricePerBlock.Amount = g.Leases[0].PricePerBlock.Amount.AddRaw(1)
		}},
		{"lease price below the winning bid (found by its bid)", "leases[0].price_per_block", func(t *testing.T, g *types.GenesisState) {
			b := g.Bids[index(t, g.Bids, func(b types.Bid) bool { return b.OrderId == g.Leases[0].OrderId && b.Provider == g.Leases[0].Provider })]
			g.Leases[0].PricePerBlock.Amount = b.Price.Amount.SubRaw(1)
		}},
		{"clearing price not the dearest lease's", "clearing_price", func(t *testing.T, g *types.GenesisState) {
			o := index(t, g.Orders, func(o types.Order) bool { return o.Id == g.Leases[0].OrderId })
			g.Orders[o].ClearingPrice.Amount = g.Orders[o].ClearingPrice.Amount.AddRaw(1)
			g.Orders[o].MaxPricePerBlock.Amount = g.Orders[o].MaxPricePerBlock.Amount.AddRaw(1)
		}},
		{"lease price below its won bid", "leases[0].price_per_block", func(t *testing.T, g *types.GenesisState) {
			g.Leases[0].PricePerBlock.Amount = math.OneInt() // its winner bid 3
		}},
		{"lease blocks above the order's", "leases[0].lease_blocks", func(t *testing.T, g *types.GenesisState) { g.Leases[0].LeaseBlocks++ }},
		{"lease of no blocks", "leases[0].lease_blocks", func(t *testing.T, g *types.GenesisState) { g.Leases[0].LeaseBlocks = 0 }},
		{"lease escrow denom", "leases[0].escrow", func(t *testing.T, g *types.GenesisState) { g.Leases[0].Escrow.Denom = "uatom" }},
		{"lease bond", "leases[0].bond", func(t *testing.T, g *types.GenesisState) {
			g.Leases[0].Bond = sdk.Coin{Denom: "!", Amount: math.OneInt()}
		}},
		{"lease created height", "leases[0].created_height", func(t *testing.T, g *types.GenesisState) { g.Leases[0].CreatedHeight = -1 }},
		{"lease start deadline", "leases[0].start_deadline", func(t *testing.T, g *types.GenesisState) {
			g.Leases[0].StartDeadline = g.Leases[0].CreatedHeight - 1
		}},
		{"pending lease that started", "start_height", func(t *testing.T, g *types.GenesisState) {
			g.Leases[index(t, g.Leases, leaseIn(types.LeasePending))].StartHeight = 5
		}},
		{"active lease end height", "end_height", func(t *testing.T, g *types.GenesisState) {
			g.Leases[index(t, g.Leases, leaseIn(types.LeaseActive))].EndHeight++
		}},
		{"active lease settled past its end", "settled_through", func(t *testing.T, g *types.GenesisState) {
			i := index(t, g.Leases, leaseIn(types.LeaseActive))
			g.Leases[i].SettledThrough = g.Leases[i].EndHeight + 1
		}},
		{"closed lease holding escrow", "escrow", func(t *testing.T, g *types.GenesisState) {
			g.Leases[index(t, g.Leases, leaseIn(types.LeaseClosed))].Escrow.Amount = math.OneInt()
		}},
		{"lease state unknown", "state", func(t *testing.T, g *types.GenesisState) { g.Leases[0].State = 9 }},
		{"lease close reason unknown", "close_reason", func(t *testing.T, g *types.GenesisState) { g.Leases[0].CloseReason = 99 }},

		{"missing settlement entry", "settlement_queue", func(t *testing.T, g *types.GenesisState) { g.SettlementQueue = nil }},
		{"settlement entry at the wrong height", "settlement_queue[0]", func(t *testing.T, g *types.GenesisState) { g.SettlementQueue[0].Height++ }},
		{"end entry at the wrong height", "end_queue[0]", func(t *testing.T, g *types.GenesisState) { g.EndQueue[0].Height++ }},
		{"start entry duplicated", "start_queue", func(t *testing.T, g *types.GenesisState) { g.StartQueue = append(g.StartQueue, g.StartQueue[0]) }},

		{"band tier", "price_bands[0].tier", func(t *testing.T, g *types.GenesisState) { g.PriceBands[0].Tier = 0 }},
		{"band denom", "price_bands[0].denom", func(t *testing.T, g *types.GenesisState) { g.PriceBands[0].Denom = "!" }},
		{"band duplicated", "duplicate band", func(t *testing.T, g *types.GenesisState) { g.PriceBands = append(g.PriceBands, g.PriceBands[0]) }},
		{"band price negative", "price_bands[0].price_per_mcpu_block", func(t *testing.T, g *types.GenesisState) {
			g.PriceBands[0].PricePerMcpuBlock = math.LegacyNewDec(-1)
		}},
		{"band without samples", "price_bands[0].samples", func(t *testing.T, g *types.GenesisState) { g.PriceBands[0].Samples = 0 }},
		{"band updated height", "price_bands[0].updated_height", func(t *testing.T, g *types.GenesisState) { g.PriceBands[0].UpdatedHeight = -1 }},

		{"sweep of an unknown order", "deposit_sweeps[0].order_id", func(t *testing.T, g *types.GenesisState) { g.DepositSweeps[0].OrderId = 99 }},
		{"sweep of an open order", "deposit_sweeps[0].order_id", func(t *testing.T, g *types.GenesisState) {
			g.DepositSweeps[0].OrderId = g.Orders[index(t, g.Orders, openOrder)].Id
		}},
		{"sweep twice", "deposit_sweeps[1].order_id", func(t *testing.T, g *types.GenesisState) {
			g.DepositSweeps = append(g.DepositSweeps, g.DepositSweeps[0])
		}},
		{"sweep height", "deposit_sweeps[0].height", func(t *testing.T, g *types.GenesisState) { g.DepositSweeps[0].Height = -1 }},
		{"sweep cursor not an address", "deposit_sweeps[0].after", func(t *testing.T, g *types.GenesisState) { g.DepositSweeps[0].After = "nope" }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var g types.GenesisState
			bz, err := base.Marshal()
			require.NoError(t, err)
			require.NoError(t, g.Unmarshal(bz))
			tc.mutate(t, &g)
			err = g.Validate()
			require.Error(t, err)
			require.Contains(t, err.Error(), tc.field)
		})
	}
}
