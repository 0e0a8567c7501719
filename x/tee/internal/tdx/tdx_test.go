package tdx_test

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/binary"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-tdx-guest/abi"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	tdxtestdata "github.com/google/go-tdx-guest/testing/testdata"
	"github.com/google/go-tdx-guest/verify"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/tdxfake"
	"github.com/fogchain/fog/x/tee/internal/tdx"
)

var (
	created     = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	blockTime   = created.Add(24 * time.Hour)
	tcb         = [16]byte{3, 0, 4}
	measurement = fill(0x4d, 48)
	bound       = sha512.Sum512([]byte("fog-tee-v1 provider key nonce"))
)

func fill(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

// fakeIntel is a test-only Intel-style PKI valid for ten years from created.
func fakeIntel(t testing.TB) *tdxfake.Signer {
	t.Helper()
	s, err := tdxfake.NewSigner(created, created.AddDate(10, 0, 0))
	require.NoError(t, err)
	return s
}

func defaults() tdxfake.Body {
	return tdxfake.Body{MrTd: measurement, ReportData: bound[:], TeeTcbSvn: tcb}
}

// signedQuote is a v4 quote with b's fields, signed by the signer's attestation key.
func signedQuote(t testing.TB, signer *tdxfake.Signer, b tdxfake.Body) []byte {
	t.Helper()
	raw, err := signer.Quote(b)
	require.NoError(t, err)
	return raw
}

func roots(signer *tdxfake.Signer) []*x509.Certificate { return []*x509.Certificate{signer.Root} }

var policy = tdx.Policy{Measurements: [][]byte{measurement}, MinimumTeeTcbSvn: tcb}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x01
	return c
}

// Offsets in a v4 quote: header 0x00..0x30, body 0x30..0x278, signed data from 0x27C
// (signature, attestation key, certification data type and size, QE report, ...).
const (
	bodyStart   = 0x30
	sigStart    = 0x27C
	attKeyStart = sigStart + 0x40
	qeReport    = attKeyStart + 0x40 + 6
)

func TestVerifyAcceptsAGenuineQuote(t *testing.T) {
	signer := fakeIntel(t)
	raw := signedQuote(t, signer, defaults())
	res, err := tdx.Verify(raw, roots(signer), blockTime, bound[:], policy)
	require.NoError(t, err)
	require.Equal(t, measurement, res.Measurement)
	require.Equal(t, signer.PPID, res.PlatformID)
	require.Equal(t, tcb[:], res.TeeTcbSvn)

	// go-tdx-guest itself accepts the fake quote against the fake root, offline
	q, err := abi.QuoteToProto(raw)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(signer.Root)
	require.NoError(t, verify.TdxQuote(q.(*pb.QuoteV4), &verify.Options{Now: blockTime, TrustedRoots: pool}))
}

// Every way a quote can be wrong is refused with its own error, and nothing panics.
func TestVerifyRefusals(t *testing.T) {
	signer := fakeIntel(t)
	other := fakeIntel(t) // a chain we do not trust
	raw := signedQuote(t, signer, defaults())
	shortPCK, err := signer.WithPCKValidity(created, created.Add(time.Hour))
	require.NoError(t, err)
	debug := defaults()
	debug.TdAttributes[0] |= 1
	lowTCB := defaults()
	lowTCB.TeeTcbSvn = [16]byte{3, 0, 3}
	otherMeasurement := defaults()
	otherMeasurement.MrTd = fill(0x66, 48)
	otherBinding := defaults()
	otherBinding.ReportData = fill(0x01, 64)
	shortSignedData := append([]byte{}, raw...) // go-tdx-guest's parser panics on this; Verify recovers
	binary.LittleEndian.PutUint32(shortSignedData[0x278:], 0x10)
	forbiddenAttribute := defaults()
	forbiddenAttribute.TdAttributes[1] = 0x01 // bit 8: not one validate allows

	for _, c := range []struct {
		name  string
		quote []byte
		roots []*x509.Certificate
		now   time.Time
		want  error
	}{
		{"flipped bit in the header", flip(raw, 0x20), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the MRTD", flip(raw, bodyStart+0x88), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the report data", flip(raw, bodyStart+0x208), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the TD attributes", flip(raw, bodyStart+0x78), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the quote signature", flip(raw, sigStart+3), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the attestation key", flip(raw, attKeyStart+5), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the QE report", flip(raw, qeReport+0x40), roots(signer), blockTime, tdx.ErrBadSignature},
		{"flipped bit in the PCK's signature", signedQuote(t, signer.WithCorruptPCKSignature(), defaults()), roots(signer), blockTime, tdx.ErrUntrustedChain},
		{"chain to a root we do not trust", raw, roots(other), blockTime, tdx.ErrUntrustedChain},
		{"no trusted root", raw, nil, blockTime, tdx.ErrUntrustedChain},
		{"PCK expired at block time", signedQuote(t, shortPCK, defaults()), roots(signer), blockTime, tdx.ErrCertExpired},
		{"whole chain expired at block time", raw, roots(signer), created.AddDate(30, 0, 0), tdx.ErrCertExpired},
		{"chain not yet valid at block time", raw, roots(signer), created.Add(-time.Hour), tdx.ErrCertExpired},
		{"no block time", raw, roots(signer), time.Time{}, tdx.ErrCertExpired},
		{"debug allowed", signedQuote(t, signer, debug), roots(signer), blockTime, tdx.ErrDebug},
		{"TCB below the minimum", signedQuote(t, signer, lowTCB), roots(signer), blockTime, tdx.ErrTCB},
		{"measurement not allowed", signedQuote(t, signer, otherMeasurement), roots(signer), blockTime, tdx.ErrMeasurement},
		{"bound to something else", signedQuote(t, signer, otherBinding), roots(signer), blockTime, tdx.ErrReportData},
		{"TD attribute validate refuses", signedQuote(t, signer, forbiddenAttribute), roots(signer), blockTime, tdx.ErrPolicy},
		{"truncated quote", raw[:100], roots(signer), blockTime, tdx.ErrMalformed},
		{"truncated to the minimum size", raw[:abi.QuoteMinSize], roots(signer), blockTime, tdx.ErrMalformed},
		{"signed data size too small", shortSignedData, roots(signer), blockTime, tdx.ErrMalformed},
		{"truncated chain", raw[:len(raw)-10], roots(signer), blockTime, tdx.ErrMalformed},
		{"oversized quote", append(append([]byte{}, raw...), make([]byte, tdx.MaxQuoteBytes)...), roots(signer), blockTime, tdx.ErrMalformed},
		{"garbage quote", fill(0xff, len(raw)), roots(signer), blockTime, tdx.ErrMalformed},
		{"empty quote", nil, roots(signer), blockTime, tdx.ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := tdx.Verify(c.quote, c.roots, c.now, bound[:], policy)
			t.Log(err)
			require.ErrorIs(t, err, c.want)
		})
	}
}

