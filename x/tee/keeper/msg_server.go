package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/internal/accaddr"
	"github.com/fogchain/fog/x/tee/types"
)

type msgServer struct{ Keeper }

// NewMsgServerImpl returns the tee Msg service.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k} }

// SubmitAttestation verifies a provider's evidence and writes its enclave record. Every check that
// needs no decoding comes first; the flat verification gas is charged before the evidence is decoded.
func (k msgServer) SubmitAttestation(ctx context.Context, msg *types.MsgSubmitAttestation) (*types.MsgSubmitAttestationResponse, error) {
	provider, canonical, err := accaddr.Parse(k.addressCodec, "provider", msg.Provider)
	if err != nil {
		return nil, err
	}
	if err := msg.ValidateFields(); err != nil {
		return nil, err
	}
	p, err := k.params.Get(ctx) // roots are read only if the evidence is verified
	if err != nil {
		return nil, err
	}
	if msg.TeeType == types.TeeTypeSimulated && !p.AllowSimulated {
		return nil, errorsmod.Wrap(types.ErrSimulatedNotAllowed, "params.allow_simulated is false")
	}
	if len(msg.Evidence) > int(p.MaxEvidenceBytes) {
		return nil, errorsmod.Wrapf(types.ErrTooLarge, "evidence of %d bytes, want 1..%d", len(msg.Evidence), p.MaxEvidenceBytes)
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	height := sdkCtx.BlockHeight()
	if msg.NonceHeight <= height-p.NonceWindowBlocks || msg.NonceHeight > height {
		return nil, errorsmod.Wrapf(types.ErrNonce, "nonce height %d is outside the last %d blocks (now %d)", msg.NonceHeight, p.NonceWindowBlocks, height)
	}
	nonce, err := k.Nonces.Get(ctx, msg.NonceHeight)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrNonce, "no block hash recorded at height %d", msg.NonceHeight)
	} else if err != nil {
		return nil, err
	}
	workerKey := msg.WorkerPubkey
	old, err := k.Enclaves.Get(ctx, provider)
	hasOld := err == nil
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	if hasOld {
		if err := k.checkPinned(ctx, provider, old, msg.TeeType, workerKey); err != nil {
			return nil, err
		}
	}
	sdkCtx.GasMeter().ConsumeGas(p.VerifyGas, "tee evidence verification")
	if p, err = k.withRoots(ctx, p); err != nil {
		return nil, err
	}
	v, err := verifyEvidence(p, msg.TeeType, msg.Evidence, sdkCtx.BlockTime(), types.ReportData(provider, workerKey, nonce))
	if err != nil {
		return nil, err
	}
	renewed := hasOld && old.ExpiryHeight > height
	evidenceHash := sha256.Sum256(msg.Evidence)
	e := types.Enclave{
		Provider: canonical, TeeType: msg.TeeType, Measurement: types.MeasurementHex(v.measurement), PlatformIdHash: platformIDHash(v.platformID),
		Tcb: v.tcb, WorkerPubkey: workerKey, AttestedHeight: height, ExpiryHeight: height + p.ValidityBlocks,
		EvidenceHash: evidenceHash[:], NonceHeight: msg.NonceHeight,
	}
	if err := k.setEnclave(ctx, provider, e); err != nil {
		return nil, err
	}
	return &types.MsgSubmitAttestationResponse{ExpiryHeight: e.ExpiryHeight}, sdkCtx.EventManager().EmitTypedEvent(&types.EventAttestationAccepted{
		Provider: e.Provider, TeeType: e.TeeType, Measurement: e.Measurement, ExpiryHeight: e.ExpiryHeight,
		Renewed: renewed, EvidenceHash: hex.EncodeToString(e.EvidenceHash),
	})
}

// checkPinned refuses a new attestation that would change the TEE type or worker key of provider's
// record old while the provider holds active leases of orders that require a TEE: their customers
// chose this enclave, and a lease's receipts name the worker key it started with.
func (k msgServer) checkPinned(ctx context.Context, provider sdk.AccAddress, old types.Enclave, t types.TeeType, workerKey []byte) error {
	if old.TeeType == t && bytes.Equal(old.WorkerPubkey, workerKey) {
		return nil
	}
	leases, err := k.ActiveTeeLeases(ctx, provider)
	if err != nil {
		return err
	}
	if len(leases) > 0 {
		return errorsmod.Wrapf(types.ErrPinned, "provider %s is attested as %s with worker key %X and holds active TEE leases %v: it may renew only with the same type and key until they end",
			old.Provider, old.TeeType.Short(), old.WorkerPubkey, leases)
	}
	return nil
}

// UpdateParams replaces the params (governance).
func (k msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	authority, _, err := accaddr.Parse(k.addressCodec, "authority", msg.Authority)
	if err != nil {
		return nil, err
	}
	if !authority.Equals(k.authorityAddr) {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, err
	}
	if err := k.SetParams(ctx, msg.Params); err != nil {
		return nil, err
	}
	if _, err := k.expireUnadmitted(ctx, msg.Params); err != nil {
		return nil, err
	}
	// a narrower window forgets at once the hashes it no longer admits, so that the recorded hashes
	// always lie within the window (genesis validation relies on it)
	if err := k.pruneNonces(ctx, sdk.UnwrapSDKContext(ctx).BlockHeight(), msg.Params.NonceWindowBlocks); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventParamsUpdated{Authority: k.authority})
}
