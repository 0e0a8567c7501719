package keeper

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/market/types"
)

type msgServer struct {
	Keeper
}

// NewMsgServerImpl returns the market's Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return &msgServer{Keeper: k}
}

var _ types.MsgServer = msgServer{}

// addr parses an address field with the chain's address codec and returns its bytes and canonical
// (lower-case) spelling, the only one the market stores.
func (k msgServer) addr(s, field string) (sdk.AccAddress, string, error) {
	return accaddr.Parse(k.addressCodec, field, s)
}

func (k msgServer) RegisterProvider(ctx context.Context, msg *types.MsgRegisterProvider) (*types.MsgRegisterProviderResponse, error) {
	owner, canon, err := k.addr(msg.Owner, "owner")
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateProvider(params, msg.PeerId, msg.Multiaddrs, msg.WorkerPubkey, msg.Capacity, msg.Attributes); err != nil {
		return nil, err
	}
	if has, err := k.Providers.Has(ctx, owner); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrap(types.ErrProviderExists, canon)
	}
	if err := k.bank.SendCoinsFromAccountToModule(ctx, owner, types.ModuleName, sdk.NewCoins(params.ProviderBond)); err != nil {
		return nil, errorsmod.Wrapf(err, "provider bond of %s", params.ProviderBond)
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	p := types.Provider{
		Owner: canon, PeerId: msg.PeerId, Multiaddrs: msg.Multiaddrs, WorkerPubkey: msg.WorkerPubkey,
		Capacity: msg.Capacity, Attributes: msg.Attributes, RegisteredHeight: h, UpdatedHeight: h, Bond: params.ProviderBond,
	}
	if err := k.Providers.Set(ctx, owner, p); err != nil {
		return nil, err
	}
	return &types.MsgRegisterProviderResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProviderRegistered{Provider: canon, PeerId: msg.PeerId, Bond: p.Bond})
}

func (k msgServer) UpdateProvider(ctx context.Context, msg *types.MsgUpdateProvider) (*types.MsgUpdateProviderResponse, error) {
	owner, canon, err := k.addr(msg.Owner, "owner")
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateProvider(params, msg.PeerId, msg.Multiaddrs, msg.WorkerPubkey, msg.Capacity, msg.Attributes); err != nil {
		return nil, err
	}
	p, err := k.provider(ctx, owner)
	if err != nil {
		return nil, err
	}
	// The worker key of an attested provider is what its enclave record vouches for: it must not
	// change under a confidential lease (the customer checked that key's attestation).
	if !bytes.Equal(p.WorkerPubkey, msg.WorkerPubkey) {
		leases, err := k.ActiveTeeLeases(ctx, owner)
		if err != nil {
			return nil, err
		}
		if len(leases) > 0 {
			return nil, errorsmod.Wrapf(types.ErrWorkerKeyPinned, "%s has active leases %v that require a TEE", canon, leases)
		}
	}
	p.PeerId, p.Multiaddrs, p.WorkerPubkey, p.Capacity, p.Attributes = msg.PeerId, msg.Multiaddrs, msg.WorkerPubkey, msg.Capacity, msg.Attributes
	p.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Providers.Set(ctx, owner, p); err != nil {
		return nil, err
	}
	return &types.MsgUpdateProviderResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProviderUpdated{Provider: canon, PeerId: msg.PeerId})
}

func (k msgServer) DeregisterProvider(ctx context.Context, msg *types.MsgDeregisterProvider) (*types.MsgDeregisterProviderResponse, error) {
	owner, canon, err := k.addr(msg.Owner, "owner")
	if err != nil {
		return nil, err
	}
	p, err := k.provider(ctx, owner)
	if err != nil {
		return nil, err
	}
	bids, leases, err := k.obligations(ctx, owner)
	if err != nil {
		return nil, err
	}
	if len(bids) > 0 || len(leases) > 0 {
		return nil, errorsmod.Wrapf(types.ErrProviderBusy, "%s still has bids on orders %v and leases %v", canon, bids, leases)
	}
	if err := k.Providers.Remove(ctx, owner); err != nil {
		return nil, err
	}
	if err := k.pay(ctx, p.Owner, p.Bond); err != nil {
		return nil, err
	}
	return &types.MsgDeregisterProviderResponse{BondReturned: p.Bond}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProviderDeregistered{Provider: canon, BondReturned: p.Bond})
}

