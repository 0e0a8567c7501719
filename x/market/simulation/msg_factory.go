package simulation

import (
	"bytes"
	"context"
	"crypto/sha256"

	"cosmossdk.io/collections"
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/testutil/simfog"
	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
)

// Percentages of deliberately invalid messages.
const (
	invalidPercent = 10
	// unrevealedPercent of committed bids are never revealed, so that deposits get forfeited.
	unrevealedPercent = 15
)

// bidKey names a bid: its order and its provider's address.
type bidKey struct {
	order    uint64
	provider string
}

// sealedBid is what a simulated provider keeps secret between commit and reveal.
type sealedBid struct {
	price sdk.Coin
	salt  []byte
}

// Factories builds the market's message factories. It remembers the price and salt of every bid
// it committed (by order and provider), as a worker keeps them on disk, so that the reveal factory
// can open them; one Factories serves one simulation run.
type Factories struct {
	k    keeper.Keeper
	bids map[bidKey]sealedBid
}

// NewFactories returns the market's factories over k.
func NewFactories(k keeper.Keeper) *Factories {
	return &Factories{k: k, bids: map[bidKey]sealedBid{}}
}

// expectOK is the result handler of a message built to succeed.
var expectOK simsx.SimDeliveryResultHandler

func height(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }

func (f *Factories) params(ctx context.Context, reporter simsx.SimulationReporter) (types.Params, bool) {
	p, err := f.k.Params.Get(ctx)
	if err != nil {
		reporter.Skipf("market params: %s", err)
		return p, false
	}
	return p, true
}

// providers lists the registered providers' addresses, in key order.
func (f *Factories) providers(ctx context.Context) []sdk.AccAddress {
	var out []sdk.AccAddress
	_ = f.k.Providers.Walk(ctx, nil, func(a sdk.AccAddress, _ types.Provider) (bool, error) {
		out = append(out, a)
		return false, nil
	})
	return out
}

// orders lists the orders in state that satisfy keep, in id order.
func (f *Factories) orders(ctx context.Context, state types.OrderState, keep func(types.Order) bool) []types.Order {
	var out []types.Order
	it, err := f.k.Orders.Indexes.State.MatchExact(ctx, int32(state))
	if err != nil {
		return nil
	}
	ids, err := it.PrimaryKeys()
	if err != nil {
		return nil
	}
	for _, id := range ids {
		if o, err := f.k.Orders.Get(ctx, id); err == nil && (keep == nil || keep(o)) {
			out = append(out, o)
		}
	}
	return out
}

// leases lists the leases in state, in id order.
func (f *Factories) leases(ctx context.Context, state types.LeaseState) []types.Lease {
	var out []types.Lease
	it, err := f.k.Leases.Indexes.State.MatchExact(ctx, int32(state))
	if err != nil {
		return nil
	}
	ids, err := it.PrimaryKeys()
	if err != nil {
		return nil
	}
	for _, id := range ids {
		if l, err := f.k.Leases.Get(ctx, id); err == nil {
			out = append(out, l)
		}
	}
	return out
}

// bidsOn lists an order's bids, in provider order.
func (f *Factories) bidsOn(ctx context.Context, orderID uint64) []types.Bid {
	var out []types.Bid
	_ = f.k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, sdk.AccAddress](orderID), func(_ keeper.BidKey, b types.Bid) (bool, error) {
		out = append(out, b)
		return false, nil
	})
	return out
}

// busy is whether a provider has a bid that holds a deposit (a standby's included) or an
// unfinished lease: what keeps it from deregistering.
func (f *Factories) busy(ctx context.Context, provider sdk.AccAddress) bool {
	for _, s := range []types.BidState{types.BidCommitted, types.BidRevealed, types.BidStandby} {
		it, err := f.k.Bids.Indexes.ProviderState.MatchExact(ctx, collections.Join(provider, int32(s)))
		if err != nil {
			return true
		}
		keys, err := it.PrimaryKeys()
		if err != nil || len(keys) > 0 {
			return true
		}
	}
	for _, s := range []types.LeaseState{types.LeasePending, types.LeaseActive} {
		it, err := f.k.Leases.Indexes.ProviderState.MatchExact(ctx, collections.Join(provider, int32(s)))
		if err != nil {
			return true
		}
		ids, err := it.PrimaryKeys()
		if err != nil || len(ids) > 0 {
			return true
		}
	}
	return false
}

