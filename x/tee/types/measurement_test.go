package types_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/tee/types"
)

func TestParseMeasurement(t *testing.T) {
	m := bytes.Repeat([]byte{0xab, 0x01}, types.MeasurementSize/2)
	canonical := types.MeasurementHex(m)
	require.Len(t, canonical, 96)
	got, err := types.ParseMeasurement(canonical)
	require.NoError(t, err)
	require.Equal(t, m, got)
	for _, c := range []struct{ name, s, why string }{
		{"empty", "", "0 hex digits, want 96"},
		{"short", canonical[:94], "94 hex digits, want 96"},
		{"odd", canonical + "0", "97 hex digits, want 96"},
		{"upper-case", strings.ToUpper(canonical), "'A' at offset 0 is not a lower-case hex digit"},
		{"0x prefix", "0x" + canonical[2:], "'x' at offset 1"},
		{"not hex", canonical[:95] + "g", "'g' at offset 95"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := types.ParseMeasurement(c.s)
			require.ErrorContains(t, err, c.why)
		})
	}
}

// One measurement has one string: whatever ParseMeasurement accepts is exactly MeasurementHex of
// what it returns.
func FuzzParseMeasurement(f *testing.F) {
	canonical := types.MeasurementHex(bytes.Repeat([]byte{0x4d}, types.MeasurementSize))
	for _, s := range []string{canonical, strings.ToUpper(canonical), canonical[1:], "", "zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := types.ParseMeasurement(s)
		if err != nil {
			return
		}
		require.Len(t, m, types.MeasurementSize)
		require.Equal(t, s, types.MeasurementHex(m))
	})
}