// obligations lists (a few of) a provider's bids that hold a deposit, standbys included (by
// order), and unfinished leases: what keeps it from leaving.
func (k Keeper) obligations(ctx context.Context, provider sdk.AccAddress) (orders, leases []uint64, err error) {
	const shown = 10
	for _, s := range heldBidStates {
		err := k.providerBids(ctx, provider, s, func(key BidKey) (bool, error) {
			if len(orders) == shown {
				return true, nil
			}
			orders = append(orders, key.K1())
			return false, nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	for _, s := range openLeaseStates {
		err := k.providerLeases(ctx, provider, s, func(id uint64) (bool, error) {
			if len(leases) == shown {
				return true, nil
			}
			leases = append(leases, id)
			return false, nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return orders, leases, nil
}

func (k msgServer) CreateOrder(ctx context.Context, msg *types.MsgCreateOrder) (*types.MsgCreateOrderResponse, error) {
	owner, canon, err := k.addr(msg.Owner, "owner")
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	replicas, err := validateOrder(params, msg)
	if err != nil {
		return nil, err
	}
	escrowAmt, err := mulAmount(msg.MaxPricePerBlock.Amount, msg.LeaseBlocks, uint64(replicas))
	if err != nil {
		return nil, err
	}
	escrow := sdk.NewCoin(msg.MaxPricePerBlock.Denom, escrowAmt)
	if err := k.bank.SendCoinsFromAccountToModule(ctx, owner, types.ModuleName, sdk.NewCoins(escrow)); err != nil {
		return nil, errorsmod.Wrap(err, "escrow")
	}
	id, err := k.OrderSeq.Next(ctx)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	commitDeadline := h + int64(msg.CommitBlocks)
	o := types.Order{
		Id: id, Owner: canon, Resources: msg.Resources, Tier: msg.Tier, Privacy: msg.Privacy,
		WorkloadHash: msg.WorkloadHash, LeaseBlocks: msg.LeaseBlocks, MaxPricePerBlock: msg.MaxPricePerBlock,
		Replicas: replicas, CreatedHeight: h,
		CommitDeadline:   commitDeadline,
		RevealDeadline:   commitDeadline + int64(msg.RevealBlocks),
		WithdrawDeadline: commitDeadline - int64(params.WithdrawLockBlocks),
		State:            types.OrderOpen, Escrow: escrow,
		ClearingPrice:     sdk.NewCoin(msg.MaxPricePerBlock.Denom, math.ZeroInt()),
		MinReputationTier: msg.MinReputationTier,
		TeeRequired:       RequiresTee(msg.Privacy, msg.TeeRequired, msg.TeeType),
		TeeType:           msg.TeeType,
	}
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return nil, err
	}
	if err := k.SettlementQueue.Set(ctx, collections.Join(o.RevealDeadline, o.Id)); err != nil {
		return nil, err
	}
	return &types.MsgCreateOrderResponse{OrderId: id}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventOrderCreated{
		OrderId: id, Owner: o.Owner, Tier: o.Tier, Replicas: replicas, MaxPricePerBlock: o.MaxPricePerBlock,
		Escrow: escrow, CommitDeadline: o.CommitDeadline, RevealDeadline: o.RevealDeadline,
		WorkloadHash: hex.EncodeToString(o.WorkloadHash), MinReputationTier: o.MinReputationTier,
		TeeRequired: o.TeeRequired, TeeType: o.TeeType,
	})
}

// mulAmount multiplies an amount by block and replica counts, failing instead of overflowing.
func mulAmount(a math.Int, factors ...uint64) (math.Int, error) {
	out := a
	for _, f := range factors {
		var err error
		if out, err = out.SafeMul(math.NewIntFromUint64(f)); err != nil {
			return math.Int{}, errorsmod.Wrapf(types.ErrAmountOverflow, "%s × %v", a, factors)
		}
	}
	return out, nil
}

// openOrder loads an order and checks that its auction still runs.
func (k Keeper) openOrder(ctx context.Context, id uint64) (types.Order, error) {
	o, err := k.Orders.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return o, errorsmod.Wrapf(types.ErrOrderNotFound, "order %d", id)
	} else if err != nil {
		return o, err
	}
	if o.State != types.OrderOpen {
		return o, errorsmod.Wrapf(types.ErrOrderNotOpen, "order %d is %s", id, o.State)
	}
	return o, nil
}

func (k msgServer) CancelOrder(ctx context.Context, msg *types.MsgCancelOrder) (*types.MsgCancelOrderResponse, error) {
	owner, _, err := k.addr(msg.Owner, "owner")
	if err != nil {
		return nil, err
	}
	o, err := k.openOrder(ctx, msg.OrderId)
	if err != nil {
		return nil, err
	}
	if !k.sameAddress(o.Owner, owner) {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "order %d belongs to %s", o.Id, o.Owner)
	}
	// Once bids are being revealed the owner could watch them, cancel and re-post at a lower max
	// price: after the commit phase the auction runs to settlement.
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > o.CommitDeadline {
		return nil, errorsmod.Wrapf(types.ErrCancelTooLate, "order %d took cancellations until height %d, now %d", o.Id, o.CommitDeadline, h)
	}
	refunded := o.Escrow
	if err := k.pay(ctx, o.Owner, refunded); err != nil {
		return nil, err
	}
	if err := k.SettlementQueue.Remove(ctx, collections.Join(o.RevealDeadline, o.Id)); err != nil {
		return nil, err
	}
	o.State, o.CloseReason, o.ClosedHeight = types.OrderCancelled, types.CloseReasonOwnerCancelled, h
	o.Escrow = sdk.NewCoin(o.Escrow.Denom, math.ZeroInt())
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return nil, err
	}
	// The bids' deposits go back through the sweep, so that cancelling an order costs its owner
	// the same gas whatever the number of bids.
	if err := k.scheduleSweep(ctx, h, o); err != nil {
		return nil, err
	}
	return &types.MsgCancelOrderResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventOrderCancelled{OrderId: o.Id, Refunded: refunded})
}

