package types

import "github.com/fogchain/fog/fogtypes"

// Tier is a reputation tier, decided by the lower bound of an account's Beta posterior. It is shared
// with x/market, whose orders may require a minimum tier, so it lives in fogtypes.
type Tier = fogtypes.ReputationTier

const (
	TierUnspecified = fogtypes.TierUnspecified
	TierBronze      = fogtypes.TierBronze
	TierSilver      = fogtypes.TierSilver
	TierGold        = fogtypes.TierGold
	TierPlatinum    = fogtypes.TierPlatinum
	TierDiamond     = fogtypes.TierDiamond
)
