package keeper

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// Proof of audit: anyone pays the audit fee to have a committee of verifiers, drawn by reputation
// from the pool among those not party to the lease, re-execute an anchored receipt's deterministic
// workload and vote on its output hash by commit and reveal. The hash revealed by more than half the
// committee decides.

// Bounds of what a request may carry.
const (
	maxPeerIDBytes    = 128
	maxDataAddrs      = 8
	maxDataAddrBytes  = 256
	maxDecidedInBlock = 100 // audits and SLA windows decided per EndBlock; the rest wait a block
)

// RequestAudit checks an anchored receipt, takes the fee and draws the committee.
func (k msgServer) RequestAudit(ctx context.Context, msg *types.MsgRequestAudit) (*types.MsgRequestAuditResponse, error) {
	requester, canonical, err := k.address("requester", msg.Requester)
	if err != nil {
		return nil, err
	}
	if err := validateDataPeer(msg.DataPeerId, msg.DataMultiaddrs); err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	r := msg.Receipt.Receipt
	if r == nil {
		return nil, errorsmod.Wrap(types.ErrInvalidReceipt, "receipt missing")
	}
	if r.ChainId != sdkCtx.ChainID() {
		return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "receipt of chain %q, this is %q", r.ChainId, sdkCtx.ChainID())
	}
	for _, h := range []struct {
		name string
		b    []byte
	}{{"module_hash", r.ModuleHash}, {"input_hash", r.InputHash}, {"output_hash", r.OutputHash}} {
		if len(h.b) != types.HashSize {
			return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "%s of %d bytes, want %d", h.name, len(h.b), types.HashSize)
		}
	}
	m, err := k.market()
	if err != nil {
		return nil, err
	}
	l, err := m.GetLease(ctx, r.LeaseId)
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "lease %d: %s", r.LeaseId, err)
	}
	providerAddr, err := k.addressCodec.StringToBytes(l.Provider)
	if err != nil {
		return nil, err
	}
	if signer, err := k.addressCodec.StringToBytes(r.Provider); err != nil || !bytes.Equal(signer, providerAddr) {
		return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "receipt names provider %q, lease %d is %s's", r.Provider, l.Id, l.Provider)
	}
	prov, err := m.GetProvider(ctx, providerAddr)
	if err != nil {
		return nil, err
	}
	if err := msg.Receipt.Verify(prov.WorkerPubkey); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "%s (provider %s)", err, l.Provider)
	}
	leaf, err := r.Marshal()
	if err != nil {
		return nil, err
	}
	if k.late.proofs == nil {
		return nil, errors.New("x/quorum: the proofs keeper was not set (app wiring)")
	}
	if err := k.late.proofs.VerifyReceiptInclusion(ctx, msg.BatchId, leaf, msg.Proof, l.Id, l.Provider); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidReceipt, "not anchored: %s", err)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	h := sdkCtx.BlockHeight()
	commitDeadline := h + int64(p.AuditCommitBlocks)
	revealDeadline := commitDeadline + int64(p.AuditRevealBlocks)
	// the bond must still be there when the committee decides
	if l.State != markettypes.LeaseActive || l.EndHeight <= revealDeadline {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotAuditable,
			"lease %d is %s and ends at %d: an audit needs an active lease that runs past its verdict at height %d", l.Id, l.State, l.EndHeight, revealDeadline)
	}
	open, err := k.OpenAudits.Has(ctx, collections.Join(l.Id, r.TaskSeq))
	if err != nil {
		return nil, err
	}
	if open {
		return nil, errorsmod.Wrapf(types.ErrAuditOpen, "task %d of lease %d", r.TaskSeq, l.Id)
	}
	// the id is taken only once the request is accepted: a request refused below (too few
	// verifiers, the fee not payable) must leave the sequence as it was
	used, err := k.AuditSeq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	id := used + 1 // ids start at 1
	exclude, err := k.partiesOf(ctx, l, requester)
	if err != nil {
		return nil, err
	}
	committee, err := k.drawVerifiers(ctx, drawSeed(sdkCtx.HeaderHash(), "audit", id), int(p.AuditCommitteeSize), p.MaxOpenDuties, exclude)
	if err != nil {
		return nil, err
	}
	if err := k.collect(ctx, requester, p.AuditFee); err != nil {
		return nil, err
	}
	if err := k.AuditSeq.Set(ctx, id); err != nil {
		return nil, err
	}
	a := types.Audit{
		Id: id, Requester: canonical, LeaseId: l.Id, OrderId: l.OrderId, Provider: l.Provider, TaskSeq: r.TaskSeq,
		ModuleHash: r.ModuleHash, InputHash: r.InputHash, ReceiptOutputHash: r.OutputHash,
		DataPeerId: msg.DataPeerId, DataMultiaddrs: msg.DataMultiaddrs, Fee: p.AuditFee,
		RequestHeight: h, CommitDeadline: commitDeadline, RevealDeadline: revealDeadline, State: types.AuditOpen,
		BondSlashed: zeroOf(l.Bond.Denom), ToRequester: zeroOf(p.AuditFee.Denom),
	}
	names := make([]string, len(committee))
	for i, v := range committee {
		names[i] = v.Address
		a.Committee = append(a.Committee, types.AuditVote{Auditor: v.Address, Slashed: zeroOf(v.Deposit.Denom), Paid: zeroOf(p.AuditFee.Denom)})
		if err := k.addDuty(ctx, v.Address, 1, h); err != nil {
			return nil, err
		}
	}
	if err := k.saveNewAudit(ctx, a); err != nil {
		return nil, err
	}
	return &types.MsgRequestAuditResponse{AuditId: id, Committee: names, CommitDeadline: commitDeadline, RevealDeadline: revealDeadline},
		sdkCtx.EventManager().EmitTypedEvent(&types.EventAuditRequested{
			AuditId: id, LeaseId: l.Id, TaskSeq: r.TaskSeq, Provider: l.Provider, Requester: canonical, Committee: names,
			ModuleHash: r.ModuleHash, InputHash: r.InputHash, DataPeerId: msg.DataPeerId, DataMultiaddrs: msg.DataMultiaddrs,
			CommitDeadline: commitDeadline, RevealDeadline: revealDeadline,
		})
}

