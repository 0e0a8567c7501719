// Package cmd builds fogd's command tree.
package cmd

import (
	"os"

	"github.com/spf13/cobra"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/depinject"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/server"
	"github.com/cosmos/cosmos-sdk/types/module"
	"github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtxconfig "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	"github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/fogchain/fog/app"
)

// NewRootCmd builds fogd's root command.
func NewRootCmd() *cobra.Command {
	var (
		autoCliOpts        autocli.AppOptions
		moduleBasicManager module.BasicManager
		clientCtx          client.Context
	)
	if err := depinject.Inject(
		depinject.Configs(app.AppConfig(),
			depinject.Supply(log.NewNopLogger()),
			depinject.Provide(ProvideClientContext),
		),
		&autoCliOpts,
		&moduleBasicManager,
		&clientCtx,
	); err != nil {
		panic(err)
	}

	rootCmd := &cobra.Command{
		Use:           app.AppName,
		Short:         "fogd: a privacy-first fog compute market and verifiable AI training chain",
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())

			clientCtx = clientCtx.WithCmdContext(cmd.Context()).WithViper("")
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			clientCtx, err = config.ReadFromClientConfig(clientCtx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			if isClientCommand(cmd) {
				// Transactions and queries need no node config; reading it would also bind their
				// flags (e.g. create-order --storage) over CometBFT config keys of the same name.
				return nil
			}
			appTemplate, appConfig := initAppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometBFTConfig())
		},
	}

	initRootCmd(rootCmd, clientCtx.TxConfig, moduleBasicManager)

	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	silenceUsageOnRuntimeErrors(rootCmd)
	return rootCmd
}

// isClientCommand tells whether cmd sits under `fogd tx`, `query`, `worker`, `client`, `zk`, `tee`
// or `bench`: commands that use no node config (the worker and client have their own).
func isClientCommand(cmd *cobra.Command) bool {
	for c := cmd; c != nil && c.HasParent(); c = c.Parent() {
		if c.Parent() == c.Root() {
			switch c.Name() {
			case "tx", "query", "worker", "client", "zk", "tee", "bench":
				return true
			}
		}
	}
	return false
}

// ProvideClientContext builds the client context the CLI commands start from.
func ProvideClientContext(
	appCodec codec.Codec,
	interfaceRegistry codectypes.InterfaceRegistry,
	txConfigOpts tx.ConfigOptions,
	legacyAmino *codec.LegacyAmino,
) client.Context {
	clientCtx := client.Context{}.
		WithCodec(appCodec).
		WithInterfaceRegistry(interfaceRegistry).
		WithLegacyAmino(legacyAmino).
		WithInput(os.Stdin).
		WithAccountRetriever(types.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("")

	// Read the config again to overwrite the default values with the values from the config file.
	clientCtx, _ = config.ReadFromClientConfig(clientCtx)

	// SIGN_MODE_TEXTUAL needs coin metadata, which the client fetches over gRPC.
	txConfigOpts.TextualCoinMetadataQueryFn = authtxconfig.NewGRPCCoinMetadataQueryFn(clientCtx)
	txConfig, err := tx.NewTxConfigWithOptions(clientCtx.Codec, txConfigOpts)
	if err != nil {
		panic(err)
	}
	return clientCtx.WithTxConfig(txConfig)
}

// silenceUsageOnRuntimeErrors keeps usage text for what it is for, a command called wrongly (bad
// flags or arguments, caught before RunE), and out of the way of an error the command met while
// running (a refused transaction, a failing workload), which cobra would otherwise follow with the
// whole usage text.
func silenceUsageOnRuntimeErrors(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		silenceUsageOnRuntimeErrors(c)
	}
	if cmd.HasSubCommands() || cmd.RunE == nil {
		return
	}
	run := cmd.RunE
	cmd.RunE = func(c *cobra.Command, args []string) error {
		c.SilenceUsage = true
		return run(c, args)
	}
}
