package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
	"time"

	storetypes "cosmossdk.io/store/types"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/google/go-sev-guest/kds"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/testutil/snpfake"
	"github.com/fogchain/fog/testutil/tdxfake"
	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/tee/keeper"
	"github.com/fogchain/fog/x/tee/simtee"
	"github.com/fogchain/fog/x/tee/types"
)

var (
	now         = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	measurement = bytesOf(0x4d, 48)
	tcb         = kds.TCBParts{BlSpl: 3, SnpSpl: 8, UcodeSpl: 115}
)

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// env is a fixture whose tee params trust a simulated root, a fake AMD chain and a fake Intel PKI,
// and allow measurement for each TEE type.
type env struct {
	f    *fixture.Fixture
	msg  types.MsgServer
	q    types.QueryServer
	root simtee.Root
	dev  *simtee.Device
	amd  *snpfake.Chain
	intl *tdxfake.Signer
}

func newEnv(t testing.TB) *env {
	f := fixture.New(t)
	f.Ctx = f.Ctx.WithBlockTime(now)
	root, err := simtee.NewRoot(bytesOf(7, 32))
	require.NoError(t, err)
	dev, err := root.NewDevice(bytesOf(8, 32), now.Add(-time.Hour), now.AddDate(1, 0, 0), 1)
	require.NoError(t, err)
	amd, err := snpfake.New(now.AddDate(-1, 0, 0), tcb, false)
	require.NoError(t, err)
	intl, err := tdxfake.NewSigner(now.AddDate(-1, 0, 0), now.AddDate(5, 0, 0))
	require.NoError(t, err)
	p := types.DefaultParams()
	p.AllowSimulated = true
	p.SimulatedRoots = [][]byte{root.Public()}
	p.SevSnpRoots = []types.SevSnpRoot{{ProductLine: snpfake.ProductLine, Ark: amd.ARK(), Ask: amd.ASK()}}
	p.TdxRoots = [][]byte{intl.Root.Raw}
	v, err := kds.ComposeTCBParts(tcb)
	require.NoError(t, err)
	p.SevSnpMinTcb = uint64(v)
	for _, tt := range []types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx, types.TeeTypeSimulated} {
		p.AllowedMeasurements = append(p.AllowedMeasurements, types.Measurement{TeeType: tt, Value: types.MeasurementHex(measurement), Description: "fog worker v1"})
	}
	require.NoError(t, p.Validate())
	require.NoError(t, f.Tee.SetParams(f.Ctx, p))
	e := &env{f: f, msg: keeper.NewMsgServerImpl(f.Tee), q: keeper.NewQueryServerImpl(f.Tee), root: root, dev: dev, amd: amd, intl: intl}
	e.block(t)
	return e
}

// block runs the tee's BeginBlock at the current height with a block hash derived from it.
func (e *env) block(t testing.TB) []byte {
	hash := sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(e.f.Height())))
	require.NoError(t, e.f.Tee.BeginBlock(e.f.Ctx.WithHeaderHash(hash[:])))
	return hash[:]
}

// next ends the block and begins the next one.
func (e *env) next(t testing.TB) {
	require.NoError(t, e.f.Tee.EndBlock(e.f.Ctx))
	e.f.SetHeight(e.f.Height() + 1)
	e.block(t)
}

func (e *env) nonce(t testing.TB, h int64) []byte {
	n, err := e.f.Tee.Nonces.Get(e.f.Ctx, h)
	require.NoError(t, err)
	return n
}

func (e *env) workerKey(t testing.TB, p sdk.AccAddress) []byte {
	prov, err := e.f.Keeper.Providers.Get(e.f.Ctx, p)
	require.NoError(t, err)
	return prov.WorkerPubkey
}

// binding is the report data provider must attest at nonce height h.
func (e *env) binding(t testing.TB, p sdk.AccAddress, h int64) []byte {
	return types.ReportData(p, e.workerKey(t, p), e.nonce(t, h))
}

func (e *env) simEvidence(t testing.TB, reportData []byte, m []byte, debug bool) []byte {
	ev, err := e.dev.Evidence(m, reportData, debug)
	require.NoError(t, err)
	return ev
}

