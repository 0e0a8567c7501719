// Package genesisjson is the JSON side of a module's genesis, the same in every fog module: decoding
// the module's section of genesis.json, the wording of a decoding error, and the panics InitGenesis
// and ExportGenesis raise, since the SDK's interface gives them no error to return.
package genesisjson

import (
	"encoding/json"
	"fmt"

	"github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/codec"
)

// state is a pointer to a module's genesis state message G.
type state[G any] interface {
	*G
	proto.Message
}

// Validate decodes module's genesis JSON and checks it with validate.
func Validate[G any, P state[G]](cdc codec.JSONCodec, module string, bz json.RawMessage, validate func(P) error) error {
	gs := P(new(G))
	if err := cdc.UnmarshalJSON(bz, gs); err != nil {
		return fmt.Errorf("failed to unmarshal %s genesis state: %w", module, err)
	}
	return validate(gs)
}

// Init decodes module's genesis JSON and loads it into state with load; a failure halts the chain.
func Init[G any, P state[G]](cdc codec.JSONCodec, module string, bz json.RawMessage, load func(P) error) {
	gs := P(new(G))
	cdc.MustUnmarshalJSON(bz, gs)
	if err := load(gs); err != nil {
		panic(fmt.Errorf("%s genesis: %w", module, err))
	}
}

// Export encodes the genesis state export reads from the module's state; a failure halts the export.
func Export[P proto.Message](cdc codec.JSONCodec, module string, export func() (P, error)) json.RawMessage {
	gs, err := export()
	if err != nil {
		panic(fmt.Errorf("%s export: %w", module, err))
	}
	return cdc.MustMarshalJSON(gs)
}
