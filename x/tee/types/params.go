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

// Validate checks the params; failures wrap ErrInvalidParams.
func (p Params) Validate() error {
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidParams, format, args...) }
	switch {
	case p.ValidityBlocks <= 0:
		return fail("validity_blocks must be positive")
	case p.NonceWindowBlocks <= 0 || p.NonceWindowBlocks > MaxNonceWindowBlocks:
		return fail("nonce_window_blocks must be in [1, %d]", MaxNonceWindowBlocks)
	case len(p.TdxMinTeeTcbSvn) != TdxTcbSvnSize:
		return fail("tdx_min_tee_tcb_svn must be %d bytes", TdxTcbSvnSize)
	case p.VerifyGas == 0:
		return fail("verify_gas must be positive: verification is never free")
	case p.MaxEvidenceBytes == 0:
		return fail("max_evidence_bytes must be positive")
	}
	seen := map[string]bool{}
	for i, m := range p.AllowedMeasurements {
		if _, ok := TeeType_name[int32(m.TeeType)]; !ok || m.TeeType == TeeTypeUnspecified {
			return fail("allowed_measurements[%d]: unknown TEE type %d", i, m.TeeType)
		}
		if len(m.Value) != MeasurementSize {
			return fail("allowed_measurements[%d]: measurement must be %d bytes, got %d", i, MeasurementSize, len(m.Value))
		}
		key := fmt.Sprintf("%d/%x", m.TeeType, m.Value)
		if seen[key] {
			return fail("allowed_measurements[%d]: duplicate", i)
		}
		seen[key] = true
	}
	for i, r := range p.SevSnpRoots {
		known := false
		for _, l := range ProductLines {
			known = known || r.ProductLine == l
		}
		if !known {
			return fail("sev_snp_roots[%d]: product line %q is not one of %v", i, r.ProductLine, ProductLines)
		}
		if _, err := x509.ParseCertificate(r.Ark); err != nil {
			return fail("sev_snp_roots[%d]: ARK: %s", i, err)
		}
		if _, err := x509.ParseCertificate(r.Ask); err != nil {
			return fail("sev_snp_roots[%d]: ASK: %s", i, err)
		}
	}
	for i, r := range p.TdxRoots {
		if _, err := x509.ParseCertificate(r); err != nil {
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

// Allowed reports whether measurement m is allowed for TEE type t.
func (p Params) Allowed(t TeeType, m []byte) bool {
	for _, a := range p.AllowedMeasurements {
		if a.TeeType == t && bytes.Equal(a.Value, m) {
			return true
		}
	}
	return false
}
