package fogtypes_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/fogtypes"
)

// The enums moved here from x/reputation and x/tee; their value names and numbers are what state,
// transactions and JSON carry, so they must not change.
func TestEnumEncodingsArePinned(t *testing.T) {
	require.Equal(t, map[int32]string{
		0: "TIER_UNSPECIFIED", 1: "TIER_BRONZE", 2: "TIER_SILVER", 3: "TIER_GOLD", 4: "TIER_PLATINUM", 5: "TIER_DIAMOND",
	}, fogtypes.ReputationTier_name)
	require.Equal(t, map[int32]string{
		0: "TEE_TYPE_UNSPECIFIED", 1: "TEE_TYPE_SEV_SNP", 2: "TEE_TYPE_TDX", 3: "TEE_TYPE_SIMULATED",
	}, fogtypes.TeeType_name)
}

func TestTeeTypeShortNames(t *testing.T) {
	for _, tc := range []struct {
		name  string
		short string
		want  fogtypes.TeeType
	}{
		{"sev-snp", "sev-snp", fogtypes.TeeTypeSevSnp},
		{"tdx", "tdx", fogtypes.TeeTypeTdx},
		{"simulated", "simulated", fogtypes.TeeTypeSimulated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := fogtypes.ParseTeeType(tc.short)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.short, got.Short())
		})
	}
	require.Equal(t, "any", fogtypes.TeeTypeUnspecified.Short())
	_, err := fogtypes.ParseTeeType("any")
	require.ErrorContains(t, err, "want sev-snp, tdx or simulated")
}

func TestReputationTierShortNames(t *testing.T) {
	seen := map[string]bool{}
	for v := range fogtypes.ReputationTier_name {
		short := fogtypes.ReputationTier(v).Short()
		require.False(t, seen[short], "%s twice", short)
		seen[short] = true
	}
	require.Equal(t, "unspecified", fogtypes.TierUnspecified.Short())
	require.Equal(t, "diamond", fogtypes.TierDiamond.Short())
}
