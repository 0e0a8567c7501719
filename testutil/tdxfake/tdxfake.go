// Package tdxfake is TEST-ONLY material: a fake Intel-style PKI (root CA → PCK Platform CA → PCK
// certificate) and a fake quoting enclave that signs Intel TDX quotes in the real v4 wire format,
// which go-tdx-guest's verify.TdxQuote accepts when the fake root is the trusted root.
//
// Everything here is made up: the keys are fresh ECDSA P-256 keys from crypto/rand, the
// certificates only imitate Intel's names and extensions, and the QE report is not the report of a
// real quoting enclave. Nothing signed by a Signer is evidence of anything. Never trust a Signer's
// root outside tests and development networks, and never import this package from module code that
// ships in a node. One package outside tests imports it: offchain/attest/testvendor, the worker's
// development-only "test-tdx" backend, which signs with a fixed Signer whose keys are published
// (Restore).
package tdxfake

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
)

// The Intel subject common names go-tdx-guest insists on.
const (
	RootCN         = "Intel SGX Root CA"
	IntermediateCN = "Intel SGX PCK Platform CA"
	PCKCN          = "Intel SGX PCK Certificate"
)

// intelQeVendorID is QE_VENDOR_ID of Intel's quoting enclave (939a7233-f79c-4ca9-940a-0db3957f0607).
var intelQeVendorID = []byte{0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9, 0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07}

// Signer is a TEST-ONLY fake Intel PKI plus a fake quoting enclave. The three certificates are
// what Quote embeds (as PEM(PCK) ‖ PEM(Intermediate) ‖ PEM(Root), from their Raw DER), so a test
// may substitute one of them (see WithCorruptPCKSignature and WithPCKValidity).
type Signer struct {
	Root, Intermediate, PCK *x509.Certificate
	// PPID is the 16-byte platform id carried in the PCK's SGX extension (random per signer).
	PPID []byte

	rootKey, intermediateKey, pckKey *ecdsa.PrivateKey
	// attestationKey signs quotes; the QE report binds it to the PCK.
	attestationKey *ecdsa.PrivateKey
	// pckSGX is the DER of the PCK's SGX extension, kept to re-issue the PCK.
	pckSGX []byte
}

// Body holds the fields of the TD quote body a test chooses; the others are fixed plausible values.
type Body struct {
	MrTd         []byte   // MRTD, 48 bytes
	ReportData   []byte   // REPORT_DATA, 64 bytes (nil means all zero)
	TeeTcbSvn    [16]byte // TEE_TCB_SVN
	TdAttributes [8]byte  // TD_ATTRIBUTES, little endian; bit 0 of byte 0 is DEBUG
}