// hasActiveTeeLease is whether the provider's worker key is pinned by an active lease of a TEE order.
func (f *Factories) hasActiveTeeLease(ctx context.Context, provider sdk.AccAddress) bool {
	ids, err := f.k.ActiveTeeLeases(ctx, provider)
	return err != nil || len(ids) > 0
}

// attested is nil if the provider passes the TEE check of order o (its enclave record of the order's
// TEE type binds its registered worker key), or ErrNotAttested.
func (f *Factories) attested(ctx context.Context, o types.Order, provider sdk.AccAddress) error {
	if !o.TeeRequired {
		return nil
	}
	p, err := f.k.Providers.Get(ctx, provider)
	if err != nil {
		return types.ErrProviderNotFound
	}
	key, err := f.k.Tee().AttestedWorkerKey(ctx, provider, o.TeeType)
	if err != nil || !bytes.Equal(key, p.WorkerPubkey) {
		return types.ErrNotAttested
	}
	return nil
}

func randomResources(r *simsx.XRand) types.Resources {
	return types.Resources{
		CpuMillicores: uint64(r.Intn(8000) + 1), MemoryMib: uint64(r.Intn(16_384) + 1),
		StorageMib: uint64(r.Intn(100_000)), Gpus: uint32(r.Intn(2)),
	}
}

func providerMsg(acc simsx.SimAccount, r *simsx.XRand) (peerID string, addrs []string, key []byte, capacity types.Resources, attrs []types.Attribute) {
	addrs = []string{"/ip4/127.0.0.1/tcp/" + itoa(4000+r.Intn(1000))}
	attrs = []types.Attribute{{Key: "region", Value: simfog.Pick(r, []string{"eu", "us", "ap"})}}
	return simfog.PeerID(acc.Address), addrs, simfog.WorkerPubkey(acc.Address), randomResources(r), attrs
}

func itoa(i int) string { return math.NewInt(int64(i)).String() }

