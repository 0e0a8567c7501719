// Package keeper verifies TEE attestations (SEV-SNP, TDX, simulated) in the state machine, keeps one
// enclave record per provider with its expiry, and records recent block hashes as nonces.
package keeper

import (
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

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/tee/types"
)

// Keeper of the tee module.
type Keeper struct {
	addressCodec  address.Codec
	authority     string
	authorityAddr sdk.AccAddress

	Schema collections.Schema
	// params holds the params without their trusted roots, which roots holds (only the root fields
	// set): BeginBlock and most messages read the small part, only a verification reads the roots
	// (kilobytes of certificates). GetParams and SetParams join and split them.
	params      collections.Item[types.Params]
	roots       collections.Item[types.Params]
	Enclaves    collections.Map[sdk.AccAddress, types.Enclave]
	ExpiryQueue collections.KeySet[collections.Pair[int64, sdk.AccAddress]]
	Nonces      collections.Map[int64, []byte]
	// TeeLeases holds (provider, lease id) for every active lease of an order that requires a TEE,
	// as x/market's hooks report them: the module needs no keeper of x/market.
	TeeLeases collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
}

// NewKeeper builds the keeper; authority changes params (gov).
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService, authority string) Keeper {
	authorityAddr, canonical, err := accaddr.Parse(addressCodec, "authority", authority)
	if err != nil {
		panic(fmt.Errorf("invalid tee authority: %w", err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		addressCodec:  addressCodec,
		authority:     canonical,
		authorityAddr: authorityAddr,
		params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		roots:         collections.NewItem(sb, types.RootsKey, "roots", codec.CollValue[types.Params](cdc)),
		Enclaves:      collections.NewMap(sb, types.EnclavesKey, "enclaves", sdk.AccAddressKey, codec.CollValue[types.Enclave](cdc)),
		ExpiryQueue:   collections.NewKeySet(sb, types.ExpiryQueueKey, "expiry_queue", collections.PairKeyCodec(collections.Int64Key, sdk.AccAddressKey)),
		Nonces:        collections.NewMap(sb, types.NoncesKey, "nonces", collections.Int64Key, collections.BytesValue),
		TeeLeases:     collections.NewKeySet(sb, types.TeeLeasesKey, "tee_leases", collections.PairKeyCodec(sdk.AccAddressKey, collections.Uint64Key)),
	}
	if k.Schema, err = sb.Build(); err != nil {
		panic(err)
	}
	return k
}

// GetParams returns the whole params, trusted roots included.
func (k Keeper) GetParams(ctx context.Context) (types.Params, error) {
	p, err := k.params.Get(ctx)
	if err != nil {
		return p, err
	}
	return k.withRoots(ctx, p)
}

// withRoots is p, read without its roots, with the stored roots added.
func (k Keeper) withRoots(ctx context.Context, p types.Params) (types.Params, error) {
	r, err := k.roots.Get(ctx)
	if err != nil {
		return p, err
	}
	p.SevSnpRoots, p.TdxRoots, p.SimulatedRoots = r.SevSnpRoots, r.TdxRoots, r.SimulatedRoots
	return p, nil
}

// SetParams stores p: its trusted roots apart from the rest.
func (k Keeper) SetParams(ctx context.Context, p types.Params) error {
	roots := types.Params{SevSnpRoots: p.SevSnpRoots, TdxRoots: p.TdxRoots, SimulatedRoots: p.SimulatedRoots}
	p.SevSnpRoots, p.TdxRoots, p.SimulatedRoots = nil, nil, nil
	if err := k.params.Set(ctx, p); err != nil {
		return err
	}
	return k.roots.Set(ctx, roots)
}

// Authority is the account that may change params.
func (k Keeper) Authority() string { return k.authority }

// Logger returns the module's logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// ValidEnclave returns provider's enclave record if it is unexpired at the current height and, when
// teeType is set, of that type.
func (k Keeper) ValidEnclave(ctx context.Context, provider sdk.AccAddress, teeType types.TeeType) (types.Enclave, error) {
	e, err := k.Enclaves.Get(ctx, provider)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Enclave{}, errorsmod.Wrapf(types.ErrEnclaveNotFound, "provider %s has never attested", provider)
	} else if err != nil {
		return types.Enclave{}, err
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); e.ExpiryHeight <= h {
		return types.Enclave{}, errorsmod.Wrapf(types.ErrEnclaveNotFound, "provider %s's attestation expired at height %d", provider, e.ExpiryHeight)
	}
	if teeType != types.TeeTypeUnspecified && e.TeeType != teeType {
		return types.Enclave{}, errorsmod.Wrapf(types.ErrEnclaveNotFound, "provider %s is attested as %s, not %s", provider, e.TeeType, teeType)
	}
	return e, nil
}

// AttestedWorkerKey is the worker key that provider's valid enclave record (see ValidEnclave) binds.
// x/market calls it for orders that require a TEE.
func (k Keeper) AttestedWorkerKey(ctx context.Context, provider sdk.AccAddress, teeType types.TeeType) ([]byte, error) {
	e, err := k.ValidEnclave(ctx, provider, teeType)
	if err != nil {
		return nil, err
	}
	return e.WorkerPubkey, nil
}

// setEnclave stores a record and queues its expiry, dropping the queue entry of the record it replaces.
func (k Keeper) setEnclave(ctx context.Context, provider sdk.AccAddress, e types.Enclave) error {
	if old, err := k.Enclaves.Get(ctx, provider); err == nil {
		if err := k.ExpiryQueue.Remove(ctx, collections.Join(old.ExpiryHeight, provider)); err != nil {
			return err
		}
	} else if !errors.Is(err, collections.ErrNotFound) {
		return err
	}
	if err := k.Enclaves.Set(ctx, provider, e); err != nil {
		return err
	}
	return k.ExpiryQueue.Set(ctx, collections.Join(e.ExpiryHeight, provider))
}