func (e *env) snpEvidence(t testing.TB, r snpfake.Report) []byte {
	report, err := e.amd.Sign(r)
	require.NoError(t, err)
	bz, err := (&types.SevSnpEvidence{Report: report, Vcek: e.amd.VCEK()}).Marshal()
	require.NoError(t, err)
	return bz
}

func (e *env) tdxEvidence(t testing.TB, b tdxfake.Body) []byte {
	quote, err := e.intl.Quote(b)
	require.NoError(t, err)
	bz, err := (&types.TdxEvidence{Quote: quote}).Marshal()
	require.NoError(t, err)
	return bz
}

// registeredKey is p's worker key registered in the market, or nil.
func (e *env) registeredKey(p sdk.AccAddress) []byte {
	prov, _ := e.f.Keeper.Providers.Get(e.f.Ctx, p)
	return prov.WorkerPubkey
}

// submit attests for p's registered worker key.
func (e *env) submit(p sdk.AccAddress, tt types.TeeType, evidence []byte, nonceHeight int64) (*types.MsgSubmitAttestationResponse, error) {
	return e.msg.SubmitAttestation(e.f.Ctx, &types.MsgSubmitAttestation{
		Provider: p.String(), TeeType: tt, Evidence: evidence, NonceHeight: nonceHeight, WorkerPubkey: e.registeredKey(p),
	})
}

// Each TEE type's genuine evidence, bound to the provider, its worker key and a recent block hash,
// gives an enclave record that counts until its expiry height.
func TestAttestationOfEachTeeType(t *testing.T) {
	e := newEnv(t)
	h := e.f.Height()
	cases := map[types.TeeType]func(p sdk.AccAddress) []byte{
		types.TeeTypeSimulated: func(p sdk.AccAddress) []byte { return e.simEvidence(t, e.binding(t, p, h), measurement, false) },
		types.TeeTypeSevSnp: func(p sdk.AccAddress) []byte {
			return e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: e.binding(t, p, h), TCB: tcb})
		},
		types.TeeTypeTdx: func(p sdk.AccAddress) []byte {
			return e.tdxEvidence(t, tdxfake.Body{MrTd: measurement, ReportData: e.binding(t, p, h)})
		},
	}
	for tt, evidence := range cases {
		t.Run(tt.String(), func(t *testing.T) {
			p := e.f.NewProvider(t)
			ev := evidence(p)
			res, err := e.submit(p, tt, ev, h)
			require.NoError(t, err)
			params, _ := e.f.Tee.GetParams(e.f.Ctx)
			require.Equal(t, h+params.ValidityBlocks, res.ExpiryHeight)
			enc, err := e.f.Tee.ValidEnclave(e.f.Ctx, p, tt)
			require.NoError(t, err)
			require.Equal(t, types.MeasurementHex(measurement), enc.Measurement)
			require.Equal(t, e.workerKey(t, p), enc.WorkerPubkey)
			sum := sha256.Sum256(ev)
			require.Equal(t, sum[:], enc.EvidenceHash)
			_, err = e.f.Tee.ValidEnclave(e.f.Ctx, p, types.TeeType(1+int32(tt)%3))
			require.ErrorIs(t, err, types.ErrEnclaveNotFound, "another type was asked for")
			key, err := e.f.Tee.AttestedWorkerKey(e.f.Ctx, p, tt)
			require.NoError(t, err)
			require.Equal(t, e.workerKey(t, p), key)
			_, err = e.f.Tee.AttestedWorkerKey(e.f.Ctx, p, types.TeeType(1+int32(tt)%3))
			require.ErrorIs(t, err, types.ErrEnclaveNotFound, "another type was asked for")
			got, err := e.q.Enclave(e.f.Ctx, &types.QueryEnclaveRequest{Provider: p.String()})
			require.NoError(t, err)
			require.True(t, got.Valid)
		})
	}
	status, err := e.q.Status(e.f.Ctx, &types.QueryStatusRequest{})
	require.NoError(t, err)
	for _, c := range status.Counts {
		require.Equal(t, uint64(1), c.Valid, c.TeeType)
	}
	list, err := e.q.Enclaves(e.f.Ctx, &types.QueryEnclavesRequest{TeeType: types.TeeTypeTdx})
	require.NoError(t, err)
	require.Len(t, list.Enclaves, 1)
}

