package keeper_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktestutil "github.com/cosmos/cosmos-sdk/x/bank/testutil"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/paramsgen"
	"github.com/fogchain/fog/x/market/types"
)

// edgeUint draws a value in [lo, hi], often one of its ends.
func edgeUint(rt *rapid.T, name string, lo, hi uint64) uint64 {
	switch rapid.IntRange(0, 3).Draw(rt, name+"Edge") {
	case 0:
		return lo
	case 1:
		return hi
	}
	return rapid.Uint64Range(lo, hi).Draw(rt, name)
}

func edgeAmount(rt *rapid.T, name string, lo, hi math.Int) math.Int {
	switch rapid.IntRange(0, 3).Draw(rt, name+"Edge") {
	case 0:
		return lo
	case 1:
		return hi
	}
	span := hi.Sub(lo)
	frac := rapid.Uint64Range(0, 1<<20).Draw(rt, name)
	return lo.Add(span.Mul(math.NewIntFromUint64(frac)).Quo(math.NewInt(1 << 20)))
}

func edgeDec(rt *rapid.T, name string, lo, hi math.LegacyDec) math.LegacyDec {
	switch rapid.IntRange(0, 3).Draw(rt, name+"Edge") {
	case 0:
		return lo
	case 1:
		return hi
	}
	frac := math.LegacyNewDec(rapid.Int64Range(0, 1<<20).Draw(rt, name)).QuoInt64(1 << 20)
	return lo.Add(hi.Sub(lo).Mul(frac))
}

// drawParams draws market params from the ranges Params.Validate accepts, ends included.
func drawParams(rt *rapid.T) types.Params {
	coin := func(name string, lo math.Int) sdk.Coin {
		return sdk.NewCoin(fixture.Denom, edgeAmount(rt, name, lo, types.MaxCoinAmount))
	}
	p := types.Params{
		BidDeposit:      coin("deposit", math.OneInt()),
		ProviderBond:    coin("bond", math.OneInt()),
		MaxBidsPerOrder: uint32(edgeUint(rt, "maxBids", types.MaxReplicas, types.MaxBidsPerOrderLimit)),
		MaxWorkPerBlock: uint32(edgeUint(rt, "work", 1, types.MaxWorkPerBlockLimit)),
		EmaWeight:       edgeDec(rt, "ema", math.LegacySmallestDec(), math.LegacyOneDec()),
	}
	p.WithdrawFee = sdk.NewCoin(fixture.Denom, edgeAmount(rt, "fee", math.ZeroInt(), p.BidDeposit.Amount))
	for _, b := range []struct {
		name     string
		min, max *uint64
	}{{"commit", &p.MinCommitBlocks, &p.MaxCommitBlocks}, {"reveal", &p.MinRevealBlocks, &p.MaxRevealBlocks}, {"lease", &p.MinLeaseBlocks, &p.MaxLeaseBlocks}} {
		*b.min = edgeUint(rt, "min"+b.name, 1, types.MaxBlocks)
		*b.max = edgeUint(rt, "max"+b.name, *b.min, types.MaxBlocks)
	}
	p.StartTimeoutBlocks = edgeUint(rt, "startTimeout", 1, types.MaxBlocks)
	p.WithdrawLockBlocks = edgeUint(rt, "lock", 0, p.MaxCommitBlocks)
	for _, tp := range []*types.TierParams{&p.Bronze, &p.Silver, &p.Gold} {
		tp.Replicas = uint32(edgeUint(rt, "replicas", 1, types.MaxReplicas))
		tp.Multiplier = edgeDec(rt, "multiplier", types.MinMultiplier, types.MaxMultiplier)
	}
	p.MaxAttributes = uint32(edgeUint(rt, "maxAttrs", 1, types.MaxListBound))
	p.MaxAttributeBytes = uint32(edgeUint(rt, "maxAttrBytes", 1, types.MaxListBound))
	p.MaxMultiaddrs = uint32(edgeUint(rt, "maxAddrs", 1, types.MaxListBound))
	p.MaxMultiaddrBytes = uint32(edgeUint(rt, "maxAddrBytes", 1, types.MaxListBound))
	return p
}

