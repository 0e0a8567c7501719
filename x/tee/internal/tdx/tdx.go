// Package tdx verifies Intel TDX quotes (v4, ECDSA P-256 attestation key, PCK certificate chain
// embedded in the quote) offline and deterministically, for x/tee: the caller supplies the quote and
// the trusted Intel roots, and the block time is "now". Nothing is fetched; go-tdx-guest is used only
// with collateral fetching and revocation checks disabled, with an explicit time and explicit trusted
// roots, and behind a recover so that no input can panic a node.
//
// What offline verification checks: the quote's structure; the PCK chain PCK → Intel SGX PCK
// Platform CA → a trusted root, valid at now (certificate names, algorithms, curves, signatures, the
// PCK's SGX extension); the QE report's signature by the PCK key; that the QE report data binds the
// attestation key (SHA-256(attestation key ‖ QE auth data)); the quote's signature over header ‖ body
// by that attestation key; and then our policy (no debug TD, an allowed MRTD, a minimum TEE_TCB_SVN,
// the expected report data) and go-tdx-guest's field checks (XFAM and TD_ATTRIBUTES fixed bits).
//
// What it does NOT check, because that needs Intel's collateral (TCB info and QE identity, fetched
// from Intel PCS and refreshed by Intel over time):
//   - TCB info: that the PCK's FMSPC/PCEID match it; the TDX module identity (MRSIGNERSEAM, SEAM
//     attributes); the TCB level of the platform (SGX TCB components, PCESVN, TEE_TCB_SVN) and its
//     status (UpToDate, OutOfDate, Revoked, ...).
//   - QE identity: that the quoting enclave is Intel's (MRSIGNER, ISVPRODID, MISCSELECT and
//     attributes under their masks) and its TCB status (QE ISVSVN).
//   - The signatures and issuer chains of that collateral, and all CRLs (a revoked PCK or
//     intermediate is still accepted).
//
// So a quote is accepted when it is signed by a key certified by a PCK that chains to a trusted
// root, whatever the TCB status of the platform, TDX module or QE. Only Policy.MinimumTeeTcbSvn
// bounds the TDX module's version. Also: QE SVN and PCE SVN are not bounded; PCKs issued by the
// "Intel SGX PCK Processor CA" are refused (go-tdx-guest accepts only the Platform CA); and bytes
// after the signed data (Intel's quotes carry some padding) are ignored, as they are not signed.
package tdx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-tdx-guest/abi"
	"github.com/google/go-tdx-guest/pcs"
	pb "github.com/google/go-tdx-guest/proto/tdx"
	"github.com/google/go-tdx-guest/validate"
	"github.com/google/go-tdx-guest/verify"

	"github.com/fogchain/fog/x/tee/types"
)

// Logging: go-tdx-guest/verify's init() calls logger.Init("", false, false, os.Stdout), so the
// process-wide github.com/google/logger (go-sev-guest's too) writes Info/Warning to stdout and
// Error to stdout and stderr. It cannot be silenced from this package: google/logger's first Init
// wins and has no SetOutput, and verify's init always runs before ours (we import it); raising the
// verbosity is not needed (it is 0, so every logger.V(n) call is off) and logger.SetLevel itself
// prints a line. What remains are the unconditional calls, and the only one on our path
// ("Using embedded Intel certificate…", when Options.TrustedRoots is nil) is avoided by always
// passing TrustedRoots. Silencing it completely takes a logger.Init(…, io.Discard) in a package
// that imports only google/logger and whose import path sorts before github.com/google/go-tdx-guest
// (Go initialises packages in import-path order when free to choose), imported by the node.

// MaxQuoteBytes bounds a quote (Intel's are about 5 kB, mostly the PEM certificate chain).
const MaxQuoteBytes = 16384

var (
	ErrMalformed      = errors.New("tdx: malformed evidence")
	ErrUntrustedChain = errors.New("tdx: certificate chain does not lead to a trusted Intel root")
	ErrCertExpired    = errors.New("tdx: certificate not valid at block time")
	ErrBadSignature   = errors.New("tdx: quote signature does not verify")
	ErrDebug          = errors.New("tdx: TD attributes allow debugging")
	ErrMeasurement    = errors.New("tdx: measurement not on the allowlist")
	ErrTCB            = errors.New("tdx: TCB below the minimum")
	ErrReportData     = errors.New("tdx: report data does not bind this provider, key and nonce")
	ErrPolicy         = errors.New("tdx: quote refused by policy")
)

// Policy is what an accepted quote must satisfy.
type Policy struct {
	Measurements     [][]byte // allowed MRTD values (48 bytes each); empty allows none
	MinimumTeeTcbSvn [16]byte // component-wise minimum of TEE_TCB_SVN
}

// Result is what a verified quote establishes.
type Result struct {
	Measurement []byte // MRTD
	// PlatformID is the PCK certificate's PPID (16 bytes, from its SGX extension), or if it has none
	// the SHA-256 of the PCK's SubjectPublicKeyInfo DER.
	PlatformID []byte
	TeeTcbSvn  []byte
}

