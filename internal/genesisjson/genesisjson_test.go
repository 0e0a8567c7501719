package genesisjson_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"

	"github.com/fogchain/fog/internal/genesisjson"
	"github.com/fogchain/fog/x/proofs/types"
)

func TestGenesisJSON(t *testing.T) {
	cdc := codec.NewProtoCodec(codectypes.NewInterfaceRegistry())
	bz := genesisjson.Export(cdc, "proofs", func() (*types.GenesisState, error) { return types.DefaultGenesis(), nil })

	var validated *types.GenesisState
	require.NoError(t, genesisjson.Validate(cdc, "proofs", bz, func(gs *types.GenesisState) error { validated = gs; return nil }))
	require.JSONEq(t, string(bz), string(cdc.MustMarshalJSON(validated)))
	require.ErrorContains(t, genesisjson.Validate(cdc, "proofs", []byte("{"), (*types.GenesisState).Validate), "failed to unmarshal proofs genesis state")
	refused := errors.New("refused")
	require.ErrorIs(t, genesisjson.Validate(cdc, "proofs", bz, func(*types.GenesisState) error { return refused }), refused)

	var loaded *types.GenesisState
	genesisjson.Init(cdc, "proofs", bz, func(gs *types.GenesisState) error { loaded = gs; return nil })
	require.JSONEq(t, string(bz), string(cdc.MustMarshalJSON(loaded)))
	require.PanicsWithError(t, "proofs genesis: refused", func() {
		genesisjson.Init(cdc, "proofs", bz, func(*types.GenesisState) error { return refused })
	})
	require.PanicsWithError(t, "proofs export: refused", func() {
		genesisjson.Export(cdc, "proofs", func() (*types.GenesisState, error) { return nil, refused })
	})
}
