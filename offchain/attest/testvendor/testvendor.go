// Package testvendor signs SEV-SNP and TDX evidence in the vendors' real formats with FIXED TEST
// CHAINS whose private keys are published in this package (sevsnp.pem, tdx.pem). It lets development
// networks (localnet, the e2e tests) run workers that x/tee records as SEV-SNP or TDX enclaves, so
// that what depends on the vendor (x/quorum's TEE-vendor diversity, orders that require a TEE type)
// can be shown without the hardware.
//
// DEVELOPMENT ONLY. Anyone can sign anything with these keys: the evidence proves nothing about
// hardware. x/tee accepts it only where its params trust the test roots (SevSnpRoot, TdxRoot), which
// only a genesis or a governance proposal puts there (`fogd tee add-genesis-test-roots`). A production
// chain's params hold AMD's and Intel's roots, and x/tee accepts nothing else; a proposal that adds
// these roots must be refused.
//
// The chains: SEV-SNP is go-sev-guest's fake AMD Milan chain (ARK → ASK → VCEK) made with
// go-sev-guest's own test keys; TDX is testutil/tdxfake's fake Intel PKI (root → PCK Platform CA →
// PCK) and quoting enclave. Both are valid from 2025-01-01 to the end of 2049. gen.go made them.
// Every worker that uses them reports the same platform: a zero SEV-SNP chip id, one TDX PPID.
package testvendor

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"fmt"
	"slices"
	"sync"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"

	"github.com/fogchain/fog/testutil/tdxfake"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

//go:generate go run gen.go

var (
	//go:embed sevsnp.pem
	sevSnpPEM []byte
	//go:embed tdx.pem
	tdxPEM []byte
)

// SevSnpProductLine is the AMD product line of the SEV-SNP test chain (its reports say Milan-B1).
const SevSnpProductLine = "Milan"

// TCB is the SEV-SNP test VCEK's TCB, which every report reports (current, reported, committed and
// launch TCB alike). It is above x/tee's default minimum (zero).
var TCB = kds.TCBParts{BlSpl: 3, SnpSpl: 8, UcodeSpl: 115}

type material struct {
	ark, ask, vcek *x509.Certificate
	vcekKey        *ecdsa.PrivateKey
	tdx            *tdxfake.Signer
}

// blocks are a PEM file's blocks by their Role header and type.
func blocks(file []byte) map[string]*pem.Block {
	out := map[string]*pem.Block{}
	for rest := file; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return out
		}
		out[b.Headers["Role"]+" "+b.Type] = b
	}
}

