package keeper_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
	teekeeper "github.com/fogchain/fog/x/tee/keeper"
	"github.com/fogchain/fog/x/tee/simtee"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// attest has provider attest with a simulated TEE the fixture's x/tee trusts.
func attest(t *testing.T, f *fixture.Fixture, provider sdk.AccAddress) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Ctx = f.Ctx.WithBlockTime(now)
	root, err := simtee.NewRoot(bytes.Repeat([]byte{7}, 32))
	require.NoError(t, err)
	dev, err := root.NewDevice(bytes.Repeat([]byte{8}, 32), now.Add(-time.Hour), now.AddDate(1, 0, 0), 1)
	require.NoError(t, err)
	measurement := bytes.Repeat([]byte{0x4d}, teetypes.MeasurementSize)
	p := teetypes.DefaultParams()
	p.AllowSimulated, p.SimulatedRoots = true, [][]byte{root.Public()}
	p.AllowedMeasurements = []teetypes.Measurement{{TeeType: teetypes.TeeTypeSimulated, Value: teetypes.MeasurementHex(measurement)}}
	require.NoError(t, f.Tee.SetParams(f.Ctx, p))
	hash := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(f.Height())))
	require.NoError(t, f.Tee.BeginBlock(f.Ctx.WithHeaderHash(hash[:])))
	prov, err := f.Keeper.Providers.Get(f.Ctx, provider)
	require.NoError(t, err)
	evidence, err := dev.Evidence(measurement, teetypes.ReportData(provider, prov.WorkerPubkey, hash[:]), false)
	require.NoError(t, err)
	_, err = teekeeper.NewMsgServerImpl(f.Tee).SubmitAttestation(f.Ctx, &teetypes.MsgSubmitAttestation{
		Provider: provider.String(), TeeType: teetypes.TeeTypeSimulated, Evidence: evidence, NonceHeight: f.Height(), WorkerPubkey: prov.WorkerPubkey,
	})
	require.NoError(t, err)
}

// The worker key an attestation vouches for is pinned while the provider serves a lease that
// requires a TEE: a key change then is refused with nothing changed, the same key is fine, and
// once the lease is over the key may change.
func TestWorkerKeyIsPinnedDuringConfidentialLeases(t *testing.T) {
	f := fixture.New(t)
	owner, provider := f.NewAccount(t, 1_000_000), f.NewProvider(t)
	attest(t, f, provider)
	msg := fixture.OrderMsg(owner)
	msg.Privacy = types.PrivacyConfidential
	o := f.CreateOrder(t, msg)
	s := f.Commit(t, o.Id, provider, 4)
	f.AdvanceTo(t, o.CommitDeadline+1)
	f.Reveal(t, o.Id, s)
	f.AdvanceTo(t, o.RevealDeadline+1)
	l := f.LeasesOf(t, o.Id)[0]
	_, err := f.Msg.StartLease(f.Ctx, &types.MsgStartLease{Provider: provider.String(), LeaseId: l.Id})
	require.NoError(t, err)

	update := func(key []byte) error {
		r := fixture.RegisterMsg(provider)
		_, err := f.Msg.UpdateProvider(f.Ctx, &types.MsgUpdateProvider{Owner: r.Owner, PeerId: r.PeerId, Multiaddrs: r.Multiaddrs,
			WorkerPubkey: key, Capacity: r.Capacity, Attributes: []types.Attribute{{Key: "region", Value: "us-east"}}})
		return err
	}
	before := f.Snapshot(t)
	require.ErrorIs(t, update(bytes.Repeat([]byte{9}, 32)), types.ErrWorkerKeyPinned)
	require.ErrorIs(t, update(nil), types.ErrWorkerKeyPinned, "dropping the key is a change too")
	require.Equal(t, before, f.Snapshot(t))
	require.NoError(t, update(fixture.RegisterMsg(provider).WorkerPubkey), "other fields may change")

	_, err = f.Msg.CloseLease(f.Ctx, &types.MsgCloseLease{Sender: owner.String(), LeaseId: l.Id})
	require.NoError(t, err)
	require.NoError(t, update(bytes.Repeat([]byte{9}, 32)), "no confidential lease left")
	f.CheckInvariants(t)
}