// Every bad attestation is refused with its own error and leaves no record.
func TestAttestationRefusals(t *testing.T) {
	e := newEnv(t)
	h := e.f.Height()
	p := e.f.NewProvider(t)
	other := e.f.NewProvider(t)
	bind := e.binding(t, p, h)
	otherRoot, err := simtee.NewRoot(bytesOf(9, 32))
	require.NoError(t, err)
	strangerDev, err := otherRoot.NewDevice(bytesOf(10, 32), now.Add(-time.Hour), now.Add(time.Hour), 1)
	require.NoError(t, err)
	stranger, err := strangerDev.Evidence(measurement, bind, false)
	require.NoError(t, err)
	oldDev, err := e.root.NewDevice(bytesOf(11, 32), now.AddDate(-2, 0, 0), now.AddDate(-1, 0, 0), 1)
	require.NoError(t, err)
	expired, err := oldDev.Evidence(measurement, bind, false)
	require.NoError(t, err)
	genuineSim := e.simEvidence(t, bind, measurement, false)
	tampered := append([]byte{}, genuineSim...)
	tampered[10] ^= 1
	snpGenuine := e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb})
	lowTCB := tcb
	lowTCB.SnpSpl--
	flippedSnp := func() []byte {
		report, err := e.amd.Sign(snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb})
		require.NoError(t, err)
		report[0x90] ^= 1 // the measurement
		bz, err := (&types.SevSnpEvidence{Report: report, Vcek: e.amd.VCEK()}).Marshal()
		require.NoError(t, err)
		return bz
	}()
	strangerAMD, err := snpfake.New(now.AddDate(-1, 0, 0), tcb, true)
	require.NoError(t, err)
	strangerReport, err := strangerAMD.Sign(snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb})
	require.NoError(t, err)
	untrustedSnp, err := (&types.SevSnpEvidence{Report: strangerReport, Vcek: strangerAMD.VCEK()}).Marshal()
	require.NoError(t, err)
	flippedTdx := func() []byte {
		quote, err := e.intl.Quote(tdxfake.Body{MrTd: measurement, ReportData: bind})
		require.NoError(t, err)
		quote[0x30+200] ^= 1 // inside the TD quote body
		bz, err := (&types.TdxEvidence{Quote: quote}).Marshal()
		require.NoError(t, err)
		return bz
	}()
	strangerIntel, err := tdxfake.NewSigner(now.AddDate(-1, 0, 0), now.AddDate(5, 0, 0))
	require.NoError(t, err)
	strangerQuote, err := strangerIntel.Quote(tdxfake.Body{MrTd: measurement, ReportData: bind})
	require.NoError(t, err)
	untrustedTdx, err := (&types.TdxEvidence{Quote: strangerQuote}).Marshal()
	require.NoError(t, err)
	keyless := e.f.NewAccount(t, 100_000_000)
	noKey := fixture.RegisterMsg(keyless)
	noKey.WorkerPubkey = nil
	_, err = e.f.Msg.RegisterProvider(e.f.Ctx, noKey)
	require.NoError(t, err)
	for i := 0; i < 3; i++ { // move the window on: h stays inside it, h-? are outside
		e.next(t)
	}
	params, _ := e.f.Tee.GetParams(e.f.Ctx)

	for _, c := range []struct {
		name     string
		provider sdk.AccAddress
		tt       types.TeeType
		evidence []byte
		nonce    int64
		want     error
	}{
		{"unknown TEE type", p, types.TeeType(9), genuineSim, h, types.ErrTeeType},
		{"no evidence", p, types.TeeTypeSimulated, nil, h, types.ErrTooLarge},
		{"oversized evidence", p, types.TeeTypeSimulated, make([]byte, params.MaxEvidenceBytes+1), h, types.ErrTooLarge},
		{"garbage evidence", p, types.TeeTypeSimulated, bytesOf(0xff, 200), h, types.ErrMalformedEvidence},
		{"nonce never recorded", p, types.TeeTypeSimulated, genuineSim, 3, types.ErrNonce},
		{"nonce in the future", p, types.TeeTypeSimulated, genuineSim, e.f.Height() + 1, types.ErrNonce},
		{"evidence of another provider", other, types.TeeTypeSimulated, genuineSim, h, types.ErrBinding},
		{"bound to another nonce", p, types.TeeTypeSimulated, genuineSim, h + 1, types.ErrBinding},
		{"bound to another worker key", p, types.TeeTypeSimulated,
			e.simEvidence(t, types.ReportData(p, bytesOf(1, 32), e.nonce(t, h)), measurement, false), h, types.ErrBinding},
		{"measurement not allowed", p, types.TeeTypeSimulated, e.simEvidence(t, bind, bytesOf(0x66, 48), false), h, types.ErrMeasurement},
		{"debug", p, types.TeeTypeSimulated, e.simEvidence(t, bind, measurement, true), h, types.ErrDebug},
		{"root not trusted", p, types.TeeTypeSimulated, stranger, h, types.ErrUntrustedChain},
		{"device certificate expired", p, types.TeeTypeSimulated, expired, h, types.ErrCertExpired},
		{"tampered simulated report", p, types.TeeTypeSimulated, tampered, h, types.ErrBadSignature},
		{"no worker key named (an account not registered)", e.f.NewAccount(t, 0), types.TeeTypeSimulated, genuineSim, h, types.ErrWorkerKey},
		{"no worker key named (a provider without one)", keyless, types.TeeTypeSimulated,
			e.simEvidence(t, types.ReportData(keyless, nil, e.nonce(t, h)), measurement, false), h, types.ErrWorkerKey},
		{"SEV-SNP: TCB below the minimum", p, types.TeeTypeSevSnp, e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: bind, TCB: lowTCB}), h, types.ErrTCB},
		{"SEV-SNP: debug", p, types.TeeTypeSevSnp, e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: bind, TCB: tcb, Debug: true}), h, types.ErrDebug},
		{"SEV-SNP: flipped bit in the report", p, types.TeeTypeSevSnp, flippedSnp, h, types.ErrBadSignature},
		{"SEV-SNP: chain to a root we do not trust", p, types.TeeTypeSevSnp, untrustedSnp, h, types.ErrUntrustedChain},
		{"TDX: flipped bit in the quote body", p, types.TeeTypeTdx, flippedTdx, h, types.ErrBadSignature},
		{"TDX: chain to a root we do not trust", p, types.TeeTypeTdx, untrustedTdx, h, types.ErrUntrustedChain},
		{"SEV-SNP evidence sent as TDX", p, types.TeeTypeTdx, snpGenuine, h, types.ErrMalformedEvidence},
		{"TDX: measurement not allowed", p, types.TeeTypeTdx, e.tdxEvidence(t, tdxfake.Body{MrTd: bytesOf(0x66, 48), ReportData: bind}), h, types.ErrMeasurement},
		{"TDX: debug", p, types.TeeTypeTdx, e.tdxEvidence(t, tdxfake.Body{MrTd: measurement, ReportData: bind, TdAttributes: [8]byte{1}}), h, types.ErrDebug},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.submit(c.provider, c.tt, c.evidence, c.nonce)
			require.ErrorIs(t, err, c.want)
			_, err = e.f.Tee.Enclaves.Get(e.f.Ctx, c.provider)
			require.Error(t, err, "no record is written")
		})
	}

	// a nonce that has left the window
	for e.f.Height() < h+params.NonceWindowBlocks {
		e.next(t)
	}
	_, err = e.submit(p, types.TeeTypeSimulated, genuineSim, h)
	require.ErrorIs(t, err, types.ErrNonce)
	_, err = e.f.Tee.Nonces.Get(e.f.Ctx, h)
	require.Error(t, err, "the hash left the ring")

	// simulated TEEs refused when the chain does not allow them
	params.AllowSimulated = false
	require.NoError(t, e.f.Tee.SetParams(e.f.Ctx, params))
	_, err = e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, e.f.Height()), measurement, false), e.f.Height())
	require.ErrorIs(t, err, types.ErrSimulatedNotAllowed)
}

