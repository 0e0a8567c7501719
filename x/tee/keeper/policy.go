package keeper

import (
	"context"
	"encoding/binary"

	"github.com/google/go-sev-guest/kds"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/tee/internal/snp"
	"github.com/fogchain/fog/x/tee/internal/tdx"
	"github.com/fogchain/fog/x/tee/types"
)

// admits reports whether params p would accept record e's platform now: its type allowed, its
// measurement on the allowlist, its TCB at least the minimum. Roots are not re-checked (the record
// keeps no certificate).
func admits(p types.Params, e types.Enclave) bool {
	if e.TeeType == types.TeeTypeSimulated && !p.AllowSimulated {
		return false
	}
	if !p.Allowed(e.TeeType, e.Measurement) {
		return false
	}
	switch e.TeeType {
	case types.TeeTypeSevSnp:
		return len(e.Tcb) == 8 && snp.TCBAtLeast(kds.DecomposeTCBVersion(kds.TCBVersion(binary.BigEndian.Uint64(e.Tcb))),
			kds.DecomposeTCBVersion(kds.TCBVersion(p.SevSnpMinTcb)))
	case types.TeeTypeTdx:
		return tdx.TCBAtLeast(e.Tcb, tdxMinimum(p))
	}
	return true
}

// expireUnadmitted ends, at this height, every valid record that params p no longer admits (a
// measurement removed from the allowlist, a raised minimum TCB, simulated TEEs turned off): TCB
// recovery by governance takes effect at once, and EndBlock reports each such record as expired with
// its provider's active TEE leases. It reads every record, which only governance can cause.
func (k Keeper) expireUnadmitted(ctx context.Context, p types.Params) (int, error) {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	type ended struct {
		addr sdk.AccAddress
		e    types.Enclave
	}
	var due []ended
	if err := k.Enclaves.Walk(ctx, nil, func(addr sdk.AccAddress, e types.Enclave) (bool, error) {
		if e.ExpiryHeight > h && !admits(p, e) {
			due = append(due, ended{addr, e})
		}
		return false, nil
	}); err != nil {
		return 0, err
	}
	for _, d := range due {
		d.e.ExpiryHeight = h
		if err := k.setEnclave(ctx, d.addr, d.e); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}
