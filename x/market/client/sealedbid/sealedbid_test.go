package sealedbid_test

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/client/sealedbid"
	"github.com/fogchain/fog/x/market/types"
)

func TestSealedBidSaveLoad(t *testing.T) {
	dir := t.TempDir()
	provider := sdk.AccAddress(bytes.Repeat([]byte{7}, 20))
	b, err := sealedbid.New("fog-test", 12, provider, sdk.NewInt64Coin("ufog", 42))
	require.NoError(t, err)
	require.Len(t, b.Salt, types.SaltSize)
	require.Equal(t, types.BidCommitment(12, provider, b.Price, b.Salt), b.Commitment)

	other, err := sealedbid.New("fog-test", 12, provider, sdk.NewInt64Coin("ufog", 42))
	require.NoError(t, err)
	require.NotEqual(t, b.Salt, other.Salt, "salts are random")

	require.NoError(t, b.Save(dir, false))
	info, err := os.Stat(sealedbid.Path(dir, "fog-test", 12, provider.String()))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm(), "the salt is a secret")

	err = other.Save(dir, false)
	require.True(t, errors.Is(err, sealedbid.ErrExists), "a saved secret is never overwritten silently: %v", err)
	loaded, err := sealedbid.Load(dir, "fog-test", 12, provider.String())
	require.NoError(t, err)
	require.Equal(t, b, loaded)

	require.NoError(t, other.Save(dir, true))
	loaded, err = sealedbid.Load(dir, "fog-test", 12, provider.String())
	require.NoError(t, err)
	require.Equal(t, other, loaded)

	_, err = sealedbid.Load(dir, "fog-test", 13, provider.String())
	require.ErrorContains(t, err, "no sealed bid for order 13")
}

// The commitment layout is part of the protocol: workers and other clients compute it themselves.
func TestBidCommitmentLayout(t *testing.T) {
	provider := sdk.AccAddress(bytes.Repeat([]byte{0xab}, 20))
	salt := bytes.Repeat([]byte{0x01}, 32)
	var want []byte
	want = append(want, 0, 0, 0, 0, 0, 0, 1, 2) // order 258, big-endian
	want = append(want, provider...)
	want = append(want, "1500"...)
	want = append(want, "ufog"...)
	want = append(want, salt...)
	sum := sha256.Sum256(want)
	require.Equal(t, sum[:], types.BidCommitment(258, provider, sdk.NewInt64Coin("ufog", 1500), salt))
}
