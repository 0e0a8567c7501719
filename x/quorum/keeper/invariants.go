package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// CheckInvariants checks the module's state as only its messages and genesis can have written it:
// valid params; at most MaxAuditorsBound auditors, each stored under its own address; every
// attributes entry stored under its own (provider, auditor) pair, with 1 to MaxAttributesBound
// attributes in strictly increasing key order (so distinct), each key and value within the absolute
// bounds. The bounds are the absolute ones, not the params': governance may lower max_auditors or
// max_attributes below what is already there. It reads every record.
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
	return k.Attributes.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
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
}