// MsgRegisterProviderFactory registers an account that is not a provider yet with its derived worker
// key, locking the bond; invalid: registering twice (ErrProviderExists) or an unparseable peer id
// (ErrInvalidPeerID).
func (f *Factories) MsgRegisterProviderFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgRegisterProvider] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterProvider, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		p, ok := f.params(ctx, reporter)
		if !ok {
			return nil, nil, nil
		}
		if providers := f.providers(ctx); len(providers) > 0 && simfog.Percent(r, invalidPercent) {
			acc := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, providers))
			peerID, addrs, key, capacity, attrs := providerMsg(acc, r)
			return []simsx.SimAccount{acc}, &types.MsgRegisterProvider{Owner: acc.AddressBech32, PeerId: peerID, Multiaddrs: addrs,
				WorkerPubkey: key, Capacity: capacity, Attributes: attrs}, simfog.ExpectError(types.ErrProviderExists)
		}
		newProvider := simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
			has, err := f.k.Providers.Has(ctx, a.Address)
			return err == nil && !has
		})
		var acc simsx.SimAccount
		if simfog.Percent(r, 50) {
			// half the registrations are workers that run in a TEE, so that TEE orders find bidders
			acc = testData.AnyAccountN(40, reporter, simsx.WithLiquidBalanceGTE(p.ProviderBond), newProvider,
				simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool { return simfog.TeeCapable(a.Address) }))
		} else {
			acc = testData.AnyAccount(reporter, simsx.WithLiquidBalanceGTE(p.ProviderBond), newProvider)
		}
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		peerID, addrs, key, capacity, attrs := providerMsg(acc, r)
		msg := &types.MsgRegisterProvider{Owner: acc.AddressBech32, PeerId: peerID, Multiaddrs: addrs, WorkerPubkey: key, Capacity: capacity, Attributes: attrs}
		if simfog.Percent(r, invalidPercent) {
			msg.PeerId = "not-a-peer-id"
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrInvalidPeerID)
		}
		if !acc.LiquidBalance().BlockAmount(p.ProviderBond) {
			reporter.Skip("cannot afford the provider bond")
			return nil, nil, nil
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgUpdateProviderFactory updates a provider's peer data and capacity, keeping its worker key;
// invalid: a bad multiaddr (ErrInvalidMultiaddr), an unregistered account (ErrProviderNotFound), or
// a worker-key change while an active TEE lease pins it (ErrWorkerKeyPinned).
func (f *Factories) MsgUpdateProviderFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgUpdateProvider] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateProvider, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		if simfog.Percent(r, invalidPercent/2) {
			acc := testData.AnyAccount(reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
				has, err := f.k.Providers.Has(ctx, a.Address)
				return err == nil && !has
			}))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			peerID, addrs, key, capacity, attrs := providerMsg(acc, r)
			return []simsx.SimAccount{acc}, &types.MsgUpdateProvider{Owner: acc.AddressBech32, PeerId: peerID, Multiaddrs: addrs,
				WorkerPubkey: key, Capacity: capacity, Attributes: attrs}, simfog.ExpectError(types.ErrProviderNotFound)
		}
		providers := f.providers(ctx)
		if len(providers) == 0 {
			reporter.Skip("no provider")
			return nil, nil, nil
		}
		acc := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, providers))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		peerID, addrs, key, capacity, attrs := providerMsg(acc, r)
		msg := &types.MsgUpdateProvider{Owner: acc.AddressBech32, PeerId: peerID, Multiaddrs: addrs, WorkerPubkey: key, Capacity: capacity, Attributes: attrs}
		switch {
		case f.hasActiveTeeLease(ctx, acc.Address) && simfog.Percent(r, 50):
			other := sha256.Sum256(key)
			msg.WorkerPubkey = other[:]
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrWorkerKeyPinned)
		case simfog.Percent(r, invalidPercent/2):
			msg.Multiaddrs = []string{"/not/a/multiaddr"}
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrInvalidMultiaddr)
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgDeregisterProviderFactory removes a provider and returns its bond when it has no live bid and
// no unfinished lease; otherwise it expects ErrProviderBusy.
func (f *Factories) MsgDeregisterProviderFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgDeregisterProvider] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeregisterProvider, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		providers := f.providers(ctx)
		if len(providers) == 0 {
			reporter.Skip("no provider")
			return nil, nil, nil
		}
		acc := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, providers))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgDeregisterProvider{Owner: acc.AddressBech32}
		if f.busy(ctx, acc.Address) {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrProviderBusy)
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgCreateOrderFactory posts an order with random resources, tier and privacy, a fifth of them
// requiring a simulated TEE, escrowing max price × lease blocks × replicas; invalid: no cpu
// (ErrInvalidResources) or a commit phase shorter than the params allow (ErrBlocksOutOfBounds).
func (f *Factories) MsgCreateOrderFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgCreateOrder] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCreateOrder, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		p, ok := f.params(ctx, reporter)
		if !ok {
			return nil, nil, nil
		}
		denom := p.BidDeposit.Denom
		span := func(lo, hi uint64) uint64 { return lo + uint64(r.Int63n(int64(hi-lo)+1)) }
		tier := types.Tier(r.Intn(3) + 1)
		tp, _ := p.Tier(tier)
		msg := &types.MsgCreateOrder{
			Resources: randomResources(r), Tier: tier, Privacy: types.Privacy(r.Intn(2) + 1),
			WorkloadHash: bytes.Repeat([]byte{byte(r.Intn(256))}, types.WorkloadHashSize),
			LeaseBlocks:  span(p.MinLeaseBlocks, p.MaxLeaseBlocks), CommitBlocks: span(p.MinCommitBlocks, p.MaxCommitBlocks),
			RevealBlocks: span(p.MinRevealBlocks, p.MaxRevealBlocks), MaxPricePerBlock: sdk.NewInt64Coin(denom, int64(r.Intn(1000)+1)),
		}
		if simfog.Percent(r, 20) {
			msg.TeeRequired, msg.TeeType = true, fogtypes.TeeTypeSimulated
			if simfog.Percent(r, 50) {
				msg.Privacy = types.PrivacyConfidential
			}
		}
		if simfog.Percent(r, 10) {
			msg.MinReputationTier = fogtypes.ReputationTier(r.Intn(5) + 1)
		}
		escrow := sdk.NewCoin(denom, msg.MaxPricePerBlock.Amount.MulRaw(int64(msg.LeaseBlocks)).MulRaw(int64(tp.Replicas)))
		acc := testData.AnyAccount(reporter, simsx.WithLiquidBalanceGTE(escrow))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg.Owner = acc.AddressBech32
		if simfog.Percent(r, invalidPercent) {
			if p.MinCommitBlocks > 1 && simfog.Percent(r, 50) {
				msg.CommitBlocks = p.MinCommitBlocks - 1
				return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrBlocksOutOfBounds)
			}
			msg.Resources.CpuMillicores = 0
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrInvalidResources)
		}
		if !acc.LiquidBalance().BlockAmount(escrow) {
			reporter.Skip("cannot afford the escrow")
			return nil, nil, nil
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgCancelOrderFactory cancels an open order, by its owner, during its commit phase; past it, it
// expects ErrCancelTooLate; invalid: another account (ErrUnauthorized).
func (f *Factories) MsgCancelOrderFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgCancelOrder] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelOrder, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		open := f.orders(ctx, types.OrderOpen, nil)
		if len(open) == 0 {
			reporter.Skip("no open order")
			return nil, nil, nil
		}
		o := simfog.Pick(r, open)
		owner := testData.GetAccount(reporter, o.Owner)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgCancelOrder{Owner: o.Owner, OrderId: o.Id}
		if simfog.Percent(r, invalidPercent) {
			other := testData.AnyAccount(reporter, simsx.ExcludeAccounts(owner))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			msg.Owner = other.AddressBech32
			return []simsx.SimAccount{other}, msg, simfog.ExpectError(types.ErrUnauthorized)
		}
		if height(ctx) > o.CommitDeadline {
			return []simsx.SimAccount{owner}, msg, simfog.ExpectError(types.ErrCancelTooLate)
		}
		return []simsx.SimAccount{owner}, msg, expectOK
	})
}

