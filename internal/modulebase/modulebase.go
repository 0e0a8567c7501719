// Package modulebase is the part of an AppModule that is the same in every fog module: the module's
// name, its codec registrations, its REST routes, its hand-written transaction commands, its default
// genesis and its consensus version, each read from one Spec.
package modulebase

import (
	"context"
	"encoding/json"

	"github.com/cosmos/gogoproto/grpc"
	"github.com/cosmos/gogoproto/proto"
	gwruntime "github.com/grpc-ecosystem/grpc-gateway/runtime"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
)

// Spec is what one module's basics are made of.
type Spec struct {
	Name             string
	ConsensusVersion uint64
	// RegisterInterfaces and RegisterLegacyAminoCodec register the module's messages.
	RegisterInterfaces       func(codectypes.InterfaceRegistry)
	RegisterLegacyAminoCodec func(*codec.LegacyAmino)
	// RegisterGateway serves the module's queries over REST; see Gateway.
	RegisterGateway func(client.Context, *gwruntime.ServeMux) error
	// TxCmd is the root of the hand-written transaction commands; autocli adds the rest.
	TxCmd          func() *cobra.Command
	DefaultGenesis func() proto.Message
}

// Described is a type, an empty struct in practice, whose zero value gives a module's Spec.
type Described interface{ Spec() Spec }

// Basic implements the module's basics from the Spec of D. It holds no value, so that a zero
// AppModule, which embeds it, is still a working module.AppModuleBasic, as the SDK's helpers expect
// (moduletestutil.MakeTestEncodingConfig(market.AppModule{})).
type Basic[D Described] struct{}

func (Basic[D]) spec() Spec {
	var d D
	return d.Spec()
}

// IsAppModule implements appmodule.AppModule.
func (Basic[D]) IsAppModule() {}

// IsOnePerModuleType implements depinject.OnePerModuleType.
func (Basic[D]) IsOnePerModuleType() {}

// Name is the module's name.
func (b Basic[D]) Name() string { return b.spec().Name }

// RegisterGRPCGatewayRoutes serves the module's queries over REST, under /fog/<module>/v1.
func (b Basic[D]) RegisterGRPCGatewayRoutes(clientCtx client.Context, mux *gwruntime.ServeMux) {
	if err := b.spec().RegisterGateway(clientCtx, mux); err != nil {
		panic(err)
	}
}

// RegisterInterfaces registers the module's messages.
func (b Basic[D]) RegisterInterfaces(ir codectypes.InterfaceRegistry) {
	b.spec().RegisterInterfaces(ir)
}

// RegisterLegacyAminoCodec registers the amino names of the module's messages.
func (b Basic[D]) RegisterLegacyAminoCodec(amino *codec.LegacyAmino) {
	b.spec().RegisterLegacyAminoCodec(amino)
}

// GetTxCmd returns the hand-written transaction commands.
func (b Basic[D]) GetTxCmd() *cobra.Command { return b.spec().TxCmd() }

// DefaultGenesis is the module's default genesis state as JSON.
func (b Basic[D]) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	return cdc.MustMarshalJSON(b.spec().DefaultGenesis())
}

// ConsensusVersion implements module.HasConsensusVersion.
func (b Basic[D]) ConsensusVersion() uint64 { return b.spec().ConsensusVersion }

// Gateway is a Spec.RegisterGateway made of a module's generated RegisterQueryHandlerClient and
// NewQueryClient.
func Gateway[C any](register func(context.Context, *gwruntime.ServeMux, C) error, newClient func(grpc.ClientConn) C) func(client.Context, *gwruntime.ServeMux) error {
	return func(clientCtx client.Context, mux *gwruntime.ServeMux) error {
		return register(context.Background(), mux, newClient(clientCtx))
	}
}
