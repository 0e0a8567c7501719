package market_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/market"
	"github.com/fogchain/fog/x/market/types"
)

func TestHooksRunInTheConfiguredOrder(t *testing.T) {
	subscribed := map[string]types.MarketHooksWrapper{
		"tee": {MarketHooks: types.NoMarketHooks{}}, "reputation": {MarketHooks: types.NoMarketHooks{}}, "quorum": {MarketHooks: types.NoMarketHooks{}},
	}
	names := func(hs []types.NamedHooks) (out []string) {
		for _, h := range hs {
			out = append(out, h.Name)
		}
		return out
	}
	hs, err := market.OrderHooks(subscribed, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"quorum", "reputation", "tee"}, names(hs), "by module name when no order is configured")
	hs, err = market.OrderHooks(subscribed, []string{"tee", "quorum", "reputation"})
	require.NoError(t, err)
	require.Equal(t, []string{"tee", "quorum", "reputation"}, names(hs))

	for _, bad := range [][]string{{"tee", "quorum"}, {"tee", "quorum", "quorum"}, {"tee", "quorum", "training"}} {
		_, err := market.OrderHooks(subscribed, bad)
		require.ErrorContains(t, err, "hooks_order", "order %v", bad)
	}
	hs, err = market.OrderHooks(nil, nil)
	require.NoError(t, err)
	require.Empty(t, hs)
}
