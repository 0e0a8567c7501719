// Package tee verifies AMD SEV-SNP and Intel TDX attestations on chain, keeps an enclave record per
// provider, and lets the market restrict orders to attested providers.
package tee

import (
	"context"
	"encoding/json"

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
	"github.com/fogchain/fog/x/tee/client/cli"
	"github.com/fogchain/fog/x/tee/keeper"
	"github.com/fogchain/fog/x/tee/simulation"
	"github.com/fogchain/fog/x/tee/types"
)

// ConsensusVersion of the module's state.
const ConsensusVersion = 1

var (
	_ module.HasGenesis         = AppModule{}
	_ module.HasServices        = AppModule{}
	_ module.AppModuleBasic     = AppModule{}
	_ appmodule.AppModule       = AppModule{}
	_ appmodule.HasBeginBlocker = AppModule{}
	_ appmodule.HasEndBlocker   = AppModule{}

	_ module.AppModuleSimulation   = AppModule{}
	_ simsx.HasWeightedOperationsX = AppModule{}
	_ simsx.HasProposalMsgsX       = AppModule{}
)

// AppModule is the tee module.
type AppModule struct {
	modulebase.Basic[basics]
	keeper keeper.Keeper
}

// NewAppModule creates the module.
func NewAppModule(k keeper.Keeper) AppModule { return AppModule{keeper: k} }

// RegisterServices registers the Msg and Query services.
func (am AppModule) RegisterServices(cfg module.Configurator) {
	types.RegisterMsgServer(cfg.MsgServer(), keeper.NewMsgServerImpl(am.keeper))
	types.RegisterQueryServer(cfg.QueryServer(), keeper.NewQueryServerImpl(am.keeper))
}

// BeginBlock records the block hash as a nonce.
func (am AppModule) BeginBlock(ctx context.Context) error { return am.keeper.BeginBlock(ctx) }

// EndBlock reports expiring enclave records.
func (am AppModule) EndBlock(ctx context.Context) error { return am.keeper.EndBlock(ctx) }

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

// basics is the tee module's modulebase.Spec.
type basics struct{}

func (basics) Spec() modulebase.Spec {
	return modulebase.Spec{
		Name: types.ModuleName, ConsensusVersion: ConsensusVersion, TxCmd: cli.NewTxCmd,
		RegisterInterfaces: types.RegisterInterfaces, RegisterLegacyAminoCodec: types.RegisterLegacyAminoCodec,
		RegisterGateway: modulebase.Gateway(types.RegisterQueryHandlerClient, types.NewQueryClient),
		DefaultGenesis:  func() proto.Message { return types.DefaultGenesis() },
	}
}

// GenerateGenesisState writes a random x/tee genesis for the simulation.
func (AppModule) GenerateGenesisState(simState *module.SimulationState) {
	simulation.RandomizedGenState(simState)
}

// RegisterStoreDecoder decodes the module's store entries for the simulation's store diffs.
func (am AppModule) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(am.keeper.Schema)
}

// WeightedOperations is the legacy simulation interface; see WeightedOperationsX.
func (AppModule) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation { return nil }

// WeightedOperationsX registers MsgSubmitAttestation with simulated evidence, and MsgUpdateParams
// without the authority (which must fail).
func (am AppModule) WeightedOperationsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_submit_attestation", 30), simulation.MsgSubmitAttestationFactory(am.keeper))
	reg.Add(weights.Get("msg_update_params_unauthorized", 2), simulation.MsgUpdateParamsUnauthorizedFactory(am.keeper))
}

// ProposalMsgsX registers MsgUpdateParams with random valid params as a governance proposal.
func (AppModule) ProposalMsgsX(weights simsx.WeightSource, reg simsx.Registry) {
	reg.Add(weights.Get("msg_update_params", 10), simulation.MsgUpdateParamsFactory())
}
