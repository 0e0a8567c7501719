// Package keeper holds the market's state and its state machine: providers, orders, sealed-bid
// reverse auctions, leases and the escrow behind them.
package keeper

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// HeightID keys the height queues: (height, order or lease id).
type HeightID = collections.Pair[int64, uint64]

// Keeper of the market module.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	bank         types.BankKeeper
	reputation   types.ReputationKeeper
	tee          types.TeeKeeper
	// hooks are the subscribers to the market's life cycle, in the order they run.
	hooks []types.NamedHooks

	Schema    collections.Schema
	Params    collections.Item[types.Params]
	Providers collections.Map[sdk.AccAddress, types.Provider]

	Orders        collections.Map[uint64, types.Order]
	OrderSeq      collections.Sequence
	OrdersByOwner collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	OrdersByState collections.KeySet[collections.Pair[int32, uint64]]

	// Bids of an order, keyed by (order id, provider): a prefix walk gives one order's bids.
	Bids collections.Map[collections.Pair[uint64, sdk.AccAddress], types.Bid]

	Leases           collections.Map[uint64, types.Lease]
	LeaseSeq         collections.Sequence
	LeasesByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	LeasesByOwner    collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	LeasesByState    collections.KeySet[collections.Pair[int32, uint64]]
	// OpenLeasesByProvider holds (provider, lease) for every pending and active lease.
	OpenLeasesByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	// LiveBidsByProvider holds (provider, order) for every bid that still holds its deposit
	// (committed or revealed, on an open order or one whose deposits are being swept).
	LiveBidsByProvider collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]

	// SettlementQueue holds open orders by reveal deadline, StartQueue pending leases by start
	// deadline, EndQueue active leases by end height, DepositSweeps settled and cancelled orders
	// whose bids' deposits are still to be returned or burned (value: the sweep's cursor, the last
	// provider done). EndBlock touches only due entries, at most params.max_work_per_block.
	SettlementQueue collections.KeySet[HeightID]
	StartQueue      collections.KeySet[HeightID]
	EndQueue        collections.KeySet[HeightID]
	DepositSweeps   collections.Map[HeightID, []byte]

	// PriceBands by (tier, denom).
	PriceBands collections.Map[collections.Pair[int32, string], types.PriceBand]
}

