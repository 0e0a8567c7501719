package types

import "fmt"

// DefaultGenesis has default params and nothing anchored or registered.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextBatchId: 1, NextCircuitId: 1, NextClaimId: 1}
}

// Validate checks params, ids below their sequences, and unique circuit names.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := map[uint64]bool{}
	for _, b := range gs.Batches {
		if b.Id == 0 || b.Id >= gs.NextBatchId || seen[b.Id] {
			return fmt.Errorf("batch id %d duplicated or outside [1, %d)", b.Id, gs.NextBatchId)
		}
		seen[b.Id] = true
		if len(b.MerkleRoot) != 32 || b.LeafCount == 0 {
			return fmt.Errorf("batch %d: 32-byte root and a positive leaf count needed", b.Id)
		}
	}
	names := map[string]bool{}
	circuits := map[uint64]bool{}
	for _, c := range gs.Circuits {
		if c.Id == 0 || c.Id >= gs.NextCircuitId || circuits[c.Id] || names[c.Name] {
			return fmt.Errorf("circuit %d (%q) duplicated or outside [1, %d)", c.Id, c.Name, gs.NextCircuitId)
		}
		circuits[c.Id], names[c.Name] = true, true
	}
	claims := map[uint64]bool{}
	for _, c := range gs.Claims {
		if c.Id == 0 || c.Id >= gs.NextClaimId || claims[c.Id] || !circuits[c.CircuitId] {
			return fmt.Errorf("claim %d duplicated, outside [1, %d) or of an unknown circuit", c.Id, gs.NextClaimId)
		}
		claims[c.Id] = true
	}
	return nil
}