// A renewal before expiry replaces the record with no gap; the record stops counting at its expiry
// height, and the expiry is reported with the provider's active TEE leases.
func TestRenewalAndExpiry(t *testing.T) {
	e := newEnv(t)
	params, _ := e.f.Tee.GetParams(e.f.Ctx)
	params.ValidityBlocks = 20
	require.NoError(t, e.f.Tee.SetParams(e.f.Ctx, params))
	p := e.f.NewProvider(t)
	attest := func() int64 {
		h := e.f.Height()
		res, err := e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
		require.NoError(t, err)
		return res.ExpiryHeight
	}
	first := attest()

	// a confidential order: only the attested provider may bid, and it wins a lease
	owner := e.f.NewAccount(t, 1_000_000)
	msg := fixture.OrderMsg(owner)
	msg.Privacy = markettypes.PrivacyConfidential
	msg.LeaseBlocks = 100
	msg.CommitBlocks, msg.RevealBlocks = 5, 5 // the auction ends within the attestation's 20 blocks
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

	require.Less(t, e.f.Height(), first)
	second := attest()
	require.Greater(t, second, first)
	enc, _ := e.f.Tee.Enclaves.Get(e.f.Ctx, p)
	require.Equal(t, second, enc.ExpiryHeight)

	expiredEvents := func() []*types.EventEnclaveExpired {
		var out []*types.EventEnclaveExpired
		for _, ev := range e.f.Ctx.EventManager().Events() {
			if ev.Type == "fog.tee.v1.EventEnclaveExpired" {
				msg, err := sdk.ParseTypedEvent(abci.Event(ev))
				require.NoError(t, err)
				out = append(out, msg.(*types.EventEnclaveExpired))
			}
		}
		return out
	}
	for e.f.Height() <= first {
		e.next(t)
	}
	require.Empty(t, expiredEvents(), "the renewed record did not expire at the first expiry")
	_, err = e.f.Tee.ValidEnclave(e.f.Ctx, p, types.TeeTypeUnspecified)
	require.NoError(t, err, "no gap")
	for e.f.Height() < second {
		e.next(t)
	}
	_, err = e.f.Tee.ValidEnclave(e.f.Ctx, p, types.TeeTypeUnspecified)
	require.ErrorIs(t, err, types.ErrEnclaveNotFound, "expired records stop counting")
	require.NoError(t, e.f.Tee.EndBlock(e.f.Ctx))
	evs := expiredEvents()
	require.Len(t, evs, 1)
	require.Equal(t, p.String(), evs[0].Provider)
	require.Equal(t, []uint64{l.Id}, evs[0].ActiveTeeLeases)
	status, err := e.q.Status(e.f.Ctx, &types.QueryStatusRequest{})
	require.NoError(t, err)
	require.Equal(t, uint64(1), status.Expired)
}

