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
	storeService storetypes.KVStoreService
	authority    string
	bank         types.BankKeeper
	reputation   types.ReputationKeeper
	tee          types.TeeKeeper
	// hooks are the subscribers to the market's life cycle, in the order they run.
	hooks []types.NamedHooks

	Schema    collections.Schema
	Params    collections.Item[types.Params]
	Providers collections.Map[sdk.AccAddress, types.Provider]

	Orders   *collections.IndexedMap[uint64, types.Order, OrderIndexes]
	OrderSeq collections.Sequence
	Bids     *collections.IndexedMap[BidKey, types.Bid, BidIndexes]
	Leases   *collections.IndexedMap[uint64, types.Lease, LeaseIndexes]
	LeaseSeq collections.Sequence

	// SettlementQueue holds open orders by reveal deadline, StartQueue pending leases by start
	// deadline, EndQueue active leases by end height, DepositSweeps settled and cancelled orders
	// whose bids' deposits are still to be returned or burned (value: the sweep's cursor, the last
	// provider done). EndBlock touches only due entries, at most params.max_work_per_block.
	SettlementQueue collections.KeySet[HeightID]
	StartQueue      collections.KeySet[HeightID]
	EndQueue        collections.KeySet[HeightID]
	DepositSweeps   collections.Map[HeightID, []byte]
	// Standbys holds the keys of the bids in state STANDBY (a partial index of the bids, kept by
	// setBid, promoteStandby and releaseStandby): an order's standbys are one prefix walk.
	Standbys collections.KeySet[BidKey]

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
		storeService: storeService,
		authority:    authority,
		bank:         bank,
		reputation:   reputation,
		tee:          tee,
		hooks:        hooks,

		Params:    collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Providers: collections.NewMap(sb, types.ProvidersKey, "providers", sdk.AccAddressKey, codec.CollValue[types.Provider](cdc)),

		Orders: collections.NewIndexedMap(sb, types.OrdersKey, "orders", collections.Uint64Key, codec.CollValue[types.Order](cdc),
			newOrderIndexes(sb, storeService, addressCodec)),
		OrderSeq: collections.NewSequence(sb, types.OrderSeqKey, "order_seq"),
		Bids: collections.NewIndexedMap(sb, types.BidsKey, "bids", collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey),
			codec.CollValue[types.Bid](cdc), newBidIndexes(sb, storeService)),
		Leases: collections.NewIndexedMap(sb, types.LeasesKey, "leases", collections.Uint64Key, codec.CollValue[types.Lease](cdc),
			newLeaseIndexes(sb, storeService, addressCodec)),
		LeaseSeq: collections.NewSequence(sb, types.LeaseSeqKey, "lease_seq"),

		SettlementQueue: collections.NewKeySet(sb, types.SettlementQueueKey, "settlement_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		StartQueue:      collections.NewKeySet(sb, types.StartQueueKey, "start_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		EndQueue:        collections.NewKeySet(sb, types.EndQueueKey, "end_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)),
		DepositSweeps: collections.NewMap(sb, types.DepositSweepsKey, "deposit_sweeps",
			collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key), collections.BytesValue),
		Standbys: collections.NewKeySet(sb, types.StandbysKey, "standbys", collections.PairKeyCodec(collections.Uint64Key, sdk.AccAddressKey)),

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

// setBid writes provider's bid; the bids map keeps its index in step, and a bid in state STANDBY
// is entered in Standbys (the paths that take a bid out of STANDBY remove it there).
func (k Keeper) setBid(ctx context.Context, provider sdk.AccAddress, b types.Bid) error {
	key := collections.Join(b.OrderId, provider)
	if err := k.Bids.Set(ctx, key, b); err != nil {
		return err
	}
	if b.State == types.BidStandby {
		return k.Standbys.Set(ctx, key)
	}
	return nil
}

// removeBid deletes a withdrawn bid and its index entry.
func (k Keeper) removeBid(ctx context.Context, provider sdk.AccAddress, orderID uint64) error {
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

// provider loads a registered provider or fails with ErrProviderNotFound.
func (k Keeper) provider(ctx context.Context, addr sdk.AccAddress) (types.Provider, error) {
	p, err := k.Providers.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return p, errorsmod.Wrapf(types.ErrProviderNotFound, "%s", addr)
	}
	return p, err
}

// ActiveTeeLeases are provider's active leases of orders that require a TEE: while there are any,
// its worker key is pinned. It reads the provider's active leases only.
func (k Keeper) ActiveTeeLeases(ctx context.Context, provider sdk.AccAddress) ([]uint64, error) {
	var out []uint64
	err := k.providerLeases(ctx, provider, types.LeaseActive, func(id uint64) (bool, error) {
		l, err := k.Leases.Get(ctx, id)
		if err != nil {
			return true, err
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