// IntelRoot returns Intel's SGX Root CA (types.IntelSGXRootCAPEM) parsed (a fresh copy on each call).
func IntelRoot() *x509.Certificate {
	block, _ := pem.Decode(types.IntelSGXRootCAPEM)
	if block == nil {
		panic("tdx: the Intel root is not PEM")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		panic(fmt.Sprintf("tdx: the Intel root: %v", err))
	}
	return cert
}

// noNetwork refuses every fetch: go-tdx-guest must never reach Intel from inside a block.
type noNetwork struct{}

func (noNetwork) Get(url string) (map[string][]string, []byte, error) {
	return nil, nil, fmt.Errorf("tdx: no network access from the state machine (%s)", url)
}

// Quote v4 offsets (Intel TDX DCAP quote format; go-tdx-guest abi).
const (
	headerAndBodyEnd = 0x278 // the quote signature covers quote[0:0x278]
	attKeySize       = 64    // raw X ‖ Y
)

// Verify checks quote (a TDX quote v4 in Intel's byte format, carrying its PCK chain) under one of
// roots, at time now, with report data equal to reportData, against pol.
func Verify(quote []byte, roots []*x509.Certificate, now time.Time, reportData []byte, pol Policy) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	if len(quote) == 0 || len(quote) > MaxQuoteBytes {
		return Result{}, fmt.Errorf("%w: quote is %d bytes, want 1..%d", ErrMalformed, len(quote), MaxQuoteBytes)
	}
	parsed, err := abi.QuoteToProto(quote)
	if err != nil {
		return Result{}, fmt.Errorf("%w: quote: %v", ErrMalformed, err)
	}
	q, ok := parsed.(*pb.QuoteV4)
	if !ok || q == nil {
		return Result{}, fmt.Errorf("%w: not a v4 quote", ErrMalformed)
	}
	pck, intermediate, err := extractChain(q)
	if err != nil {
		return Result{}, err
	}
	if now.IsZero() { // go-tdx-guest and crypto/x509 would read the wall clock
		return Result{}, fmt.Errorf("%w: no verification time", ErrCertExpired)
	}
	pool := x509.NewCertPool()
	for _, r := range roots {
		if r != nil {
			pool.AddCert(r)
		}
	}
	// 1. the chain PCK → intermediate → a root we trust, at block time
	if err := checkChain(pck, intermediate, pool, now); err != nil {
		return Result{}, err
	}
	// 2. the quote's signatures: header ‖ body by the attestation key, the QE report by the PCK,
	//    and the attestation key bound into the QE report
	if err := checkSignatures(quote, q, pck); err != nil {
		return Result{}, err
	}
	// 3. go-tdx-guest's whole verification (chain format, the quote's own root, PCK extensions), offline
	opts := &verify.Options{GetCollateral: false, CheckRevocations: false, Getter: noNetwork{}, Now: now, TrustedRoots: pool}
	if err := verify.TdxQuote(q, opts); err != nil {
		if errors.Is(err, verify.ErrPckLeafCertExpired) || errors.Is(err, verify.ErrIntermediateCaCertExpired) ||
			errors.Is(err, verify.ErrRootCaCertExpired) {
			return Result{}, fmt.Errorf("%w: %v", ErrCertExpired, err)
		}
		return Result{}, fmt.Errorf("%w: %v", ErrUntrustedChain, err)
	}
	ext, err := pcs.PckCertificateExtensions(pck)
	if err != nil { // verify.TdxQuote has parsed them already
		return Result{}, fmt.Errorf("%w: PCK extensions: %v", ErrUntrustedChain, err)
	}
	// 4. our policy: no debug, an allowed MRTD, the TCB, the binding
	body := q.GetTdQuoteBody()
	if body.GetTdAttributes()[0]&1 != 0 {
		return Result{}, ErrDebug
	}
	allowed := false
	for _, m := range pol.Measurements {
		allowed = allowed || bytes.Equal(m, body.GetMrTd())
	}
	if !allowed {
		return Result{}, fmt.Errorf("%w: %x", ErrMeasurement, body.GetMrTd())
	}
	if !TCBAtLeast(body.GetTeeTcbSvn(), pol.MinimumTeeTcbSvn) {
		return Result{}, fmt.Errorf("%w: TEE_TCB_SVN %x", ErrTCB, body.GetTeeTcbSvn())
	}
	if !bytes.Equal(body.GetReportData(), reportData) {
		return Result{}, ErrReportData
	}
	// 5. go-tdx-guest's field checks (XFAM and TD_ATTRIBUTES fixed bits, ...)
	if err := validate.TdxQuote(q, &validate.Options{TdQuoteBodyOptions: validate.TdQuoteBodyOptions{
		MinimumTeeTcbSvn: append([]byte{}, pol.MinimumTeeTcbSvn[:]...),
		MrTd:             body.GetMrTd(),
		ReportData:       reportData,
	}}); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	return Result{
		Measurement: clone(body.GetMrTd()),
		PlatformID:  platformID(pck, ext),
		TeeTcbSvn:   clone(body.GetTeeTcbSvn()),
	}, nil
}

