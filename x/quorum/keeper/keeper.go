// Package keeper keeps the quorum module's state — approved auditors and the provider attributes
// they sign — and chooses the replica set of every order whose SLA tier constrains it, through the
// market's BeforeSettlement hook.
package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	storetypes "cosmossdk.io/core/store"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/quorum/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// TeeKeeper is what x/quorum reads of x/tee: a provider's enclave record valid at this height, whose
// type is the provider's TEE vendor.
type TeeKeeper interface {
	ValidEnclave(ctx context.Context, provider sdk.AccAddress, teeType fogtypes.TeeType) (teetypes.Enclave, error)
}

// Keeper of the quorum module.
type Keeper struct {
	addressCodec  address.Codec
	authority     string
	authorityAddr sdk.AccAddress
	tee           TeeKeeper

	Schema   collections.Schema
	Params   collections.Item[types.Params]
	Auditors collections.Map[sdk.AccAddress, types.Auditor]
	// Attributes by (provider, auditor): what each auditor signed for each provider.
	Attributes collections.Map[collections.Pair[sdk.AccAddress, sdk.AccAddress], types.AuditedAttributes]
	// Quorums by order id: the record of every order matched since the module keeps them, indexed
	// by state.
	Quorums *collections.IndexedMap[uint64, types.Quorum, QuorumIndexes]
	// quorumsByState reads the entries of Quorums' state index, (state, order id), for paging.
	quorumsByState collections.KeySet[collections.Pair[int32, uint64]]
}

// QuorumIndexes look quorum records up by state.
type QuorumIndexes struct {
	State *indexes.Multi[int32, uint64, types.Quorum]
}

// IndexesList implements collections.Indexes.
func (i QuorumIndexes) IndexesList() []collections.Index[uint64, types.Quorum] {
	return []collections.Index[uint64, types.Quorum]{i.State}
}

// NewKeeper builds the keeper; authority approves auditors and changes params (gov).
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService, authority string, tee TeeKeeper) Keeper {
	authorityAddr, canonical, err := accaddr.Parse(addressCodec, "authority", authority)
	if err != nil {
		panic(fmt.Errorf("invalid quorum authority: %w", err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		addressCodec:  addressCodec,
		authority:     canonical,
		authorityAddr: authorityAddr,
		tee:           tee,
		Params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Auditors:      collections.NewMap(sb, types.AuditorsKey, "auditors", sdk.AccAddressKey, codec.CollValue[types.Auditor](cdc)),
		Attributes: collections.NewMap(sb, types.AttributesKey, "attributes",
			collections.PairKeyCodec(sdk.AccAddressKey, sdk.AccAddressKey), codec.CollValue[types.AuditedAttributes](cdc)),
		Quorums: collections.NewIndexedMap(sb, types.QuorumsKey, "quorums", collections.Uint64Key, codec.CollValue[types.Quorum](cdc),
			QuorumIndexes{State: indexes.NewMulti(sb, types.QuorumsByStateKey, "quorums_by_state", collections.Int32Key, collections.Uint64Key,
				func(_ uint64, q types.Quorum) (int32, error) { return int32(q.State), nil })}),
	}
	// a schema builder of its own, so that the module's schema declares the index's prefix once
	k.quorumsByState = collections.NewKeySet(collections.NewSchemaBuilder(storeService), types.QuorumsByStateKey, "quorums_by_state",
		collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key))
	if k.Schema, err = sb.Build(); err != nil {
		panic(err)
	}
	return k
}

// Authority approves auditors and changes params.
func (k Keeper) Authority() string { return k.authority }

// Logger is the module's logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// Profile is what counts of provider for a replica set's diversity at this height: the ASN and power
// region signed by approved auditors (unknown when none signed one, or when they disagree), and the
// vendor of its valid enclave record (SEV-SNP or TDX; none for a simulated TEE, an expired record or
// no record). Self-declared market attributes never count.
func (k Keeper) Profile(ctx context.Context, provider sdk.AccAddress) (types.DiversityProfile, error) {
	p := types.DiversityProfile{Provider: provider.String()}
	values := map[string]string{}
	conflict := map[string]bool{}
	err := k.Attributes.Walk(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, sdk.AccAddress](provider),
		func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
			approved, err := k.Auditors.Has(ctx, key.K2())
			if err != nil || !approved {
				return false, err
			}
			for _, a := range e.Attributes {
				if a.Key != types.AttributeASN && a.Key != types.AttributePowerRegion {
					continue
				}
				if v, ok := values[a.Key]; ok && v != a.Value {
					conflict[a.Key] = true
				}
				values[a.Key] = a.Value
			}
			return false, nil
		})
	if err != nil {
		return p, err
	}
	for _, key := range []string{types.AttributeASN, types.AttributePowerRegion} {
		if conflict[key] {
			p.Conflicts = append(p.Conflicts, key)
			delete(values, key)
		}
	}
	p.Asn, p.PowerRegion = values[types.AttributeASN], values[types.AttributePowerRegion]
	e, err := k.tee.ValidEnclave(ctx, provider, fogtypes.TeeTypeUnspecified)
	switch {
	case errors.Is(err, teetypes.ErrEnclaveNotFound):
	case err != nil:
		return p, err
	case e.TeeType == fogtypes.TeeTypeSevSnp || e.TeeType == fogtypes.TeeTypeTdx:
		p.TeeVendor = e.TeeType
	}
	return p, nil
}