func (k msgServer) CommitBid(ctx context.Context, msg *types.MsgCommitBid) (*types.MsgCommitBidResponse, error) {
	provider, canon, err := k.addr(msg.Provider, "provider")
	if err != nil {
		return nil, err
	}
	if len(msg.Commitment) != types.CommitmentSize {
		return nil, errorsmod.Wrapf(types.ErrInvalidCommitment, "want %d bytes, got %d", types.CommitmentSize, len(msg.Commitment))
	}
	prov, err := k.provider(ctx, provider)
	if err != nil {
		return nil, err
	}
	o, err := k.openOrder(ctx, msg.OrderId)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > o.CommitDeadline {
		return nil, errorsmod.Wrapf(types.ErrCommitPhaseOver, "order %d took commits until height %d, now %d", o.Id, o.CommitDeadline, h)
	}
	if k.sameAddress(o.Owner, provider) {
		return nil, errorsmod.Wrapf(types.ErrSelfBid, "order %d", o.Id)
	}
	if o.MinReputationTier != fogtypes.TierUnspecified {
		tier, err := k.reputation.TierOf(ctx, provider)
		if err != nil {
			return nil, err
		}
		if tier < o.MinReputationTier {
			return nil, errorsmod.Wrapf(types.ErrReputationTooLow, "order %d needs %s, %s is %s", o.Id, o.MinReputationTier.Short(), canon, tier.Short())
		}
	}
	if o.TeeRequired {
		if err := k.checkAttested(ctx, o, provider, prov.WorkerPubkey); err != nil {
			return nil, err
		}
	}
	key := collections.Join(o.Id, provider)
	if has, err := k.Bids.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrDuplicateBid, "%s on order %d", canon, o.Id)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if o.BidCount >= params.MaxBidsPerOrder {
		return nil, errorsmod.Wrapf(types.ErrTooManyBids, "order %d has %d bids", o.Id, o.BidCount)
	}
	if err := k.bank.SendCoinsFromAccountToModule(ctx, provider, types.ModuleName, sdk.NewCoins(params.BidDeposit)); err != nil {
		return nil, errorsmod.Wrap(err, "bid deposit")
	}
	bid := types.Bid{
		OrderId: o.Id, Provider: canon, Commitment: msg.Commitment, CommitHeight: h,
		Deposit: params.BidDeposit, State: types.BidCommitted,
		Price:       sdk.NewCoin(o.MaxPricePerBlock.Denom, math.ZeroInt()),
		WithdrawFee: params.WithdrawFee,
	}
	if err := k.setBid(ctx, provider, bid); err != nil {
		return nil, err
	}
	o.BidCount++
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return nil, err
	}
	return &types.MsgCommitBidResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventBidCommitted{OrderId: o.Id, Provider: canon, Deposit: bid.Deposit})
}

