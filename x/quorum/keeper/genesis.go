package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// InitGenesis loads params, auditors, attributes and quorum records (the records build their state
// index as they are written).
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, a := range gs.Auditors {
		addr, err := k.addressCodec.StringToBytes(a.Address)
		if err != nil {
			return err
		}
		if err := k.Auditors.Set(ctx, addr, a); err != nil {
			return err
		}
	}
	for _, e := range gs.Attributes {
		provider, err := k.addressCodec.StringToBytes(e.Provider)
		if err != nil {
			return err
		}
		auditor, err := k.addressCodec.StringToBytes(e.Auditor)
		if err != nil {
			return err
		}
		if err := k.Attributes.Set(ctx, collections.Join(sdk.AccAddress(provider), sdk.AccAddress(auditor)), e); err != nil {
			return err
		}
	}
	for _, q := range gs.Quorums {
		if err := k.Quorums.Set(ctx, q.OrderId, q); err != nil {
			return err
		}
	}
	return k.initVerification(ctx, gs)
}

// initVerification loads the verifier pool, audits and watches and rebuilds their indexes and
// queues from the records.
func (k Keeper) initVerification(ctx context.Context, gs *types.GenesisState) error {
	for _, v := range gs.Verifiers {
		addr, err := k.addressCodec.StringToBytes(v.Address)
		if err != nil {
			return err
		}
		if err := k.Verifiers.Set(ctx, addr, v); err != nil {
			return err
		}
	}
	// the sequence counts the ids used (ids start at 1); next_audit_id is the next to give. A chain
	// that used none has no sequence entry, and an import must not write one (same state, same hash).
	if gs.NextAuditId > 1 {
		if err := k.AuditSeq.Set(ctx, gs.NextAuditId-1); err != nil {
			return err
		}
	}
	for _, a := range gs.Audits {
		if err := k.saveNewAudit(ctx, a); err != nil {
			return err
		}
	}
	p := gs.Params
	for _, w := range gs.Watches {
		if err := k.Watches.Set(ctx, w.LeaseId, w); err != nil {
			return err
		}
		if !w.Ended {
			if err := k.WatchQueue.Set(ctx, collections.Join(k.decisionHeight(w, p), w.LeaseId)); err != nil {
				return err
			}
		}
	}
	for _, win := range gs.SlaWindows {
		if err := k.SlaWindows.Set(ctx, collections.Join(win.LeaseId, win.Window), win); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps the state in key order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p}
	if err := k.Auditors.Walk(ctx, nil, func(_ sdk.AccAddress, a types.Auditor) (bool, error) {
		gs.Auditors = append(gs.Auditors, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.Attributes.Walk(ctx, nil, func(_ collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
		gs.Attributes = append(gs.Attributes, e)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	err = k.Quorums.Walk(ctx, nil, func(_ uint64, q types.Quorum) (bool, error) {
		gs.Quorums = append(gs.Quorums, q)
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	if err := k.Verifiers.Walk(ctx, nil, func(_ sdk.AccAddress, v types.Verifier) (bool, error) {
		gs.Verifiers = append(gs.Verifiers, v)
		return false, nil
	}); err != nil {
		return nil, err
	}
	used, err := k.AuditSeq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs.NextAuditId = used + 1
	if err := k.Audits.Walk(ctx, nil, func(_ uint64, a types.Audit) (bool, error) {
		gs.Audits = append(gs.Audits, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Watches.Walk(ctx, nil, func(_ uint64, w types.Watch) (bool, error) {
		gs.Watches = append(gs.Watches, w)
		return false, nil
	}); err != nil {
		return nil, err
	}
	err = k.SlaWindows.Walk(ctx, nil, func(_ collections.Pair[uint64, uint32], w types.SlaWindow) (bool, error) {
		gs.SlaWindows = append(gs.SlaWindows, w)
		return false, nil
	})
	return gs, err
}