// MsgCommitBidFactory seals a random price at most the order's max price for a registered provider
// on an order in its commit phase, and keeps the salt for the reveal. The expected outcome follows
// the msg server's checks in order: the order's minimum reputation tier (ErrReputationTooLow), its
// TEE requirement (ErrNotAttested), a full order (ErrTooManyBids); invalid: a malformed commitment
// (ErrInvalidCommitment), a second bid (ErrDuplicateBid), a bid on one's own order (ErrSelfBid) or
// after the commit phase (ErrCommitPhaseOver).
func (f *Factories) MsgCommitBidFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgCommitBid] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCommitBid, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		h := height(ctx)
		p, ok := f.params(ctx, reporter)
		if !ok {
			return nil, nil, nil
		}
		providers := f.providers(ctx)
		if len(providers) == 0 {
			reporter.Skip("no provider")
			return nil, nil, nil
		}
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && simfog.Percent(r, 25) {
			late := f.orders(ctx, types.OrderOpen, func(o types.Order) bool { return h > o.CommitDeadline })
			if len(late) > 0 {
				o := simfog.Pick(r, late)
				acc := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, providers))
				if reporter.IsSkipped() {
					return nil, nil, nil
				}
				return []simsx.SimAccount{acc}, &types.MsgCommitBid{Provider: acc.AddressBech32, OrderId: o.Id, Commitment: make([]byte, types.CommitmentSize)},
					simfog.ExpectError(types.ErrCommitPhaseOver)
			}
		}
		open := f.orders(ctx, types.OrderOpen, func(o types.Order) bool { return h <= o.CommitDeadline })
		if len(open) == 0 {
			reporter.Skip("no order in its commit phase")
			return nil, nil, nil
		}
		o := simfog.Pick(r, open)
		if o.TeeRequired && simfog.Percent(r, 80) {
			// mostly, as a worker's bid engine does, a provider attested for the order; else one that
			// runs its worker in a TEE (x/tee's simulation attests those)
			var attested, capable []sdk.AccAddress
			for _, a := range providers {
				if simfog.TeeCapable(a) {
					capable = append(capable, a)
					if f.attested(ctx, o, a) == nil {
						attested = append(attested, a)
					}
				}
			}
			switch {
			case len(attested) > 0:
				providers = attested
			case len(capable) > 0:
				providers = capable
			}
		}
		acc := testData.GetAccountbyAccAddr(reporter, simfog.Pick(r, providers))
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		price := sdk.NewCoin(o.MaxPricePerBlock.Denom, math.NewInt(r.Int63n(o.MaxPricePerBlock.Amount.Int64())+1))
		salt := make([]byte, types.SaltSize)
		_, _ = r.Read(salt)
		msg := &types.MsgCommitBid{Provider: acc.AddressBech32, OrderId: o.Id, Commitment: types.BidCommitment(o.Id, acc.Address, price, salt)}
		if invalid && simfog.Percent(r, 30) {
			msg.Commitment = msg.Commitment[:16]
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrInvalidCommitment)
		}
		// the msg server's checks, in its order
		var want error
		switch {
		case acc.AddressBech32 == o.Owner:
			want = types.ErrSelfBid
		case o.MinReputationTier != fogtypes.TierUnspecified:
			tier, err := f.k.Reputation().TierOf(ctx, acc.Address)
			if err != nil {
				reporter.Skipf("reputation tier: %s", err)
				return nil, nil, nil
			}
			if tier < o.MinReputationTier {
				want = types.ErrReputationTooLow
			}
		}
		if want == nil {
			want = f.attested(ctx, o, acc.Address)
		}
		if want == nil {
			has, err := f.k.Bids.Has(ctx, collections.Join(o.Id, acc.Address))
			switch {
			case err != nil:
				reporter.Skipf("bid: %s", err)
				return nil, nil, nil
			case has:
				want = types.ErrDuplicateBid
			case o.BidCount >= p.MaxBidsPerOrder:
				want = types.ErrTooManyBids
			}
		}
		if want != nil {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(want)
		}
		if !acc.LiquidBalance().BlockAmount(p.BidDeposit) {
			reporter.Skip("cannot afford the bid deposit")
			return nil, nil, nil
		}
		f.bids[bidKey{o.Id, acc.AddressBech32}] = sealedBid{price: price, salt: salt}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgRevealBidFactory opens a committed bid, with the kept price and salt, during its order's reveal
