package attest

import (
	"fmt"

	"github.com/google/go-sev-guest/abi"
	sevclient "github.com/google/go-sev-guest/client"
	tdxclient "github.com/google/go-tdx-guest/client"

	teetypes "github.com/fogchain/fog/x/tee/types"
)

// sevSnp asks the SEV-SNP guest (configfs-tsm or /dev/sev-guest) for an extended report.
type sevSnp struct{ qp sevclient.QuoteProvider }

// NewSevSnp opens the SEV-SNP guest interface.
func NewSevSnp(p Paths) (Backend, error) {
	qp, err := sevclient.GetQuoteProvider()
	if err != nil {
		return nil, fmt.Errorf("no SEV-SNP guest device: %w (neither %s with provider sev_guest nor %s)", err, p.TSMReport, p.SevGuest)
	}
	return &sevSnp{qp: qp}, nil
}

func (s *sevSnp) Type() teetypes.TeeType { return teetypes.TeeTypeSevSnp }
func (s *sevSnp) Measurement() []byte    { return nil }

func (s *sevSnp) Evidence(reportData []byte) ([]byte, error) {
	var rd [64]byte
	copy(rd[:], reportData)
	raw, err := s.qp.GetRawQuote(rd)
	if err != nil {
		return nil, fmt.Errorf("SEV-SNP extended report: %w", err)
	}
	return SevSnpEvidence(raw)
}

// SevSnpEvidence splits an extended report (the report, then the GHCB certificate table the host
// supplied) into x/tee's SevSnpEvidence: the report and the chip's VCEK. The ASK and ARK are not
// needed: the chain has them in its params.
func SevSnpEvidence(raw []byte) ([]byte, error) {
	if len(raw) < abi.ReportSize {
		return nil, fmt.Errorf("SEV-SNP report of %d bytes, want at least %d", len(raw), abi.ReportSize)
	}
	var table abi.CertTable
	if err := table.Unmarshal(raw[abi.ReportSize:]); err != nil {
		return nil, fmt.Errorf("SEV-SNP certificate table: %w", err)
	}
	vcek, err := table.GetByGUIDString(abi.VcekGUID)
	if err != nil || len(vcek) == 0 {
		return nil, fmt.Errorf("the SEV-SNP certificate table has no VCEK: the host must supply it with the extended report (VLEK-signed reports are not accepted)")
	}
	return (&teetypes.SevSnpEvidence{Report: raw[:abi.ReportSize], Vcek: vcek}).Marshal()
}

// tdx asks the TDX guest (configfs-tsm, else /dev/tdx_guest) for a quote.
type tdx struct{ qp any }

// NewTdx opens the TDX guest interface.
func NewTdx(p Paths) (Backend, error) {
	if tsmProvider(p.TSMReport) != "tdx_guest" && !exists(p.TdxGuest) {
		return nil, fmt.Errorf("no TDX guest device: neither %s with provider tdx_guest nor %s", p.TSMReport, p.TdxGuest)
	}
	qp, err := tdxclient.GetQuoteProvider()
	if err != nil {
		return nil, fmt.Errorf("no TDX guest device: %w", err)
	}
	return &tdx{qp: qp}, nil
}

func (t *tdx) Type() teetypes.TeeType { return teetypes.TeeTypeTdx }
func (t *tdx) Measurement() []byte    { return nil }

func (t *tdx) Evidence(reportData []byte) ([]byte, error) {
	var rd [64]byte
	copy(rd[:], reportData)
	quote, err := tdxclient.GetRawQuote(t.qp, rd)
	if err != nil {
		return nil, fmt.Errorf("TDX quote: %w", err)
	}
	return (&teetypes.TdxEvidence{Quote: quote}).Marshal()
}
