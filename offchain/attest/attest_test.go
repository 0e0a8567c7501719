package attest_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/google/go-sev-guest/abi"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/attest"
	"github.com/fogchain/fog/offchain/chain"
	"github.com/fogchain/fog/x/tee/simtee"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

func seed(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

// simDevice writes a simulated device certified by a new root and returns the root's public key.
func simDevice(t *testing.T) (path string, root []byte) {
	r, err := simtee.NewRoot(seed(7))
	require.NoError(t, err)
	dev, err := r.NewDevice(seed(8), time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 3)
	require.NoError(t, err)
	path = filepath.Join(t.TempDir(), "sim-device.json")
	require.NoError(t, simtee.WriteDevice(path, dev))
	return path, r.Public()
}

// A program to measure: any file will do.
func program(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "fogd")
	require.NoError(t, os.WriteFile(path, []byte("a fogd build"), 0o700))
	return path
}

// The simulated backend's evidence is what x/tee verifies: signed by a certified device, with the
// program's SHA-384 as measurement and exactly the report data it was given.
func TestSimulatedEvidenceVerifies(t *testing.T) {
	path, root := simDevice(t)
	prog := program(t)
	b, err := attest.NewSimulated(path, prog)
	require.NoError(t, err)
	require.Equal(t, teetypes.TeeTypeSimulated, b.Type())
	want, err := simtee.Measurement(prog)
	require.NoError(t, err)
	require.Equal(t, want, b.Measurement())
	require.Len(t, want, teetypes.MeasurementSize)

	provider := sdk.AccAddress(bytes.Repeat([]byte{1}, 20))
	rd := teetypes.ReportData(provider, seed(2), seed(3))
	ev, err := b.Evidence(rd)
	require.NoError(t, err)
	allowed := func(m []byte) bool { return bytes.Equal(m, want) }
	res, err := simtee.Verify(ev, [][]byte{root}, time.Now(), rd, allowed, 3)
	require.NoError(t, err)
	require.Equal(t, want, res.Measurement)

	_, err = simtee.Verify(ev, [][]byte{root}, time.Now(), teetypes.ReportData(provider, seed(4), seed(3)), allowed, 0)
	require.ErrorIs(t, err, teetypes.ErrBinding, "evidence for one worker key does not serve another")

	_, err = attest.NewSimulated(filepath.Join(t.TempDir(), "missing.json"), prog)
	require.ErrorContains(t, err, "tee.simulated_device")
}

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	p := attest.Paths{TSMReport: filepath.Join(dir, "tsm", "report"), SevGuest: filepath.Join(dir, "sev-guest"), TdxGuest: filepath.Join(dir, "tdx_guest")}
	_, err := attest.Detect(p)
	require.ErrorIs(t, err, attest.ErrNoTEE)
	require.ErrorContains(t, err, `use type = "simulated"`)

	// a report directory whose entries name no provider (not configfs) is not a TEE
	require.NoError(t, os.MkdirAll(p.TSMReport, 0o700))
	_, err = attest.Detect(p)
	require.ErrorIs(t, err, attest.ErrNoTEE)
	entries, err := os.ReadDir(p.TSMReport)
	require.NoError(t, err)
	require.Empty(t, entries, "the probe's report entry is removed again")

	require.NoError(t, os.WriteFile(p.TdxGuest, nil, 0o600))
	got, err := attest.Detect(p)
	require.NoError(t, err)
	require.Equal(t, attest.TypeTdx, got)
	require.NoError(t, os.WriteFile(p.SevGuest, nil, 0o600))
	got, err = attest.Detect(p)
	require.NoError(t, err)
	require.Equal(t, attest.TypeSevSnp, got)

	_, err = attest.NewTdx(attest.Paths{TSMReport: p.TSMReport, TdxGuest: filepath.Join(dir, "none")})
	require.ErrorContains(t, err, "no TDX guest device")
}

// certTable lays out a GHCB certificate table: entries of (GUID, offset, length), a zero entry, then
// the certificates.
func certTable(t *testing.T, certs map[string][]byte, order ...string) []byte {
	header := make([]byte, (len(order)+1)*abi.CertTableEntrySize)
	var data []byte
	for i, guid := range order {
		g, err := hex.DecodeString(strings.ReplaceAll(guid, "-", ""))
		require.NoError(t, err)
		e := header[i*abi.CertTableEntrySize:]
		copy(e, g)
		binary.LittleEndian.PutUint32(e[16:], uint32(len(header)+len(data)))
		binary.LittleEndian.PutUint32(e[20:], uint32(len(certs[guid])))
		data = append(data, certs[guid]...)
	}
	return append(header, data...)
}