func certs(bs map[string]*pem.Block, roles ...string) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for _, r := range roles {
		b, ok := bs[r+" CERTIFICATE"]
		if !ok {
			return nil, fmt.Errorf("no %s certificate", r)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%s certificate: %w", r, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func key(bs map[string]*pem.Block, role string) (*ecdsa.PrivateKey, error) {
	b, ok := bs[role+" EC PRIVATE KEY"]
	if !ok {
		return nil, fmt.Errorf("no %s key", role)
	}
	return x509.ParseECPrivateKey(b.Bytes)
}

var load = sync.OnceValues(func() (*material, error) {
	m := &material{}
	snp := blocks(sevSnpPEM)
	cs, err := certs(snp, "ark", "ask", "vcek")
	if err != nil {
		return nil, fmt.Errorf("testvendor: sevsnp.pem: %w", err)
	}
	m.ark, m.ask, m.vcek = cs[0], cs[1], cs[2]
	if m.vcekKey, err = key(snp, "vcek"); err != nil {
		return nil, fmt.Errorf("testvendor: sevsnp.pem: %w", err)
	}
	tdx := blocks(tdxPEM)
	if cs, err = certs(tdx, "root", "intermediate", "pck"); err != nil {
		return nil, fmt.Errorf("testvendor: tdx.pem: %w", err)
	}
	pck, err := key(tdx, "pck")
	if err != nil {
		return nil, fmt.Errorf("testvendor: tdx.pem: %w", err)
	}
	att, err := key(tdx, "attestation")
	if err != nil {
		return nil, fmt.Errorf("testvendor: tdx.pem: %w", err)
	}
	if m.tdx, err = tdxfake.Restore(cs[0], cs[1], cs[2], pck, att); err != nil {
		return nil, fmt.Errorf("testvendor: tdx.pem: %w", err)
	}
	return m, nil
})

// Check loads the embedded chains and reports what is wrong with them, if anything.
func Check() error {
	_, err := load()
	return err
}

func mustLoad() *material {
	m, err := load()
	if err != nil {
		panic(err) // the embedded files are part of the build: a test catches this
	}
	return m
}

// SevSnpRoot is the SEV-SNP test chain's root as x/tee's params list one (DER).
func SevSnpRoot() teetypes.SevSnpRoot {
	m := mustLoad()
	return teetypes.SevSnpRoot{ProductLine: SevSnpProductLine, Ark: slices.Clone(m.ark.Raw), Ask: slices.Clone(m.ask.Raw)}
}

// TdxRoot is the TDX test chain's root certificate (DER), as x/tee's params list one.
func TdxRoot() []byte { return slices.Clone(mustLoad().tdx.Root.Raw) }

// AddRoots adds the test roots to p's sev_snp_roots and tdx_roots, each unless it is there already,
// and tells whether it added any.
func AddRoots(p *teetypes.Params) bool {
	added := false
	snp := SevSnpRoot()
	if !slices.ContainsFunc(p.SevSnpRoots, func(r teetypes.SevSnpRoot) bool {
		return r.ProductLine == snp.ProductLine && slices.Equal(r.Ark, snp.Ark) && slices.Equal(r.Ask, snp.Ask)
	}) {
		p.SevSnpRoots, added = append(p.SevSnpRoots, snp), true
	}
	tdx := TdxRoot()
	if !slices.ContainsFunc(p.TdxRoots, func(r []byte) bool { return slices.Equal(r, tdx) }) {
		p.TdxRoots, added = append(p.TdxRoots, tdx), true
	}
	return added
}

// SevSnpEvidence is x/tee's SevSnpEvidence (protobuf): a v3 attestation report with the launch
// measurement (48 bytes) and report data (64 bytes) given, no debug, guest policy and TCB as a
// production guest's, signed by the test VCEK, with the VCEK certificate.
func SevSnpEvidence(measurement, reportData []byte) ([]byte, error) {
	m, err := load()
	if err != nil {
		return nil, err
	}
	if len(measurement) != abi.MeasurementSize || len(reportData) != abi.ReportDataSize {
		return nil, fmt.Errorf("testvendor: measurement of %d bytes and report data of %d, want %d and %d",
			len(measurement), len(reportData), abi.MeasurementSize, abi.ReportDataSize)
	}
	v, err := kds.ComposeTCBParts(TCB)
	if err != nil {
		return nil, err
	}
	rep := &spb.Report{Version: 3, SignatureAlgo: abi.SignEcdsaP384Sha384,
		Policy:     abi.SnpPolicyToBytes(abi.SnpPolicy{ABIMajor: 1, SMT: true}),
		SignerInfo: abi.ComposeSignerInfo(abi.SignerInfo{SigningKey: abi.VcekReportSigner}),
		ReportData: slices.Clone(reportData), Measurement: slices.Clone(measurement),
		FamilyId: make([]byte, 16), ImageId: make([]byte, 16), HostData: make([]byte, 32), IdKeyDigest: make([]byte, 48),
		AuthorKeyDigest: make([]byte, 48), ReportId: make([]byte, 32), ReportIdMa: make([]byte, 32), ChipId: make([]byte, abi.ChipIDSize),
		CurrentTcb: uint64(v), ReportedTcb: uint64(v), CommittedTcb: uint64(v), LaunchTcb: uint64(v),
		Cpuid1EaxFms: abi.FmsToCpuid1Eax(0x19, 1, 1), Signature: make([]byte, abi.SignatureSize)}
	raw, err := abi.ReportToAbiBytes(rep)
	if err != nil {
		return nil, err
	}
	d := sha512.Sum384(abi.SignedComponent(raw))
	r, s, err := ecdsa.Sign(rand.Reader, m.vcekKey, d[:])
	if err != nil {
		return nil, err
	}
	if err := abi.SetSignature(r, s, raw); err != nil {
		return nil, err
	}
	return (&teetypes.SevSnpEvidence{Report: raw, Vcek: slices.Clone(m.vcek.Raw)}).Marshal()
}

// TdxEvidence is x/tee's TdxEvidence (protobuf): a v4 quote with MRTD measurement (48 bytes) and
// the report data given (64 bytes), not a debug TD, TEE_TCB_SVN zero, signed by the test quoting
// enclave and carrying the test PCK chain.
func TdxEvidence(measurement, reportData []byte) ([]byte, error) {
	m, err := load()
	if err != nil {
		return nil, err
	}
	quote, err := m.tdx.Quote(tdxfake.Body{MrTd: measurement, ReportData: reportData})
	if err != nil {
		return nil, err
	}
	return (&teetypes.TdxEvidence{Quote: quote}).Marshal()
}
