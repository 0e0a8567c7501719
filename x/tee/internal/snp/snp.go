// Package snp verifies AMD SEV-SNP attestation reports offline and deterministically, for x/tee:
// the caller supplies the report, the VCEK certificate and the trusted AMD roots, and the block time
// is "now". Nothing is fetched; go-sev-guest is used only with certificate fetching and revocation
// checks disabled, and behind a recover so that no input can panic a node.
package snp

import (
	"bytes"
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/google/go-sev-guest/abi"
	"github.com/google/go-sev-guest/kds"
	spb "github.com/google/go-sev-guest/proto/sevsnp"
	"github.com/google/go-sev-guest/validate"
	"github.com/google/go-sev-guest/verify"
	"github.com/google/go-sev-guest/verify/trust"
)

// MaxCertBytes bounds a VCEK certificate (AMD's are about 1.3 kB DER).
const MaxCertBytes = 4096

var (
	ErrMalformed      = errors.New("sev-snp: malformed evidence")
	ErrUntrustedChain = errors.New("sev-snp: certificate chain does not lead to a trusted AMD root")
	ErrCertExpired    = errors.New("sev-snp: certificate not valid at block time")
	ErrBadSignature   = errors.New("sev-snp: report signature does not verify")
	ErrDebug          = errors.New("sev-snp: guest policy allows debugging")
	ErrMeasurement    = errors.New("sev-snp: measurement not on the allowlist")
	ErrTCB            = errors.New("sev-snp: TCB below the minimum")
	ErrReportData     = errors.New("sev-snp: report data does not bind this provider, key and nonce")
	ErrPolicy         = errors.New("sev-snp: report refused by policy")
)

// Root is a trusted AMD product line root: the ARK and the ASK it signed.
type Root struct {
	ProductLine string // Milan, Genoa, Turin
	Ark, Ask    *x509.Certificate
}

// Policy is what an accepted report must satisfy.
type Policy struct {
	Measurements [][]byte     // allowed launch measurements (48 bytes each); empty allows none
	MinimumTCB   kds.TCBParts // component-wise minimum of the reported TCB
}

// Result is what a verified report establishes.
type Result struct {
	Measurement []byte
	ChipID      []byte
	ReportedTCB uint64
}

// noNetwork refuses every fetch: go-sev-guest must never reach AMD from inside a block.
type noNetwork struct{}

func (noNetwork) Get(url string) ([]byte, error) {
	return nil, fmt.Errorf("sev-snp: no network access from the state machine (%s)", url)
}