func (k Keeper) saveNewAudit(ctx context.Context, a types.Audit) error {
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	if err := k.AuditsByLease.Set(ctx, collections.Join(a.LeaseId, a.Id)); err != nil {
		return err
	}
	if a.State != types.AuditOpen {
		return nil
	}
	if err := k.OpenAudits.Set(ctx, collections.Join(a.LeaseId, a.TaskSeq)); err != nil {
		return err
	}
	return k.AuditQueue.Set(ctx, collections.Join(a.RevealDeadline, a.Id))
}

func validateDataPeer(peerID string, addrs []string) error {
	if peerID == "" || len(peerID) > maxPeerIDBytes {
		return errorsmod.Wrapf(types.ErrInvalidRequest, "data_peer_id must be 1 to %d bytes", maxPeerIDBytes)
	}
	if len(addrs) == 0 || len(addrs) > maxDataAddrs {
		return errorsmod.Wrapf(types.ErrInvalidRequest, "%d data_multiaddrs: must be 1 to %d", len(addrs), maxDataAddrs)
	}
	for _, a := range addrs {
		if a == "" || len(a) > maxDataAddrBytes {
			return errorsmod.Wrapf(types.ErrInvalidRequest, "data multiaddr %q: must be 1 to %d bytes", a, maxDataAddrBytes)
		}
	}
	return nil
}

// drawSeed is the seed of a draw: sha256(block hash ‖ "fog/draw/" kind ‖ id (8 bytes, big endian)).
func drawSeed(blockHash []byte, kind string, id uint64) []byte {
	h := sha256.New()
	h.Write(blockHash)
	h.Write([]byte("fog/draw/" + kind))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], id)
	h.Write(b[:])
	return h.Sum(nil)
}

func zeroOf(denom string) sdk.Coin {
	if denom == "" {
		denom = types.DefaultDenom
	}
	return sdk.NewCoin(denom, math.ZeroInt())
}

// committeeMember loads an open audit, the index of auditor on its committee and its address bytes.
func (k msgServer) committeeMember(ctx context.Context, auditID uint64, auditor string) (types.Audit, int, []byte, error) {
	addr, canonical, err := k.address("auditor", auditor)
	if err != nil {
		return types.Audit{}, 0, nil, err
	}
	a, err := k.Audits.Get(ctx, auditID)
	if errors.Is(err, collections.ErrNotFound) {
		return a, 0, nil, errorsmod.Wrapf(types.ErrAuditNotFound, "audit %d", auditID)
	}
	if err != nil {
		return a, 0, nil, err
	}
	i := a.Member(canonical)
	if i < 0 {
		return a, 0, nil, errorsmod.Wrapf(types.ErrNotOnCommittee, "%s is not on audit %d's committee", canonical, auditID)
	}
	if a.State != types.AuditOpen {
		return a, 0, nil, errorsmod.Wrapf(types.ErrWrongPhase, "audit %d was decided (%s)", auditID, a.State)
	}
	return a, i, addr, nil
}

