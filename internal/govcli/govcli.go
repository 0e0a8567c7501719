// Package govcli builds the governance commands the modules share: a proposal that replaces a
// module's params, read from the JSON the module's params query prints.
package govcli

import (
	"encoding/json"
	"fmt"
	"os"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govcli "github.com/cosmos/cosmos-sdk/x/gov/client/cli"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
)

// Params is a module's params type: a protobuf message that validates itself.
type Params[T any] interface {
	*T
	gogoproto.Message
	Validate() error
}

// UpdateParamsProposalCmd is `update-params-proposal [params-json-file]` for module: it reads the
// whole params object from the file (as `fogd q <module> params -o json` prints it, with or without
// the outer "params" key; decimals written as decimals), checks it, and submits a governance proposal
// whose message is msg(gov authority, params). Autocli cannot do this: it copies decimal strings
// onto the wire as they are, where the chain reads them as integers × 10⁻¹⁸.
func UpdateParamsProposalCmd[T any, P Params[T]](module string, msg func(authority string, params P) sdk.Msg) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "update-params-proposal [params-json-file]",
		Short: fmt.Sprintf("Submit a governance proposal that replaces all %s params", module),
		Long: fmt.Sprintf("Submit a governance proposal that replaces the %s params with those in the file. The file "+
			"holds the whole params object, as `fogd q %s params -o json` prints it (with or without the outer "+
			"\"params\" key); decimals are written as decimals (\"0.2\"). The params are checked before the "+
			"proposal is sent.", module, module),
		Example: fmt.Sprintf("fogd q %s params -o json > params.json && $EDITOR params.json && "+
			"fogd tx %s update-params-proposal params.json --title '...' --summary '...' --deposit 10000000ufog --from validator", module, module),
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			clientCtx, err := client.GetClientTxContext(cmd)
			if err != nil {
				return err
			}
			bz, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			var wrapped struct {
				Params json.RawMessage `json:"params"`
			}
			if json.Unmarshal(bz, &wrapped) == nil && len(wrapped.Params) > 0 {
				bz = wrapped.Params
			}
			params := P(new(T))
			if err := clientCtx.Codec.UnmarshalJSON(bz, params); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if err := params.Validate(); err != nil {
				return err
			}
			proposal, err := govcli.ReadGovPropCmdFlags(clientCtx.GetFromAddress().String(), cmd.Flags())
			if err != nil {
				return err
			}
			authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
			if err := proposal.SetMsgs([]sdk.Msg{msg(authority, params)}); err != nil {
				return err
			}
			return tx.GenerateOrBroadcastTxCLI(clientCtx, cmd.Flags(), proposal)
		},
	}
	flags.AddTxFlagsToCmd(cmd)
	govcli.AddGovPropFlagsToCmd(cmd)
	return cmd
}
