// Package market is the fog compute market: providers, compute orders, sealed-bid Vickrey reverse
// auctions, escrow and leases.
package market

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cosmos/gogoproto/proto"

	"cosmossdk.io/core/appmodule"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/fogchain/fog/internal/genesisjson"
	"github.com/fogchain/fog/internal/modulebase"
	"github.com/fogchain/fog/x/market/client/cli"
	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/simulation"
	"github.com/fogchain/fog/x/market/types"
)

// ConsensusVersion of the market module's state. Version 2 keeps the orders, bids and leases in
// indexed maps (keeper.Migrator.Migrate1to2).
const ConsensusVersion = 2

var (
	_ module.HasGenesis     = AppModule{}
	_ module.HasServices    = AppModule{}
	_ module.AppModuleBasic = AppModule{}

	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasProposalMsgsX       = AppModule{}

	_ appmodule.AppModule     = AppModule{}
	_ appmodule.HasEndBlocker = AppModule{}
)

// AppModule is the market module.
type AppModule struct {
	modulebase.Basic[basics]
	cdc    codec.Codec
	keeper keeper.Keeper
}

// NewAppModule creates the market module.
func NewAppModule(cdc codec.Codec, k keeper.Keeper) AppModule {
	return AppModule{cdc: cdc, keeper: k}
}

// RegisterServices registers the Msg and Query services and the store migrations.
func (am AppModule) RegisterServices(cfg module.Configurator) {
	types.RegisterMsgServer(cfg.MsgServer(), keeper.NewMsgServerImpl(am.keeper))
	types.RegisterQueryServer(cfg.QueryServer(), keeper.NewQueryServerImpl(am.keeper))
	m := keeper.NewMigrator(am.keeper)
	if err := cfg.RegisterMigration(types.ModuleName, 1, m.Migrate1to2); err != nil {
		panic(fmt.Errorf("market: registering the 1→2 migration: %w", err))
	}
}

// ValidateGenesis checks a genesis state for internal consistency.
func (AppModule) ValidateGenesis(cdc codec.JSONCodec, _ client.TxEncodingConfig, bz json.RawMessage) error {
	return genesisjson.Validate(cdc, types.ModuleName, bz, (*types.GenesisState).Validate)
}

// InitGenesis loads the genesis state.
func (am AppModule) InitGenesis(ctx sdk.Context, cdc codec.JSONCodec, bz json.RawMessage) {
	genesisjson.Init(cdc, types.ModuleName, bz, func(gs *types.GenesisState) error { return am.keeper.InitGenesis(ctx, gs) })
}

// ExportGenesis dumps the state.
func (am AppModule) ExportGenesis(ctx sdk.Context, cdc codec.JSONCodec) json.RawMessage {
	return genesisjson.Export(cdc, types.ModuleName, func() (*types.GenesisState, error) { return am.keeper.ExportGenesis(ctx) })
}

// EndBlock settles due auctions and closes due leases.
func (am AppModule) EndBlock(ctx context.Context) error { return am.keeper.EndBlocker(ctx) }

// basics is the market's modulebase.Spec.
type basics struct{}

func (basics) Spec() modulebase.Spec {
	return modulebase.Spec{
		Name: types.ModuleName, ConsensusVersion: ConsensusVersion, TxCmd: cli.NewTxCmd,
		RegisterInterfaces: types.RegisterInterfaces, RegisterLegacyAminoCodec: types.RegisterLegacyAminoCodec,
		RegisterGateway: modulebase.Gateway(types.RegisterQueryHandlerClient, types.NewQueryClient),
		DefaultGenesis:  func() proto.Message { return types.DefaultGenesis() },
	}
}

// GenerateGenesisState writes a random market genesis for the simulation.
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the market's store entries for the simulation's store diffs.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is the legacy simulation interface; the market's operations are in
// WeightedOperationsX.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation { return nil }

// WeightedOperationsX registers a message factory for every market message, weighted so that an
// auction's steps happen about as often as the market needs them (x/market/README.md, Simulation).
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	f := simulation.NewFactories(am.keeper)
	reg.Add(weights.Get("msg_register_provider", 40), f.MsgRegisterProviderFactory())
	reg.Add(weights.Get("msg_update_provider", 10), f.MsgUpdateProviderFactory())
	reg.Add(weights.Get("msg_deregister_provider", 5), f.MsgDeregisterProviderFactory())
	reg.Add(weights.Get("msg_create_order", 40), f.MsgCreateOrderFactory())
	reg.Add(weights.Get("msg_cancel_order", 5), f.MsgCancelOrderFactory())
	reg.Add(weights.Get("msg_commit_bid", 100), f.MsgCommitBidFactory())
	reg.Add(weights.Get("msg_reveal_bid", 200), f.MsgRevealBidFactory())
	reg.Add(weights.Get("msg_withdraw_bid", 5), f.MsgWithdrawBidFactory())
	reg.Add(weights.Get("msg_start_lease", 100), f.MsgStartLeaseFactory())
	reg.Add(weights.Get("msg_withdraw_lease", 20), f.MsgWithdrawLeaseFactory())
	reg.Add(weights.Get("msg_close_lease", 10), f.MsgCloseLeaseFactory())
	reg.Add(weights.Get("msg_update_params_unauthorized", 2), f.MsgUpdateParamsUnauthorizedFactory())
}

// ProposalMsgsX registers the market's governance message: MsgUpdateParams with random valid params.
func (am AppModule) ProposalMsgsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_update_params", 20), simulation.NewFactories(am.keeper).MsgUpdateParamsFactory())
}
