package types

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"

	errorsmod "cosmossdk.io/errors"

	"github.com/google/go-sev-guest/verify/trust"

	"github.com/fogchain/fog/fogtypes"
)

// IntelSGXRootCAPEM is Intel's SGX Root CA (CN=Intel SGX Root CA, valid 2018-05-21 to 2049-12-31,
// SHA-256 fingerprint 44A0196B…FAB674D3), as go-tdx-guest embeds it: the default TDX root.
//
//go:embed intel_sgx_root_ca.pem
var IntelSGXRootCAPEM []byte

const (
	// DefaultValidityBlocks: an attestation counts for 14,400 blocks (4 hours of 1-second blocks, a
	// day of 6-second ones); the worker renews it before it expires.
	DefaultValidityBlocks = 14_400
	// DefaultNonceWindowBlocks: evidence must bind one of the last 100 block hashes.
	DefaultNonceWindowBlocks = 100
	// MaxNonceWindowBlocks bounds the recorded block hashes.
	MaxNonceWindowBlocks = 10_000
	// MaxValidityBlocks bounds validity_blocks: about three years of 1-second blocks, longer than any
	// TCB stays current; it keeps height + validity_blocks far from overflowing int64.
	MaxValidityBlocks = 100_000_000
	// MaxVerifyGas bounds verify_gas.
	MaxVerifyGas = 1 << 40
	// MaxEvidenceBytesLimit bounds max_evidence_bytes: a TDX quote with its PCK chain is about 5 kB.
	MaxEvidenceBytesLimit = 64 << 10
	// MaxAllowedMeasurements bounds allowed_measurements, and MaxDescriptionBytes each description:
	// every attestation reads the list.
	MaxAllowedMeasurements = 256
	MaxDescriptionBytes    = 256
	// MaxRoots bounds each list of trusted roots and MaxRootBytes each root certificate: every
	// verification parses them, and its gas is flat.
	MaxRoots     = 16
	MaxRootBytes = 8 << 10
	// DefaultVerifyGas is charged, flat, before a piece of evidence is verified. It is priced as a time
	// ratio to a secp256k1 signature check (1000 gas in the SDK), timed alternately with it in one
	// loop by BenchmarkSubmitAttestation (x/tee/keeper, one core, AMD EPYC, Go 1.26, two runs):
	// SEV-SNP 18.5–20.1×, TDX 8.2–8.5×, simulated 1.0–1.1×. One price covers the slowest type with a
	// 25% margin: 25,000 gas.
	//
	//	go test ./x/tee/keeper -run '^$' -bench SubmitAttestation -benchtime 100x -count 2 -cpu 1
	DefaultVerifyGas = 25_000
	// DefaultMaxEvidenceBytes bounds MsgSubmitAttestation.evidence.
	DefaultMaxEvidenceBytes = 16 << 10
	// MeasurementSize is the size of an SEV-SNP MEASUREMENT and of a TDX MRTD.
	MeasurementSize = 48
	// TdxTcbSvnSize is the size of a TDX TEE_TCB_SVN.
	TdxTcbSvnSize = 16
)

// ProductLines are the AMD product lines x/tee knows roots for.
var ProductLines = []string{"Milan", "Genoa", "Turin"}

// DefaultParams trust AMD's ARK/ASK for Milan, Genoa and Turin and Intel's SGX Root CA (as shipped by
// go-sev-guest and go-tdx-guest), allow no measurement yet (governance adds them), and refuse
// simulated TEEs.
func DefaultParams() Params {
	return Params{
		SevSnpMinTcb:      0,
		TdxMinTeeTcbSvn:   make([]byte, TdxTcbSvnSize),
		ValidityBlocks:    DefaultValidityBlocks,
		NonceWindowBlocks: DefaultNonceWindowBlocks,
		SevSnpRoots:       defaultSevSnpRoots(),
		TdxRoots:          [][]byte{mustPEM(IntelSGXRootCAPEM)},
		VerifyGas:         DefaultVerifyGas,
		MaxEvidenceBytes:  DefaultMaxEvidenceBytes,
	}
}

func defaultSevSnpRoots() []SevSnpRoot {
	bundles := map[string][]byte{"Milan": trust.AskArkMilanVcekBytes, "Genoa": trust.AskArkGenoaVcekBytes, "Turin": trust.AskArkTurinVcekBytes}
	out := make([]SevSnpRoot, 0, len(ProductLines))
	for _, line := range ProductLines {
		// a KDS bundle is the ASK then the ARK, PEM
		ask, rest := pem.Decode(bundles[line])
		ark, _ := pem.Decode(rest)
		if ask == nil || ark == nil {
			panic(fmt.Sprintf("tee: go-sev-guest's %s root bundle does not decode", line))
		}
		out = append(out, SevSnpRoot{ProductLine: line, Ark: ark.Bytes, Ask: ask.Bytes})
	}
	return out
}

