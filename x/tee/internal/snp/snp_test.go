package snp_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	crand "crypto/rand"
	"crypto/sha512"
	"testing"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	sevtest "github.com/google/go-sev-guest/testing"
	"github.com/stretchr/testify/require"

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

// fakeAMD is a test-only ARK → ASK → VCEK chain made with go-sev-guest's testing package, with its
// fixed test keys (keys == nil) or the given ones.
func fakeAMD(t testing.TB, keys *sevtest.AmdKeys) *sevtest.AmdSigner {
	t.Helper()
	b := &sevtest.AmdSignerBuilder{ProductName: "Milan-B1", Keys: keys,
		ArkCreationTime: created, AskCreationTime: created, AsvkCreationTime: created, VcekCreationTime: created, VlekCreationTime: created,
		VcekCustom: sevtest.CertOverride{Extensions: sevtest.CustomExtensions(tcb, make([]byte, 64), "", "Milan-B1")}}
	signer, err := b.TestOnlyCertChain()
	require.NoError(t, err)
	return signer
}

// otherKeys are fresh keys for a chain that is not the trusted one.
func otherKeys(t testing.TB) *sevtest.AmdKeys {
	t.Helper()
	rsaKey := func() *rsa.PrivateKey {
		k, err := rsa.GenerateKey(crand.Reader, 2048)
		require.NoError(t, err)
		return k
	}
	ecKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P384(), crand.Reader)
		require.NoError(t, err)
		return k
	}
	return &sevtest.AmdKeys{Ark: rsaKey(), Ask: rsaKey(), Asvk: rsaKey(), Vcek: ecKey(), Vlek: ecKey()}
}

type reportOpts struct {
	policy      abi.SnpPolicy
	measurement []byte
	reportData  []byte
	tcb         kds.TCBParts
}

func defaults() reportOpts {
	return reportOpts{policy: abi.SnpPolicy{ABIMajor: 1, SMT: true}, measurement: measurement, reportData: bound[:], tcb: tcb}
}

// signedReport is a v3 report with o's fields, signed by the signer's VCEK.
func signedReport(t testing.TB, signer *sevtest.AmdSigner, o reportOpts) []byte {
	t.Helper()
	v, err := kds.ComposeTCBParts(o.tcb)
	require.NoError(t, err)
	rep := &spb.Report{Version: 3, SignatureAlgo: abi.SignEcdsaP384Sha384,
		Policy:     abi.SnpPolicyToBytes(o.policy),
		SignerInfo: abi.ComposeSignerInfo(abi.SignerInfo{SigningKey: abi.VcekReportSigner}),
		ReportData: o.reportData, Measurement: o.measurement,
		FamilyId: make([]byte, 16), ImageId: make([]byte, 16), HostData: make([]byte, 32), IdKeyDigest: make([]byte, 48),
		AuthorKeyDigest: make([]byte, 48), ReportId: make([]byte, 32), ReportIdMa: make([]byte, 32), ChipId: make([]byte, 64),
		CurrentTcb: uint64(v), ReportedTcb: uint64(v), CommittedTcb: uint64(v), LaunchTcb: uint64(v),
		Cpuid1EaxFms: abi.FmsToCpuid1Eax(0x19, 1, 1), Signature: make([]byte, 512)}
	raw, err := abi.ReportToAbiBytes(rep)
	require.NoError(t, err)
	d := sha512.Sum384(abi.SignedComponent(raw))
	r, s, err := ecdsa.Sign(crand.Reader, signer.Keys.Vcek, d[:])
	require.NoError(t, err)
	require.NoError(t, abi.SetSignature(r, s, raw))
	return raw
}

func roots(signer *sevtest.AmdSigner) []snp.Root {
	return []snp.Root{{ProductLine: "Milan", Ark: signer.Ark, Ask: signer.Ask}}
}

var policy = snp.Policy{Measurements: [][]byte{measurement}, MinimumTCB: tcb}

func flip(b []byte, i int) []byte {
	c := append([]byte{}, b...)
	c[i] ^= 0x01
	return c
}

func TestVerifyAcceptsAGenuineReport(t *testing.T) {
	signer := fakeAMD(t, nil)
	raw := signedReport(t, signer, defaults())
	res, err := snp.Verify(raw, signer.Vcek.Raw, roots(signer), blockTime, bound[:], policy)
	require.NoError(t, err)
	require.Equal(t, measurement, res.Measurement)
}

// Every way a report can be wrong is refused with its own error, and nothing panics.
func TestVerifyRefusals(t *testing.T) {
	signer := fakeAMD(t, nil)
	other := fakeAMD(t, otherKeys(t)) // a chain we do not trust
	raw := signedReport(t, signer, defaults())
	vcek := signer.Vcek.Raw
	debug := defaults()
	debug.policy.Debug = true
	lowTCB := defaults()
	lowTCB.tcb = kds.TCBParts{BlSpl: 3, SnpSpl: 7, UcodeSpl: 115}
	otherMeasurement := defaults()
	otherMeasurement.measurement = fill(0x66, 48)
	otherBinding := defaults()
	otherBinding.reportData = fill(0x01, 64)

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
		{"VCEK of another chip", raw, other.Vcek.Raw, roots(other), blockTime, snp.ErrBadSignature},
		{"no root for the product line", raw, vcek, []snp.Root{{ProductLine: "Genoa", Ark: signer.Ark, Ask: signer.Ask}}, blockTime, snp.ErrUntrustedChain},
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
	signer := fakeAMD(f, nil)
	raw := signedReport(f, signer, defaults())
	f.Add(raw, signer.Vcek.Raw)
	f.Add(raw[:10], []byte{0x30, 0x82})
	f.Fuzz(func(t *testing.T, report, vcek []byte) {
		_, _ = snp.Verify(report, vcek, roots(signer), blockTime, bound[:], policy) // must not panic
	})
}

// BenchmarkVerify is one full offline verification of a genuine report (chain, signature,
// go-sev-guest's checks, policy); the goal is ≤ 20 ms.
func BenchmarkVerify(b *testing.B) {
	signer := fakeAMD(b, nil)
	raw := signedReport(b, signer, defaults())
	for b.Loop() {
		if _, err := snp.Verify(raw, signer.Vcek.Raw, roots(signer), blockTime, bound[:], policy); err != nil {
			b.Fatal(err)
		}
	}
}
