package modulebase_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cosmos/gogoproto/grpc"
	"github.com/cosmos/gogoproto/proto"
	gwruntime "github.com/grpc-ecosystem/grpc-gateway/runtime"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/internal/modulebase"
	"github.com/fogchain/fog/x/proofs/types"
)

var refused = errors.New("refused")

type proofsBasics struct{}

func (proofsBasics) Spec() modulebase.Spec {
	return modulebase.Spec{
		Name: types.ModuleName, ConsensusVersion: 7, TxCmd: func() *cobra.Command { return &cobra.Command{Use: "proofs"} },
		RegisterInterfaces: types.RegisterInterfaces, RegisterLegacyAminoCodec: types.RegisterLegacyAminoCodec,
		RegisterGateway: func(client.Context, *gwruntime.ServeMux) error { return refused },
		DefaultGenesis:  func() proto.Message { return types.DefaultGenesis() },
	}
}

// A zero module is a working AppModuleBasic: Basic reads its Spec from the type alone.
type zeroModule struct {
	modulebase.Basic[proofsBasics]
}

func TestBasic(t *testing.T) {
	var m module.AppModuleBasic = zeroModule{}
	require.Equal(t, types.ModuleName, m.Name())
	require.Equal(t, uint64(7), zeroModule{}.ConsensusVersion())
	require.Equal(t, "proofs", zeroModule{}.GetTxCmd().Use)

	ir := codectypes.NewInterfaceRegistry()
	m.RegisterInterfaces(ir)
	_, err := ir.Resolve(sdk.MsgTypeURL(&types.MsgAnchorBatch{}))
	require.NoError(t, err)
	m.RegisterLegacyAminoCodec(codec.NewLegacyAmino())

	cdc := codec.NewProtoCodec(ir)
	require.JSONEq(t, string(cdc.MustMarshalJSON(types.DefaultGenesis())), string(zeroModule{}.DefaultGenesis(cdc)))

	require.PanicsWithError(t, "refused", func() { m.RegisterGRPCGatewayRoutes(client.Context{}, gwruntime.NewServeMux()) })
}

func TestGateway(t *testing.T) {
	var got grpc.ClientConn
	register := modulebase.Gateway(
		func(_ context.Context, _ *gwruntime.ServeMux, c grpc.ClientConn) error { got = c; return nil },
		func(cc grpc.ClientConn) grpc.ClientConn { return cc },
	)
	clientCtx := client.Context{ChainID: "fog-test"}
	require.NoError(t, register(clientCtx, gwruntime.NewServeMux()))
	require.Equal(t, clientCtx, got)
}
