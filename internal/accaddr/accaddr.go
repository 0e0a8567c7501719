// Package accaddr parses the account addresses that messages and genesis files carry, the same way in
// every module: bech32 is case-insensitive, so one account has two spellings (all lower case and all
// upper case) that decode to the same bytes. State and events hold only the lower-case one, and
// addresses are compared as bytes, never as strings.
package accaddr

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
)

// Codec is the account address codec of the chain's configured bech32 prefix, for the checks that
// run without a keeper (ValidateBasic in CheckTx, genesis validation). Keepers use their own codec.
func Codec() address.Codec {
	return addresscodec.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
}

// Parse decodes the address s of field with ac and returns its bytes and its canonical (lower-case)
// spelling. An all-upper-case address is accepted; a mixed-case one, another prefix, a bad checksum
// or an empty string is refused with sdkerrors.ErrInvalidAddress naming field.
func Parse(ac address.Codec, field, s string) (sdk.AccAddress, string, error) {
	bz, err := ac.StringToBytes(s)
	if err != nil {
		return nil, "", errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q: %s", field, s, err)
	}
	canonical, err := ac.BytesToString(bz)
	if err != nil {
		return nil, "", errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q: %s", field, s, err)
	}
	return bz, canonical, nil
}

// ParseCanonical is Parse that also refuses any spelling but the canonical one: what state holds,
// and so what a genesis file may hold.
func ParseCanonical(ac address.Codec, field, s string) (sdk.AccAddress, error) {
	bz, canonical, err := Parse(ac, field, s)
	if err != nil {
		return nil, err
	}
	if canonical != s {
		return nil, errorsmod.Wrapf(sdkerrors.ErrInvalidAddress, "%s %q is not canonical: want %s", field, s, canonical)
	}
	return bz, nil
}

// ModuleAuthority is the address, in ac's spelling, of the account that governs a module: x/gov's
// module account, unless the app config names another (configured: a module name or an address).
func ModuleAuthority(ac address.Codec, configured string) (string, error) {
	authority := authtypes.NewModuleAddress(govtypes.ModuleName)
	if configured != "" {
		authority = authtypes.NewModuleAddressOrBech32Address(configured)
	}
	return ac.BytesToString(authority)
}
