package types_test

import (
	"bytes"
	"errors"
	"testing"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/x/market/types"
)

// MsgCommitBid and MsgRevealBid arrive from any sender: ValidateBasic refuses malformed fields with a
// registered error, never panics, and every reveal it accepts has a commitment MsgCommitBid accepts,
// which binds the salt.
func FuzzBidMessages(f *testing.F) {
	provider := sdk.AccAddress(bytes.Repeat([]byte{7}, 20)).String()
	salt := bytes.Repeat([]byte{3}, types.SaltSize)
	f.Add(provider, uint64(1), "100", "ufog", salt, bytes.Repeat([]byte{1}, types.CommitmentSize))
	f.Add(provider, uint64(0), "100", "ufog", salt, []byte{})
	f.Add("", uint64(1), "0", "ufog", salt[:31], []byte{})
	f.Add(provider, uint64(1), "-1", "ufog", salt, []byte{})
	f.Add(provider, uint64(1), types.MaxCoinAmount.AddRaw(1).String(), "ufog", salt, []byte{})
	f.Add(provider, uint64(1), "100", "1x", salt, []byte{})
	f.Add("FOG1QQQQ", uint64(1<<63), "1", "u", salt, bytes.Repeat([]byte{0}, types.CommitmentSize+1))

	f.Fuzz(func(t *testing.T, provider string, orderID uint64, amount, denom string, salt, commitment []byte) {
		amt, ok := math.NewIntFromString(amount)
		if !ok {
			amt = math.ZeroInt()
		}
		price := sdk.Coin{Denom: denom, Amount: amt}

		commitErr := (&types.MsgCommitBid{Provider: provider, OrderId: orderID, Commitment: commitment}).ValidateBasic()
		requireRegistered(t, commitErr)
		revealErr := (&types.MsgRevealBid{Provider: provider, OrderId: orderID, Price: price, Salt: salt}).ValidateBasic()
		requireRegistered(t, revealErr)
		if revealErr != nil {
			return
		}

		addr, err := sdk.AccAddressFromBech32(provider)
		if err != nil {
			t.Fatalf("reveal accepted with an unparseable provider %q: %v", provider, err)
		}
		sealed := types.BidCommitment(orderID, addr, price, salt)
		if err := (&types.MsgCommitBid{Provider: provider, OrderId: orderID, Commitment: sealed}).ValidateBasic(); err != nil {
			t.Fatalf("the commitment of an accepted reveal is refused: %v", err)
		}
		otherSalt := bytes.Clone(salt)
		otherSalt[0] ^= 1
		if bytes.Equal(sealed, types.BidCommitment(orderID, addr, price, otherSalt)) {
			t.Fatal("the commitment does not depend on the salt")
		}
	})
}

// requireRegistered fails unless err is nil or a registered error (the module's or the SDK's).
func requireRegistered(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	var coded *errorsmod.Error
	if !errors.As(err, &coded) {
		t.Fatalf("unregistered error: %v", err)
	}
	if coded.Codespace() != types.ModuleName && !errors.Is(err, sdkerrors.ErrInvalidAddress) {
		t.Fatalf("error from codespace %q: %v", coded.Codespace(), err)
	}
}
