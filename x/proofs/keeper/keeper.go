// Package keeper anchors Merkle roots of receipt batches, keeps the registry of Groth16 circuits and
// records the claims whose proofs it verified.
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

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/proofs/types"
)

// Keeper of the proofs module.
type Keeper struct {
	addressCodec  address.Codec
	authority     string
	authorityAddr sdk.AccAddress
	market        types.MarketKeeper
	vks           *vkCache

	Schema             collections.Schema
	Params             collections.Item[types.Params]
	Batches            collections.Map[uint64, types.Batch]
	BatchSeq           collections.Sequence
	BatchesByLease     collections.KeySet[collections.Pair[uint64, uint64]]
	BatchesBySubmitter collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
	Circuits           collections.Map[uint64, types.Circuit]
	CircuitSeq         collections.Sequence
	CircuitsByName     collections.Map[string, uint64]
	Claims             collections.Map[uint64, types.Claim]
	ClaimSeq           collections.Sequence
	ClaimsByCircuit    collections.KeySet[collections.Pair[uint64, uint64]]
	// Warm is the warm set: circuit id → height of its last verification (warm.go).
	Warm      *collections.IndexedMap[uint64, int64, WarmIndexes]
	WarmCount collections.Item[uint64]
}

// WarmIndexes order the warm set by last use, for eviction.
type WarmIndexes struct {
	ByUse *indexes.Multi[int64, uint64, int64]
}

// IndexesList implements collections.Indexes.
func (i WarmIndexes) IndexesList() []collections.Index[uint64, int64] {
	return []collections.Index[uint64, int64]{i.ByUse}
}

// NewKeeper builds the keeper; authority registers circuits and changes params (gov).
func NewKeeper(cdc codec.BinaryCodec, addressCodec address.Codec, storeService storetypes.KVStoreService, market types.MarketKeeper, authority string) Keeper {
	authorityAddr, canonical, err := accaddr.Parse(addressCodec, "authority", authority)
	if err != nil {
		panic(fmt.Errorf("invalid proofs authority: %w", err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	u64 := collections.Uint64Key
	k := Keeper{
		addressCodec:       addressCodec,
		authority:          canonical,
		authorityAddr:      authorityAddr,
		market:             market,
		vks:                newVKCache(),
		Params:             collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Batches:            collections.NewMap(sb, types.BatchesKey, "batches", u64, codec.CollValue[types.Batch](cdc)),
		BatchSeq:           collections.NewSequence(sb, types.BatchSeqKey, "batch_seq"),
		BatchesByLease:     collections.NewKeySet(sb, types.BatchesByLeaseKey, "batches_by_lease", collections.PairKeyCodec(u64, u64)),
		BatchesBySubmitter: collections.NewKeySet(sb, types.BatchesBySubmitterKey, "batches_by_submitter", collections.PairKeyCodec(sdk.AccAddressKey, u64)),
		Circuits:           collections.NewMap(sb, types.CircuitsKey, "circuits", u64, codec.CollValue[types.Circuit](cdc)),
		CircuitSeq:         collections.NewSequence(sb, types.CircuitSeqKey, "circuit_seq"),
		CircuitsByName:     collections.NewMap(sb, types.CircuitsByNameKey, "circuits_by_name", collections.StringKey, collections.Uint64Value),
		Claims:             collections.NewMap(sb, types.ClaimsKey, "claims", u64, codec.CollValue[types.Claim](cdc)),
		ClaimSeq:           collections.NewSequence(sb, types.ClaimSeqKey, "claim_seq"),
		ClaimsByCircuit:    collections.NewKeySet(sb, types.ClaimsByCircuitKey, "claims_by_circuit", collections.PairKeyCodec(u64, u64)),
		Warm: collections.NewIndexedMap(sb, types.WarmCircuitsKey, "warm_circuits", u64, collections.Int64Value, WarmIndexes{
			ByUse: indexes.NewMulti(sb, types.WarmByUseKey, "warm_by_use", collections.Int64Key, u64,
				func(_ uint64, lastUsed int64) (int64, error) { return lastUsed, nil }),
		}),
		WarmCount: collections.NewItem(sb, types.WarmCountKey, "warm_count", collections.Uint64Value),
	}
	if k.Schema, err = sb.Build(); err != nil {
		panic(err)
	}
	return k
}

// Logger returns the module's logger.
func (k Keeper) Logger(ctx context.Context) log.Logger {
	return sdk.UnwrapSDKContext(ctx).Logger().With("module", "x/"+types.ModuleName)
}

// setBatch stores a batch and its indexes; its submitter is a canonical address.
func (k Keeper) setBatch(ctx context.Context, b types.Batch) error {
	submitter, err := k.addressCodec.StringToBytes(b.Submitter)
	if err != nil {
		return err
	}
	if err := k.Batches.Set(ctx, b.Id, b); err != nil {
		return err
	}
	if err := k.BatchesByLease.Set(ctx, collections.Join(b.LeaseId, b.Id)); err != nil {
		return err
	}
	return k.BatchesBySubmitter.Set(ctx, collections.Join(sdk.AccAddress(submitter), b.Id))
}

// setClaim stores a claim and its index.
func (k Keeper) setClaim(ctx context.Context, c types.Claim) error {
	if err := k.Claims.Set(ctx, c.Id, c); err != nil {
		return err
	}
	return k.ClaimsByCircuit.Set(ctx, collections.Join(c.CircuitId, c.Id))
}

// VerifyReceiptInclusion checks that leaf (a receipt's canonical bytes) is in batch batchID by
// proof, and that the batch is an execution batch of leaseID anchored by provider (x/quorum's proof
// of audit takes only anchored receipts).
func (k Keeper) VerifyReceiptInclusion(ctx context.Context, batchID uint64, leaf []byte, proof types.MerkleProof, leaseID uint64, provider string) error {
	b, err := k.Batches.Get(ctx, batchID)
	if errors.Is(err, collections.ErrNotFound) {
		return fmt.Errorf("batch %d not found", batchID)
	}
	if err != nil {
		return err
	}
	if proof.Total < 0 || uint64(proof.Total) != b.LeafCount {
		return fmt.Errorf("the proof is for a tree of %d leaves, batch %d has %d", proof.Total, batchID, b.LeafCount)
	}
	if err := types.VerifyInclusion(b.MerkleRoot, leaf, proof); err != nil {
		return fmt.Errorf("not in batch %d: %w", batchID, err)
	}
	return types.CheckExecutionBatch(b, leaseID, provider)
}
