package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/x/proofs/types"
)

// ValidateGenesis is the genesis state's own checks plus a parse of every circuit's verifying key:
// under the widest limits any params allow (governance may have narrowed them since a circuit was
// registered), and for circuits in the warm set under the current params, since a circuit enters
// the warm set only once its key parsed under them and a change of the limits empties the set.
func ValidateGenesis(gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	warm := make(map[uint64]bool, len(gs.WarmCircuits))
	for _, w := range gs.WarmCircuits {
		warm[w.CircuitId] = true
	}
	for i, c := range gs.Circuits {
		lim, under := types.WidestKeyLimits, "the widest limits"
		if warm[c.Id] {
			lim, under = gs.Params.KeyLimits(), "the params' limits (the circuit is warm)"
		}
		if _, err := types.ParseVerifyingKey(lim, c.VerifyingKey, c.PublicInputCount); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidGenesis, "circuits[%d].verifying_key under %s: %s", i, under, err)
		}
	}
	return nil
}

// InitGenesis loads the state.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := ValidateGenesis(gs); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, b := range gs.Batches {
		if err := k.setBatch(ctx, b); err != nil {
			return err
		}
	}
	for _, c := range gs.Circuits {
		if err := k.Circuits.Set(ctx, c.Id, c); err != nil {
			return err
		}
		if err := k.CircuitsByName.Set(ctx, c.Name, c.Id); err != nil {
			return err
		}
	}
	for _, c := range gs.Claims {
		if err := k.setClaim(ctx, c); err != nil {
			return err
		}
	}
	for _, w := range gs.WarmCircuits {
		if err := k.Warm.Set(ctx, w.CircuitId, w.LastUsedHeight); err != nil {
			return err
		}
	}
	if err := k.WarmCount.Set(ctx, uint64(len(gs.WarmCircuits))); err != nil {
		return err
	}
	for _, s := range []struct {
		seq collections.Sequence
		v   uint64
	}{{k.BatchSeq, gs.NextBatchId}, {k.CircuitSeq, gs.NextCircuitId}, {k.ClaimSeq, gs.NextClaimId}} {
		if err := s.seq.Set(ctx, s.v); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps the state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Batches, err = values(ctx, k.Batches); err != nil {
		return nil, err
	}
	if gs.Circuits, err = values(ctx, k.Circuits); err != nil {
		return nil, err
	}
	if gs.Claims, err = values(ctx, k.Claims); err != nil {
		return nil, err
	}
	if err := k.Warm.Walk(ctx, nil, func(id uint64, lastUsed int64) (bool, error) {
		gs.WarmCircuits = append(gs.WarmCircuits, types.WarmCircuit{CircuitId: id, LastUsedHeight: lastUsed})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.NextBatchId, err = k.BatchSeq.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.NextCircuitId, err = k.CircuitSeq.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.NextClaimId, err = k.ClaimSeq.Peek(ctx); err != nil {
		return nil, err
	}
	return gs, nil
}

func values[V any](ctx context.Context, m collections.Map[uint64, V]) ([]V, error) {
	iter, err := m.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return iter.Values()
}
