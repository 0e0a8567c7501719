package types

import (
	"fmt"
	"sort"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/internal/accaddr"
)

// DefaultGenesis has default params, no auditors and no attributes.
func DefaultGenesis() *GenesisState { return &GenesisState{Params: DefaultParams()} }

// Validate refuses any state the module could not have produced: params out of bounds; auditors with
// a non-canonical or repeated address, a description over MaxDescriptionBytes or not UTF-8, a
// negative height or more of them than MaxAuditorsBound; attributes with a non-canonical address, a
// repeated (provider, auditor) pair, keys out of order, or attributes beyond the absolute bounds
// (MaxAttributesBound, MaxAttributeBytesBound). The bounds are the absolute ones, not the params': governance may lower a
// param below what earlier signatures used, and their export must still import. An entry's auditor
// need not be approved: the signatures of a removed auditor stay until it deletes them, and do not
// count. Quorum records must be valid (Quorum.Validate), one per order.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	ac := accaddr.Codec()
	if len(gs.Auditors) > MaxAuditorsBound {
		return errorsmod.Wrapf(ErrInvalidGenesis, "%d auditors, at most %d", len(gs.Auditors), MaxAuditorsBound)
	}
	seen := make(map[string]bool, len(gs.Auditors))
	for i, a := range gs.Auditors {
		field := func(name string) string { return fmt.Sprintf("auditors[%d].%s", i, name) }
		addr, err := accaddr.ParseCanonical(ac, field("address"), a.Address)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		if seen[string(addr)] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %s listed twice", field("address"), a.Address)
		}
		seen[string(addr)] = true
		if len(a.Description) > MaxDescriptionBytes {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %d bytes, at most %d", field("description"), len(a.Description), MaxDescriptionBytes)
		}
		if !utf8.ValidString(a.Description) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: not UTF-8", field("description"))
		}
		if a.AddedHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %d is negative", field("added_height"), a.AddedHeight)
		}
	}
	pairs := make(map[string]bool, len(gs.Attributes))
	for i, e := range gs.Attributes {
		field := func(name string) string { return fmt.Sprintf("attributes[%d].%s", i, name) }
		provider, err := accaddr.ParseCanonical(ac, field("provider"), e.Provider)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		auditor, err := accaddr.ParseCanonical(ac, field("auditor"), e.Auditor)
		if err != nil {
			return errorsmod.Wrap(ErrInvalidGenesis, err.Error())
		}
		pair := string(provider) + "/" + string(auditor)
		if pairs[pair] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "attributes[%d]: a second entry of provider %s by auditor %s", i, e.Provider, e.Auditor)
		}
		pairs[pair] = true
		if err := ValidateAttributes(e.Attributes, MaxAttributesBound, MaxAttributeBytesBound); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: %s", field("attributes"), err)
		}
		if !sort.SliceIsSorted(e.Attributes, func(a, b int) bool { return e.Attributes[a].Key < e.Attributes[b].Key }) {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s: keys not sorted", field("attributes"))
		}
		if e.SignedHeight < 0 {
			return errorsmod.Wrapf(ErrInvalidGenesis, "%s %d is negative", field("signed_height"), e.SignedHeight)
		}
	}
	orders := make(map[uint64]bool, len(gs.Quorums))
	for i, q := range gs.Quorums {
		if orders[q.OrderId] {
			return errorsmod.Wrapf(ErrInvalidGenesis, "quorums[%d]: a second record of order %d", i, q.OrderId)
		}
		orders[q.OrderId] = true
		if err := q.Validate(); err != nil {
			return errorsmod.Wrapf(ErrInvalidGenesis, "quorums[%d]: %s", i, err)
		}
	}
	return nil
}
