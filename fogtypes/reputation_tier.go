package fogtypes

// Short is the tier's lower-case name.
func (t ReputationTier) Short() string {
	switch t {
	case TierBronze:
		return "bronze"
	case TierSilver:
		return "silver"
	case TierGold:
		return "gold"
	case TierPlatinum:
		return "platinum"
	case TierDiamond:
		return "diamond"
	}
	return "unspecified"
}