func (k msgServer) RevealBid(ctx context.Context, msg *types.MsgRevealBid) (*types.MsgRevealBidResponse, error) {
	provider, canon, err := k.addr(msg.Provider, "provider")
	if err != nil {
		return nil, err
	}
	o, err := k.openOrder(ctx, msg.OrderId)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h <= o.CommitDeadline || h > o.RevealDeadline {
		return nil, errorsmod.Wrapf(types.ErrNotRevealPhase, "order %d takes reveals at heights (%d, %d], now %d", o.Id, o.CommitDeadline, o.RevealDeadline, h)
	}
	bid, err := k.Bids.Get(ctx, collections.Join(o.Id, provider))
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrBidNotFound, "%s on order %d", canon, o.Id)
	} else if err != nil {
		return nil, err
	}
	if bid.State != types.BidCommitted {
		return nil, errorsmod.Wrapf(types.ErrBidAlreadyRevealed, "%s on order %d", canon, o.Id)
	}
	if err := validateBidPrice(o, msg.Price); err != nil {
		return nil, err
	}
	if len(msg.Salt) != types.SaltSize {
		return nil, errorsmod.Wrapf(types.ErrInvalidSalt, "want %d bytes, got %d", types.SaltSize, len(msg.Salt))
	}
	if !bytes.Equal(types.BidCommitment(o.Id, provider, msg.Price, msg.Salt), bid.Commitment) {
		return nil, errorsmod.Wrapf(types.ErrCommitmentMismatch, "%s on order %d", canon, o.Id)
	}
	bid.State, bid.Price, bid.RevealHeight = types.BidRevealed, msg.Price, h
	if err := k.setBid(ctx, provider, bid); err != nil {
		return nil, err
	}
	return &types.MsgRevealBidResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventBidRevealed{OrderId: o.Id, Provider: canon, Price: msg.Price})
}

// validateBidPrice checks a revealed price: valid, positive, in the order's denom, at most its max.
func validateBidPrice(o types.Order, price sdk.Coin) error {
	if err := types.ValidatePrice("price", price); err != nil {
		return err
	}
	if price.Denom != o.MaxPricePerBlock.Denom {
		return errorsmod.Wrapf(types.ErrInvalidPrice, "order %d is priced in %s, not %s", o.Id, o.MaxPricePerBlock.Denom, price.Denom)
	}
	if price.Amount.GT(o.MaxPricePerBlock.Amount) {
		return errorsmod.Wrapf(types.ErrPriceAboveMax, "%s > %s", price, o.MaxPricePerBlock)
	}
	return nil
}

