package keeper

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/proofs/types"
	"github.com/fogchain/fog/zk/prover"
)

// The memory cache stays bounded and never drops the key of a warm circuit: a full cache drops the
// least recently used key outside the warm set, so what verifications are not charged to load is
// always parsed.
func TestKeyCacheKeepsWarmKeys(t *testing.T) {
	_, vk, err := prover.Setup("range")
	require.NoError(t, err)
	lim := types.DefaultParams().KeyLimits()
	// the largest warm set there can be, all used before any other circuit
	warm := func(id uint64) bool { return id <= types.MaxWarmCircuitsLimit }
	c := newVKCache()
	const extra = 40
	for id := uint64(1); id <= vkCacheSize+extra; id++ {
		_, err := c.get(types.Circuit{Id: id, VerifyingKey: vk, PublicInputCount: 3}, lim, warm)
		require.NoError(t, err)
	}
	require.Len(t, c.entries, vkCacheSize)
	for id := uint64(1); id <= vkCacheSize+extra; id++ {
		_, ok := c.entries[id]
		switch {
		case warm(id):
			require.True(t, ok, "warm circuit %d was dropped", id)
		case id <= types.MaxWarmCircuitsLimit+extra:
			require.False(t, ok, "circuit %d, the least recently used outside the warm set, stayed", id)
		default:
			require.True(t, ok, "circuit %d, recently used, was dropped", id)
		}
	}
}