// Verify checks report (the 0x4A0-byte attestation report) signed by vcek (DER) under one of roots,
// at time now, with report data equal to reportData, against pol.
func Verify(report, vcek []byte, roots []Root, now time.Time, reportData []byte, pol Policy) (res Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = Result{}, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	if now.IsZero() {
		// a zero time would make crypto/x509 read the wall clock
		return Result{}, fmt.Errorf("%w: no verification time", ErrCertExpired)
	}
	if len(report) != abi.ReportSize {
		return Result{}, fmt.Errorf("%w: report is %d bytes, want %d", ErrMalformed, len(report), abi.ReportSize)
	}
	if len(vcek) == 0 || len(vcek) > MaxCertBytes {
		return Result{}, fmt.Errorf("%w: VCEK certificate is %d bytes, want 1..%d", ErrMalformed, len(vcek), MaxCertBytes)
	}
	pb, err := abi.ReportToProto(report)
	if err != nil {
		return Result{}, fmt.Errorf("%w: report: %v", ErrMalformed, err)
	}
	cert, err := x509.ParseCertificate(vcek)
	if err != nil {
		return Result{}, fmt.Errorf("%w: VCEK certificate: %v", ErrMalformed, err)
	}
	info, err := abi.ParseSignerInfo(pb.GetSignerInfo())
	if err != nil || info.SigningKey != abi.VcekReportSigner {
		return Result{}, fmt.Errorf("%w: only VCEK-signed reports are accepted", ErrMalformed)
	}
	// 1. the chain VCEK → ASK → ARK, at block time, to a root we trust
	line := kds.ProductLineFromFms(pb.GetCpuid1EaxFms())
	trusted := map[string][]*trust.AMDRootCerts{}
	var chainErr error = fmt.Errorf("%w: no trusted root for product line %q", ErrUntrustedChain, line)
	for _, r := range roots {
		ar := trust.AMDRootCertsProduct(r.ProductLine)
		ar.ProductCerts = &trust.ProductCerts{Ark: r.Ark, Ask: r.Ask}
		trusted[r.ProductLine] = append(trusted[r.ProductLine], ar)
		if r.ProductLine != line {
			continue
		}
		if _, err := cert.Verify(*ar.X509Options(now, abi.VcekReportSigner)); err == nil {
			chainErr = nil
			break
		} else if isExpired(err) {
			chainErr = fmt.Errorf("%w: %v", ErrCertExpired, err)
		} else if !errors.Is(chainErr, ErrCertExpired) {
			chainErr = fmt.Errorf("%w: %v", ErrUntrustedChain, err)
		}
	}
	if chainErr != nil {
		return Result{}, chainErr
	}
	// 2. the report's signature by the VCEK
	if err := verify.SnpReportSignature(report, cert); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	// 3. go-sev-guest's whole verification (VCEK format and extensions), offline
	att := &spb.Attestation{Report: pb, CertificateChain: &spb.CertificateChain{VcekCert: vcek}}
	if err := verify.SnpAttestation(att, &verify.Options{DisableCertFetching: true, Getter: noNetwork{}, Now: now, TrustedRoots: trusted}); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrUntrustedChain, err)
	}
	// 4. our policy: no debug, an allowed measurement, the TCB, the binding
	policy, err := abi.ParseSnpPolicy(pb.GetPolicy())
	if err != nil {
		return Result{}, fmt.Errorf("%w: policy: %v", ErrMalformed, err)
	}
	if policy.Debug {
		return Result{}, ErrDebug
	}
	allowed := false
	for _, m := range pol.Measurements {
		allowed = allowed || bytes.Equal(m, pb.GetMeasurement())
	}
	if !allowed {
		return Result{}, fmt.Errorf("%w: %x", ErrMeasurement, pb.GetMeasurement())
	}
	if !TCBAtLeast(kds.DecomposeTCBVersion(kds.TCBVersion(pb.GetReportedTcb())), pol.MinimumTCB) {
		return Result{}, fmt.Errorf("%w: reported %#x", ErrTCB, pb.GetReportedTcb())
	}
	if !bytes.Equal(pb.GetReportData(), reportData) {
		return Result{}, ErrReportData
	}
	// 5. go-sev-guest's field checks (reported TCB equals the VCEK's, VMPL 0, ...)
	vmpl := 0
	if err := validate.SnpAttestation(att, &validate.Options{
		GuestPolicy:      abi.SnpPolicy{ABIMajor: 0, SMT: true, MigrateMA: false, Debug: false},
		ReportData:       reportData,
		Measurement:      pb.GetMeasurement(),
		MinimumTCB:       pol.MinimumTCB,
		MinimumLaunchTCB: pol.MinimumTCB,
		VMPL:             &vmpl,
	}); err != nil {
		return Result{}, fmt.Errorf("%w: %v", ErrPolicy, err)
	}
	return Result{Measurement: pb.GetMeasurement(), ChipID: pb.GetChipId(), ReportedTCB: pb.GetReportedTcb()}, nil
}

// TCBAtLeast reports whether every component of the reported TCB got is at least min's.
func TCBAtLeast(got, min kds.TCBParts) bool {
	return got.BlSpl >= min.BlSpl && got.TeeSpl >= min.TeeSpl && got.Spl4 >= min.Spl4 && got.Spl5 >= min.Spl5 &&
		got.Spl6 >= min.Spl6 && got.Spl7 >= min.Spl7 && got.SnpSpl >= min.SnpSpl && got.UcodeSpl >= min.UcodeSpl
}

func isExpired(err error) bool {
	var inv x509.CertificateInvalidError
	return errors.As(err, &inv) && inv.Reason == x509.Expired
}
