package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis has default params and no enclave or nonce.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate checks params, enclave records (one per provider, known type, expiry after attestation)
// and nonces (unique heights, 32-byte hashes).
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	providers := map[string]bool{}
	for _, e := range gs.Enclaves {
		if _, err := sdk.AccAddressFromBech32(e.Provider); err != nil {
			return fmt.Errorf("enclave of %q: %w", e.Provider, err)
		}
		if providers[e.Provider] {
			return fmt.Errorf("enclave of %s: duplicated", e.Provider)
		}
		providers[e.Provider] = true
		if _, ok := TeeType_name[int32(e.TeeType)]; !ok || e.TeeType == TeeTypeUnspecified {
			return fmt.Errorf("enclave of %s: unknown TEE type %d", e.Provider, e.TeeType)
		}
		if e.ExpiryHeight <= e.AttestedHeight {
			return fmt.Errorf("enclave of %s: expiry %d not after attestation %d", e.Provider, e.ExpiryHeight, e.AttestedHeight)
		}
	}
	heights := map[int64]bool{}
	for _, n := range gs.Nonces {
		if heights[n.Height] || len(n.Hash) != 32 {
			return fmt.Errorf("nonce at %d: duplicated or not a 32-byte hash", n.Height)
		}
		heights[n.Height] = true
	}
	return nil
}