// CommitAuditVote records a committee member's commitment, in the commit phase.
func (k msgServer) CommitAuditVote(ctx context.Context, msg *types.MsgCommitAuditVote) (*types.MsgCommitAuditVoteResponse, error) {
	if len(msg.Commitment) != sha256.Size {
		return nil, errorsmod.Wrapf(types.ErrInvalidRequest, "commitment of %d bytes, want %d", len(msg.Commitment), sha256.Size)
	}
	a, i, _, err := k.committeeMember(ctx, msg.AuditId, msg.Auditor)
	if err != nil {
		return nil, err
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); h > a.CommitDeadline {
		return nil, errorsmod.Wrapf(types.ErrWrongPhase, "audit %d took commits through height %d, this is %d", a.Id, a.CommitDeadline, h)
	}
	if len(a.Committee[i].Commitment) != 0 {
		return nil, errorsmod.Wrapf(types.ErrAlreadyVoted, "%s committed on audit %d already", a.Committee[i].Auditor, a.Id)
	}
	a.Committee[i].Commitment = msg.Commitment
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return nil, err
	}
	return &types.MsgCommitAuditVoteResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventAuditVoteCommitted{AuditId: a.Id, Auditor: a.Committee[i].Auditor})
}

// RevealAuditVote records a committee member's output hash, in the reveal phase, if it matches the
// commitment.
func (k msgServer) RevealAuditVote(ctx context.Context, msg *types.MsgRevealAuditVote) (*types.MsgRevealAuditVoteResponse, error) {
	if len(msg.OutputHash) != types.HashSize {
		return nil, errorsmod.Wrapf(types.ErrInvalidRequest, "output hash of %d bytes, want %d", len(msg.OutputHash), types.HashSize)
	}
	if len(msg.Salt) > types.MaxSaltBytes {
		return nil, errorsmod.Wrapf(types.ErrInvalidRequest, "salt of %d bytes, at most %d", len(msg.Salt), types.MaxSaltBytes)
	}
	a, i, addr, err := k.committeeMember(ctx, msg.AuditId, msg.Auditor)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h <= a.CommitDeadline || h > a.RevealDeadline {
		return nil, errorsmod.Wrapf(types.ErrWrongPhase, "audit %d takes reveals at heights %d to %d, this is %d", a.Id, a.CommitDeadline+1, a.RevealDeadline, h)
	}
	v := &a.Committee[i]
	if len(v.Commitment) == 0 {
		return nil, errorsmod.Wrapf(types.ErrWrongPhase, "%s never committed on audit %d", v.Auditor, a.Id)
	}
	if len(v.OutputHash) != 0 {
		return nil, errorsmod.Wrapf(types.ErrAlreadyVoted, "%s revealed on audit %d already", v.Auditor, a.Id)
	}
	if !bytes.Equal(types.AuditCommitment(a.Id, addr, msg.OutputHash, msg.Salt), v.Commitment) {
		return nil, errorsmod.Wrapf(types.ErrBadReveal, "audit %d, %s", a.Id, v.Auditor)
	}
	v.OutputHash = msg.OutputHash
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return nil, err
	}
	return &types.MsgRevealAuditVoteResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(
		&types.EventAuditVoteRevealed{AuditId: a.Id, Auditor: v.Auditor, OutputHash: msg.OutputHash})
}