// NewKeeper builds the market keeper. authority is the address allowed to change params (gov);
// hooks are the modules subscribed to the market's life cycle, in the order they run.
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService,
	bank types.BankKeeper, reputation types.ReputationKeeper, tee types.TeeKeeper, hooks []types.NamedHooks, authority string,
) Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid market authority address %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		authority:    authority,
		bank:         bank,
		reputation:   reputation,
		tee:          tee,
		hooks:        hooks,

		Params:    collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Providers: collections.NewMap(sb, types.ProvidersKey, "providers", sdk.AccAddressKey, codec.CollValue[types.Provider](cdc)),

		Orders:        collections.NewMap(sb, types.OrdersKey, "orders", collections.Uint64Key, codec.CollValue[types.Order](cdc)),
		OrderSeq:      collections.NewSequence(sb, types.OrderSeqKey, "order_seq"),
		OrdersByOwner: collections.NewKeySet(sb, types.OrdersByOwnerKey, "orders_by_owner", collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		OrdersByState: collections.NewKeySet(sb, types.OrdersByStateKey, "orders_by_state", collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),

		Bids: collections.NewMap(sb, types.BidsKey, "bids", collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey), codec.CollValue[types.Bid](cdc)),

		Leases:           collections.NewMap(sb, types.LeasesKey, "leases", collections.Uint64Key, codec.CollValue[types.Lease](cdc)),
		LeaseSeq:         collections.NewSequence(sb, types.LeaseSeqKey, "lease_seq"),
		LeasesByProvider: collections.NewKeySet(sb, types.LeasesByProviderKey, "leases_by_provider", collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		LeasesByOwner:    collections.NewKeySet(sb, types.LeasesByOwnerKey, "leases_by_owner", collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		LeasesByState:    collections.NewKeySet(sb, types.LeasesByStateKey, "leases_by_state", collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key)),
		OpenLeasesByProvider: collections.NewKeySet(sb, types.OpenLeasesByProviderKey, "open_leases_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
		LiveBidsByProvider: collections.NewKeySet(sb, types.LiveBidsByProviderKey, "live_bids_by_provider",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),

		SettlementQueue: collections.NewKeySet(sb, types.SettlementQueueKey, "settlement_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		StartQueue:      collections.NewKeySet(sb, types.StartQueueKey, "start_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		EndQueue:        collections.NewKeySet(sb, types.EndQueueKey, "end_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		DepositSweeps: collections.NewMap(sb, types.DepositSweepsKey, "deposit_sweeps",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key), collections.BytesValue),

		PriceBands: collections.NewMap(sb, types.PriceBandsKey, "price_bands", collections.PairKeyCodec(collections.Int32Key, collections.StringKey), codec.CollValue[types.PriceBand](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority is the address allowed to change params.
func (k Keeper) Authority() string { return k.authority }

// Logger returns the module's logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// setOrder writes an order and keeps its owner and state indexes true. prev is the stored order, or
// nil for a new one.
func (k Keeper) setOrder(ctx context.Context, prev *types.Order, o types.Order) error {
	owner, err := k.addressCodec.StringToBytes(o.Owner)
	if err != nil {
		return err
	}
	if prev == nil {
		if err := k.OrdersByOwner.Set(ctx, collections.Join(sdk.AccAddress(owner), o.Id)); err != nil {
			return err
		}
	} else if prev.State != o.State {
		if err := k.OrdersByState.Remove(ctx, collections.Join(int32(prev.State), o.Id)); err != nil {
			return err
		}
	}
	if err := k.OrdersByState.Set(ctx, collections.Join(int32(o.State), o.Id)); err != nil {
		return err
	}
	return k.Orders.Set(ctx, o.Id, o)
}

// openLease is whether a lease still binds its provider (pending or active).
func openLease(state types.LeaseState) bool {
	return state == types.LeasePending || state == types.LeaseActive
}

// setLease writes a lease and keeps its provider, owner, state and open-by-provider indexes true.
// prev is the stored lease, or nil for a new one.
func (k Keeper) setLease(ctx context.Context, prev *types.Lease, l types.Lease) error {
	provider, err := k.addressCodec.StringToBytes(l.Provider)
	if err != nil {
		return err
	}
	open := collections.Join(sdk.AccAddress(provider), l.Id)
	if openLease(l.State) {
		if err := k.OpenLeasesByProvider.Set(ctx, open); err != nil {
			return err
		}
	} else if err := k.OpenLeasesByProvider.Remove(ctx, open); err != nil {
		return err
	}
	if prev == nil {
		owner, err := k.addressCodec.StringToBytes(l.Owner)
		if err != nil {
			return err
		}
		if err := k.LeasesByOwner.Set(ctx, collections.Join(sdk.AccAddress(owner), l.Id)); err != nil {
			return err
		}
		if err := k.LeasesByProvider.Set(ctx, collections.Join(sdk.AccAddress(provider), l.Id)); err != nil {
			return err
		}
	} else if prev.State != l.State {
		if err := k.LeasesByState.Remove(ctx, collections.Join(int32(prev.State), l.Id)); err != nil {
			return err
		}
	}
	if err := k.LeasesByState.Set(ctx, collections.Join(int32(l.State), l.Id)); err != nil {
		return err
	}
	return k.Leases.Set(ctx, l.Id, l)
}

// liveBid is whether a bid still holds its deposit.
func liveBid(state types.BidState) bool {
	return state == types.BidCommitted || state == types.BidRevealed
}

// setBid writes a bid and keeps the live-bids-by-provider index true.
func (k Keeper) setBid(ctx context.Context, provider sdk.AccAddress, b types.Bid) error {
	live := collections.Join(provider, b.OrderId)
	if liveBid(b.State) {
		if err := k.LiveBidsByProvider.Set(ctx, live); err != nil {
			return err
		}
	} else if err := k.LiveBidsByProvider.Remove(ctx, live); err != nil {
		return err
	}
	return k.Bids.Set(ctx, collections.Join(b.OrderId, provider), b)
}

// removeBid deletes a withdrawn bid and its index entry.
func (k Keeper) removeBid(ctx context.Context, provider sdk.AccAddress, orderID uint64) error {
	if err := k.LiveBidsByProvider.Remove(ctx, collections.Join(provider, orderID)); err != nil {
		return err
	}
	return k.Bids.Remove(ctx, collections.Join(orderID, provider))
}

// sameAddress compares a stored address with a parsed one as bytes.
func (k Keeper) sameAddress(stored string, addr sdk.AccAddress) bool {
	bz, err := k.addressCodec.StringToBytes(stored)
	return err == nil && bytes.Equal(bz, addr)
}

// pay sends coins from the module account to addr, skipping zero amounts.
func (k Keeper) pay(ctx context.Context, addr string, c sdk.Coin) error {
	if !c.IsPositive() {
		return nil
	}
	to, err := k.addressCodec.StringToBytes(addr)
	if err != nil {
		return err
	}
	return k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, to, sdk.NewCoins(c))
}

// burn destroys coins the module holds, skipping zero amounts.
func (k Keeper) burn(ctx context.Context, c sdk.Coin) error {
	if !c.IsPositive() {
		return nil
	}
	return k.bank.BurnCoins(ctx, types.ModuleName, sdk.NewCoins(c))
}

// Lease returns a lease, for other modules (x/proofs checks who may anchor a lease's receipts).
func (k Keeper) Lease(ctx context.Context, id uint64) (types.Lease, error) {
	return k.getLease(ctx, id)
}

// provider loads a registered provider or fails with ErrProviderNotFound.
func (k Keeper) provider(ctx context.Context, addr sdk.AccAddress) (types.Provider, error) {
	p, err := k.Providers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return p, errorsmod.Wrapf(types.ErrProviderNotFound, "%s", addr)
	}
	return p, err
}

// WorkerKey is a registered provider's worker public key (x/tee binds attestations to it).
func (k Keeper) WorkerKey(ctx context.Context, provider sdk.AccAddress) ([]byte, error) {
	p, err := k.provider(ctx, provider)
	return p.WorkerPubkey, err
}

// ActiveTeeLeases are provider's active leases of orders that require a TEE (x/tee reports them
// when the provider's attestation expires). It reads the provider's open leases only.
func (k Keeper) ActiveTeeLeases(ctx context.Context, provider sdk.AccAddress) ([]uint64, error) {
	var out []uint64
	rng := collections.NewPrefixedPairRange[sdk.AccAddress, uint64](provider)
	err := k.OpenLeasesByProvider.Walk(ctx, rng, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		l, err := k.Leases.Get(ctx, key.K2())
		if err != nil {
			return true, err
		}
		if l.State != types.LeaseActive {
			return false, nil
		}
		o, err := k.Orders.Get(ctx, l.OrderId)
		if err != nil {
			return true, err
		}
		if o.TeeRequired {
			out = append(out, l.Id)
		}
		return false, nil
	})
	return out, err
}
