package types_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/tee/types"
)

// Every param is accepted at both ends of its range and refused just outside, naming the field.
func TestParamsBounds(t *testing.T) {
	m := func(tt types.TeeType, b byte) types.Measurement {
		return types.Measurement{TeeType: tt, Value: types.MeasurementHex(bytes.Repeat([]byte{b}, types.MeasurementSize))}
	}
	many := func(n int) []types.Measurement {
		out := make([]types.Measurement, n)
		for i := range out {
			out[i] = m(types.TeeType(1+i%3), byte(i/3))
		}
		return out
	}
	keys := func(n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = bytes.Repeat([]byte{byte(i + 1)}, 32)
		}
		return out
	}
	def := types.DefaultParams()
	for _, c := range []struct {
		name   string
		mutate func(*types.Params)
		field  string // empty: accepted
	}{
		{"validity_blocks 1", func(p *types.Params) { p.ValidityBlocks = 1 }, ""},
		{"validity_blocks at its limit", func(p *types.Params) { p.ValidityBlocks = types.MaxValidityBlocks }, ""},
		{"validity_blocks 0", func(p *types.Params) { p.ValidityBlocks = 0 }, "validity_blocks"},
		{"validity_blocks negative", func(p *types.Params) { p.ValidityBlocks = -1 }, "validity_blocks"},
		{"validity_blocks that would wrap height + validity", func(p *types.Params) { p.ValidityBlocks = 1<<63 - 1 }, "validity_blocks"},
		{"nonce_window_blocks 1", func(p *types.Params) { p.NonceWindowBlocks = 1 }, ""},
		{"nonce_window_blocks at its limit", func(p *types.Params) { p.NonceWindowBlocks = types.MaxNonceWindowBlocks }, ""},
		{"nonce_window_blocks 0", func(p *types.Params) { p.NonceWindowBlocks = 0 }, "nonce_window_blocks"},
		{"nonce_window_blocks past its limit", func(p *types.Params) { p.NonceWindowBlocks = types.MaxNonceWindowBlocks + 1 }, "nonce_window_blocks"},
		{"tdx_min_tee_tcb_svn short", func(p *types.Params) { p.TdxMinTeeTcbSvn = make([]byte, 15) }, "tdx_min_tee_tcb_svn"},
		{"sev_snp_min_tcb any", func(p *types.Params) { p.SevSnpMinTcb = 1<<64 - 1 }, ""},
		{"verify_gas 1", func(p *types.Params) { p.VerifyGas = 1 }, ""},
		{"verify_gas at its limit", func(p *types.Params) { p.VerifyGas = types.MaxVerifyGas }, ""},
		{"verify_gas 0", func(p *types.Params) { p.VerifyGas = 0 }, "verify_gas"},
		{"verify_gas past its limit", func(p *types.Params) { p.VerifyGas = types.MaxVerifyGas + 1 }, "verify_gas"},
		{"max_evidence_bytes 1", func(p *types.Params) { p.MaxEvidenceBytes = 1 }, ""},
		{"max_evidence_bytes at its limit", func(p *types.Params) { p.MaxEvidenceBytes = types.MaxEvidenceBytesLimit }, ""},
		{"max_evidence_bytes 0", func(p *types.Params) { p.MaxEvidenceBytes = 0 }, "max_evidence_bytes"},
		{"max_evidence_bytes past its limit", func(p *types.Params) { p.MaxEvidenceBytes = types.MaxEvidenceBytesLimit + 1 }, "max_evidence_bytes"},
		{"allowed_measurements at its limit", func(p *types.Params) { p.AllowedMeasurements = many(types.MaxAllowedMeasurements) }, ""},
		{"allowed_measurements past its limit", func(p *types.Params) { p.AllowedMeasurements = many(types.MaxAllowedMeasurements + 1) }, "allowed_measurements"},
		{"allowed_measurements tee_type unspecified", func(p *types.Params) { p.AllowedMeasurements = []types.Measurement{m(0, 1)} }, "allowed_measurements[0].tee_type"},
		{"allowed_measurements value short", func(p *types.Params) {
			p.AllowedMeasurements = []types.Measurement{{TeeType: types.TeeTypeTdx, Value: types.MeasurementHex(make([]byte, 32))}}
		}, "allowed_measurements[0].value"},
		{"allowed_measurements value upper-case", func(p *types.Params) {
			x := m(types.TeeTypeTdx, 0xab)
			x.Value = strings.ToUpper(x.Value)
			p.AllowedMeasurements = []types.Measurement{x}
		}, "allowed_measurements[0].value"},
		{"allowed_measurements value odd", func(p *types.Params) {
			x := m(types.TeeTypeTdx, 1)
			x.Value += "0"
			p.AllowedMeasurements = []types.Measurement{x}
		}, "allowed_measurements[0].value"},
		{"allowed_measurements value base64", func(p *types.Params) {
			x := m(types.TeeTypeTdx, 1)
			x.Value = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, types.MeasurementSize))
			p.AllowedMeasurements = []types.Measurement{x}
		}, "allowed_measurements[0].value"},
		{"allowed_measurements value empty", func(p *types.Params) {
			p.AllowedMeasurements = []types.Measurement{{TeeType: types.TeeTypeTdx}}
		}, "allowed_measurements[0].value"},
		{"allowed_measurements description too long", func(p *types.Params) {
			x := m(types.TeeTypeTdx, 1)
			x.Description = string(bytes.Repeat([]byte{'d'}, types.MaxDescriptionBytes+1))
			p.AllowedMeasurements = []types.Measurement{x}
		}, "allowed_measurements[0].description"},
		{"allowed_measurements repeated", func(p *types.Params) {
			p.AllowedMeasurements = []types.Measurement{m(types.TeeTypeTdx, 1), m(types.TeeTypeTdx, 1)}
		}, "allowed_measurements[1]"},
		{"sev_snp_roots past its limit", func(p *types.Params) {
			for len(p.SevSnpRoots) <= types.MaxRoots {
				p.SevSnpRoots = append(p.SevSnpRoots, def.SevSnpRoots[0])
			}
		}, "sev_snp_roots"},
		{"sev_snp_roots product_line unknown", func(p *types.Params) { p.SevSnpRoots[0].ProductLine = "Naples" }, "sev_snp_roots[0].product_line"},
		{"sev_snp_roots ark not a certificate", func(p *types.Params) { p.SevSnpRoots[1].Ark = []byte("x") }, "sev_snp_roots[1].ark"},
		{"sev_snp_roots ask too large", func(p *types.Params) { p.SevSnpRoots[2].Ask = make([]byte, types.MaxRootBytes+1) }, "sev_snp_roots[2].ask"},
		{"tdx_roots past its limit", func(p *types.Params) {
			for len(p.TdxRoots) <= types.MaxRoots {
				p.TdxRoots = append(p.TdxRoots, def.TdxRoots[0])
			}
		}, "tdx_roots"},
		{"tdx_roots not a certificate", func(p *types.Params) { p.TdxRoots[0] = []byte("x") }, "tdx_roots[0]"},
		{"simulated_roots at its limit", func(p *types.Params) { p.SimulatedRoots = keys(types.MaxRoots) }, ""},
		{"simulated_roots past its limit", func(p *types.Params) { p.SimulatedRoots = keys(types.MaxRoots + 1) }, "simulated_roots"},
		{"simulated_roots not an ed25519 key", func(p *types.Params) { p.SimulatedRoots = [][]byte{make([]byte, 31)} }, "simulated_roots[0]"},
		{"simulated_roots repeated", func(p *types.Params) { p.SimulatedRoots = append(keys(1), keys(1)...) }, "simulated_roots[1]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := types.DefaultParams()
			c.mutate(&p)
			err := p.Validate()
			if c.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidParams)
			require.ErrorContains(t, err, c.field)
		})
	}
	require.NoError(t, def.Validate())
}