// No keeper path panics under params validation accepts: random valid params (their ends
// included), orders at the extremes they allow, random commits, reveals, withdrawals, lease starts
// and closes, and EndBlock at every deadline, with the money invariants checked throughout.
func TestMarketNeverPanicsUnderValidParams(t *testing.T) {
	base := fixture.New(t)
	rapid.Check(t, func(rt *rapid.T) {
		f := base.Fork()
		p := drawParams(rt)
		require.NoError(rt, p.Validate())
		f.SetParams(rt, func(q *types.Params) { *q = p })
		// settlement ranks equal bids by reputation, and commits check tiers: any valid reputation
		// params too
		rp := paramsgen.Reputation().Draw(rt, "reputation")
		require.NoError(rt, rp.Validate())
		require.NoError(rt, f.Reputation.Params.Set(f.Ctx, rp))
		rich := func() sdk.AccAddress {
			a := f.NewAccount(rt, 0)
			require.NoError(rt, banktestutil.FundAccount(f.Ctx, f.Bank, a, sdk.NewCoins(sdk.NewCoin(fixture.Denom, math.NewIntWithDecimal(1, 50)))))
			return a
		}
		owner := rich()
		providers := make([]sdk.AccAddress, rapid.IntRange(1, 5).Draw(rt, "providers"))
		for i := range providers {
			providers[i] = rich()
			reg := fixture.RegisterMsg(providers[i])
			reg.Multiaddrs, reg.Attributes = nil, nil // the bounds may allow none
			_, err := f.Msg.RegisterProvider(f.Ctx, reg)
			require.NoError(rt, err)
		}
		msg := fixture.OrderMsg(owner)
		msg.Tier = types.Tier(rapid.Int32Range(1, 3).Draw(rt, "tier"))
		msg.MaxPricePerBlock = sdk.NewCoin(fixture.Denom, edgeAmount(rt, "maxPrice", math.OneInt(), types.MaxCoinAmount))
		msg.LeaseBlocks = edgeUint(rt, "leaseBlocks", p.MinLeaseBlocks, p.MaxLeaseBlocks)
		msg.CommitBlocks = edgeUint(rt, "commitBlocks", p.MinCommitBlocks, p.MaxCommitBlocks)
		msg.RevealBlocks = edgeUint(rt, "revealBlocks", p.MinRevealBlocks, p.MaxRevealBlocks)
		msg.Resources.CpuMillicores = edgeUint(rt, "cpu", 1, types.MaxResource)
		o := f.CreateOrder(rt, msg)

		var sealed []fixture.SealedBid
		for _, pr := range providers {
			if rapid.Bool().Draw(rt, "commit") && uint32(len(sealed)) < p.MaxBidsPerOrder {
				price := edgeAmount(rt, "price", math.OneInt(), msg.MaxPricePerBlock.Amount)
				s := fixture.SealedBid{Provider: pr, Price: sdk.NewCoin(fixture.Denom, price), Salt: make([]byte, types.SaltSize)}
				_, err := f.Msg.CommitBid(f.Ctx, &types.MsgCommitBid{Provider: pr.String(), OrderId: o.Id,
					Commitment: types.BidCommitment(o.Id, pr, s.Price, s.Salt)})
				require.NoError(rt, err)
				sealed = append(sealed, s)
			}
		}
		if len(sealed) > 0 && o.WithdrawDeadline >= f.Height() && rapid.Bool().Draw(rt, "withdraw") {
			_, err := f.Msg.WithdrawBid(f.Ctx, &types.MsgWithdrawBid{Provider: sealed[0].Provider.String(), OrderId: o.Id})
			require.NoError(rt, err)
			sealed = sealed[1:]
		}
		f.CheckInvariants(rt)
		f.SetHeight(o.CommitDeadline + 1)
		for _, s := range sealed {
			if rapid.Bool().Draw(rt, "reveal") {
				f.Reveal(rt, o.Id, s)
			}
		}
		f.SetHeight(o.RevealDeadline)
		drain := func() {
			for i := 0; i < 10_000; i++ {
				h, err := f.Keeper.Holdings(f.Ctx)
				require.NoError(rt, err)
				require.NoError(rt, f.Keeper.EndBlocker(f.Ctx))
				f.CheckInvariants(rt)
				f.SetHeight(f.Height() + 1)
				if h.OpenOrders == 0 && h.DepositSweeps == 0 {
					return
				}
			}
			rt.Fatal("the queues never drained")
		}
		drain()
		_, err := f.Query.Quote(f.Ctx, &types.QueryQuoteRequest{CpuMillicores: edgeUint(rt, "quoteCpu", 1, types.MaxResource), Tier: msg.Tier,
			LeaseBlocks: edgeUint(rt, "quoteBlocks", 0, types.MaxBlocks)})
		if err != nil {
			require.ErrorContains(rt, err, "overflow")
		}
		for _, l := range f.LeasesOf(rt, o.Id) {
			if l.State == types.LeasePending && f.Height() <= l.StartDeadline && rapid.Bool().Draw(rt, "start") {
				_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: l.Provider, LeaseId: l.Id})
				require.NoError(rt, err)
			}
		}
		f.SetHeight(f.Height() + int64(edgeUint(rt, "run", 0, msg.LeaseBlocks)))
		for _, l := range f.LeasesOf(rt, o.Id) {
			if l = f.Lease(rt, l.Id); l.State == types.LeaseActive {
				switch rapid.IntRange(0, 2).Draw(rt, "leaseAction") {
				case 0:
					_, err := f.Msg.WithdrawLease(f.Ctx, &types.MsgWithdrawLease{Provider: l.Provider, LeaseId: l.Id})
					require.NoError(rt, err)
				case 1:
					_, err := f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: l.Owner, LeaseId: l.Id})
					require.NoError(rt, err)
				}
			}
		}
		f.SetHeight(f.Height() + int64(msg.LeaseBlocks) + int64(p.StartTimeoutBlocks))
		require.NoError(rt, f.Keeper.EndBlocker(f.Ctx))
		f.CheckInvariants(rt)
	})
}
