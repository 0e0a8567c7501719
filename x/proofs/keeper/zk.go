package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/proofs/types"
)

// VerifyProof checks a Groth16 proof against an active circuit with types.VerifyProof, adding the
// verification gas, and the key-load gas if the circuit is outside the warm set, before any decoding,
// and the node's cache of parsed keys. Other modules (x/training) call it for their predicates.
func (k Keeper) VerifyProof(ctx context.Context, circuitID uint64, publicInputs [][]byte, proof []byte) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	c, err := k.Circuits.Get(ctx, circuitID)
	if errors.Is(err, collections.ErrNotFound) {
		return errorsmod.Wrapf(types.ErrCircuitNotFound, "circuit %d", circuitID)
	} else if err != nil {
		return err
	}
	if !c.Active {
		return errorsmod.Wrapf(types.ErrCircuitInactive, "circuit %d (%s)", c.Id, c.Name)
	}
	return types.VerifyProof(p, c, publicInputs, proof, types.VerifyHooks{
		Charge: func(gas uint64) { sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(gas, "groth16 verification") },
		Key:    func(c types.Circuit) (*types.VerifyingKey, error) { return k.verifyingKey(ctx, p, c) },
	})
}