// phase; some bids are left unrevealed (their deposits get burned); invalid: a wrong salt
// (ErrCommitmentMismatch), a price above the max (ErrPriceAboveMax), or a reveal outside the phase
// (ErrNotRevealPhase).
func (f *Factories) MsgRevealBidFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgRevealBid] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevealBid, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		h := height(ctx)
		type candidate struct {
			o      types.Order
			b      types.Bid
			sealed sealedBid
		}
		var inPhase, early []candidate
		for _, o := range f.orders(ctx, types.OrderOpen, nil) {
			for _, b := range f.bidsOn(ctx, o.Id) {
				sealed, ok := f.bids[bidKey{o.Id, b.Provider}]
				if !ok || b.State != types.BidCommitted {
					continue
				}
				if h > o.CommitDeadline && h <= o.RevealDeadline {
					inPhase = append(inPhase, candidate{o, b, sealed})
				} else if h <= o.CommitDeadline {
					early = append(early, candidate{o, b, sealed})
				}
			}
		}
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && len(early) > 0 && simfog.Percent(r, 30) {
			c := simfog.Pick(r, early)
			acc := testData.GetAccount(reporter, c.b.Provider)
			return []simsx.SimAccount{acc}, &types.MsgRevealBid{Provider: c.b.Provider, OrderId: c.o.Id, Price: c.sealed.price, Salt: c.sealed.salt},
				simfog.ExpectError(types.ErrNotRevealPhase)
		}
		if len(inPhase) == 0 {
			reporter.Skip("no sealed bid to reveal")
			return nil, nil, nil
		}
		c := simfog.Pick(r, inPhase)
		acc := testData.GetAccount(reporter, c.b.Provider)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgRevealBid{Provider: c.b.Provider, OrderId: c.o.Id, Price: c.sealed.price, Salt: c.sealed.salt}
		if invalid {
			if simfog.Percent(r, 50) {
				msg.Salt = bytes.Repeat([]byte{0x5a}, types.SaltSize)
				return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrCommitmentMismatch)
			}
			msg.Price = sdk.NewCoin(c.o.MaxPricePerBlock.Denom, c.o.MaxPricePerBlock.Amount.AddRaw(1))
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrPriceAboveMax)
		}
		// a worker that crashed without its secrets: the deposit will be forfeited
		if simfog.Percent(r, unrevealedPercent) {
			delete(f.bids, bidKey{c.o.Id, c.b.Provider})
			reporter.Skip("this bid stays unrevealed")
			return nil, nil, nil
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgWithdrawBidFactory withdraws a bid from an open order; the outcome follows the order's phase:
// accepted up to the withdraw deadline, then ErrWithdrawLocked, then ErrCommitPhaseOver; invalid: an
// account without a bid on the order (ErrBidNotFound).
func (f *Factories) MsgWithdrawBidFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgWithdrawBid] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawBid, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		h := height(ctx)
		withBids := f.orders(ctx, types.OrderOpen, func(o types.Order) bool { return o.BidCount > 0 })
		if len(withBids) == 0 {
			reporter.Skip("no open order with bids")
			return nil, nil, nil
		}
		o := simfog.Pick(r, withBids)
		bids := f.bidsOn(ctx, o.Id)
		if simfog.Percent(r, invalidPercent) && h <= o.WithdrawDeadline {
			acc := testData.AnyAccount(reporter, simsx.SimAccountFilterFn(func(a simsx.SimAccount) bool {
				has, err := f.k.Bids.Has(ctx, collections.Join(o.Id, a.Address))
				return err == nil && !has
			}))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{acc}, &types.MsgWithdrawBid{Provider: acc.AddressBech32, OrderId: o.Id}, simfog.ExpectError(types.ErrBidNotFound)
		}
		b := simfog.Pick(r, bids)
		acc := testData.GetAccount(reporter, b.Provider)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgWithdrawBid{Provider: b.Provider, OrderId: o.Id}
		switch {
		case h > o.CommitDeadline:
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrCommitPhaseOver)
		case h > o.WithdrawDeadline:
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrWithdrawLocked)
		}
		delete(f.bids, bidKey{o.Id, b.Provider})
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgStartLeaseFactory starts a pending lease by its provider before the start deadline (a TEE
// order's provider must still be attested: ErrNotAttested otherwise; past the deadline
// ErrStartDeadlinePassed); invalid: another account (ErrUnauthorized), or a lease that already
// started (ErrLeaseNotPending).
func (f *Factories) MsgStartLeaseFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgStartLease] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgStartLease, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && simfog.Percent(r, 50) {
			if active := f.leases(ctx, types.LeaseActive); len(active) > 0 {
				l := simfog.Pick(r, active)
				acc := testData.GetAccount(reporter, l.Provider)
				return []simsx.SimAccount{acc}, &types.MsgStartLease{Provider: l.Provider, LeaseId: l.Id}, simfog.ExpectError(types.ErrLeaseNotPending)
			}
		}
		pending := f.leases(ctx, types.LeasePending)
		if len(pending) == 0 {
			reporter.Skip("no pending lease")
			return nil, nil, nil
		}
		l := simfog.Pick(r, pending)
		acc := testData.GetAccount(reporter, l.Provider)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		msg := &types.MsgStartLease{Provider: l.Provider, LeaseId: l.Id}
		if invalid {
			other := testData.AnyAccount(reporter, simsx.ExcludeAccounts(acc))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			msg.Provider = other.AddressBech32
			return []simsx.SimAccount{other}, msg, simfog.ExpectError(types.ErrUnauthorized)
		}
		if height(ctx) > l.StartDeadline {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(types.ErrStartDeadlinePassed)
		}
		o, err := f.k.Orders.Get(ctx, l.OrderId)
		if err != nil {
			reporter.Skipf("order %d: %s", l.OrderId, err)
			return nil, nil, nil
		}
		if err := f.attested(ctx, o, acc.Address); err != nil {
			return []simsx.SimAccount{acc}, msg, simfog.ExpectError(err)
		}
		return []simsx.SimAccount{acc}, msg, expectOK
	})
}

