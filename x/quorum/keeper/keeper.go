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
	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/internal/accaddr"
	markettypes "github.com/fogchain/fog/x/market/types"
	prooftypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// TeeKeeper is what x/quorum reads of x/tee: a provider's enclave record valid at this height, whose
// type is the provider's TEE vendor.
type TeeKeeper interface {
	ValidEnclave(ctx context.Context, provider sdk.AccAddress, teeType fogtypes.TeeType) (teetypes.Enclave, error)
}

// BankKeeper is what x/quorum needs of x/bank: verifier deposits, audit fees and observer fees
// in and out of its module account, and burning forfeited deposits.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	BurnCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
	SpendableCoins(ctx context.Context, addr sdk.AccAddress) sdk.Coins
}

// ReputationKeeper is what x/quorum reads and writes of x/reputation: verifiers' lower bounds weigh
// the draws; audits and SLA windows are outcomes of the providers they judge.
type ReputationKeeper interface {
	LowerBound(ctx context.Context, addr sdk.AccAddress) (math.LegacyDec, error)
	RecordOutcome(ctx context.Context, addr sdk.AccAddress, kind reputationtypes.OutcomeKind, weight math.LegacyDec) error
}

// MarketKeeper is what proofs of audit and of SLA read and do of the market: leases and providers,
// a failed audit's slashing and a breached window's cut. The market takes x/quorum's hooks at
// construction, so the app hands x/quorum the market after both exist (SetMarket).
type MarketKeeper interface {
	GetLease(ctx context.Context, id uint64) (markettypes.Lease, error)
	GetProvider(ctx context.Context, addr sdk.AccAddress) (markettypes.Provider, error)
	SlashLeaseBond(ctx context.Context, leaseID uint64, reason markettypes.CloseReason, toModule string) (sdk.Coin, error)
	WithholdPayout(ctx context.Context, leaseID uint64, amount sdk.Coin) (sdk.Coin, error)
}

// ProofsKeeper checks that a receipt is anchored: leaf is in batch batchID by proof, and the batch
// is an execution batch of leaseID anchored by provider.
type ProofsKeeper interface {
	VerifyReceiptInclusion(ctx context.Context, batchID uint64, leaf []byte, proof prooftypes.MerkleProof, leaseID uint64, provider string) error
}

// late holds the keepers that exist only after x/quorum's (the market takes x/quorum's hooks, and
// x/proofs takes the market); every copy of the Keeper shares it.
type late struct {
	market MarketKeeper
	proofs ProofsKeeper
}

// Keeper of the quorum module.
type Keeper struct {
	addressCodec  address.Codec
	authority     string
	authorityAddr sdk.AccAddress
	tee           TeeKeeper
	bank          BankKeeper
	reputation    ReputationKeeper
	late          *late

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

	// Verifiers: the pool audit committees and SLA observers are drawn from.
	Verifiers collections.Map[sdk.AccAddress, types.Verifier]
	Audits    collections.Map[uint64, types.Audit]
	AuditSeq  collections.Sequence
	// AuditQueue: open audits by (reveal deadline, id), decided in that block's EndBlock.
	AuditQueue collections.KeySet[collections.Pair[int64, uint64]]
	// AuditsByLease: (lease, audit id) of every audit.
	AuditsByLease collections.KeySet[collections.Pair[uint64, uint64]]
	// OpenAudits: (lease, task seq) of each receipt under an open audit.
	OpenAudits collections.KeySet[collections.Pair[uint64, uint64]]
	// Watches by lease; SlaWindows by (lease, window).
	Watches    collections.Map[uint64, types.Watch]
	SlaWindows collections.Map[collections.Pair[uint64, uint32], types.SlaWindow]
	// WatchQueue: (height, lease) where the watch's next window is decided in that block's EndBlock.
	WatchQueue collections.KeySet[collections.Pair[int64, uint64]]
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
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService, authority string,
	tee TeeKeeper, bank BankKeeper, reputation ReputationKeeper) Keeper {
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
		bank:          bank,
		reputation:    reputation,
		late:          &late{},
		Params:        collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Auditors:      collections.NewMap(sb, types.AuditorsKey, "auditors", sdk.AccAddressKey, codec.CollValue[types.Auditor](cdc)),
		Attributes: collections.NewMap(sb, types.AttributesKey, "attributes",
			collections.PairKeyCodec(sdk.AccAddressKey, sdk.AccAddressKey), codec.CollValue[types.AuditedAttributes](cdc)),
		Quorums: collections.NewIndexedMap(sb, types.QuorumsKey, "quorums", collections.Uint64Key, codec.CollValue[types.Quorum](cdc),
			QuorumIndexes{State: indexes.NewMulti(sb, types.QuorumsByStateKey, "quorums_by_state", collections.Int32Key, collections.Uint64Key,
				func(_ uint64, q types.Quorum) (int32, error) { return int32(q.State), nil })}),
	}
	k.Verifiers = collections.NewMap(sb, types.VerifiersKey, "verifiers", sdk.AccAddressKey, codec.CollValue[types.Verifier](cdc))
	k.Audits = collections.NewMap(sb, types.AuditsKey, "audits", collections.Uint64Key, codec.CollValue[types.Audit](cdc))
	k.AuditSeq = collections.NewSequence(sb, types.AuditSeqKey, "audit_seq")
	k.AuditQueue = collections.NewKeySet(sb, types.AuditQueueKey, "audit_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key))
	k.AuditsByLease = collections.NewKeySet(sb, types.AuditsByLeaseKey, "audits_by_lease", collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key))
	k.OpenAudits = collections.NewKeySet(sb, types.OpenAuditsKey, "open_audits", collections.PairKeyCodec(collections.Uint64Key, collections.Uint64Key))
	k.Watches = collections.NewMap(sb, types.WatchesKey, "watches", collections.Uint64Key, codec.CollValue[types.Watch](cdc))
	k.SlaWindows = collections.NewMap(sb, types.SlaWindowsKey, "sla_windows",
		collections.PairKeyCodec(collections.Uint64Key, collections.Uint32Key), codec.CollValue[types.SlaWindow](cdc))
	k.WatchQueue = collections.NewKeySet(sb, types.WatchQueueKey, "watch_queue", collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key))
	// a schema builder of its own, so that the module's schema declares the index's prefix once
	k.quorumsByState = collections.NewKeySet(collections.NewSchemaBuilder(storeService), types.QuorumsByStateKey, "quorums_by_state",
		collections.PairKeyCodec(collections.Int32Key, collections.Uint64Key))
	if k.Schema, err = sb.Build(); err != nil {
		panic(err)
	}
	return k
}

// SetMarket and SetProofs hand the keeper the market and x/proofs once they exist (the app's
// wiring, before any block).
func (k Keeper) SetMarket(m MarketKeeper) { k.late.market = m }

// SetProofs: see SetMarket.
func (k Keeper) SetProofs(p ProofsKeeper) { k.late.proofs = p }

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