// decideAudit decides an audit at its reveal deadline.
//
//   - The majority hash is the output hash revealed by more than half the committee, if any.
//   - A member that did not commit, did not reveal, or (with a majority) revealed another hash loses
//     its verifier deposit (burned) and leaves the pool.
//   - PASSED (majority = the receipt's hash): the fee is shared by the majority; the provider gains
//     an audit-passed outcome.
//   - FAILED (majority ≠ the receipt's hash): the lease closes AUDIT_FAILED and its bond is slashed:
//     audit_committee_share_bps of it shared by the majority, the rest to the requester; the fee is
//     shared by the majority; the provider gains an audit-failed outcome (β).
//   - INCONCLUSIVE (no majority): the fee goes back to the requester; INCONCLUSIVE with a majority
//     for types.DataUnavailable (the requester did not serve the module and input): the fee is
//     shared by the majority.
//
// Shares are equal; what does not divide evenly goes to the requester.
func (k Keeper) decideAudit(ctx context.Context, a types.Audit) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	for _, v := range a.Committee {
		if len(v.OutputHash) != 0 {
			counts[string(v.OutputHash)]++
		}
	}
	for h, n := range counts {
		if 2*n > len(a.Committee) {
			a.MajorityOutputHash = []byte(h)
		}
	}
	var majority []int
	var slashed []string
	for i := range a.Committee {
		v := &a.Committee[i]
		with := len(a.MajorityOutputHash) != 0 && bytes.Equal(v.OutputHash, a.MajorityOutputHash)
		v.WithMajority = with
		fault := ""
		switch {
		case len(v.Commitment) == 0:
			fault = fmt.Sprintf("no commit on audit %d", a.Id)
		case len(v.OutputHash) == 0:
			fault = fmt.Sprintf("no reveal on audit %d", a.Id)
		case len(a.MajorityOutputHash) != 0 && !with:
			fault = fmt.Sprintf("voted against the majority of audit %d", a.Id)
		}
		if fault != "" {
			burned, err := k.slashVerifier(ctx, v.Auditor, fault, a.RequestHeight)
			if err != nil {
				return err
			}
			v.Slashed = burned
			slashed = append(slashed, v.Auditor)
			continue
		}
		if err := k.addDuty(ctx, v.Auditor, -1, a.RequestHeight); err != nil {
			return err
		}
		if with {
			majority = append(majority, i)
		}
	}
	requester, err := k.addressCodec.StringToBytes(a.Requester)
	if err != nil {
		return err
	}
	providerAddr, err := k.addressCodec.StringToBytes(a.Provider)
	if err != nil {
		return err
	}
	// share pays total equally to the majority and returns what does not divide (all of it when
	// there is no majority), which goes to the requester
	share := func(total sdk.Coin) (sdk.Coin, error) {
		if !total.IsPositive() || len(majority) == 0 {
			return total, nil
		}
		each := sdk.NewCoin(total.Denom, total.Amount.QuoRaw(int64(len(majority))))
		for _, i := range majority {
			v := &a.Committee[i]
			addr, err := k.addressCodec.StringToBytes(v.Auditor)
			if err != nil {
				return total, err
			}
			if err := k.payOut(ctx, addr, each); err != nil {
				return total, err
			}
			if v.Paid.Denom == each.Denom {
				v.Paid = v.Paid.Add(each)
			}
		}
		return total.Sub(sdk.NewCoin(total.Denom, each.Amount.MulRaw(int64(len(majority))))), nil
	}
	var toRequester sdk.Coins
	switch {
	case len(a.MajorityOutputHash) == 0:
		a.State = types.AuditInconclusive
		toRequester = sdk.NewCoins(a.Fee)
	case bytes.Equal(a.MajorityOutputHash, types.DataUnavailable):
		// the majority could not get the data from the requester: it is paid for its time
		a.State = types.AuditInconclusive
		rest, err := share(a.Fee)
		if err != nil {
			return err
		}
		toRequester = sdk.NewCoins(rest)
	case bytes.Equal(a.MajorityOutputHash, a.ReceiptOutputHash):
		a.State = types.AuditPassed
		rest, err := share(a.Fee)
		if err != nil {
			return err
		}
		toRequester = sdk.NewCoins(rest)
		if err := k.reputation.RecordOutcome(ctx, providerAddr, reputationtypes.OutcomeAuditPassed, math.LegacyOneDec()); err != nil {
			return err
		}
	default:
		a.State = types.AuditFailed
		rest, err := share(a.Fee)
		if err != nil {
			return err
		}
		m, err := k.market()
		if err != nil {
			return err
		}
		bond, err := m.SlashLeaseBond(ctx, a.LeaseId, markettypes.CloseReasonAuditFailed, types.ModuleName)
		if err != nil {
			return err
		}
		a.BondSlashed = bond
		committeePart := sdk.NewCoin(bond.Denom, bond.Amount.MulRaw(int64(p.AuditCommitteeShareBps)).QuoRaw(types.MaxUptimeBps))
		left, err := share(committeePart)
		if err != nil {
			return err
		}
		// the fee and the bond are usually of one denom: Add sums them (NewCoins would panic on
		// the repeated denom)
		toRequester = sdk.NewCoins(rest).Add(bond.Sub(committeePart)).Add(left)
		if err := k.reputation.RecordOutcome(ctx, providerAddr, reputationtypes.OutcomeAuditFailed, math.LegacyOneDec()); err != nil {
			return err
		}
	}
	if !toRequester.IsZero() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, requester, toRequester); err != nil {
			return err
		}
	}
	// recorded in the fee's denom (a bond in another denom is paid but not added here)
	toReq := sdk.NewCoin(a.Fee.Denom, toRequester.AmountOf(a.Fee.Denom))
	a.ToRequester = toReq
	a.DecidedHeight = sdkCtx.BlockHeight()
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	if err := k.OpenAudits.Remove(ctx, collections.Join(a.LeaseId, a.TaskSeq)); err != nil {
		return err
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventAuditDecided{
		AuditId: a.Id, LeaseId: a.LeaseId, Provider: a.Provider, State: a.State, MajorityOutputHash: a.MajorityOutputHash,
		BondSlashed: a.BondSlashed, ToRequester: a.ToRequester, SlashedAuditors: slashed,
	})
}
