package accaddr_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/internal/accaddr"
)

func TestParse(t *testing.T) {
	ac := addresscodec.NewBech32Codec("fog")
	bz := []byte("twenty bytes address")
	lower, err := ac.BytesToString(bz)
	require.NoError(t, err)
	foreign, err := addresscodec.NewBech32Codec("cosmos").BytesToString(bz)
	require.NoError(t, err)
	mixed := strings.ToUpper(lower[:len(lower)/2]) + lower[len(lower)/2:]

	for _, s := range []string{lower, strings.ToUpper(lower)} {
		got, canonical, err := accaddr.Parse(ac, "owner", s)
		require.NoError(t, err, s)
		require.Equal(t, bz, []byte(got))
		require.Equal(t, lower, canonical)
	}
	_, err = accaddr.ParseCanonical(ac, "owner", lower)
	require.NoError(t, err)
	_, err = accaddr.ParseCanonical(ac, "owner", strings.ToUpper(lower))
	require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress)
	require.ErrorContains(t, err, "owner")

	for name, s := range map[string]string{"mixed case": mixed, "foreign prefix": foreign, "empty": "", "bad checksum": lower[:len(lower)-1] + "q"} {
		_, _, err := accaddr.Parse(ac, "owner", s)
		require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress, name)
		require.ErrorContains(t, err, "owner", name)
	}
}

func TestModuleAuthority(t *testing.T) {
	ac := addresscodec.NewBech32Codec("fog")
	gov, err := ac.BytesToString(authtypes.NewModuleAddress(govtypes.ModuleName))
	require.NoError(t, err)
	got, err := accaddr.ModuleAuthority(ac, "")
	require.NoError(t, err)
	require.Equal(t, gov, got, "x/gov governs by default")

	// the app config spells an address with the process's bech32 prefix
	raw := sdk.AccAddress("twenty bytes address")
	other, err := ac.BytesToString(raw)
	require.NoError(t, err)
	got, err = accaddr.ModuleAuthority(ac, raw.String())
	require.NoError(t, err)
	require.Equal(t, other, got, "an address in the app config")
	mint, err := ac.BytesToString(authtypes.NewModuleAddress("mint"))
	require.NoError(t, err)
	got, err = accaddr.ModuleAuthority(ac, "mint")
	require.NoError(t, err)
	require.Equal(t, mint, got, "a module name in the app config")
}