// An extended report is the report followed by the host's certificate table; the evidence keeps the
// report and the VCEK.
func TestSevSnpEvidenceSplitsTheExtendedReport(t *testing.T) {
	report := bytes.Repeat([]byte{0xAA}, abi.ReportSize)
	vcek, ask := []byte("vcek certificate DER"), []byte("ask certificate DER")
	certs := map[string][]byte{abi.AskGUID: ask, abi.VcekGUID: vcek}
	table := certTable(t, certs, abi.AskGUID, abi.VcekGUID)
	bz, err := attest.SevSnpEvidence(append(append([]byte{}, report...), table...))
	require.NoError(t, err)
	var ev teetypes.SevSnpEvidence
	require.NoError(t, ev.Unmarshal(bz))
	require.Equal(t, report, ev.Report)
	require.Equal(t, vcek, ev.Vcek)

	noVcek := certTable(t, certs, abi.AskGUID)
	_, err = attest.SevSnpEvidence(append(append([]byte{}, report...), noVcek...))
	require.ErrorContains(t, err, "no VCEK")
	_, err = attest.SevSnpEvidence(report)
	require.ErrorContains(t, err, "no VCEK", "a report without a certificate table")
	_, err = attest.SevSnpEvidence(report[:100])
	require.ErrorContains(t, err, "at least")
}

// fakeChain is x/tee in memory: it records nonces, verifies simulated evidence as the keeper does,
// and keeps one enclave record.
type fakeChain struct {
	mu        sync.Mutex
	self      sdk.AccAddress
	workerKey []byte
	root      []byte
	height    int64
	validity  int64
	enclave   *teetypes.Enclave
	submitted int
	refuse    error
}

func (c *fakeChain) Address() sdk.AccAddress               { return c.self }
func (c *fakeChain) Height(context.Context) (int64, error) { return c.height, nil }
func (c *fakeChain) Subscribe(context.Context, chain.Filter) <-chan chain.Event {
	ch := make(chan chain.Event)
	close(ch)
	return ch
}

func nonceAt(h int64) []byte {
	n := sha256.Sum256([]byte{byte(h), byte(h >> 8)})
	return n[:]
}

func (c *fakeChain) TeeNonce(context.Context) (teetypes.Nonce, error) {
	return teetypes.Nonce{Height: c.height, Hash: nonceAt(c.height)}, nil
}

func (c *fakeChain) TeeParams(context.Context) (teetypes.Params, error) {
	return teetypes.Params{ValidityBlocks: c.validity, NonceWindowBlocks: 100}, nil
}

func (c *fakeChain) Enclave(_ context.Context, _ string) (teetypes.QueryEnclaveResponse, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.enclave == nil {
		return teetypes.QueryEnclaveResponse{}, false, nil
	}
	return teetypes.QueryEnclaveResponse{Enclave: *c.enclave, Valid: c.enclave.ExpiryHeight > c.height}, true, nil
}

func (c *fakeChain) Broadcast(_ context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.refuse != nil {
		return nil, c.refuse
	}
	m := msgs[0].(*teetypes.MsgSubmitAttestation)
	if m.Provider != c.self.String() || m.TeeType != teetypes.TeeTypeSimulated {
		return nil, errors.New("wrong provider or type")
	}
	res, err := simtee.Verify(m.Evidence, [][]byte{c.root}, time.Now(), teetypes.ReportData(c.self, c.workerKey, nonceAt(m.NonceHeight)),
		func([]byte) bool { return true }, 0)
	if err != nil {
		return nil, err
	}
	c.submitted++
	h := sha256.Sum256(m.Evidence)
	c.enclave = &teetypes.Enclave{Provider: m.Provider, TeeType: m.TeeType, Measurement: teetypes.MeasurementHex(res.Measurement), WorkerPubkey: c.workerKey,
		AttestedHeight: c.height, ExpiryHeight: c.height + c.validity, EvidenceHash: h[:], NonceHeight: m.NonceHeight}
	return &ctypes.ResultTx{}, nil
}

type expiry struct{ h int64 }

func (e *expiry) EnclaveExpiry(h int64) { e.h = h }

