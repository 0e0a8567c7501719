package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// CheckInvariants checks the module's state as only its messages and genesis can have written it:
// valid params; at most MaxAuditorsBound auditors, each stored under its own address; every
// attributes entry stored under its own (provider, auditor) pair, with 1 to MaxAttributesBound
// attributes in strictly increasing key order (so distinct), each key and value within the absolute
// bounds; every quorum record valid (types.Quorum.Validate: its members, replacements and standbys
// consistent among themselves) under its order id, with one state-index entry. The bounds are the
// absolute ones, not the params': governance may lower max_auditors or max_attributes below what is
// already there. It reads every record. Whether the records match the market's leases and bids is
// the app's cross-check (app.CheckQuorumLeases): x/quorum reads no market state.
func (k Keeper) CheckInvariants(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	auditors := 0
	err = k.Auditors.Walk(ctx, nil, func(addr sdk.AccAddress, a types.Auditor) (bool, error) {
		auditors++
		if a.Address != addr.String() {
			return true, fmt.Errorf("auditor stored under %s names %s", addr, a.Address)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	if auditors > types.MaxAuditorsBound {
		return fmt.Errorf("%d auditors, at most %d", auditors, types.MaxAuditorsBound)
	}
	err = k.Attributes.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
		if e.Provider != key.K1().String() || e.Auditor != key.K2().String() {
			return true, fmt.Errorf("attributes stored under (%s, %s) name (%s, %s)", key.K1(), key.K2(), e.Provider, e.Auditor)
		}
		if err := types.ValidateAttributes(e.Attributes, types.MaxAttributesBound, types.MaxAttributeBytesBound); err != nil {
			return true, fmt.Errorf("attributes of %s by %s: %w", e.Provider, e.Auditor, err)
		}
		for i := 1; i < len(e.Attributes); i++ {
			if e.Attributes[i-1].Key >= e.Attributes[i].Key {
				return true, fmt.Errorf("attributes of %s by %s: keys %q and %q out of order", e.Provider, e.Auditor, e.Attributes[i-1].Key, e.Attributes[i].Key)
			}
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	return k.checkQuorums(ctx)
}

// checkQuorums checks every quorum record (Quorum.Validate) and that it is stored under its order
// id, and that the state index holds exactly one entry per record, under its state.
func (k Keeper) checkQuorums(ctx context.Context) error {
	records := 0
	err := k.Quorums.Walk(ctx, nil, func(id uint64, q types.Quorum) (bool, error) {
		records++
		if q.OrderId != id {
			return true, fmt.Errorf("quorum stored under order %d names order %d", id, q.OrderId)
		}
		if err := q.Validate(); err != nil {
			return true, err
		}
		has, err := k.quorumsByState.Has(ctx, collections.Join(int32(q.State), id))
		if err != nil || !has {
			return true, errors.Join(err, fmt.Errorf("quorum of order %d: no %s entry in the state index", id, q.State))
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	entries := 0
	err = k.quorumsByState.Walk(ctx, nil, func(collections.Pair[int32, uint64]) (bool, error) {
		entries++
		return false, nil
	})
	if err == nil && entries != records {
		err = fmt.Errorf("the quorums' state index has %d entries for %d records", entries, records)
	}
	return err
}
