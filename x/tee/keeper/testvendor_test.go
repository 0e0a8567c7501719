package keeper_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/attest"
	"github.com/fogchain/fog/offchain/attest/testvendor"
	"github.com/fogchain/fog/x/tee/simtee"
	"github.com/fogchain/fog/x/tee/types"
)

// The worker's development-only test-vendor backends ([tee] type test-sev-snp and test-tdx) make
// evidence that x/tee verifies as real SEV-SNP and TDX evidence once its params trust the published
// test roots (what `fogd tee add-genesis-test-roots` does) and allow the measurement, and refuses as
// an untrusted chain under the default params, whose roots are AMD's and Intel's.
func TestTestVendorEvidenceNeedsTheTestRoots(t *testing.T) {
	program := filepath.Join(t.TempDir(), "fogd")
	require.NoError(t, os.WriteFile(program, []byte("a fogd build"), 0o700))
	m, err := simtee.Measurement(program)
	require.NoError(t, err)

	for _, tt := range []types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx} {
		t.Run(tt.Short(), func(t *testing.T) {
			e := newEnv(t)
			b, err := attest.NewTestVendor(tt, program)
			require.NoError(t, err)
			require.Equal(t, tt, b.Type())
			require.Equal(t, m, b.Measurement())
			p := e.f.NewProvider(t)
			h := e.f.Height()
			ev, err := b.Evidence(e.binding(t, p, h))
			require.NoError(t, err)

			// the production defaults (AMD's and Intel's roots) with the measurement allowed
			params := types.DefaultParams()
			params.AllowedMeasurements = []types.Measurement{{TeeType: tt, Value: types.MeasurementHex(m), Description: "this fogd"}}
			require.NoError(t, e.f.Tee.SetParams(e.f.Ctx, params))
			_, err = e.submit(p, tt, ev, h)
			require.ErrorIs(t, err, types.ErrUntrustedChain, "the test chains are not AMD's or Intel's")

			require.True(t, testvendor.AddRoots(&params))
			require.False(t, testvendor.AddRoots(&params), "added once")
			require.NoError(t, params.Validate())
			require.NoError(t, e.f.Tee.SetParams(e.f.Ctx, params))
			_, err = e.submit(p, tt, ev, h)
			require.NoError(t, err)
			enc, err := e.f.Tee.ValidEnclave(e.f.Ctx, p, tt)
			require.NoError(t, err)
			require.Equal(t, types.MeasurementHex(m), enc.Measurement)
			require.Equal(t, e.workerKey(t, p), enc.WorkerPubkey)

			// the binding is the hardware backends': evidence for one provider does not serve another
			other := e.f.NewProvider(t)
			_, err = e.submit(other, tt, ev, h)
			require.ErrorIs(t, err, types.ErrBinding)
			// and another build's measurement is not allowed
			other2 := e.f.NewProvider(t)
			otherProgram := filepath.Join(t.TempDir(), "other")
			require.NoError(t, os.WriteFile(otherProgram, []byte("another build"), 0o700))
			b2, err := attest.NewTestVendor(tt, otherProgram)
			require.NoError(t, err)
			ev2, err := b2.Evidence(e.binding(t, other2, h))
			require.NoError(t, err)
			_, err = e.submit(other2, tt, ev2, h)
			require.ErrorIs(t, err, types.ErrMeasurement)

			// the test chains end with 2049
			e.f.Ctx = e.f.Ctx.WithBlockTime(time.Date(2050, 6, 1, 0, 0, 0, 0, time.UTC))
			third := e.f.NewProvider(t)
			ev3, err := b.Evidence(e.binding(t, third, h))
			require.NoError(t, err)
			_, err = e.submit(third, tt, ev3, h)
			require.ErrorIs(t, err, types.ErrCertExpired)
		})
	}
}