func name(cn string) pkix.Name {
	return pkix.Name{CommonName: cn, Organization: []string{"Intel Corporation"},
		Locality: []string{"Santa Clara"}, Province: []string{"CA"}, Country: []string{"US"}}
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func newKey() (*ecdsa.PrivateKey, error) { return ecdsa.GenerateKey(elliptic.P256(), rand.Reader) }

func issue(tmpl, parent *x509.Certificate, pub *ecdsa.PublicKey, parentKey *ecdsa.PrivateKey) (*x509.Certificate, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = sn
	tmpl.SignatureAlgorithm = x509.ECDSAWithSHA256
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// sgxExtension is the DER of a PCK SGX extension (OID 1.2.840.113741.1.13.1) with the entries
// go-tdx-guest parses: PPID, TCB (16 SGX TCB components, PCESVN, CPUSVN), PCEID and FMSPC.
func sgxExtension(ppid []byte) ([]byte, error) {
	type octet struct {
		ID asn1.ObjectIdentifier
		V  []byte
	}
	type integer struct {
		ID asn1.ObjectIdentifier
		V  int
	}
	type sequence struct {
		ID asn1.ObjectIdentifier
		V  []asn1.RawValue
	}
	var err error
	raw := func(v any) asn1.RawValue {
		b, e := asn1.Marshal(v)
		if e != nil && err == nil {
			err = e
		}
		return asn1.RawValue{FullBytes: b}
	}
	var tcb []asn1.RawValue
	for i := 1; i <= 16; i++ {
		oid := append(append(asn1.ObjectIdentifier{}, pcs.OidTCB...), i)
		tcb = append(tcb, raw(integer{oid, 1}))
	}
	cpuSvn := make([]byte, 16)
	for i := range cpuSvn {
		cpuSvn[i] = 1
	}
	tcb = append(tcb, raw(integer{pcs.OidPCESvn, 11}), raw(octet{pcs.OidCPUSvn, cpuSvn}))
	entries := []asn1.RawValue{
		raw(octet{pcs.OidPPID, ppid}),
		raw(sequence{pcs.OidTCB, tcb}),
		raw(octet{pcs.OidPCEID, []byte{0, 0}}),
		raw(octet{pcs.OidFMSPC, []byte{0x50, 0x80, 0x6f, 0, 0, 0}}),
	}
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(entries)
}

// pckTemplate is Intel's PCK shape: exactly six extensions (AKI — added by crypto/x509 from the
// intermediate's SKI —, CRL distribution points, SKI, key usage, basic constraints, SGX).
func (s *Signer) pckTemplate(notBefore, notAfter time.Time) (*x509.Certificate, error) {
	pub, err := s.pckKey.PublicKey.Bytes()
	if err != nil {
		return nil, err
	}
	ski := sha256.Sum256(pub)
	return &x509.Certificate{
		Subject: name(PCKCN), NotBefore: notBefore, NotAfter: notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		BasicConstraintsValid: true,
		SubjectKeyId:          ski[:20],
		CRLDistributionPoints: []string{"https://api.trustedservices.intel.com/sgx/certification/v4/pckcrl?ca=platform&encoding=der"},
		ExtraExtensions:       []pkix.Extension{{Id: pcs.OidSgxExtension, Value: s.pckSGX}},
	}, nil
}

// NewSigner makes a TEST-ONLY fake Intel PKI whose three certificates are valid from notBefore to
// notAfter, with fresh keys, a fresh attestation key and a random PPID.
func NewSigner(notBefore, notAfter time.Time) (*Signer, error) {
	s := &Signer{PPID: make([]byte, 16)}
	if _, err := rand.Read(s.PPID); err != nil {
		return nil, err
	}
	var err error
	for _, k := range []**ecdsa.PrivateKey{&s.rootKey, &s.intermediateKey, &s.pckKey, &s.attestationKey} {
		if *k, err = newKey(); err != nil {
			return nil, err
		}
	}
	if s.pckSGX, err = sgxExtension(s.PPID); err != nil {
		return nil, fmt.Errorf("tdxfake: SGX extension: %w", err)
	}
	s.Root, err = issue(&x509.Certificate{
		Subject: name(RootCN), NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 1,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"},
	}, nil, &s.rootKey.PublicKey, s.rootKey)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: root: %w", err)
	}
	s.Intermediate, err = issue(&x509.Certificate{
		Subject: name(IntermediateCN), NotBefore: notBefore, NotAfter: notAfter,
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 0, MaxPathLenZero: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		CRLDistributionPoints: []string{"https://certificates.trustedservices.intel.com/IntelSGXRootCA.der"},
	}, s.Root, &s.intermediateKey.PublicKey, s.rootKey)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: intermediate: %w", err)
	}
	if err := s.reissuePCK(notBefore, notAfter); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Signer) reissuePCK(notBefore, notAfter time.Time) error {
	tmpl, err := s.pckTemplate(notBefore, notAfter)
	if err != nil {
		return err
	}
	s.PCK, err = issue(tmpl, s.Intermediate, &s.pckKey.PublicKey, s.intermediateKey)
	if err != nil {
		return fmt.Errorf("tdxfake: PCK: %w", err)
	}
	if len(s.PCK.Extensions) != 6 {
		return fmt.Errorf("tdxfake: PCK has %d extensions, want 6", len(s.PCK.Extensions))
	}
	return nil
}