// Orders that require a TEE take commits only from providers with a valid attestation of the right
// type for their current worker key; a refused commit takes no deposit.
func TestTeeRequiredOrders(t *testing.T) {
	e := newEnv(t)
	h := e.f.Height()
	attested := e.f.NewProvider(t)
	_, err := e.submit(attested, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, attested, h), measurement, false), h)
	require.NoError(t, err)
	plain := e.f.NewProvider(t)
	owner := e.f.NewAccount(t, 1_000_000)

	for _, c := range []struct {
		name   string
		mutate func(*markettypes.MsgCreateOrder)
	}{
		{"confidential", func(m *markettypes.MsgCreateOrder) { m.Privacy = markettypes.PrivacyConfidential }},
		{"secret", func(m *markettypes.MsgCreateOrder) { m.Privacy = markettypes.PrivacySecret }},
		{"tee_required", func(m *markettypes.MsgCreateOrder) { m.TeeRequired = true }},
		{"tee_type simulated", func(m *markettypes.MsgCreateOrder) { m.TeeType = types.TeeTypeSimulated }},
	} {
		t.Run(c.name, func(t *testing.T) {
			msg := fixture.OrderMsg(owner)
			c.mutate(msg)
			o := e.f.CreateOrder(t, msg)
			require.True(t, o.TeeRequired)
			before := e.f.Balance(plain)
			_, err := e.f.Msg.CommitBid(e.f.Ctx, &markettypes.MsgCommitBid{Provider: plain.String(), OrderId: o.Id, Commitment: bytesOf(1, 32)})
			require.ErrorIs(t, err, markettypes.ErrNotAttested)
			require.Equal(t, before, e.f.Balance(plain), "no deposit taken")
			e.f.Commit(t, o.Id, attested, 5)
		})
	}
	msg := fixture.OrderMsg(owner)
	msg.TeeType = types.TeeTypeTdx
	o := e.f.CreateOrder(t, msg)
	_, err = e.f.Msg.CommitBid(e.f.Ctx, &markettypes.MsgCommitBid{Provider: attested.String(), OrderId: o.Id, Commitment: bytesOf(1, 32)})
	require.ErrorIs(t, err, markettypes.ErrNotAttested, "attested as simulated, the order wants TDX")

	public := e.f.CreateOrder(t, fixture.OrderMsg(owner))
	require.False(t, public.TeeRequired)
	e.f.Commit(t, public.Id, plain, 5)

	// the provider registers another worker key: its attestation no longer covers the worker
	reg := fixture.RegisterMsg(attested)
	_, err = e.f.Msg.UpdateProvider(e.f.Ctx, &markettypes.MsgUpdateProvider{Owner: reg.Owner, PeerId: reg.PeerId, Multiaddrs: reg.Multiaddrs,
		WorkerPubkey: bytesOf(0x42, 32), Capacity: reg.Capacity, Attributes: reg.Attributes})
	require.NoError(t, err)
	msg = fixture.OrderMsg(owner)
	msg.TeeRequired = true
	o = e.f.CreateOrder(t, msg)
	_, err = e.f.Msg.CommitBid(e.f.Ctx, &markettypes.MsgCommitBid{Provider: attested.String(), OrderId: o.Id, Commitment: bytesOf(1, 32)})
	require.ErrorIs(t, err, markettypes.ErrNotAttested)

	bad := fixture.OrderMsg(owner)
	bad.TeeType = types.TeeType(42)
	_, err = e.f.Msg.CreateOrder(e.f.Ctx, bad)
	require.ErrorIs(t, err, markettypes.ErrInvalidTeeType)
}