// MsgWithdrawLeaseFactory withdraws what an active lease has accrued, by its provider; invalid: a
// lease that is not active (ErrLeaseNotActive).
func (f *Factories) MsgWithdrawLeaseFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgWithdrawLease] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawLease, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		if simfog.Percent(r, invalidPercent) {
			if closed := f.leases(ctx, types.LeaseClosed); len(closed) > 0 {
				l := simfog.Pick(r, closed)
				acc := testData.GetAccount(reporter, l.Provider)
				return []simsx.SimAccount{acc}, &types.MsgWithdrawLease{Provider: l.Provider, LeaseId: l.Id}, simfog.ExpectError(types.ErrLeaseNotActive)
			}
		}
		active := f.leases(ctx, types.LeaseActive)
		if len(active) == 0 {
			reporter.Skip("no active lease")
			return nil, nil, nil
		}
		l := simfog.Pick(r, active)
		acc := testData.GetAccount(reporter, l.Provider)
		return []simsx.SimAccount{acc}, &types.MsgWithdrawLease{Provider: l.Provider, LeaseId: l.Id}, expectOK
	})
}

// MsgCloseLeaseFactory closes a pending or active lease, by its owner or (bond burned) its provider;
// invalid: a third account (ErrUnauthorized) or a closed lease (ErrLeaseClosed).
func (f *Factories) MsgCloseLeaseFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgCloseLease] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCloseLease, simsx.SimDeliveryResultHandler) {
		r := testData.Rand()
		invalid := simfog.Percent(r, invalidPercent)
		if invalid && simfog.Percent(r, 50) {
			if closed := f.leases(ctx, types.LeaseClosed); len(closed) > 0 {
				l := simfog.Pick(r, closed)
				acc := testData.GetAccount(reporter, l.Owner)
				return []simsx.SimAccount{acc}, &types.MsgCloseLease{Sender: l.Owner, LeaseId: l.Id}, simfog.ExpectError(types.ErrLeaseClosed)
			}
		}
		open := append(f.leases(ctx, types.LeasePending), f.leases(ctx, types.LeaseActive)...)
		if len(open) == 0 {
			reporter.Skip("no open lease")
			return nil, nil, nil
		}
		l := simfog.Pick(r, open)
		if invalid {
			owner, provider := testData.GetAccount(reporter, l.Owner), testData.GetAccount(reporter, l.Provider)
			other := testData.AnyAccount(reporter, simsx.ExcludeAccounts(owner, provider))
			if reporter.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{other}, &types.MsgCloseLease{Sender: other.AddressBech32, LeaseId: l.Id}, simfog.ExpectError(types.ErrUnauthorized)
		}
		sender := l.Owner
		if simfog.Percent(r, 30) {
			sender = l.Provider
		}
		acc := testData.GetAccount(reporter, sender)
		return []simsx.SimAccount{acc}, &types.MsgCloseLease{Sender: sender, LeaseId: l.Id}, expectOK
	})
}

// MsgUpdateParamsFactory is a governance proposal that sets random valid params.
func (f *Factories) MsgUpdateParamsFactory() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		p, ok := f.params(ctx, reporter)
		if !ok {
			return nil, nil
		}
		return nil, &types.MsgUpdateParams{
			Authority: testData.ModuleAccountAddress(reporter, "gov"),
			Params:    RandomParams(testData.Rand().Rand, p.BidDeposit.Denom),
		}
	}
}

// MsgUpdateParamsUnauthorizedFactory sends MsgUpdateParams from an ordinary account, expecting
// ErrInvalidAuthority.
func (f *Factories) MsgUpdateParamsUnauthorizedFactory() *simsx.ResultHandlingSimMsgFactory[*types.MsgUpdateParams] {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler(func(ctx context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams, simsx.SimDeliveryResultHandler) {
		p, ok := f.params(ctx, reporter)
		if !ok {
			return nil, nil, nil
		}
		acc := testData.AnyAccount(reporter)
		if reporter.IsSkipped() {
			return nil, nil, nil
		}
		return []simsx.SimAccount{acc}, &types.MsgUpdateParams{Authority: acc.AddressBech32, Params: p}, simfog.ExpectError(types.ErrInvalidAuthority)
	})
}