// Restore rebuilds a signer from its three certificates and the two keys Quote signs with (the PCK's
// and the attestation key), e.g. a fixed signer whose material is kept in files. The root and
// intermediate keys are not needed: such a signer can make quotes but cannot re-issue its PCK.
func Restore(root, intermediate, pck *x509.Certificate, pckKey, attestationKey *ecdsa.PrivateKey) (*Signer, error) {
	if root == nil || intermediate == nil || pck == nil || pckKey == nil || attestationKey == nil {
		return nil, errors.New("tdxfake: Restore needs three certificates and two keys")
	}
	if pub, ok := pck.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&pckKey.PublicKey) {
		return nil, errors.New("tdxfake: the PCK key is not the PCK certificate's")
	}
	ext, err := pcs.PckCertificateExtensions(pck)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: PCK extensions: %w", err)
	}
	ppid, err := hex.DecodeString(ext.PPID)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: PPID: %w", err)
	}
	return &Signer{Root: root, Intermediate: intermediate, PCK: pck, PPID: ppid, pckKey: pckKey, attestationKey: attestationKey}, nil
}

// Keys are the two keys Quote signs with: the PCK's (the QE report) and the attestation key (the
// quote), for keeping a signer to Restore later.
func (s *Signer) Keys() (pck, attestation *ecdsa.PrivateKey) { return s.pckKey, s.attestationKey }

// WithPCKValidity returns a copy of s (same keys, same root and intermediate) whose PCK
// certificate is re-issued with the given validity, e.g. to test a PCK that has expired while its
// issuers have not.
func (s *Signer) WithPCKValidity(notBefore, notAfter time.Time) (*Signer, error) {
	c := *s
	if err := c.reissuePCK(notBefore, notAfter); err != nil {
		return nil, err
	}
	return &c, nil
}

// WithCorruptPCKSignature returns a copy of s whose PCK certificate DER has one bit flipped in the
// last byte of its signature: it still parses, but no longer verifies under the intermediate.
func (s *Signer) WithCorruptPCKSignature() *Signer {
	c := *s
	pck := *s.PCK
	pck.Raw = append([]byte{}, s.PCK.Raw...)
	pck.Raw[len(pck.Raw)-1] ^= 0x01
	pck.Signature = append([]byte{}, s.PCK.Signature...)
	pck.Signature[len(pck.Signature)-1] ^= 0x01
	c.PCK = &pck
	return &c
}

// sign is ECDSA P-256 over SHA-256(msg) in Intel's raw form: r ‖ s, 32 bytes each, big endian.
func sign(key *ecdsa.PrivateKey, msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	r, sv, err := ecdsa.Sign(rand.Reader, key, d[:])
	if err != nil {
		return nil, err
	}
	out := make([]byte, 64)
	r.FillBytes(out[:32])
	sv.FillBytes(out[32:])
	return out, nil
}

