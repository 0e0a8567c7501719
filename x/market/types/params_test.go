package types_test

import (
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

func TestDefaultParamsAndGenesisAreValid(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	require.NoError(t, types.DefaultGenesis().Validate())
	require.EqualValues(t, 3, types.DefaultParams().MinCommitBlocks, "1-second blocks: 3-block phases allowed")
}

func TestInvalidParams(t *testing.T) {
	for name, mutate := range map[string]func(*types.Params){
		"zero deposit":          func(p *types.Params) { p.BidDeposit = sdk.NewInt64Coin("ufog", 0) },
		"bad deposit denom":     func(p *types.Params) { p.BidDeposit = sdk.Coin{Denom: "1x", Amount: math.OneInt()} },
		"no bids allowed":       func(p *types.Params) { p.MaxBidsPerOrder = 0 },
		"min commit above max":  func(p *types.Params) { p.MinCommitBlocks = p.MaxCommitBlocks + 1 },
		"zero min reveal":       func(p *types.Params) { p.MinRevealBlocks = 0 },
		"zero min lease":        func(p *types.Params) { p.MinLeaseBlocks = 0 },
		"zero start timeout":    func(p *types.Params) { p.StartTimeoutBlocks = 0 },
		"zero replicas":         func(p *types.Params) { p.Gold.Replicas = 0 },
		"too many replicas":     func(p *types.Params) { p.Gold.Replicas = 65 },
		"replicas above bids":   func(p *types.Params) { p.MaxBidsPerOrder = 2 },
		"zero multiplier":       func(p *types.Params) { p.Silver.Multiplier = math.LegacyZeroDec() },
		"nil multiplier":        func(p *types.Params) { p.Bronze.Multiplier = math.LegacyDec{} },
		"ema weight above one":  func(p *types.Params) { p.EmaWeight = math.LegacyNewDecWithPrec(11, 1) },
		"zero ema weight":       func(p *types.Params) { p.EmaWeight = math.LegacyZeroDec() },
		"zero attribute bound":  func(p *types.Params) { p.MaxAttributes = 0 },
		"zero multiaddr length": func(p *types.Params) { p.MaxMultiaddrBytes = 0 },
	} {
		t.Run(name, func(t *testing.T) {
			p := types.DefaultParams()
			mutate(&p)
			require.ErrorIs(t, p.Validate(), types.ErrInvalidParams)
		})
	}
}

func TestParseTierAndPrivacy(t *testing.T) {
	for in, want := range map[string]types.Tier{"bronze": types.TierBronze, "silver": types.TierSilver, "TIER_GOLD": types.TierGold} {
		got, err := types.ParseTier(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	for _, bad := range []string{"", "platinum", "unspecified", "TIER_UNSPECIFIED"} {
		_, err := types.ParseTier(bad)
		require.ErrorIs(t, err, types.ErrInvalidTier, bad)
	}
	for in, want := range map[string]types.Privacy{"public": types.PrivacyPublic, "secret": types.PrivacySecret, "PRIVACY_CONFIDENTIAL": types.PrivacyConfidential} {
		got, err := types.ParsePrivacy(in)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	_, err := types.ParsePrivacy("open")
	require.ErrorIs(t, err, types.ErrInvalidPrivacy)
}
