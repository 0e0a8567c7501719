package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/proofs/types"
)

// Every param is accepted at both ends of its range and refused just outside, naming the field.
func TestParamsBounds(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*types.Params)
		field  string // empty: accepted
	}{
		{"max_leaf_count 1", func(p *types.Params) { p.MaxLeafCount = 1 }, ""},
		{"max_leaf_count at its limit", func(p *types.Params) { p.MaxLeafCount = types.MaxLeafCountLimit }, ""},
		{"max_leaf_count 0", func(p *types.Params) { p.MaxLeafCount = 0 }, "max_leaf_count"},
		{"max_leaf_count past its limit", func(p *types.Params) { p.MaxLeafCount = types.MaxLeafCountLimit + 1 }, "max_leaf_count"},
		{"max_proof_bytes 1", func(p *types.Params) { p.MaxProofBytes = 1 }, ""},
		{"max_proof_bytes at its limit", func(p *types.Params) { p.MaxProofBytes = types.MaxProofBytesLimit }, ""},
		{"max_proof_bytes 0", func(p *types.Params) { p.MaxProofBytes = 0 }, "max_proof_bytes"},
		{"max_proof_bytes past its limit", func(p *types.Params) { p.MaxProofBytes = types.MaxProofBytesLimit + 1 }, "max_proof_bytes"},
		{"max_verifying_key_bytes at its limit", func(p *types.Params) { p.MaxVerifyingKeyBytes = types.MaxVerifyingKeyBytesLimit }, ""},
		{"max_verifying_key_bytes 0", func(p *types.Params) { p.MaxVerifyingKeyBytes = 0 }, "max_verifying_key_bytes"},
		{"max_verifying_key_bytes past its limit", func(p *types.Params) { p.MaxVerifyingKeyBytes = 1<<32 - 1 }, "max_verifying_key_bytes"},
		{"max_public_inputs 1", func(p *types.Params) { p.MaxPublicInputs = 1 }, ""},
		{"max_public_inputs at its limit", func(p *types.Params) { p.MaxPublicInputs = types.MaxPublicInputsLimit }, ""},
		{"max_public_inputs 0", func(p *types.Params) { p.MaxPublicInputs = 0 }, "max_public_inputs"},
		{"max_public_inputs past its limit", func(p *types.Params) { p.MaxPublicInputs = types.MaxPublicInputsLimit + 1 }, "max_public_inputs"},
		{"verify_gas 1", func(p *types.Params) { p.VerifyGas = 1 }, ""},
		{"verify_gas at its limit", func(p *types.Params) { p.VerifyGas = types.MaxGasParam }, ""},
		{"verify_gas 0", func(p *types.Params) { p.VerifyGas = 0 }, "verify_gas"},
		{"verify_gas 2^63 (overflows with the inputs)", func(p *types.Params) { p.VerifyGas = 1 << 63 }, "verify_gas"},
		{"verify_gas_per_input 0", func(p *types.Params) { p.VerifyGasPerInput = 0 }, ""},
		{"verify_gas_per_input at its limit", func(p *types.Params) { p.VerifyGasPerInput = types.MaxGasParam }, ""},
		{"verify_gas_per_input 2^63", func(p *types.Params) { p.VerifyGasPerInput = 1 << 63 }, "verify_gas_per_input"},
		{"max_description_bytes at its limit", func(p *types.Params) { p.MaxDescriptionBytes = types.MaxDescriptionBytesLimit }, ""},
		{"max_description_bytes 0", func(p *types.Params) { p.MaxDescriptionBytes = 0 }, "max_description_bytes"},
		{"max_description_bytes past its limit", func(p *types.Params) { p.MaxDescriptionBytes = types.MaxDescriptionBytesLimit + 1 }, "max_description_bytes"},
		{"key_load_gas 1", func(p *types.Params) { p.KeyLoadGas = 1 }, ""},
		{"key_load_gas at its limit", func(p *types.Params) { p.KeyLoadGas = types.MaxGasParam }, ""},
		{"key_load_gas 0", func(p *types.Params) { p.KeyLoadGas = 0 }, "key_load_gas"},
		{"key_load_gas past its limit", func(p *types.Params) { p.KeyLoadGas = types.MaxGasParam + 1 }, "key_load_gas"},
		{"key_load_gas_per_input 0", func(p *types.Params) { p.KeyLoadGasPerInput = 0 }, ""},
		{"key_load_gas_per_input past its limit", func(p *types.Params) { p.KeyLoadGasPerInput = types.MaxGasParam + 1 }, "key_load_gas_per_input"},
		{"max_warm_circuits 1", func(p *types.Params) { p.MaxWarmCircuits = 1 }, ""},
		{"max_warm_circuits at its limit", func(p *types.Params) { p.MaxWarmCircuits = types.MaxWarmCircuitsLimit }, ""},
		{"max_warm_circuits 0", func(p *types.Params) { p.MaxWarmCircuits = 0 }, "max_warm_circuits"},
		{"max_warm_circuits past the key cache", func(p *types.Params) { p.MaxWarmCircuits = types.MaxWarmCircuitsLimit + 1 }, "max_warm_circuits"},
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
			require.ErrorContains(t, err, c.field+" ")
		})
	}
	require.NoError(t, types.DefaultParams().Validate())
}