func (k msgServer) WithdrawBid(ctx context.Context, msg *types.MsgWithdrawBid) (*types.MsgWithdrawBidResponse, error) {
	provider, canon, err := k.addr(msg.Provider, "provider")
	if err != nil {
		return nil, err
	}
	o, err := k.openOrder(ctx, msg.OrderId)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > o.CommitDeadline {
		return nil, errorsmod.Wrapf(types.ErrCommitPhaseOver, "order %d took commits until height %d, now %d", o.Id, o.CommitDeadline, h)
	}
	// Withdrawing at the last moment would leave the slot empty when nobody can take it any more.
	if h > o.WithdrawDeadline {
		return nil, errorsmod.Wrapf(types.ErrWithdrawLocked, "bids on order %d could be withdrawn until height %d, now %d", o.Id, o.WithdrawDeadline, h)
	}
	bid, err := k.Bids.Get(ctx, collections.Join(o.Id, provider))
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrBidNotFound, "%s on order %d", canon, o.Id)
	} else if err != nil {
		return nil, err
	}
	// params and genesis validation hold the fee to the deposit's denom and amount
	fee := bid.WithdrawFee
	refunded := bid.Deposit.Sub(fee)
	if err := k.pay(ctx, o.Owner, fee); err != nil {
		return nil, err
	}
	if err := k.pay(ctx, bid.Provider, refunded); err != nil {
		return nil, err
	}
	if err := k.removeBid(ctx, provider, o.Id); err != nil {
		return nil, err
	}
	o.BidCount--
	if err := k.Orders.Set(ctx, o.Id, o); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawBidResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventBidWithdrawn{OrderId: o.Id, Provider: canon, Refunded: refunded, Fee: fee})
}

// getLease loads a lease or fails with ErrLeaseNotFound.
func (k Keeper) getLease(ctx context.Context, id uint64) (types.Lease, error) {
	l, err := k.Leases.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return l, errorsmod.Wrapf(types.ErrLeaseNotFound, "lease %d", id)
	}
	return l, err
}

// providerLease loads a lease of the signing provider.
func (k msgServer) providerLease(ctx context.Context, signer string, id uint64) (types.Lease, sdk.AccAddress, error) {
	provider, _, err := k.addr(signer, "provider")
	if err != nil {
		return types.Lease{}, nil, err
	}
	l, err := k.getLease(ctx, id)
	if err != nil {
		return l, nil, err
	}
	if !k.sameAddress(l.Provider, provider) {
		return l, nil, errorsmod.Wrapf(types.ErrUnauthorized, "lease %d belongs to provider %s", l.Id, l.Provider)
	}
	return l, provider, nil
}

func (k msgServer) StartLease(ctx context.Context, msg *types.MsgStartLease) (*types.MsgStartLeaseResponse, error) {
	l, provider, err := k.providerLease(ctx, msg.Provider, msg.LeaseId)
	if err != nil {
		return nil, err
	}
	if l.State != types.LeasePending {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotPending, "lease %d is %s", l.Id, l.State)
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h > l.StartDeadline {
		return nil, errorsmod.Wrapf(types.ErrStartDeadlinePassed, "lease %d had to start by height %d", l.Id, l.StartDeadline)
	}
	// an order that requires a TEE starts only on a provider still attested (it may renew first)
	o, err := k.Orders.Get(ctx, l.OrderId)
	if err != nil {
		return nil, err
	}
	if o.TeeRequired {
		prov, err := k.provider(ctx, provider)
		if err != nil {
			return nil, err
		}
		if err := k.checkAttested(ctx, o, provider, prov.WorkerPubkey); err != nil {
			return nil, err
		}
	}
	if err := k.StartQueue.Remove(ctx, collections.Join(l.StartDeadline, l.Id)); err != nil {
		return nil, err
	}
	l.State, l.StartHeight, l.SettledThrough = types.LeaseActive, h, h
	l.EndHeight = h + int64(l.LeaseBlocks)
	if err := k.Leases.Set(ctx, l.Id, l); err != nil {
		return nil, err
	}
	if err := k.EndQueue.Set(ctx, collections.Join(l.EndHeight, l.Id)); err != nil {
		return nil, err
	}
	if err := sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventLeaseStarted{LeaseId: l.Id, Provider: l.Provider, StartHeight: l.StartHeight, EndHeight: l.EndHeight}); err != nil {
		return nil, err
	}
	k.afterHook(ctx, "AfterLeaseStarted", func(ctx context.Context, h types.MarketHooks) error {
		return h.AfterLeaseStarted(ctx, o, l)
	})
	return &types.MsgStartLeaseResponse{EndHeight: l.EndHeight}, nil
}