func mustPEM(bz []byte) []byte {
	b, _ := pem.Decode(bz)
	if b == nil {
		panic("tee: embedded root does not decode")
	}
	return b.Bytes
}

// Validate checks that every param lies in its range; failures wrap ErrInvalidParams and name the
// field.
func (p Params) Validate() error {
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidParams, format, args...) }
	switch {
	case p.ValidityBlocks < 1 || p.ValidityBlocks > MaxValidityBlocks:
		return fail("validity_blocks %d not in [1, %d]", p.ValidityBlocks, MaxValidityBlocks)
	case p.NonceWindowBlocks < 1 || p.NonceWindowBlocks > MaxNonceWindowBlocks:
		return fail("nonce_window_blocks %d not in [1, %d]", p.NonceWindowBlocks, MaxNonceWindowBlocks)
	case len(p.TdxMinTeeTcbSvn) != TdxTcbSvnSize:
		return fail("tdx_min_tee_tcb_svn is %d bytes, want %d", len(p.TdxMinTeeTcbSvn), TdxTcbSvnSize)
	case p.VerifyGas < 1 || p.VerifyGas > MaxVerifyGas:
		// verification is never free
		return fail("verify_gas %d not in [1, %d]", p.VerifyGas, uint64(MaxVerifyGas))
	case p.MaxEvidenceBytes < 1 || p.MaxEvidenceBytes > MaxEvidenceBytesLimit:
		return fail("max_evidence_bytes %d not in [1, %d]", p.MaxEvidenceBytes, MaxEvidenceBytesLimit)
	case len(p.AllowedMeasurements) > MaxAllowedMeasurements:
		return fail("allowed_measurements has %d entries, at most %d", len(p.AllowedMeasurements), MaxAllowedMeasurements)
	case len(p.SevSnpRoots) > MaxRoots:
		return fail("sev_snp_roots has %d entries, at most %d", len(p.SevSnpRoots), MaxRoots)
	case len(p.TdxRoots) > MaxRoots:
		return fail("tdx_roots has %d entries, at most %d", len(p.TdxRoots), MaxRoots)
	case len(p.SimulatedRoots) > MaxRoots:
		return fail("simulated_roots has %d entries, at most %d", len(p.SimulatedRoots), MaxRoots)
	}
	seen := map[string]bool{}
	for i, m := range p.AllowedMeasurements {
		if _, ok := fogtypes.TeeType_name[int32(m.TeeType)]; !ok || m.TeeType == TeeTypeUnspecified {
			return fail("allowed_measurements[%d].tee_type %d is not a TEE type", i, m.TeeType)
		}
		if _, err := ParseMeasurement(m.Value); err != nil {
			return fail("allowed_measurements[%d].value: %s", i, err)
		}
		if len(m.Description) > MaxDescriptionBytes {
			return fail("allowed_measurements[%d].description is %d bytes, at most %d", i, len(m.Description), MaxDescriptionBytes)
		}
		key := fmt.Sprintf("%d/%s", m.TeeType, m.Value)
		if seen[key] {
			return fail("allowed_measurements[%d]: a second entry of this type and value", i)
		}
		seen[key] = true
	}
	for i, r := range p.SevSnpRoots {
		known := false
		for _, l := range ProductLines {
			known = known || r.ProductLine == l
		}
		if !known {
			return fail("sev_snp_roots[%d].product_line %q is not one of %v", i, r.ProductLine, ProductLines)
		}
		for _, c := range []struct {
			name string
			der  []byte
		}{{"ark", r.Ark}, {"ask", r.Ask}} {
			if err := checkRoot(c.der); err != nil {
				return fail("sev_snp_roots[%d].%s: %s", i, c.name, err)
			}
		}
	}
	for i, r := range p.TdxRoots {
		if err := checkRoot(r); err != nil {
			return fail("tdx_roots[%d]: %s", i, err)
		}
	}
	for i, r := range p.SimulatedRoots {
		if len(r) != ed25519.PublicKeySize {
			return fail("simulated_roots[%d]: an ed25519 public key is %d bytes", i, ed25519.PublicKeySize)
		}
		for _, o := range p.SimulatedRoots[:i] {
			if bytes.Equal(o, r) {
				return fail("simulated_roots[%d]: duplicate", i)
			}
		}
	}
	return nil
}

// checkRoot checks that der is a certificate of at most MaxRootBytes.
func checkRoot(der []byte) error {
	if len(der) > MaxRootBytes {
		return fmt.Errorf("%d bytes, at most %d", len(der), MaxRootBytes)
	}
	_, err := x509.ParseCertificate(der)
	return err
}

// Allowed reports whether measurement m, lower-case hex (MeasurementHex), is allowed for TEE type t.
func (p Params) Allowed(t TeeType, m string) bool {
	for _, a := range p.AllowedMeasurements {
		if a.TeeType == t && a.Value == m {
			return true
		}
	}
	return false
}
