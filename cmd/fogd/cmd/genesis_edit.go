package cmd

import (
	"encoding/json"
	"path/filepath"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
)

// editModuleGenesis decodes module's state from the genesis file of the --home node into state,
// calls edit (which changes and validates it; path is the file, for messages) and writes the file
// back: the `add-genesis-*` commands of fogd zk and fogd tee.
func editModuleGenesis(cmd *cobra.Command, module string, state gogoproto.Message, edit func(path string) error) error {
	clientCtx := client.GetClientContextFromCmd(cmd)
	home, _ := cmd.Flags().GetString(flags.FlagHome)
	path := filepath.Join(home, "config", "genesis.json")
	appGenesis, err := genutiltypes.AppGenesisFromFile(path)
	if err != nil {
		return err
	}
	var appState map[string]json.RawMessage
	if err := json.Unmarshal(appGenesis.AppState, &appState); err != nil {
		return err
	}
	if err := clientCtx.Codec.UnmarshalJSON(appState[module], state); err != nil {
		return err
	}
	if err := edit(path); err != nil {
		return err
	}
	if appState[module], err = clientCtx.Codec.MarshalJSON(state); err != nil {
		return err
	}
	if appGenesis.AppState, err = json.Marshal(appState); err != nil {
		return err
	}
	return genutil.ExportGenesisFile(appGenesis, path)
}
