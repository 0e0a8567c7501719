package cmd

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	storetypes "cosmossdk.io/store/types"

	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/proofs/client/cli"
	proofskeeper "github.com/fogchain/fog/x/proofs/keeper"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/circuits"
	"github.com/fogchain/fog/zk/prover"
)

// `fogd zk verify` and MsgVerifyProof make the same check: every proof the chain refuses, the command
// refuses with the same error class, and the one the chain accepts, the command accepts.
func TestZkVerifyAgreesWithTheChain(t *testing.T) {
	pk, vk, err := prover.Setup(circuits.NameRange)
	require.NoError(t, err)
	proof, inputs, err := prover.Prove(circuits.NameRange, pk, []byte(`{"value": 42, "salt": "12345", "lo": 10, "hi": 100}`))
	require.NoError(t, err)

	f := fixture.New(t)
	res, err := proofskeeper.NewMsgServerImpl(f.Proofs).RegisterCircuit(f.Ctx, &proofstypes.MsgRegisterCircuit{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Name: circuits.NameRange,
		VerifyingKey: vk, PublicInputCount: uint32(len(inputs))})
	require.NoError(t, err)

	dir := t.TempDir()
	vkPath := filepath.Join(dir, "range.vk")
	require.NoError(t, os.WriteFile(vkPath, vk, 0o600))
	zkVerify := func(inputs [][]byte, proof []byte) (string, error) {
		file := cli.ProofFile{Circuit: circuits.NameRange, Proof: hex.EncodeToString(proof)}
		for _, in := range inputs {
			file.PublicInputs = append(file.PublicInputs, hex.EncodeToString(in))
		}
		bz, err := json.Marshal(file)
		require.NoError(t, err)
		proofPath := filepath.Join(dir, "proof.json")
		require.NoError(t, os.WriteFile(proofPath, bz, 0o600))
		cmd := zkVerifyCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{circuits.NameRange, proofPath, "--vk", vkPath})
		err = cmd.Execute()
		return out.String(), err
	}

	otherInputs := append([][]byte{}, inputs...)
	otherInputs[1] = make([]byte, 32) // lo = 0 instead of 10
	aboveModulus := append([][]byte{}, inputs...)
	aboveModulus[2] = bytes.Repeat([]byte{0xff}, 32)
	for _, c := range []struct {
		name   string
		inputs [][]byte
		proof  []byte
		want   error
	}{
		{"valid", inputs, proof, nil},
		{"other public inputs", otherInputs, proof, proofstypes.ErrInvalidProof},
		{"one public input short", inputs[:2], proof, proofstypes.ErrMalformedProof},
		{"truncated proof", inputs, proof[:len(proof)/2], proofstypes.ErrMalformedProof},
		{"garbage proof", inputs, make([]byte, len(proof)), proofstypes.ErrMalformedProof},
		{"oversized proof", inputs, make([]byte, 4096), proofstypes.ErrTooLarge},
		{"input above the field modulus", aboveModulus, proof, proofstypes.ErrMalformedProof},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := f.Ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
			chainErr := f.Proofs.VerifyProof(ctx, res.CircuitId, c.inputs, c.proof)
			out, cliErr := zkVerify(c.inputs, c.proof)
			if c.want == nil {
				require.NoError(t, chainErr)
				require.NoError(t, cliErr)
				require.Equal(t, "proof verifies\n", out)
				return
			}
			require.ErrorIs(t, chainErr, c.want)
			require.ErrorIs(t, cliErr, c.want)
			require.ErrorContains(t, cliErr, "proof does NOT verify: ")
		})
	}

	unknown := zkVerifyCmd()
	unknown.SetOut(io.Discard)
	unknown.SetErr(io.Discard)
	unknown.SetArgs([]string{"nope", filepath.Join(dir, "proof.json"), "--vk", vkPath})
	require.ErrorIs(t, unknown.Execute(), prover.ErrUnknownCircuit)
}