// A quote from a real Intel TDX machine (go-tdx-guest's recorded one) verifies against Intel's real
// root, offline, at a time inside its PCK's validity.
func TestVerifyRealIntelQuote(t *testing.T) {
	now := time.Date(2023, time.July, 1, 1, 0, 0, 0, time.UTC)
	q, err := abi.QuoteToProto(tdxtestdata.RawQuote)
	require.NoError(t, err)
	body := q.(*pb.QuoteV4).GetTdQuoteBody()
	pol := tdx.Policy{Measurements: [][]byte{body.GetMrTd()}}
	intel := []*x509.Certificate{tdx.IntelRoot()}

	res, err := tdx.Verify(tdxtestdata.RawQuote, intel, now, body.GetReportData(), pol)
	require.NoError(t, err)
	require.Equal(t, body.GetMrTd(), res.Measurement)
	require.Len(t, res.PlatformID, 16)
	require.Equal(t, body.GetTeeTcbSvn(), res.TeeTcbSvn)

	_, err = tdx.Verify(tdxtestdata.RawQuote, roots(fakeIntel(t)), now, body.GetReportData(), pol)
	require.ErrorIs(t, err, tdx.ErrUntrustedChain)
	_, err = tdx.Verify(tdxtestdata.RawQuote, intel, time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), body.GetReportData(), pol)
	require.ErrorIs(t, err, tdx.ErrCertExpired)
	_, err = tdx.Verify(flip(tdxtestdata.RawQuote, bodyStart+0x88), intel, now, body.GetReportData(), pol)
	require.ErrorIs(t, err, tdx.ErrBadSignature)
}

func TestIntelRootFingerprint(t *testing.T) {
	root := tdx.IntelRoot()
	fp := sha256.Sum256(root.Raw)
	want := "44:A0:19:6B:2B:99:F8:89:B8:E1:49:E9:5B:80:7A:35:0E:74:24:96:43:99:E8:85:A7:CB:B8:CC:FA:B6:74:D3"
	require.Equal(t, want, strings.ToUpper(fingerprint(fp[:])))
	require.Equal(t, "Intel SGX Root CA", root.Subject.CommonName)
	require.True(t, root.IsCA)
}

func fingerprint(b []byte) string {
	parts := make([]string, len(b))
	for i := range b {
		parts[i] = hex.EncodeToString(b[i : i+1])
	}
	return strings.Join(parts, ":")
}

func FuzzVerify(f *testing.F) {
	signer := fakeIntel(f)
	raw := signedQuote(f, signer, defaults())
	f.Add(raw)
	f.Add(raw[:abi.QuoteMinSize])
	f.Add(raw[:10])
	f.Add(tdxtestdata.RawQuote)
	f.Fuzz(func(t *testing.T, quote []byte) {
		_, _ = tdx.Verify(quote, roots(signer), blockTime, bound[:], policy) // must not panic
	})
}

// BenchmarkVerify is one full offline verification of a genuine quote (chain, signatures,
// go-tdx-guest's checks, policy).
func BenchmarkVerify(b *testing.B) {
	signer := fakeIntel(b)
	raw := signedQuote(b, signer, defaults())
	for b.Loop() {
		if _, err := tdx.Verify(raw, roots(signer), blockTime, bound[:], policy); err != nil {
			b.Fatal(err)
		}
	}
}