// ChainPEM is the PCK certificate chain a quote carries: PEM(PCK) ‖ PEM(Intermediate) ‖ PEM(Root).
func (s *Signer) ChainPEM() []byte {
	var out []byte
	for _, c := range []*x509.Certificate{s.PCK, s.Intermediate, s.Root} {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// Quote returns a TEST-ONLY TDX quote v4 (Intel's ABI byte format) over b: the quote signature
// over header ‖ body is made with the signer's attestation key; the QE report, whose report data is
// SHA-256(attestation key ‖ QE auth data) ‖ 32 zero bytes, is signed with the PCK key; the
// certification data (type 6) wraps the PEM chain (type 5) PCK ‖ intermediate ‖ root.
func (s *Signer) Quote(b Body) ([]byte, error) {
	if len(b.MrTd) != abi.MrTdSize {
		return nil, fmt.Errorf("tdxfake: MRTD is %d bytes, want %d", len(b.MrTd), abi.MrTdSize)
	}
	reportData := b.ReportData
	if reportData == nil {
		reportData = make([]byte, abi.ReportDataSize)
	}
	if len(reportData) != abi.ReportDataSize {
		return nil, fmt.Errorf("tdxfake: report data is %d bytes, want %d", len(reportData), abi.ReportDataSize)
	}
	z := func(n int) []byte { return make([]byte, n) }
	if s.attestationKey == nil || s.pckKey == nil {
		return nil, errors.New("tdxfake: signer not made by NewSigner")
	}

	attPub, err := s.attestationKey.PublicKey.Bytes() // 0x04 ‖ X ‖ Y
	if err != nil {
		return nil, err
	}
	attPub = attPub[1:] // Intel's raw form: X ‖ Y
	auth := make([]byte, 32)
	for i := range auth {
		auth[i] = byte(i)
	}
	h := sha256.Sum256(append(append([]byte{}, attPub...), auth...))
	qe := &pb.EnclaveReport{
		CpuSvn: []byte{4, 4, 0x0d, 0x0f, 3, 0xff, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0}, Reserved1: z(28),
		Attributes: []byte{0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7, 0, 0, 0, 0, 0, 0, 0},
		MrEnclave:  z(32), Reserved2: z(32), MrSigner: z(32), Reserved3: z(96),
		IsvProdId: 2, IsvSvn: 4, Reserved4: z(60), ReportData: append(h[:], z(32)...),
	}
	qeRaw, err := abi.EnclaveReportToAbiBytes(qe)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: QE report: %w", err)
	}
	qeSig, err := sign(s.pckKey, qeRaw)
	if err != nil {
		return nil, err
	}

	hdr := &pb.Header{Version: 4, AttestationKeyType: abi.AttestationKeyType, TeeType: abi.TeeTDX,
		QeSvn: z(2), PceSvn: z(2), QeVendorId: append([]byte{}, intelQeVendorID...), UserData: z(20)}
	body := &pb.TDQuoteBody{
		TeeTcbSvn: append([]byte{}, b.TeeTcbSvn[:]...), MrSeam: z(48), MrSignerSeam: z(48), SeamAttributes: z(8),
		TdAttributes: append([]byte{}, b.TdAttributes[:]...),
		Xfam:         []byte{0xe7, 0x1a, 0x06, 0, 0, 0, 0, 0},
		MrTd:         append([]byte{}, b.MrTd...), MrConfigId: z(48), MrOwner: z(48), MrOwnerConfig: z(48),
		Rtmrs:      [][]byte{z(48), z(48), z(48), z(48)},
		ReportData: append([]byte{}, reportData...),
	}
	hb, err := abi.HeaderToAbiBytes(hdr)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: header: %w", err)
	}
	bb, err := abi.TdQuoteBodyToAbiBytes(body)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: body: %w", err)
	}
	quoteSig, err := sign(s.attestationKey, append(hb, bb...))
	if err != nil {
		return nil, err
	}

	chain := s.ChainPEM()
	qrcd := &pb.QEReportCertificationData{
		QeReport: qe, QeReportSignature: qeSig,
		QeAuthData: &pb.QeAuthData{ParsedDataSize: uint32(len(auth)), Data: auth},
		PckCertificateChainData: &pb.PCKCertificateChainData{
			CertificateDataType: 5, Size: uint32(len(chain)), PckCertChain: chain},
	}
	// QuoteToAbiBytes writes the sizes verbatim, so they must be exact:
	// QE report ‖ QE report signature ‖ auth size ‖ auth data ‖ chain type ‖ chain size ‖ chain.
	n := uint32(0x180 + 0x40 + 2 + len(auth) + 6 + len(chain))
	q := &pb.QuoteV4{Header: hdr, TdQuoteBody: body,
		SignedDataSize: 0x40 + 0x40 + 6 + n, // signature ‖ attestation key ‖ cert data type ‖ size ‖ data
		SignedData: &pb.Ecdsa256BitQuoteV4AuthData{Signature: quoteSig, EcdsaAttestationKey: attPub,
			CertificationData: &pb.CertificationData{CertificateDataType: 6, Size: n, QeReportCertificationData: qrcd}},
	}
	raw, err := abi.QuoteToAbiBytes(q)
	if err != nil {
		return nil, fmt.Errorf("tdxfake: quote: %w", err)
	}
	return raw, nil
}
