// Package proofs anchors Merkle roots of execution receipts and verifies Groth16 (BN254) proofs of
// registered circuits on chain.
package proofs

import (
	"encoding/json"

	"github.com/cosmos/gogoproto/proto"

	"cosmossdk.io/core/appmodule"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/internal/genesisjson"
	"github.com/fogchain/fog/internal/modulebase"
	"github.com/fogchain/fog/x/proofs/client/cli"
	"github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/proofs/types"
)

// ConsensusVersion of the module's state.
const ConsensusVersion = 1

var (
	_ module.HasGenesis     = AppModule{}
	_ module.HasServices    = AppModule{}
	_ module.AppModuleBasic = AppModule{}
	_ appmodule.AppModule   = AppModule{}
)

// AppModule is the proofs module. It has no BeginBlock or EndBlock.
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

// ValidateGenesis checks a genesis state.
func (AppModule) ValidateGenesis(cdc codec.JSONCodec, _ client.TxEncodingConfig, bz json.RawMessage) error {
	return genesisjson.Validate(cdc, types.ModuleName, bz, keeper.ValidateGenesis)
}

// InitGenesis loads the genesis state.
func (am AppModule) InitGenesis(ctx sdk.Context, cdc codec.JSONCodec, bz json.RawMessage) {
	genesisjson.Init(cdc, types.ModuleName, bz, func(gs *types.GenesisState) error { return am.keeper.InitGenesis(ctx, gs) })
}

// ExportGenesis dumps the state.
func (am AppModule) ExportGenesis(ctx sdk.Context, cdc codec.JSONCodec) json.RawMessage {
	return genesisjson.Export(cdc, types.ModuleName, func() (*types.GenesisState, error) { return am.keeper.ExportGenesis(ctx) })
}

// basics is the proofs module's modulebase.Spec.
type basics struct{}

func (basics) Spec() modulebase.Spec {
	return modulebase.Spec{
		Name: types.ModuleName, ConsensusVersion: ConsensusVersion, TxCmd: cli.NewTxCmd,
		RegisterInterfaces: types.RegisterInterfaces, RegisterLegacyAminoCodec: types.RegisterLegacyAminoCodec,
		RegisterGateway: modulebase.Gateway(types.RegisterQueryHandlerClient, types.NewQueryClient),
		DefaultGenesis:  func() proto.Message { return types.DefaultGenesis() },
	}
}
