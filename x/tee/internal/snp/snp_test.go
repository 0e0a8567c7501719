package snp_test

import (
	"crypto/sha512"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/testutil/snpfake"
	"github.com/fogchain/fog/x/tee/internal/snp"
)

var (
	created     = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	blockTime   = created.Add(24 * time.Hour)
	tcb         = kds.TCBParts{BlSpl: 3, SnpSpl: 8, UcodeSpl: 115}
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

// fakeAMD is a test-only ARK → ASK → VCEK chain (testutil/snpfake): go-sev-guest's fixed test keys,
// or fresh ones for a chain we do not trust.
func fakeAMD(t testing.TB, fresh bool) *snpfake.Chain {
	t.Helper()
	c, err := snpfake.New(created, tcb, fresh)
	require.NoError(t, err)
	return c
}

type reportOpts = snpfake.Report

func defaults() reportOpts {
	return reportOpts{Measurement: measurement, ReportData: bound[:], TCB: tcb}
}

// signedReport is a v3 report with o's fields, signed by the chain's VCEK.
func signedReport(t testing.TB, c *snpfake.Chain, o reportOpts) []byte {
	t.Helper()
	raw, err := c.Sign(o)
	require.NoError(t, err)
	return raw
}

func roots(c *snpfake.Chain) []snp.Root {
	return []snp.Root{{ProductLine: snpfake.ProductLine, Ark: c.Signer.Ark, Ask: c.Signer.Ask}}
}

var policy = snp.Policy{Measurements: [][]byte{measurement}, MinimumTCB: tcb}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x01
	return c
}

func TestVerifyAcceptsAGenuineReport(t *testing.T) {
	signer := fakeAMD(t, false)
	raw := signedReport(t, signer, defaults())
	res, err := snp.Verify(raw, signer.VCEK(), roots(signer), blockTime, bound[:], policy)
	require.NoError(t, err)
	require.Equal(t, measurement, res.Measurement)
}

// Every way a report can be wrong is refused with its own error, and nothing panics.
func TestVerifyRefusals(t *testing.T) {
	signer := fakeAMD(t, false)
	other := fakeAMD(t, true) // a chain we do not trust
	raw := signedReport(t, signer, defaults())
	vcek := signer.VCEK()
	debug := defaults()
	debug.Debug = true
	lowTCB := defaults()
	lowTCB.TCB = kds.TCBParts{BlSpl: 3, SnpSpl: 7, UcodeSpl: 115}
	otherMeasurement := defaults()
	otherMeasurement.Measurement = fill(0x66, 48)
	otherBinding := defaults()
	otherBinding.ReportData = fill(0x01, 64)

	for _, c := range []struct {
		name   string
		report []byte
		vcek   []byte
		roots  []snp.Root
		now    time.Time
		want   error
	}{
		{"flipped bit in the measurement", flip(raw, 0x90), vcek, roots(signer), blockTime, snp.ErrBadSignature},
		{"flipped bit in the report data", flip(raw, 0x50), vcek, roots(signer), blockTime, snp.ErrBadSignature},
		{"flipped bit in the signature", flip(raw, 0x2A0+3), vcek, roots(signer), blockTime, snp.ErrBadSignature},
		{"flipped bit in the VCEK's signature", raw, flip(vcek, len(vcek)-10), roots(signer), blockTime, snp.ErrUntrustedChain},
		{"chain to a root we do not trust", raw, vcek, roots(other), blockTime, snp.ErrUntrustedChain},
		{"VCEK of another chip", raw, other.VCEK(), roots(other), blockTime, snp.ErrBadSignature},
		{"no root for the product line", raw, vcek, []snp.Root{{ProductLine: "Genoa", Ark: signer.Signer.Ark, Ask: signer.Signer.Ask}}, blockTime, snp.ErrUntrustedChain},
		{"VCEK expired at block time", raw, vcek, roots(signer), created.AddDate(30, 0, 0), snp.ErrCertExpired},
		{"debug allowed", signedReport(t, signer, debug), vcek, roots(signer), blockTime, snp.ErrDebug},
		{"TCB below the minimum", signedReport(t, signer, lowTCB), vcek, roots(signer), blockTime, snp.ErrTCB},
		{"measurement not allowed", signedReport(t, signer, otherMeasurement), vcek, roots(signer), blockTime, snp.ErrMeasurement},
		{"bound to something else", signedReport(t, signer, otherBinding), vcek, roots(signer), blockTime, snp.ErrReportData},
		{"truncated report", raw[:100], vcek, roots(signer), blockTime, snp.ErrMalformed},
		{"oversized report", append(append([]byte{}, raw...), 0), vcek, roots(signer), blockTime, snp.ErrMalformed},
		{"garbage report", fill(0xff, abi.ReportSize), vcek, roots(signer), blockTime, snp.ErrMalformed},
		{"empty VCEK", raw, nil, roots(signer), blockTime, snp.ErrMalformed},
		{"garbage VCEK", raw, fill(0x30, 900), roots(signer), blockTime, snp.ErrMalformed},
		{"oversized VCEK", raw, make([]byte, snp.MaxCertBytes+1), roots(signer), blockTime, snp.ErrMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := snp.Verify(c.report, c.vcek, c.roots, c.now, bound[:], policy)
			require.ErrorIs(t, err, c.want)
		})
	}
}

func FuzzVerify(f *testing.F) {
	signer := fakeAMD(f, false)
	raw := signedReport(f, signer, defaults())
	f.Add(raw, signer.VCEK())
	f.Add(raw[:10], []byte{0x30, 0x82})
	f.Fuzz(func(t *testing.T, report, vcek []byte) {
		_, _ = snp.Verify(report, vcek, roots(signer), blockTime, bound[:], policy) // must not panic
	})
}

// BenchmarkVerify is one full offline verification of a genuine report (chain, signature,
// go-sev-guest's checks, policy); the goal is ≤ 20 ms.
func BenchmarkVerify(b *testing.B) {
	signer := fakeAMD(b, false)
	raw := signedReport(b, signer, defaults())
	for b.Loop() {
		if _, err := snp.Verify(raw, signer.VCEK(), roots(signer), blockTime, bound[:], policy); err != nil {
			b.Fatal(err)
		}
	}
}