func TestGenesisRoundTrip(t *testing.T) {
	e := newEnv(t)
	h := e.f.Height()
	p := e.f.NewProvider(t)
	_, err := e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
	require.NoError(t, err)
	gs, err := e.f.Tee.ExportGenesis(e.f.Ctx)
	require.NoError(t, err)
	require.Len(t, gs.Enclaves, 1)
	require.NotEmpty(t, gs.Nonces)
	g := fixture.New(t)
	require.NoError(t, g.Tee.InitGenesis(g.Ctx, gs))
	again, err := g.Tee.ExportGenesis(g.Ctx)
	require.NoError(t, err)
	require.Equal(t, gs, again)
	bad := *gs
	bad.Enclaves = append(bad.Enclaves, gs.Enclaves[0])
	require.Error(t, bad.Validate(), "one record per provider")
}

// A lease of a TEE-requiring order starts only while its provider is still attested.
func TestLeaseStartsOnlyWhileAttested(t *testing.T) {
	e := newEnv(t)
	params, _ := e.f.Tee.GetParams(e.f.Ctx)
	params.ValidityBlocks = 12
	require.NoError(t, e.f.Tee.SetParams(e.f.Ctx, params))
	p := e.f.NewProvider(t)
	h := e.f.Height()
	_, err := e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
	require.NoError(t, err)
	msg := fixture.OrderMsg(e.f.NewAccount(t, 1_000_000))
	msg.TeeRequired, msg.CommitBlocks, msg.RevealBlocks = true, 3, 3
	o := e.f.CreateOrder(t, msg)
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
	for e.f.Height() < h+params.ValidityBlocks {
		e.next(t)
	}
	_, err = e.f.Msg.StartLease(e.f.Ctx, &markettypes.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
	require.ErrorIs(t, err, markettypes.ErrNotAttested, "the attestation expired before the start")
	h = e.f.Height()
	_, err = e.submit(p, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, p, h), measurement, false), h)
	require.NoError(t, err)
	_, err = e.f.Msg.StartLease(e.f.Ctx, &markettypes.MsgStartLease{Provider: p.String(), LeaseId: l.Id})
	require.NoError(t, err, "renewed, it starts")
}

