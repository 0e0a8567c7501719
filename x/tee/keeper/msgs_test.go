package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/fogchain/fog/x/tee/types"
)

// spellings of an account's address: the canonical one and all upper case (the same bytes: accepted,
// stored lower case), mixed case and another chain's prefix (refused).
var spellings = []struct {
	name string
	of   func(t *testing.T, addr string) string
	want error
}{
	{"lower case", func(_ *testing.T, a string) string { return a }, nil},
	{"upper case", func(_ *testing.T, a string) string { return strings.ToUpper(a) }, nil},
	{"mixed case", func(_ *testing.T, a string) string { return strings.ToUpper(a[:6]) + a[6:] }, sdkerrors.ErrInvalidAddress},
	{"foreign prefix", func(t *testing.T, a string) string {
		bz, err := sdk.AccAddressFromBech32(a)
		require.NoError(t, err)
		s, err := addresscodec.NewBech32Codec("cosmos").BytesToString(bz)
		require.NoError(t, err)
		return s
	}, sdkerrors.ErrInvalidAddress},
}

func (e *env) export(t *testing.T) *types.GenesisState {
	gs, err := e.f.Tee.ExportGenesis(e.f.Ctx)
	require.NoError(t, err)
	return gs
}

// Both messages parse their signer with the keeper's address codec: an upper-case address is the same
// account (accepted, stored lower case); a mixed-case or foreign one is refused with ErrInvalidAddress
// naming the field, changing no state and moving no coins.
func TestAddressSpellingsOfEveryMessage(t *testing.T) {
	for _, s := range spellings {
		t.Run("MsgSubmitAttestation/"+s.name, func(t *testing.T) {
			e := newEnv(t)
			p := e.f.NewProvider(t)
			h := e.f.Height()
			ev := e.simEvidence(t, e.binding(t, p, h), measurement, false)
			before, snap := e.export(t), e.f.Snapshot(t)
			_, err := e.msg.SubmitAttestation(e.f.Ctx, &types.MsgSubmitAttestation{Provider: s.of(t, p.String()), TeeType: types.TeeTypeSimulated, Evidence: ev, NonceHeight: h, WorkerPubkey: e.registeredKey(p)})
			if s.want != nil {
				require.ErrorIs(t, err, s.want)
				require.ErrorContains(t, err, "provider")
				require.Equal(t, before, e.export(t), "no state change")
				require.Equal(t, snap, e.f.Snapshot(t), "no coins moved")
				return
			}
			require.NoError(t, err)
			enc, err := e.f.Tee.Enclaves.Get(e.f.Ctx, p)
			require.NoError(t, err)
			require.Equal(t, p.String(), enc.Provider, "stored in the canonical spelling")
		})
		t.Run("MsgUpdateParams/"+s.name, func(t *testing.T) {
			e := newEnv(t)
			gov := e.f.Tee.Authority()
			params, err := e.f.Tee.GetParams(e.f.Ctx)
			require.NoError(t, err)
			params.ValidityBlocks = 77
			before, snap := e.export(t), e.f.Snapshot(t)
			_, err = e.msg.UpdateParams(e.f.Ctx, &types.MsgUpdateParams{Authority: s.of(t, gov), Params: params})
			if s.want != nil {
				require.ErrorIs(t, err, s.want)
				require.ErrorContains(t, err, "authority")
				require.Equal(t, before, e.export(t), "no state change")
				require.Equal(t, snap, e.f.Snapshot(t), "no coins moved")
				return
			}
			require.NoError(t, err)
			got, err := e.f.Tee.GetParams(e.f.Ctx)
			require.NoError(t, err)
			require.Equal(t, int64(77), got.ValidityBlocks)
		})
	}
}

// ValidateBasic refuses in CheckTx each input the msg server refuses without reading state, with the
// same registered error.
func TestValidateBasicMatchesTheMsgServer(t *testing.T) {
	e := newEnv(t)
	p := e.f.NewProvider(t)
	h := e.f.Height()
	ev := e.simEvidence(t, e.binding(t, p, h), measurement, false)
	gov := e.f.Tee.Authority()
	attest := func(mutate func(*types.MsgSubmitAttestation)) *types.MsgSubmitAttestation {
		m := &types.MsgSubmitAttestation{Provider: p.String(), TeeType: types.TeeTypeSimulated, Evidence: ev, NonceHeight: h, WorkerPubkey: e.registeredKey(p)}
		mutate(m)
		return m
	}
	badParams := types.DefaultParams()
	badParams.NonceWindowBlocks = types.MaxNonceWindowBlocks + 1
	for _, c := range []struct {
		name string
		msg  sdk.Msg
		want error
	}{
		{"provider mixed case", attest(func(m *types.MsgSubmitAttestation) { m.Provider = strings.ToUpper(m.Provider[:6]) + m.Provider[6:] }), sdkerrors.ErrInvalidAddress},
		{"provider empty", attest(func(m *types.MsgSubmitAttestation) { m.Provider = "" }), sdkerrors.ErrInvalidAddress},
		{"tee_type unspecified", attest(func(m *types.MsgSubmitAttestation) { m.TeeType = types.TeeTypeUnspecified }), types.ErrTeeType},
		{"tee_type unknown", attest(func(m *types.MsgSubmitAttestation) { m.TeeType = 9 }), types.ErrTeeType},
		{"no evidence", attest(func(m *types.MsgSubmitAttestation) { m.Evidence = nil }), types.ErrTooLarge},
		{"evidence larger than any params allow", attest(func(m *types.MsgSubmitAttestation) { m.Evidence = make([]byte, types.MaxEvidenceBytesLimit+1) }), types.ErrTooLarge},
		{"nonce_height 0", attest(func(m *types.MsgSubmitAttestation) { m.NonceHeight = 0 }), types.ErrNonce},
		{"nonce_height negative", attest(func(m *types.MsgSubmitAttestation) { m.NonceHeight = -1 << 63 }), types.ErrNonce},
		{"no worker key", attest(func(m *types.MsgSubmitAttestation) { m.WorkerPubkey = nil }), types.ErrWorkerKey},
		{"worker key of 31 bytes", attest(func(m *types.MsgSubmitAttestation) { m.WorkerPubkey = m.WorkerPubkey[:31] }), types.ErrWorkerKey},
		{"params: authority mixed case", &types.MsgUpdateParams{Authority: strings.ToUpper(gov[:6]) + gov[6:], Params: types.DefaultParams()}, sdkerrors.ErrInvalidAddress},
		{"params: out of bounds", &types.MsgUpdateParams{Authority: gov, Params: badParams}, types.ErrInvalidParams},
	} {
		t.Run(c.name, func(t *testing.T) {
			require.ErrorIs(t, c.msg.(sdk.HasValidateBasic).ValidateBasic(), c.want)
			ctx, _ := e.f.Ctx.CacheContext()
			var err error
			switch m := c.msg.(type) {
			case *types.MsgSubmitAttestation:
				_, err = e.msg.SubmitAttestation(ctx, m)
			case *types.MsgUpdateParams:
				_, err = e.msg.UpdateParams(ctx, m)
			}
			require.ErrorIs(t, err, c.want, "the msg server refuses it with the same error")
		})
	}
	require.NoError(t, attest(func(m *types.MsgSubmitAttestation) { m.Provider = strings.ToUpper(m.Provider) }).ValidateBasic())
	require.NoError(t, (&types.MsgUpdateParams{Authority: gov, Params: types.DefaultParams()}).ValidateBasic())
}
