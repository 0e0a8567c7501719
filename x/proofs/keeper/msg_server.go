package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/proofs/types"
)

type msgServer struct{ Keeper }

// NewMsgServerImpl returns the proofs Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k} }

func (k msgServer) AnchorBatch(ctx context.Context, msg *types.MsgAnchorBatch) (*types.MsgAnchorBatchResponse, error) {
	submitter, canonical, err := accaddr.Parse(k.addressCodec, "submitter", msg.Submitter)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateFields(); err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.LeafCount > p.MaxLeafCount {
		return nil, errorsmod.Wrapf(types.ErrInvalidBatch, "leaf count %d not in [1, %d]", msg.LeafCount, p.MaxLeafCount)
	}
	owner, provider, err := k.market.LeaseParties(ctx, msg.LeaseId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotFound, "lease %d", msg.LeaseId)
	} else if err != nil {
		return nil, err
	}
	isProvider, isOwner := submitter.Equals(provider), submitter.Equals(owner)
	switch {
	case msg.Kind == types.BatchKindExecution && !isProvider:
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only lease %d's provider %s anchors its execution receipts", msg.LeaseId, provider)
	case !isProvider && !isOwner:
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "lease %d is between %s and %s", msg.LeaseId, owner, provider)
	}
	id, err := k.BatchSeq.Next(ctx)
	if err != nil {
		return nil, err
	}
	b := types.Batch{Id: id, Submitter: canonical, LeaseId: msg.LeaseId, Kind: msg.Kind, MerkleRoot: msg.MerkleRoot,
		LeafCount: msg.LeafCount, Height: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.setBatch(ctx, b); err != nil {
		return nil, err
	}
	return &types.MsgAnchorBatchResponse{BatchId: id}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventBatchAnchored{
		BatchId: id, LeaseId: b.LeaseId, Submitter: b.Submitter, Kind: b.Kind, MerkleRoot: hex.EncodeToString(b.MerkleRoot), LeafCount: b.LeafCount,
	})
}

// checkAuthority parses the authority field and compares its bytes with the keeper's authority.
func (k msgServer) checkAuthority(a string) error {
	addr, _, err := accaddr.Parse(k.addressCodec, "authority", a)
	if err != nil {
		return err
	}
	if !addr.Equals(k.authorityAddr) {
		return errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, a)
	}
	return nil
}

func (k msgServer) RegisterCircuit(ctx context.Context, msg *types.MsgRegisterCircuit) (*types.MsgRegisterCircuitResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.ValidateFields(); err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if len(msg.Name)+len(msg.Description) > int(p.MaxDescriptionBytes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidCircuit, "name and description are %d bytes, at most %d", len(msg.Name)+len(msg.Description), p.MaxDescriptionBytes)
	}
	if has, err := k.CircuitsByName.Has(ctx, msg.Name); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrap(types.ErrCircuitExists, msg.Name)
	}
	if err := ValidateCircuitKey(p, msg.VerifyingKey, msg.PublicInputCount); err != nil {
		return nil, err
	}
	id, err := k.CircuitSeq.Next(ctx)
	if err != nil {
		return nil, err
	}
	c := types.Circuit{Id: id, Name: msg.Name, Description: msg.Description, VerifyingKey: msg.VerifyingKey,
		PublicInputCount: msg.PublicInputCount, Active: true, RegisteredHeight: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.Circuits.Set(ctx, id, c); err != nil {
		return nil, err
	}
	if err := k.CircuitsByName.Set(ctx, c.Name, id); err != nil {
		return nil, err
	}
	return &types.MsgRegisterCircuitResponse{CircuitId: id}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventCircuitRegistered{CircuitId: id, Name: c.Name, PublicInputCount: c.PublicInputCount})
}

func (k msgServer) DeactivateCircuit(ctx context.Context, msg *types.MsgDeactivateCircuit) (*types.MsgDeactivateCircuitResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.ValidateFields(); err != nil {
		return nil, err
	}
	c, err := k.Circuits.Get(ctx, msg.CircuitId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrCircuitNotFound, "circuit %d", msg.CircuitId)
	} else if err != nil {
		return nil, err
	}
	c.Active = false
	if err := k.Circuits.Set(ctx, c.Id, c); err != nil {
		return nil, err
	}
	// it verifies nothing any more: its place in the warm set goes to another circuit
	if err := k.coolDown(ctx, c.Id); err != nil {
		return nil, err
	}
	return &types.MsgDeactivateCircuitResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventCircuitDeactivated{CircuitId: c.Id})
}

func (k msgServer) VerifyProof(ctx context.Context, msg *types.MsgVerifyProof) (*types.MsgVerifyProofResponse, error) {
	_, submitter, err := accaddr.Parse(k.addressCodec, "submitter", msg.Submitter)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateFields(); err != nil {
		return nil, err
	}
	if err := k.Keeper.VerifyProof(ctx, msg.CircuitId, msg.PublicInputs, msg.Proof); err != nil {
		return nil, err
	}
	id, err := k.ClaimSeq.Next(ctx)
	if err != nil {
		return nil, err
	}
	c := types.Claim{Id: id, CircuitId: msg.CircuitId, PublicInputsHash: PublicInputsHash(msg.PublicInputs),
		Submitter: submitter, Height: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.setClaim(ctx, c); err != nil {
		return nil, err
	}
	return &types.MsgVerifyProofResponse{ClaimId: id}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventProofVerified{
		ClaimId: id, CircuitId: c.CircuitId, Submitter: c.Submitter, PublicInputsHash: hex.EncodeToString(c.PublicInputsHash),
	})
}

// PublicInputsHash is sha256 of the public inputs concatenated in order.
func PublicInputsHash(inputs [][]byte) []byte {
	h := sha256.New()
	for _, in := range inputs {
		h.Write(in)
	}
	return h.Sum(nil)
}

func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	old, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := k.paramsChanged(ctx, old, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: k.authority})
}