// The service attests after start, keeps the record while it is far from expiry, renews it within
// renew_before_blocks, and attests again for a new worker key or a new program.
func TestAttesterKeepsTheRecordValid(t *testing.T) {
	path, root := simDevice(t)
	prog := program(t)
	b, err := attest.NewSimulated(path, prog)
	require.NoError(t, err)
	c := &fakeChain{self: sdk.AccAddress(bytes.Repeat([]byte{1}, 20)), workerKey: seed(5), root: root, height: 10, validity: 1000}
	obs := &expiry{}
	a := attest.NewAttester(c, b, c.workerKey, attest.Config{Type: attest.TypeSimulated, RenewBeforeBlocks: 100}, obs,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	_, ok := a.Enclave(10)
	require.False(t, ok)
	require.Nil(t, a.EvidenceHash())

	ctx := context.Background()
	require.NoError(t, a.Start(ctx))
	defer a.Stop()
	require.Equal(t, 1, c.submitted)
	e, ok := a.Enclave(10)
	require.True(t, ok)
	require.Equal(t, int64(1010), e.ExpiryHeight)
	require.Equal(t, int64(1010), obs.h, "the expiry gauge")
	require.Equal(t, c.enclave.EvidenceHash, a.EvidenceHash())
	_, ok = a.Enclave(1010)
	require.False(t, ok, "not valid at its expiry height")

	for h := int64(11); h <= 909; h++ {
		c.height = h
		require.NoError(t, a.Step(ctx, h))
	}
	require.Equal(t, 1, c.submitted, "not renewed while it expires in more than 100 blocks")
	for h := int64(910); h <= 920 && c.submitted == 1; h++ {
		c.height = h
		require.NoError(t, a.Step(ctx, h))
	}
	require.Equal(t, 2, c.submitted, "renewed within 100 blocks of expiry")
	e, _ = a.Enclave(c.height)
	require.Greater(t, e.ExpiryHeight, int64(1900))
	require.Equal(t, c.enclave.EvidenceHash, a.EvidenceHash(), "receipts carry the new record's hash")

	// another process registered another worker key: this worker attests its own again
	c.enclave.WorkerPubkey = seed(6)
	c.height += 10
	require.NoError(t, a.Step(ctx, c.height))
	require.Equal(t, 3, c.submitted)

	// a refused attestation is an error for the log, and tried again some blocks later
	c.enclave.WorkerPubkey = seed(6)
	c.refuse = errors.New("measurement not on the allowlist")
	c.height += 10
	require.ErrorContains(t, a.Step(ctx, c.height), "allowlist")
	require.Nil(t, a.EvidenceHash(), "a record binding another key is not this worker's attestation")
	c.refuse = nil
	c.height++
	require.NoError(t, a.Step(ctx, c.height))
	require.Equal(t, 3, c.submitted, "not at the next block")
	c.height += 10
	require.NoError(t, a.Step(ctx, c.height))
	require.Equal(t, 4, c.submitted)
}

// A nil attester (no [tee]) has no record and no hash.
func TestNilAttester(t *testing.T) {
	var a *attest.Attester
	_, ok := a.Enclave(1)
	require.False(t, ok)
	require.Nil(t, a.EvidenceHash())
	b, err := attest.NewBackend(attest.DefaultConfig())
	require.NoError(t, err)
	require.Nil(t, b)
}

// [tee] type test-sev-snp and test-tdx build the test-vendor backends: SEV-SNP and TDX evidence
// that carries the running program's SHA-384 and exactly the report data given.
func TestTestVendorBackends(t *testing.T) {
	exe, err := os.Executable()
	require.NoError(t, err)
	want, err := simtee.Measurement(exe)
	require.NoError(t, err)
	rd := teetypes.ReportData(sdk.AccAddress(bytes.Repeat([]byte{1}, 20)), seed(2), seed(3))
	for typ, tt := range map[string]teetypes.TeeType{attest.TypeTestSevSnp: teetypes.TeeTypeSevSnp, attest.TypeTestTdx: teetypes.TeeTypeTdx} {
		b, err := attest.NewBackend(attest.Config{Type: typ, RenewBeforeBlocks: 10})
		require.NoError(t, err, typ)
		require.Equal(t, tt, b.Type())
		require.Equal(t, want, b.Measurement())
		ev, err := b.Evidence(rd)
		require.NoError(t, err)
		if tt == teetypes.TeeTypeSevSnp {
			var e teetypes.SevSnpEvidence
			require.NoError(t, e.Unmarshal(ev))
			r, err := abi.ReportToProto(e.Report)
			require.NoError(t, err)
			require.Equal(t, rd, r.ReportData)
			require.Equal(t, want, r.Measurement)
		} else {
			var e teetypes.TdxEvidence
			require.NoError(t, e.Unmarshal(ev))
			require.True(t, bytes.Contains(e.Quote, rd), "the quote carries the report data")
			require.True(t, bytes.Contains(e.Quote, want), "and the measurement (MRTD)")
		}
		_, err = b.Evidence(rd[:32])
		require.Error(t, err)
	}
	_, err = attest.NewTestVendor(teetypes.TeeTypeSimulated, exe)
	require.Error(t, err)
}
