package keeper

import (
	"context"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/quorum/types"
)

// Holdings is what x/quorum's module account must hold: the verifiers' deposits, the fees of open
// audits and the unspent fees of watches. A slashed bond passes through it within one EndBlock and
// is never held.
type Holdings struct {
	Deposits    sdk.Coins
	AuditFees   sdk.Coins
	WatchEscrow sdk.Coins
	OpenDuties  uint64
}

// Total is everything the module account must hold.
func (h Holdings) Total() sdk.Coins { return h.Deposits.Add(h.AuditFees...).Add(h.WatchEscrow...) }

// Holdings adds up the money the records lock, and counts the open duties they imply.
func (k Keeper) Holdings(ctx context.Context) (Holdings, error) {
	var h Holdings
	err := k.Verifiers.Walk(ctx, nil, func(_ sdk.AccAddress, v types.Verifier) (bool, error) {
		h.Deposits = h.Deposits.Add(v.Deposit)
		return false, nil
	})
	if err != nil {
		return h, err
	}
	err = k.Audits.Walk(ctx, nil, func(_ uint64, a types.Audit) (bool, error) {
		if a.State == types.AuditOpen {
			h.AuditFees = h.AuditFees.Add(a.Fee)
		}
		return false, nil
	})
	if err != nil {
		return h, err
	}
	err = k.Watches.Walk(ctx, nil, func(_ uint64, w types.Watch) (bool, error) {
		if !w.Ended {
			h.WatchEscrow = h.WatchEscrow.Add(w.Escrow)
		} else if !w.Escrow.IsZero() {
			return true, fmt.Errorf("ended watch of lease %d still escrows %s", w.LeaseId, w.Escrow)
		}
		return false, nil
	})
	return h, err
}

// CheckSolvency fails unless the module account holds exactly what the records justify, and every
// verifier's open duties match the open audits and watches that drew it since it joined the pool
// (verifiers removed for a failed duty are no longer counted, nor, once they joined again, the
// duties they were drawn for before).
func (k Keeper) CheckSolvency(ctx context.Context, moduleBalance sdk.Coins) error {
	h, err := k.Holdings(ctx)
	if err != nil {
		return err
	}
	if want := h.Total(); !want.Equal(moduleBalance) {
		return fmt.Errorf("quorum module holds %s, records justify %s (verifier deposits %s, open audit fees %s, watch escrow %s)",
			moduleBalance, want, h.Deposits, h.AuditFees, h.WatchEscrow)
	}
	// the heights at which each address was drawn for a duty still open
	drawn := map[string][]int64{}
	if err := k.Audits.Walk(ctx, nil, func(_ uint64, a types.Audit) (bool, error) {
		if a.State == types.AuditOpen {
			for _, v := range a.Committee {
				drawn[v.Auditor] = append(drawn[v.Auditor], a.RequestHeight)
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	if err := k.Watches.Walk(ctx, nil, func(_ uint64, w types.Watch) (bool, error) {
		if !w.Ended {
			for _, o := range w.Observers {
				drawn[o.Address] = append(drawn[o.Address], w.FirstWindowStart-1)
			}
		}
		return false, nil
	}); err != nil {
		return err
	}
	return k.Verifiers.Walk(ctx, nil, func(_ sdk.AccAddress, v types.Verifier) (bool, error) {
		n := uint32(0)
		for _, at := range drawn[v.Address] {
			if at >= v.JoinedHeight {
				n++
			}
		}
		if v.OpenDuties != n {
			return true, fmt.Errorf("verifier %s counts %d open duties, the open audits and watches drew it %d times since it joined", v.Address, v.OpenDuties, n)
		}
		return false, nil
	})
}