func (k msgServer) WithdrawLease(ctx context.Context, msg *types.MsgWithdrawLease) (*types.MsgWithdrawLeaseResponse, error) {
	l, _, err := k.providerLease(ctx, msg.Provider, msg.LeaseId)
	if err != nil {
		return nil, err
	}
	if l.State != types.LeaseActive {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotActive, "lease %d is %s", l.Id, l.State)
	}
	amount, err := k.settleLease(ctx, &l)
	if err != nil {
		return nil, err
	}
	if err := k.Leases.Set(ctx, l.Id, l); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawLeaseResponse{Amount: amount}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventLeaseWithdrawn{LeaseId: l.Id, Provider: l.Provider, Amount: amount, SettledThrough: l.SettledThrough})
}

func (k msgServer) CloseLease(ctx context.Context, msg *types.MsgCloseLease) (*types.MsgCloseLeaseResponse, error) {
	sender, _, err := k.addr(msg.Sender, "sender")
	if err != nil {
		return nil, err
	}
	l, err := k.getLease(ctx, msg.LeaseId)
	if err != nil {
		return nil, err
	}
	var reason types.CloseReason
	switch {
	case k.sameAddress(l.Owner, sender):
		reason = types.CloseReasonOwnerClosed
	case k.sameAddress(l.Provider, sender):
		reason = types.CloseReasonProviderClosed
	default:
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "lease %d is between %s and %s", l.Id, l.Owner, l.Provider)
	}
	if l.State == types.LeaseClosed {
		return nil, errorsmod.Wrapf(types.ErrLeaseClosed, "lease %d", l.Id)
	}
	// A lease past its end height whose closing EndBlock has not come yet (work carried over) has
	// completed: closing it early cannot take the completion from the provider.
	if l.State == types.LeaseActive && sdk.UnwrapSDKContext(ctx).BlockHeight() >= l.EndHeight {
		reason = types.CloseReasonCompleted
	}
	return &types.MsgCloseLeaseResponse{}, k.closeLease(ctx, l, reason)
}

func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	authority, canon, err := k.addr(msg.Authority, "authority")
	if err != nil {
		return nil, err
	}
	if !k.sameAddress(k.authority, authority) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, canon)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventParamsUpdated{Authority: canon})
}

// RequiresTee is whether an order needs an attested provider: when asked, when a TEE type is named,
// and always for confidential and secret orders.
func RequiresTee(privacy types.Privacy, required bool, teeType fogtypes.TeeType) bool {
	return required || teeType != fogtypes.TeeTypeUnspecified || privacy == types.PrivacyConfidential || privacy == types.PrivacySecret
}

// checkAttested refuses a provider without a valid enclave record of the order's TEE type, or whose
// record binds another worker key than the one it has registered now (the key that will sign
// receipts and serve the lease).
func (k Keeper) checkAttested(ctx context.Context, o types.Order, provider sdk.AccAddress, workerKey []byte) error {
	attested, err := k.tee.AttestedWorkerKey(ctx, provider, o.TeeType)
	if err != nil {
		return errorsmod.Wrapf(types.ErrNotAttested, "order %d: %s", o.Id, err)
	}
	if !bytes.Equal(attested, workerKey) {
		return errorsmod.Wrapf(types.ErrNotAttested, "order %d: %s attested worker key %x, but its registered worker key is %x",
			o.Id, provider, attested, workerKey)
	}
	return nil
}
