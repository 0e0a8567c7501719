package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	teetypes "github.com/fogchain/fog/x/tee/types"
)

// The measurement `fogd tee measurement` prints is the string the genesis allows, character for
// character: no command converts it.
func TestTeeMeasurementIntoGenesis(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o755))
	tee, err := cdc.MarshalJSON(teetypes.DefaultGenesis())
	require.NoError(t, err)
	appState, err := json.Marshal(map[string]json.RawMessage{teetypes.ModuleName: tee})
	require.NoError(t, err)
	genesisPath := filepath.Join(home, "config", "genesis.json")
	require.NoError(t, (&genutiltypes.AppGenesis{ChainID: "fog-test", AppState: appState, Consensus: &genutiltypes.ConsensusGenesis{}}).SaveAs(genesisPath))

	run := func(cmd *cobra.Command, args ...string) (string, error) {
		clientCtx := client.Context{}.WithCodec(cdc)
		cmd.SetContext(context.WithValue(context.Background(), client.ClientContextKey, &clientCtx))
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	program := filepath.Join(home, "program")
	require.NoError(t, os.WriteFile(program, []byte("a program"), 0o644))
	out, err := run(teeMeasurementCmd(), program)
	require.NoError(t, err)
	m := strings.TrimSpace(out)
	require.Regexp(t, "^[0-9a-f]{96}$", m)

	_, err = run(teeAddGenesisMeasurementCmd(), "simulated", strings.ToUpper(m), "--home", home)
	require.ErrorContains(t, err, "not a lower-case hex digit")
	_, err = run(teeAddGenesisMeasurementCmd(), "simulated", m[:94], "--home", home)
	require.ErrorContains(t, err, "94 hex digits, want 96")
	_, err = run(teeAddGenesisMeasurementCmd(), "simulated", m, "--description", "a program", "--home", home)
	require.NoError(t, err)

	g, err := genutiltypes.AppGenesisFromFile(genesisPath)
	require.NoError(t, err)
	var state map[string]struct {
		Params struct {
			AllowedMeasurements []struct {
				TeeType string `json:"tee_type"`
				Value   string `json:"value"`
			} `json:"allowed_measurements"`
		} `json:"params"`
	}
	require.NoError(t, json.Unmarshal(g.AppState, &state))
	allowed := state[teetypes.ModuleName].Params.AllowedMeasurements
	require.Len(t, allowed, 1, "the refused measurements left the genesis as it was")
	require.Equal(t, "TEE_TYPE_SIMULATED", allowed[0].TeeType)
	require.Equal(t, m, allowed[0].Value)
}
