package keeper

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"time"

	errorsmod "cosmossdk.io/errors"

	"github.com/google/go-sev-guest/kds"

	"github.com/fogchain/fog/x/tee/internal/snp"
	"github.com/fogchain/fog/x/tee/internal/tdx"
	"github.com/fogchain/fog/x/tee/simtee"
	"github.com/fogchain/fog/x/tee/types"
)

// verified is what accepted evidence says about the enclave.
type verified struct {
	measurement, platformID, tcb []byte
}

// verifyEvidence checks evidence of type t at block time now against params p, requiring reportData.
// The errors are x/tee's, one per kind of refusal.
func verifyEvidence(p types.Params, t types.TeeType, evidence []byte, now time.Time, reportData []byte) (verified, error) {
	switch t {
	case types.TeeTypeSevSnp:
		var ev types.SevSnpEvidence
		if err := ev.Unmarshal(evidence); err != nil {
			return verified{}, errorsmod.Wrapf(types.ErrMalformedEvidence, "SEV-SNP evidence: %s", err)
		}
		roots := make([]snp.Root, 0, len(p.SevSnpRoots))
		for _, r := range p.SevSnpRoots {
			ark, err1 := x509.ParseCertificate(r.Ark)
			ask, err2 := x509.ParseCertificate(r.Ask)
			if err1 != nil || err2 != nil {
				continue // params validation refuses these; never trust what does not parse
			}
			roots = append(roots, snp.Root{ProductLine: r.ProductLine, Ark: ark, Ask: ask})
		}
		res, err := snp.Verify(ev.Report, ev.Vcek, roots, now, reportData, snp.Policy{
			Measurements: allowedMeasurements(p, types.TeeTypeSevSnp), MinimumTCB: kds.DecomposeTCBVersion(kds.TCBVersion(p.SevSnpMinTcb))})
		if err != nil {
			return verified{}, mapError(err)
		}
		tcb := binary.BigEndian.AppendUint64(nil, res.ReportedTCB)
		return verified{measurement: res.Measurement, platformID: res.ChipID, tcb: tcb}, nil
	case types.TeeTypeTdx:
		var ev types.TdxEvidence
		if err := ev.Unmarshal(evidence); err != nil {
			return verified{}, errorsmod.Wrapf(types.ErrMalformedEvidence, "TDX evidence: %s", err)
		}
		var roots []*x509.Certificate
		for _, r := range p.TdxRoots {
			if c, err := x509.ParseCertificate(r); err == nil {
				roots = append(roots, c)
			}
		}
		pol := tdx.Policy{Measurements: allowedMeasurements(p, types.TeeTypeTdx), MinimumTeeTcbSvn: tdxMinimum(p)}
		res, err := tdx.Verify(ev.Quote, roots, now, reportData, pol)
		if err != nil {
			return verified{}, mapError(err)
		}
		return verified{measurement: res.Measurement, platformID: res.PlatformID, tcb: res.TeeTcbSvn}, nil
	case types.TeeTypeSimulated:
		res, err := simtee.Verify(evidence, p.SimulatedRoots, now, reportData,
			func(m []byte) bool { return p.Allowed(types.TeeTypeSimulated, types.MeasurementHex(m)) }, 0)
		if err != nil {
			return verified{}, err
		}
		return verified{measurement: res.Measurement, platformID: res.ChipID, tcb: binary.BigEndian.AppendUint64(nil, res.TCB)}, nil
	default:
		return verified{}, errorsmod.Wrapf(types.ErrTeeType, "%d", t)
	}
}

// mapError turns the verifiers' errors into x/tee's registered ones, keeping the detail.
func mapError(err error) error {
	for _, m := range []struct {
		snp, tdx, ours error
	}{
		{snp.ErrMalformed, tdx.ErrMalformed, types.ErrMalformedEvidence},
		{snp.ErrUntrustedChain, tdx.ErrUntrustedChain, types.ErrUntrustedChain},
		{snp.ErrCertExpired, tdx.ErrCertExpired, types.ErrCertExpired},
		{snp.ErrBadSignature, tdx.ErrBadSignature, types.ErrBadSignature},
		{snp.ErrDebug, tdx.ErrDebug, types.ErrDebug},
		{snp.ErrMeasurement, tdx.ErrMeasurement, types.ErrMeasurement},
		{snp.ErrTCB, tdx.ErrTCB, types.ErrTCB},
		{snp.ErrReportData, tdx.ErrReportData, types.ErrBinding},
		{snp.ErrPolicy, tdx.ErrPolicy, types.ErrPolicy},
	} {
		if errors.Is(err, m.snp) || errors.Is(err, m.tdx) {
			return errorsmod.Wrap(m.ours, err.Error())
		}
	}
	return errorsmod.Wrap(types.ErrPolicy, err.Error())
}

// allowedMeasurements are params p's allowed measurements of type t, decoded for the verifiers,
// which compare the report's bytes.
func allowedMeasurements(p types.Params, t types.TeeType) [][]byte {
	var out [][]byte
	for _, m := range p.AllowedMeasurements {
		if m.TeeType != t {
			continue
		}
		if bz, err := types.ParseMeasurement(m.Value); err == nil {
			out = append(out, bz) // params validation refuses the others; never allow what does not parse
		}
	}
	return out
}

func platformIDHash(id []byte) []byte {
	h := sha256.Sum256(id)
	return h[:]
}

// tdxMinimum is params' minimum TEE_TCB_SVN as the TDX verifier takes it (params validation ensures
// its 16 bytes).
func tdxMinimum(p types.Params) (min [types.TdxTcbSvnSize]byte) {
	copy(min[:], p.TdxMinTeeTcbSvn)
	return min
}
