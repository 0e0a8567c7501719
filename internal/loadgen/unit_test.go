package loadgen

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestPercentilesAreNearestRank(t *testing.T) {
	var ds []time.Duration
	for i := 100; i >= 1; i-- { // 1..100 ms, given in reverse
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	require.Equal(t, Percentiles{N: 100, P50: 50, P95: 95, P99: 99, Max: 100}, percentiles(ds))
	require.Equal(t, Percentiles{N: 1, P50: 7, P95: 7, P99: 7, Max: 7}, percentiles([]time.Duration{7 * time.Millisecond}))
	require.Equal(t, Percentiles{}, percentiles(nil))
	// 3 values: p50 is the 2nd, p95 and p99 the 3rd
	require.Equal(t, Percentiles{N: 3, P50: 2, P95: 3, P99: 3, Max: 3}, percentiles([]time.Duration{3e6, 1e6, 2e6}))
}

func TestDeriveIsDeterministicPerSeed(t *testing.T) {
	a, b, c := Derive("s1", 3), Derive("s1", 3), Derive("s2", 3)
	seen := map[string]bool{}
	for i, acc := range a.All() {
		require.Equal(t, acc.Addr, b.All()[i].Addr)
		require.NotEqual(t, acc.Addr, c.All()[i].Addr)
		require.False(t, seen[acc.Addr.String()], "address repeated")
		seen[acc.Addr.String()] = true
	}
	k1, id1, err := a.workerKey(0)
	require.NoError(t, err)
	k2, id2, err := a.workerKey(1)
	require.NoError(t, err)
	require.NotEqual(t, k1, k2)
	require.NotEqual(t, id1, id2)
	require.NotEqual(t, a.salt(0, 1), a.salt(0, 2))
	require.NotEqual(t, a.salt(0, 1), a.salt(1, 1))
}
