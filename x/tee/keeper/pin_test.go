package keeper_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/snpfake"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/tee/types"
)

// teeLease has provider p, attested as simulated, win and start a lease of a confidential order; it
// returns the lease and its owner.
func (e *env) teeLease(t *testing.T, p sdk.AccAddress) (markettypes.Lease, sdk.AccAddress) {
	owner := e.f.NewAccount(t, 1_000_000)
	msg := fixture.OrderMsg(owner)
	msg.Privacy = markettypes.PrivacyConfidential
	o := e.f.CreateOrder(t, msg)
	require.True(t, o.TeeRequired)
	s := e.f.Commit(t, o.Id, p, 4)
	for e.f.Height() <= o.CommitDeadline {
		e.next(t)
	}
	e.f.Reveal(t, o.Id, s)
	for e.f.Height() <= o.RevealDeadline {
		require.NoError(t, e.f.Keeper.EndBlocker(e.f.Ctx))
		e.next(t)
	}
	l := e.f.LeasesOf(t, o.Id)[0]
	_, err := e.f.Msg.StartLease(e.f.Ctx, &markettypes.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
	require.NoError(t, err)
	return l, owner
}

// While a provider holds an active lease of an order that requires a TEE, a new attestation may not
// change its TEE type nor its worker key (ErrPinned, nothing changed); a renewal with the same type
// and key is accepted, and once the leases end the provider may attest as another type.
func TestTeeTypeAndWorkerKeyPinnedDuringTeeLeases(t *testing.T) {
	e := newEnv(t)
	p := e.f.NewProvider(t)
	h := e.f.Height()
	_, err := e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
	require.NoError(t, err)
	l, owner := e.teeLease(t, p)
	leases, err := e.f.Tee.ActiveTeeLeases(e.f.Ctx, p)
	require.NoError(t, err)
	require.Equal(t, []uint64{l.Id}, leases, "x/tee learnt of the lease from the market's hooks")

	refused := func(name string, tt types.TeeType, evidence func(h int64) []byte) {
		t.Run(name, func(t *testing.T) {
			h := e.f.Height()
			ev := evidence(h)
			before, snap := e.export(t), e.f.Snapshot(t)
			_, err := e.submit(p, tt, ev, h)
			require.ErrorIs(t, err, types.ErrPinned)
			require.Equal(t, before, e.export(t), "no state change")
			require.Equal(t, snap, e.f.Snapshot(t), "no coins moved")
		})
	}
	refused("another TEE type", types.TeeTypeSevSnp, func(h int64) []byte {
		return e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: e.binding(t, p, h), TCB: tcb})
	})
	// x/market refuses a worker key change during TEE leases; an attestation for another key is
	// refused by x/tee as well
	prov, err := e.f.Keeper.Providers.Get(e.f.Ctx, p)
	require.NoError(t, err)
	oldKey := prov.WorkerPubkey
	prov.WorkerPubkey = bytesOf(0x42, 32)
	require.NoError(t, e.f.Keeper.Providers.Set(e.f.Ctx, p, prov))
	refused("another worker key", types.TeeTypeSimulated, func(h int64) []byte {
		return e.simEvidence(t, e.binding(t, p, h), measurement, false)
	})
	prov.WorkerPubkey = oldKey
	require.NoError(t, e.f.Keeper.Providers.Set(e.f.Ctx, p, prov))

	e.next(t)
	h = e.f.Height()
	res, err := e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
	require.NoError(t, err, "a renewal with the same type and key")
	require.Equal(t, h+types.DefaultValidityBlocks, res.ExpiryHeight)

	_, err = e.f.Msg.CloseLease(e.f.Ctx, &markettypes.MsgCloseLease{Sender: owner.String(), LeaseId: l.Id})
	require.NoError(t, err)
	leases, err = e.f.Tee.ActiveTeeLeases(e.f.Ctx, p)
	require.NoError(t, err)
	require.Empty(t, leases, "x/tee learnt of the close")
	e.next(t)
	h = e.f.Height()
	_, err = e.submit(p, types.TeeTypeSevSnp, e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: e.binding(t, p, h), TCB: tcb}), h)
	require.NoError(t, err, "no TEE lease left: the provider may attest as another type")
	enc, err := e.f.Tee.ValidEnclave(e.f.Ctx, p, types.TeeTypeSevSnp)
	require.NoError(t, err)
	require.Equal(t, types.TeeTypeSevSnp, enc.TeeType)
}
