package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/bech32"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/market/types"
)

// spellings of one account address: the canonical one and the ones a client might send.
func upper(a sdk.AccAddress) string { return strings.ToUpper(a.String()) }

// mixedCase upper-cases the last letter of the address: valid characters, mixed case, not bech32.
func mixedCase(a sdk.AccAddress) string {
	s := []byte(a.String())
	for i := len(s) - 1; i > 0; i-- {
		if s[i] >= 'a' && s[i] <= 'z' {
			s[i] -= 'a' - 'A'
			break
		}
	}
	return string(s)
}

func foreign(t *testing.T, a sdk.AccAddress) string {
	s, err := bech32.ConvertAndEncode("cosmos", a)
	require.NoError(t, err)
	return s
}

// Every message parses its address fields with the address codec: an upper-case address is the
// same account (accepted, stored in canonical lower case), a mixed-case or foreign-prefix one is
// refused by ValidateBasic and by the msg server, with nothing stored and no coin moved.
func TestAddressesAreParsedAndStoredCanonical(t *testing.T) {
	gov := authtypes.NewModuleAddress(govtypes.ModuleName)
	cases := []struct {
		name string
		// prepare moves the auction where the message applies and returns the signer and the
		// message for a given spelling of the signer's address.
		prepare func(t *testing.T, a *auction) (sdk.AccAddress, func(addr string) sdk.Msg)
	}{
		{"MsgRegisterProvider", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			p := a.NewAccount(t, 100_000_000)
			return p, func(s string) sdk.Msg { m := fixture.RegisterMsg(p); m.Owner = s; return m }
		}},
		{"MsgUpdateProvider", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return a.bidder, func(s string) sdk.Msg {
				r := fixture.RegisterMsg(a.bidder)
				return &types.MsgUpdateProvider{Owner: s, PeerId: r.PeerId, Multiaddrs: r.Multiaddrs, WorkerPubkey: r.WorkerPubkey, Capacity: r.Capacity}
			}
		}},
		{"MsgDeregisterProvider", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			p := a.NewProvider(t)
			return p, func(s string) sdk.Msg { return &types.MsgDeregisterProvider{Owner: s} }
		}},
		{"MsgCreateOrder", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return a.owner, func(s string) sdk.Msg { m := fixture.OrderMsg(a.owner); m.Owner = s; return m }
		}},
		{"MsgCancelOrder", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return a.owner, func(s string) sdk.Msg { return &types.MsgCancelOrder{Owner: s, OrderId: a.order.Id} }
		}},
		{"MsgCommitBid", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return a.other, func(s string) sdk.Msg { m := a.commitMsg(a.other, 5); m.Provider = s; return m }
		}},
		{"MsgRevealBid", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			a.toRevealPhase(t)
			return a.bidder, func(s string) sdk.Msg { m := a.revealMsg(a.sealed.Price, a.sealed.Salt); m.Provider = s; return m }
		}},
		{"MsgWithdrawBid", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return a.bidder, func(s string) sdk.Msg { return &types.MsgWithdrawBid{Provider: s, OrderId: a.order.Id} }
		}},
		{"MsgStartLease", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			l := a.lease(t)
			return a.bidder, func(s string) sdk.Msg { return &types.MsgStartLease{Provider: s, LeaseId: l.Id} }
		}},
		{"MsgWithdrawLease", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			l := a.lease(t)
			_, err := a.Msg.StartLease(a.Ctx, &types.MsgStartLease{Provider: a.bidder.String(), LeaseId: l.Id})
			require.NoError(t, err)
			a.AdvanceTo(t, a.Height()+2)
			return a.bidder, func(s string) sdk.Msg { return &types.MsgWithdrawLease{Provider: s, LeaseId: l.Id} }
		}},
		{"MsgCloseLease by the owner", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			l := a.lease(t)
			return a.owner, func(s string) sdk.Msg { return &types.MsgCloseLease{Sender: s, LeaseId: l.Id} }
		}},
		{"MsgCloseLease by the provider", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			l := a.lease(t)
			return a.bidder, func(s string) sdk.Msg { return &types.MsgCloseLease{Sender: s, LeaseId: l.Id} }
		}},
		{"MsgUpdateParams", func(t *testing.T, a *auction) (sdk.AccAddress, func(string) sdk.Msg) {
			return gov, func(s string) sdk.Msg { return &types.MsgUpdateParams{Authority: s, Params: a.Params} }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, bad := range []struct {
				name  string
				spell func(sdk.AccAddress) string
			}{
				{"mixed case", mixedCase},
				{"foreign prefix", func(a sdk.AccAddress) string { return foreign(t, a) }},
			} {
				a := newAuction(t)
				signer, build := tc.prepare(t, a)
				msg := build(bad.spell(signer))
				require.ErrorIs(t, msg.(sdk.HasValidateBasic).ValidateBasic(), sdkerrors.ErrInvalidAddress, bad.name)
				before := a.Snapshot(t)
				_, err := a.App.MsgServiceRouter().Handler(msg)(a.Ctx, msg)
				require.ErrorIs(t, err, sdkerrors.ErrInvalidAddress, bad.name)
				require.Equal(t, before, a.Snapshot(t), "%s: a refused message changed state or coins", bad.name)
			}

			a := newAuction(t)
			signer, build := tc.prepare(t, a)
			msg := build(upper(signer))
			require.NoError(t, msg.(sdk.HasValidateBasic).ValidateBasic())
			_, err := a.App.MsgServiceRouter().Handler(msg)(a.Ctx, msg)
			require.NoError(t, err, "an upper-case address is the same account")
			exported, err := a.Keeper.ExportGenesis(a.Ctx)
			require.NoError(t, err)
			require.NoError(t, exported.Validate(), "every stored address is canonical")
			a.CheckInvariants(t)
		})
	}
}

// The attack the canonical form closes: an owner spelling its address in upper case could bid on
// its own order (the self-bid check compared strings) and its order escaped the leases filter.
func TestUpperCaseOwnerIsStillTheOwner(t *testing.T) {
	a := newAuction(t)
	_, err := a.Msg.RegisterProvider(a.Ctx, fixture.RegisterMsg(a.owner))
	require.NoError(t, err)
	msg := fixture.OrderMsg(a.owner)
	msg.Owner = upper(a.owner)
	o := a.CreateOrder(t, msg)
	require.Equal(t, a.owner.String(), o.Owner, "stored in canonical form")
	for _, spelling := range []string{a.owner.String(), upper(a.owner)} {
		m := a.commitMsg(a.owner, 4)
		m.OrderId, m.Provider = o.Id, spelling
		_, err := a.Msg.CommitBid(a.Ctx, m)
		require.ErrorIs(t, err, types.ErrSelfBid, spelling)
	}
	s := a.Commit(t, o.Id, a.bidder, 4)
	a.AdvanceTo(t, o.CommitDeadline+1)
	a.Reveal(t, o.Id, s)
	a.AdvanceTo(t, o.RevealDeadline+1)
	for _, filter := range []string{a.owner.String(), upper(a.owner)} {
		res, err := a.Query.Leases(a.Ctx, &types.QueryLeasesRequest{Owner: filter, Provider: upper(a.bidder)})
		require.NoError(t, err)
		require.Len(t, res.Leases, 1, "filter %s", filter)
	}
}
