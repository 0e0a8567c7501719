package keeper_test

import (
	"strings"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/reputation/keeper"
	"github.com/fogchain/fog/x/reputation/types"
)

// spellings of one account's address: the canonical one, all upper case (same bytes, accepted and
// stored lower case), mixed case and another chain's prefix (both refused).
func spellings(t *testing.T, addr string) (upper, mixed, foreign string) {
	bz, err := sdk.AccAddressFromBech32(addr)
	require.NoError(t, err)
	foreign, err = addresscodec.NewBech32Codec("cosmos").BytesToString(bz)
	require.NoError(t, err)
	return strings.ToUpper(addr), strings.ToUpper(addr[:6]) + addr[6:], foreign
}

// MsgUpdateParams parses its authority with the keeper's codec and compares bytes: the governance
// account spelt in upper case is the governance account; a mixed-case or foreign spelling is not an
// address at all, and a refused message changes no state and moves no coins.
func TestUpdateParamsAuthoritySpellings(t *testing.T) {
	gov := fixture.New(t).Reputation.Authority()
	upper, mixed, foreign := spellings(t, gov)
	for _, c := range []struct {
		name      string
		authority string
		want      error
	}{
		{"lower case", gov, nil},
		{"upper case", upper, nil},
		{"mixed case", mixed, sdkerrors.ErrInvalidAddress},
		{"foreign prefix", foreign, sdkerrors.ErrInvalidAddress},
		{"another account", sdk.AccAddress(make([]byte, 20)).String(), types.ErrInvalidAuthority},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := fixture.New(t)
			p := types.DefaultParams()
			p.HalfLifeBlocks = 77
			before, snap := exportReputation(t, f), f.Snapshot(t)
			_, err := keeper.NewMsgServerImpl(f.Reputation).UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: c.authority, Params: p})
			if c.want != nil {
				require.ErrorIs(t, err, c.want)
				if c.want == sdkerrors.ErrInvalidAddress {
					require.ErrorContains(t, err, "authority")
				}
				require.Equal(t, before, exportReputation(t, f), "no state change")
				require.Equal(t, snap, f.Snapshot(t), "no coins moved")
				return
			}
			require.NoError(t, err)
			got, err := f.Reputation.Params.Get(f.Ctx)
			require.NoError(t, err)
			require.Equal(t, uint64(77), got.HalfLifeBlocks)
			ev := lastEvent(t, f, "fog.reputation.v1.EventParamsUpdated")
			require.Contains(t, ev, `"`+gov+`"`, "the event carries the canonical spelling")
		})
	}
}

// ValidateBasic refuses in CheckTx what the msg server refuses without state, with the same error.
func TestValidateBasicMatchesTheMsgServer(t *testing.T) {
	f := fixture.New(t)
	gov := f.Reputation.Authority()
	_, mixed, foreign := spellings(t, gov)
	badParams := types.DefaultParams()
	badParams.PriorBeta = math.LegacyNewDecWithPrec(1, 12)
	for _, c := range []struct {
		name string
		msg  types.MsgUpdateParams
		want error
	}{
		{"empty authority", types.MsgUpdateParams{Params: types.DefaultParams()}, sdkerrors.ErrInvalidAddress},
		{"mixed-case authority", types.MsgUpdateParams{Authority: mixed, Params: types.DefaultParams()}, sdkerrors.ErrInvalidAddress},
		{"foreign authority", types.MsgUpdateParams{Authority: foreign, Params: types.DefaultParams()}, sdkerrors.ErrInvalidAddress},
		{"params out of bounds", types.MsgUpdateParams{Authority: gov, Params: badParams}, types.ErrInvalidParams},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := c.msg
			require.ErrorIs(t, m.ValidateBasic(), c.want)
			_, err := keeper.NewMsgServerImpl(f.Reputation).UpdateParams(f.Ctx, &m)
			require.ErrorIs(t, err, c.want)
		})
	}
	ok := types.MsgUpdateParams{Authority: strings.ToUpper(gov), Params: types.DefaultParams()}
	require.NoError(t, ok.ValidateBasic())
}

func exportReputation(t *testing.T, f *fixture.Fixture) *types.GenesisState {
	gs, err := f.Reputation.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	return gs
}

// lastEvent is the attributes of the last event of type typ, as text.
func lastEvent(t *testing.T, f *fixture.Fixture, typ string) string {
	evs := f.Ctx.EventManager().Events()
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Type == typ {
			var sb strings.Builder
			for _, a := range evs[i].Attributes {
				sb.WriteString(a.Key + "=" + a.Value + ";")
			}
			return sb.String()
		}
	}
	t.Fatalf("no %s event", typ)
	return ""
}