// extractChain parses the quote's PCK chain the way go-tdx-guest does: exactly three PEM
// certificates, PCK ‖ intermediate ‖ root, optionally followed by one zero byte.
func extractChain(q *pb.QuoteV4) (pck, intermediate *x509.Certificate, err error) {
	rest := q.GetSignedData().GetCertificationData().GetQeReportCertificationData().GetPckCertificateChainData().GetPckCertChain()
	var certs []*x509.Certificate
	for i, what := range []string{"PCK", "intermediate", "root"} {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil || block.Type != "CERTIFICATE" {
			return nil, nil, fmt.Errorf("%w: PCK chain: %s certificate is not a PEM CERTIFICATE", ErrMalformed, what)
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: PCK chain: %s certificate: %v", ErrMalformed, what, err)
		}
		if i < 2 && len(rest) == 0 {
			return nil, nil, fmt.Errorf("%w: PCK chain: ends after the %s certificate", ErrMalformed, what)
		}
		certs = append(certs, cert)
	}
	if len(rest) != 0 && !bytes.Equal(rest, []byte{0}) {
		return nil, nil, fmt.Errorf("%w: PCK chain: %d trailing bytes", ErrMalformed, len(rest))
	}
	return certs[0], certs[1], nil
}

// checkChain verifies PCK → intermediate → a root in pool at now. When that fails but would
// succeed at a time inside the certificates' validity, the failure is the time: ErrCertExpired.
func checkChain(pck, intermediate *x509.Certificate, pool *x509.CertPool, now time.Time) error {
	inter := x509.NewCertPool()
	inter.AddCert(intermediate)
	opts := x509.VerifyOptions{Roots: pool, Intermediates: inter, CurrentTime: now}
	_, err := pck.Verify(opts)
	if err == nil {
		return nil
	}
	from, until := pck.NotBefore, pck.NotAfter
	if intermediate.NotBefore.After(from) {
		from = intermediate.NotBefore
	}
	if intermediate.NotAfter.Before(until) {
		until = intermediate.NotAfter
	}
	if !from.After(until) {
		for _, t := range []time.Time{from, until} {
			opts.CurrentTime = t
			if _, e := pck.Verify(opts); e == nil {
				return fmt.Errorf("%w: %v", ErrCertExpired, err)
			}
		}
	}
	return fmt.Errorf("%w: %v", ErrUntrustedChain, err)
}

func checkSignatures(raw []byte, q *pb.QuoteV4, pck *x509.Certificate) error {
	sd := q.GetSignedData()
	attKey := sd.GetEcdsaAttestationKey()
	if len(attKey) != attKeySize {
		return fmt.Errorf("%w: attestation key is %d bytes", ErrMalformed, len(attKey))
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append([]byte{0x04}, attKey...))
	if err != nil {
		return fmt.Errorf("%w: attestation key: %v", ErrBadSignature, err)
	}
	sig, err := abi.SignatureToDER(sd.GetSignature())
	if err != nil {
		return fmt.Errorf("%w: quote signature: %v", ErrMalformed, err)
	}
	digest := sha256.Sum256(raw[:headerAndBodyEnd])
	if !ecdsa.VerifyASN1(pub, digest[:], sig) {
		return fmt.Errorf("%w: header and body are not signed by the attestation key", ErrBadSignature)
	}
	qrcd := sd.GetCertificationData().GetQeReportCertificationData()
	qeReport, err := abi.EnclaveReportToAbiBytes(qrcd.GetQeReport())
	if err != nil {
		return fmt.Errorf("%w: QE report: %v", ErrMalformed, err)
	}
	qeSig, err := abi.SignatureToDER(qrcd.GetQeReportSignature())
	if err != nil {
		return fmt.Errorf("%w: QE report signature: %v", ErrMalformed, err)
	}
	if err := pck.CheckSignature(x509.ECDSAWithSHA256, qeReport, qeSig); err != nil {
		return fmt.Errorf("%w: QE report is not signed by the PCK: %v", ErrBadSignature, err)
	}
	h := sha256.Sum256(append(append([]byte{}, attKey...), qrcd.GetQeAuthData().GetData()...))
	want := append(h[:], make([]byte, 32)...)
	if !bytes.Equal(qrcd.GetQeReport().GetReportData(), want) {
		return fmt.Errorf("%w: QE report does not bind the attestation key", ErrBadSignature)
	}
	return nil
}

func platformID(pck *x509.Certificate, ext *pcs.PckExtensions) []byte {
	if ppid, err := hex.DecodeString(ext.PPID); err == nil && len(ppid) > 0 {
		return ppid
	}
	h := sha256.Sum256(pck.RawSubjectPublicKeyInfo)
	return h[:]
}

// TCBAtLeast reports whether every byte of a TEE_TCB_SVN got is at least min's.
func TCBAtLeast(got []byte, min [16]byte) bool {
	if len(got) != len(min) {
		return false
	}
	for i := range min {
		if got[i] < min[i] {
			return false
		}
	}
	return true
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