// TCB recovery by governance: a params change that no longer admits a record's measurement or TCB
// (or simulated TEEs) ends that record at once; records it still admits are untouched.
func TestGovernanceExpiresRecordsItNoLongerAdmits(t *testing.T) {
	e := newEnv(t)
	h := e.f.Height()
	sim, snp := e.f.NewProvider(t), e.f.NewProvider(t)
	_, err := e.submit(sim, types.TeeTypeSimulated, e.simEvidence(t, e.binding(t, sim, h), measurement, false), h)
	require.NoError(t, err)
	_, err = e.submit(snp, types.TeeTypeSevSnp, e.snpEvidence(t, snpfake.Report{Measurement: measurement, ReportData: e.binding(t, snp, h), TCB: tcb}), h)
	require.NoError(t, err)
	gov := e.f.Tee.Authority()
	params, err := e.f.Tee.GetParams(e.f.Ctx)
	require.NoError(t, err)

	// simulated TEEs are turned off
	params.AllowSimulated = false
	_, err = e.msg.UpdateParams(e.f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: params})
	require.NoError(t, err)
	_, err = e.f.Tee.ValidEnclave(e.f.Ctx, sim, types.TeeTypeUnspecified)
	require.ErrorIs(t, err, types.ErrEnclaveNotFound)
	_, err = e.f.Tee.ValidEnclave(e.f.Ctx, snp, types.TeeTypeUnspecified)
	require.NoError(t, err, "the SEV-SNP record is still admitted")

	// a TCB recovery: the minimum SNP SPL rises above the record's
	raised := tcb
	raised.SnpSpl++
	v, err := kds.ComposeTCBParts(raised)
	require.NoError(t, err)
	params.SevSnpMinTcb = uint64(v)
	_, err = e.msg.UpdateParams(e.f.Ctx, &types.MsgUpdateParams{Authority: gov, Params: params})
	require.NoError(t, err)
	_, err = e.f.Tee.ValidEnclave(e.f.Ctx, snp, types.TeeTypeUnspecified)
	require.ErrorIs(t, err, types.ErrEnclaveNotFound)

	require.NoError(t, e.f.Tee.EndBlock(e.f.Ctx))
	expired := 0
	for _, ev := range e.f.Ctx.EventManager().Events() {
		if ev.Type == "fog.tee.v1.EventEnclaveExpired" {
			expired++
		}
	}
	require.Equal(t, 2, expired, "both ends are reported")

	_, err = e.msg.UpdateParams(e.f.Ctx, &types.MsgUpdateParams{Authority: sim.String(), Params: params})
	require.ErrorIs(t, err, types.ErrInvalidAuthority)
}

// BeginBlock reads the nonce window, not the kilobytes of trusted roots kept in the params: its
// per-block work stays small whatever roots governance trusts. The params query still shows them.
func TestBeginBlockDoesNotReadTheRoots(t *testing.T) {
	f := fixture.New(t)
	p, err := f.Tee.GetParams(f.Ctx)
	require.NoError(t, err)
	size := 0
	for _, r := range p.SevSnpRoots {
		size += len(r.Ark) + len(r.Ask)
	}
	for _, r := range p.TdxRoots {
		size += len(r)
	}
	require.Greater(t, size, 5_000, "the default roots are kilobytes")
	ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter()).WithHeaderHash(bytesOf(1, 32))
	require.NoError(t, f.Tee.BeginBlock(ctx))
	require.Less(t, ctx.GasMeter().GasConsumed(), uint64(size), "BeginBlock's reads are far below the roots' size")
	res, err := keeper.NewQueryServerImpl(f.Tee).Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, res.Params)
	require.Len(t, res.Params.SevSnpRoots, 3)
}
