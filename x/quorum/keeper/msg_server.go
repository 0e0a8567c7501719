package keeper

import (
	"context"
	"errors"
	"sort"
	"unicode/utf8"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/quorum/types"
)

type msgServer struct{ Keeper }

// NewMsgServerImpl returns the quorum Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k} }

var _ types.MsgServer = msgServer{}

// address parses a message's account address in its canonical spelling (ErrInvalidAddress).
func (k msgServer) address(field, s string) (sdk.AccAddress, string, error) {
	addr, canonical, err := accaddr.Parse(k.addressCodec, field, s)
	if err != nil {
		return nil, "", errorsmod.Wrap(types.ErrInvalidAddress, err.Error())
	}
	return addr, canonical, nil
}

// checkAuthority refuses a signer other than the module's authority.
func (k msgServer) checkAuthority(signer string) error {
	authority, _, err := accaddr.Parse(k.addressCodec, "authority", signer)
	if err != nil {
		return err
	}
	if !authority.Equals(k.authorityAddr) {
		return errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, signer)
	}
	return nil
}

func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventParamsUpdated{Authority: k.authority, Params: msg.Params})
}

func (k msgServer) AddAuditor(ctx context.Context, msg *types.MsgAddAuditor) (*types.MsgAddAuditorResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	auditor, canonical, err := k.address("auditor", msg.Auditor)
	if err != nil {
		return nil, err
	}
	if len(msg.Description) > types.MaxDescriptionBytes || !utf8.ValidString(msg.Description) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAttributes, "description: at most %d bytes of UTF-8", types.MaxDescriptionBytes)
	}
	if has, err := k.Auditors.Has(ctx, auditor); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAuditorExists, "%s", canonical)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	n, err := k.auditorCount(ctx)
	if err != nil {
		return nil, err
	}
	if n >= uint64(params.MaxAuditors) {
		return nil, errorsmod.Wrapf(types.ErrTooManyAuditors, "%d approved, max_auditors is %d", n, params.MaxAuditors)
	}
	a := types.Auditor{Address: canonical, Description: msg.Description, AddedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.Auditors.Set(ctx, auditor, a); err != nil {
		return nil, err
	}
	return &types.MsgAddAuditorResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventAuditorAdded{Auditor: canonical, Description: msg.Description})
}

// auditorCount counts the approved auditors (at most MaxAuditorsBound: a walk of a governance message).
func (k Keeper) auditorCount(ctx context.Context) (uint64, error) {
	var n uint64
	err := k.Auditors.Walk(ctx, nil, func(sdk.AccAddress, types.Auditor) (bool, error) {
		n++
		return false, nil
	})
	return n, err
}

func (k msgServer) RemoveAuditor(ctx context.Context, msg *types.MsgRemoveAuditor) (*types.MsgRemoveAuditorResponse, error) {
	if err := k.checkAuthority(msg.Authority); err != nil {
		return nil, err
	}
	auditor, canonical, err := k.address("auditor", msg.Auditor)
	if err != nil {
		return nil, err
	}
	if has, err := k.Auditors.Has(ctx, auditor); err != nil {
		return nil, err
	} else if !has {
		return nil, errorsmod.Wrapf(types.ErrAuditorNotFound, "%s", canonical)
	}
	if err := k.Auditors.Remove(ctx, auditor); err != nil {
		return nil, err
	}
	return &types.MsgRemoveAuditorResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventAuditorRemoved{Auditor: canonical})
}

func (k msgServer) SignProviderAttributes(ctx context.Context, msg *types.MsgSignProviderAttributes) (*types.MsgSignProviderAttributesResponse, error) {
	auditor, auditorStr, err := k.address("auditor", msg.Auditor)
	if err != nil {
		return nil, err
	}
	provider, providerStr, err := k.address("provider", msg.Provider)
	if err != nil {
		return nil, err
	}
	if has, err := k.Auditors.Has(ctx, auditor); err != nil {
		return nil, err
	} else if !has {
		return nil, errorsmod.Wrapf(types.ErrAuditorNotFound, "%s may not sign attributes", auditorStr)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateAttributes(msg.Attributes, params.MaxAttributes, params.MaxAttributeBytes); err != nil {
		return nil, err
	}
	key := collections.Join(provider, auditor)
	entry, err := k.Attributes.Get(ctx, key)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	merged := map[string]string{}
	for _, a := range entry.Attributes {
		merged[a.Key] = a.Value
	}
	for _, a := range msg.Attributes {
		merged[a.Key] = a.Value
	}
	if len(merged) > int(params.MaxAttributes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAttributes, "%d attributes signed for %s with these, at most %d: delete some first",
			len(merged), providerStr, params.MaxAttributes)
	}
	entry = types.AuditedAttributes{Provider: providerStr, Auditor: auditorStr, Attributes: sortedAttributes(merged),
		SignedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight()}
	if err := k.Attributes.Set(ctx, key, entry); err != nil {
		return nil, err
	}
	return &types.MsgSignProviderAttributesResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProviderAttributesSigned{Provider: providerStr, Auditor: auditorStr, Attributes: entry.Attributes})
}

func sortedAttributes(m map[string]string) []types.Attribute {
	out := make([]types.Attribute, 0, len(m))
	for k, v := range m {
		out = append(out, types.Attribute{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (k msgServer) DeleteProviderAttributes(ctx context.Context, msg *types.MsgDeleteProviderAttributes) (*types.MsgDeleteProviderAttributesResponse, error) {
	auditor, auditorStr, err := k.address("auditor", msg.Auditor)
	if err != nil {
		return nil, err
	}
	provider, providerStr, err := k.address("provider", msg.Provider)
	if err != nil {
		return nil, err
	}
	key := collections.Join(provider, auditor)
	entry, err := k.Attributes.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrAttributesNotFound, "%s has signed no attributes of %s", auditorStr, providerStr)
	} else if err != nil {
		return nil, err
	}
	remaining := map[string]string{}
	for _, a := range entry.Attributes {
		remaining[a.Key] = a.Value
	}
	if len(msg.Keys) > len(entry.Attributes) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAttributes, "%d keys to delete, %d signed", len(msg.Keys), len(entry.Attributes))
	}
	named := make(map[string]bool, len(msg.Keys))
	for _, key := range msg.Keys {
		if err := types.ValidateAttributeKey(key, types.MaxAttributeBytesBound); err != nil {
			return nil, err
		}
		if named[key] {
			return nil, errorsmod.Wrapf(types.ErrInvalidAttributes, "key %q given twice", key)
		}
		named[key] = true
		if _, ok := remaining[key]; !ok {
			return nil, errorsmod.Wrapf(types.ErrAttributesNotFound, "%s has not signed %q for %s", auditorStr, key, providerStr)
		}
		delete(remaining, key)
	}
	if len(msg.Keys) == 0 {
		remaining = nil
	}
	left := sortedAttributes(remaining)
	if len(left) == 0 {
		err = k.Attributes.Remove(ctx, key)
	} else {
		entry.Attributes = left
		err = k.Attributes.Set(ctx, key, entry)
	}
	if err != nil {
		return nil, err
	}
	deleted := msg.Keys
	if len(deleted) == 0 {
		for _, a := range entry.Attributes {
			deleted = append(deleted, a.Key)
		}
	}
	return &types.MsgDeleteProviderAttributesResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventProviderAttributesDeleted{Provider: providerStr, Auditor: auditorStr, Keys: deleted, Remaining: left})
}
