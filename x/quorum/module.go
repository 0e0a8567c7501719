// Package quorum makes the market's SLA tiers real: governance-approved auditors sign the provider
// attributes that diversity counts (ASN, power region), x/tee's verified enclave records give the TEE
// vendor, and at settlement the module chooses, for every order whose tier constrains its replica
// set, the cheapest set that meets the constraints and pays each member its critical value, and for
// every order the standbys the market holds. It keeps a quorum record per matched order (members,
// roles, health, standbys) from the market's hooks and chooses, when a member's lease ends at its
// provider's fault, the standby that replaces it. It does no per-block work.
package quorum

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
	"github.com/fogchain/fog/x/quorum/client/cli"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/simulation"
	"github.com/fogchain/fog/x/quorum/types"
)

// ConsensusVersion of the module's state. Version 2 adds the tiers' max_standbys to the params
// (keeper.Migrator.Migrate1to2) and the quorum records (a new collection, which needs no migration).
// Version 3 adds proof of audit and proof of SLA: their params (keeper.Migrator.Migrate2to3) and new
// collections (the verifier pool, audits, watches, SLA windows and their queues).
const ConsensusVersion = 3

var (
	_ module.HasGenesis       = AppModule{}
	_ appmodule.HasEndBlocker = AppModule{}
	_ module.HasServices      = AppModule{}
	_ module.AppModuleBasic   = AppModule{}
	_ appmodule.AppModule     = AppModule{}

	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasProposalMsgsX       = AppModule{}
)

// AppModule is the quorum module.
type AppModule struct {
	modulebase.Basic[basics]
	keeper keeper.Keeper
}

// NewAppModule creates the module.
func NewAppModule(k keeper.Keeper) AppModule { return AppModule{keeper: k} }

// RegisterServices registers the Msg and Query services and the store migrations.
func (am AppModule) RegisterServices(cfg module.Configurator) {
	types.RegisterMsgServer(cfg.MsgServer(), keeper.NewMsgServerImpl(am.keeper))
	types.RegisterQueryServer(cfg.QueryServer(), keeper.NewQueryServerImpl(am.keeper))
	m := keeper.NewMigrator(am.keeper)
	if err := cfg.RegisterMigration(types.ModuleName, 1, m.Migrate1to2); err != nil {
		panic(fmt.Errorf("quorum: registering the 1→2 migration: %w", err))
	}
	if err := cfg.RegisterMigration(types.ModuleName, 2, m.Migrate2to3); err != nil {
		panic(fmt.Errorf("quorum: registering the 2→3 migration: %w", err))
	}
}

// EndBlock decides the audits and SLA windows due.
func (am AppModule) EndBlock(ctx context.Context) error { return am.keeper.EndBlocker(ctx) }

// ValidateGenesis checks a genesis state.
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

// GenerateGenesisState writes a random quorum genesis for the simulation: params, auditors among
// the simulation's accounts and their signed attributes (see x/quorum/simulation).
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the module's store entries for the simulation's store diffs.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is the legacy simulation interface; see WeightedOperationsX.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation { return nil }

// WeightedOperationsX registers the auditors' messages, and the governance messages sent by an
// ordinary account, which must fail.
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_sign_provider_attributes", 20), simulation.MsgSignProviderAttributesFactory(am.keeper))
	reg.Add(weights.Get("msg_delete_provider_attributes", 5), simulation.MsgDeleteProviderAttributesFactory(am.keeper))
	reg.Add(weights.Get("msg_update_params_unauthorized", 2), simulation.MsgUpdateParamsUnauthorizedFactory(am.keeper))
	reg.Add(weights.Get("msg_add_auditor_unauthorized", 1), simulation.MsgAddAuditorUnauthorizedFactory())
	reg.Add(weights.Get("msg_remove_auditor_unauthorized", 1), simulation.MsgRemoveAuditorUnauthorizedFactory(am.keeper))
}

// ProposalMsgsX registers the governance messages as proposals: random valid params, approving an
// account and withdrawing an auditor's approval.
func (am AppModule) ProposalMsgsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_update_params", 10), simulation.MsgUpdateParamsFactory())
	reg.Add(weights.Get("msg_add_auditor", 10), simulation.MsgAddAuditorFactory(am.keeper))
	reg.Add(weights.Get("msg_remove_auditor", 5), simulation.MsgRemoveAuditorFactory(am.keeper))
}

// basics is the quorum module's modulebase.Spec.
type basics struct{}

func (basics) Spec() modulebase.Spec {
	return modulebase.Spec{
		Name: types.ModuleName, ConsensusVersion: ConsensusVersion, TxCmd: cli.NewTxCmd,
		RegisterInterfaces: types.RegisterInterfaces, RegisterLegacyAminoCodec: types.RegisterLegacyAminoCodec,
		RegisterGateway: modulebase.Gateway(types.RegisterQueryHandlerClient, types.NewQueryClient),
		DefaultGenesis:  func() proto.Message { return types.DefaultGenesis() },
	}
}
