package keeper_test

import (
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/testutil/fixture"
	"github.com/fogchain/fog/x/quorum/keeper"
	"github.com/fogchain/fog/x/quorum/types"
)

// kv is attributes from key, value pairs.
func kv(pairs ...string) []types.Attribute {
	out := make([]types.Attribute, 0, len(pairs)/2)
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, types.Attribute{Key: pairs[i], Value: pairs[i+1]})
	}
	return out
}

// manyAttrs is n attributes k00=v, k01=v, ... in key order.
func manyAttrs(n int) []types.Attribute {
	out := make([]types.Attribute, n)
	for i := range out {
		out[i] = types.Attribute{Key: fmt.Sprintf("k%02d", i), Value: "v"}
	}
	return out
}

// exportQuorum is the quorum module's whole state.
func exportQuorum(t testing.TB, f *fixture.Fixture) *types.GenesisState {
	t.Helper()
	gs, err := f.Quorum.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	return gs
}

// signAttrs has auditor sign attributes of provider.
func signAttrs(t fixture.TB, f *fixture.Fixture, auditor, provider sdk.AccAddress, attrs ...types.Attribute) {
	t.Helper()
	_, err := keeper.NewMsgServerImpl(f.Quorum).SignProviderAttributes(f.Ctx,
		&types.MsgSignProviderAttributes{Auditor: auditor.String(), Provider: provider.String(), Attributes: attrs})
	require.NoError(t, err)
}

// removeAuditor withdraws auditor's approval.
func removeAuditor(t *testing.T, f *fixture.Fixture, auditor sdk.AccAddress) {
	t.Helper()
	_, err := keeper.NewMsgServerImpl(f.Quorum).RemoveAuditor(f.Ctx, &types.MsgRemoveAuditor{Authority: gov(f), Auditor: auditor.String()})
	require.NoError(t, err)
}

// setQuorumParams changes the quorum params directly.
func setQuorumParams(t testing.TB, f *fixture.Fixture, mutate func(*types.Params)) {
	t.Helper()
	p, err := f.Quorum.Params.Get(f.Ctx)
	require.NoError(t, err)
	mutate(&p)
	require.NoError(t, f.Quorum.Params.Set(f.Ctx, p))
}

// freshEvents gives the fixture's context an empty event manager.
func freshEvents(f *fixture.Fixture) { f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager()) }

// quorumEvents parses the quorum module's typed events on the fixture's context, in order.
func quorumEvents(t *testing.T, f *fixture.Fixture) []any {
	t.Helper()
	var out []any
	for _, ev := range f.Ctx.EventManager().Events() {
		if !strings.HasPrefix(ev.Type, "fog.quorum.v1.") {
			continue
		}
		msg, err := sdk.ParseTypedEvent(abci.Event(ev))
		require.NoError(t, err)
		out = append(out, msg)
	}
	return out
}

// spellingsOf gives other spellings of addr: all upper case (the same account), mixed case and
// another chain's prefix (not addresses of this chain).
func spellingsOf(t *testing.T, addr sdk.AccAddress) (upper, mixed, foreign string) {
	t.Helper()
	s := addr.String()
	foreign, err := addresscodec.NewBech32Codec("cosmos").BytesToString(addr)
	require.NoError(t, err)
	return strings.ToUpper(s), strings.ToUpper(s[:6]) + s[6:], foreign
}
