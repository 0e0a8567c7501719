package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params and no records.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks params and records.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	seen := make(map[string]bool, len(gs.Records))
	for _, r := range gs.Records {
		addr, err := sdk.AccAddressFromBech32(r.Address)
		if err != nil {
			return fmt.Errorf("record %q: %w", r.Address, err)
		}
		if seen[string(addr)] {
			return fmt.Errorf("duplicate record %s", r.Address)
		}
		seen[string(addr)] = true
		if r.LastHeight < 0 {
			return fmt.Errorf("record %s: negative last height", r.Address)
		}
		if r.Alpha.IsNil() || r.Beta.IsNil() || !r.Alpha.IsPositive() || !r.Beta.IsPositive() {
			return fmt.Errorf("record %s: alpha and beta must be positive", r.Address)
		}
	}
	return nil
}
