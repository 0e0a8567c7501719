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
	sdk "github.com/cosmos/cosmos-sdk/types"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/fogchain/fog/offchain/attest/testvendor"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
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

// `fogd tee add-genesis-test-roots` trusts the test-vendor roots and allows a measurement for SEV-SNP
// and TDX, once however often it runs; `fogd genesis add-genesis-auditor` approves an x/quorum
// auditor, once.
func TestGenesisTestRootsAndAuditor(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, "config"), 0o755))
	tee, err := cdc.MarshalJSON(teetypes.DefaultGenesis())
	require.NoError(t, err)
	quorum, err := cdc.MarshalJSON(quorumtypes.DefaultGenesis())
	require.NoError(t, err)
	appState, err := json.Marshal(map[string]json.RawMessage{teetypes.ModuleName: tee, quorumtypes.ModuleName: quorum})
	require.NoError(t, err)
	genesisPath := filepath.Join(home, "config", "genesis.json")
	require.NoError(t, (&genutiltypes.AppGenesis{ChainID: "fog-test", AppState: appState, Consensus: &genutiltypes.ConsensusGenesis{}}).SaveAs(genesisPath))
	run := func(cmd *cobra.Command, args ...string) error {
		clientCtx := client.Context{}.WithCodec(cdc)
		cmd.SetContext(context.WithValue(context.Background(), client.ClientContextKey, &clientCtx))
		cmd.SetOut(&bytes.Buffer{})
		cmd.SetErr(&bytes.Buffer{})
		cmd.SetArgs(args)
		return cmd.Execute()
	}
	m := strings.Repeat("ab", 48)
	require.ErrorContains(t, run(teeAddGenesisTestRootsCmd(), "--measurement", m[:90], "--home", home), "measurement")
	for range 2 {
		require.NoError(t, run(teeAddGenesisTestRootsCmd(), "--measurement", m, "--home", home))
	}
	auditor := sdk.AccAddress(bytes.Repeat([]byte{1}, 20)).String()
	require.NoError(t, run(genesisAddAuditorCmd(), auditor, "Example audit", "--home", home))
	require.ErrorContains(t, run(genesisAddAuditorCmd(), auditor, "again", "--home", home), "already")

	g, err := genutiltypes.AppGenesisFromFile(genesisPath)
	require.NoError(t, err)
	var state map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(g.AppState, &state))
	var teeState teetypes.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(state[teetypes.ModuleName], &teeState))
	p := teetypes.DefaultParams()
	require.True(t, testvendor.AddRoots(&p))
	require.Equal(t, p.SevSnpRoots, teeState.Params.SevSnpRoots, "AMD's roots and the test root")
	require.Equal(t, p.TdxRoots, teeState.Params.TdxRoots, "Intel's root and the test root")
	require.Len(t, teeState.Params.AllowedMeasurements, 2)
	require.True(t, teeState.Params.Allowed(teetypes.TeeTypeSevSnp, m))
	require.True(t, teeState.Params.Allowed(teetypes.TeeTypeTdx, m))
	var quorumState quorumtypes.GenesisState
	require.NoError(t, cdc.UnmarshalJSON(state[quorumtypes.ModuleName], &quorumState))
	require.Equal(t, []quorumtypes.Auditor{{Address: auditor, Description: "Example audit"}}, quorumState.Auditors)
}
