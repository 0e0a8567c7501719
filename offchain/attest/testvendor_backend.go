package attest

import (
	"fmt"

	"github.com/fogchain/fog/offchain/attest/testvendor"
	"github.com/fogchain/fog/x/tee/simtee"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// testVendor signs SEV-SNP or TDX evidence with the published test chains of package testvendor
// (development networks only: see there). Its measurement is SHA-384 of the program, as the simulated
// backend's, so that a genesis allows approved fogd builds (`fogd tee measurement`).
type testVendor struct {
	typ         teetypes.TeeType
	measurement []byte
}

// NewTestVendor is the backend of [tee] type test-sev-snp (t SEV-SNP) or test-tdx (t TDX): real-format
// evidence signed by fixed, public test keys, which x/tee accepts only where its params trust the test
// roots (`fogd tee add-genesis-test-roots`). program is measured (the worker passes its executable).
func NewTestVendor(t teetypes.TeeType, program string) (Backend, error) {
	if t != teetypes.TeeTypeSevSnp && t != teetypes.TeeTypeTdx {
		return nil, fmt.Errorf("test vendor backend: type %s, want SEV-SNP or TDX", t.Short())
	}
	m, err := simtee.Measurement(program)
	if err != nil {
		return nil, fmt.Errorf("measuring %s: %w", program, err)
	}
	// fail now, not at the first attestation, if the embedded chains do not load
	if err := testvendor.Check(); err != nil {
		return nil, err
	}
	return &testVendor{typ: t, measurement: m}, nil
}

func (b *testVendor) Type() teetypes.TeeType { return b.typ }
func (b *testVendor) Measurement() []byte    { return b.measurement }

// Evidence binds reportData exactly as the hardware backends do: it is the report's REPORT_DATA
// (SEV-SNP) or the quote's REPORTDATA (TDX), byte for byte.
func (b *testVendor) Evidence(reportData []byte) ([]byte, error) {
	if len(reportData) != 64 {
		return nil, fmt.Errorf("report data of %d bytes, want 64", len(reportData))
	}
	if b.typ == teetypes.TeeTypeSevSnp {
		return testvendor.SevSnpEvidence(b.measurement, reportData)
	}
	return testvendor.TdxEvidence(b.measurement, reportData)
}
