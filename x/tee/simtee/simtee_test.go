package simtee_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/x/tee/simtee"
	"github.com/fogchain/fog/x/tee/types"
)

var (
	now         = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	measurement = bytes.Repeat([]byte{0x4d}, 48)
	bound       = bytes.Repeat([]byte{0x42}, 64)
)

func device(t testing.TB) (simtee.Root, *simtee.Device) {
	root, err := simtee.NewRoot(bytes.Repeat([]byte{1}, 32))
	require.NoError(t, err)
	dev, err := root.NewDevice(bytes.Repeat([]byte{2}, 32), now.Add(-time.Hour), now.Add(time.Hour), 3)
	require.NoError(t, err)
	return root, dev
}

func allowed(m []byte) bool { return bytes.Equal(m, measurement) }

func TestVerifyAndDeviceFile(t *testing.T) {
	root, dev := device(t)
	path := filepath.Join(t.TempDir(), "device.json")
	require.NoError(t, simtee.WriteDevice(path, dev))
	loaded, err := simtee.LoadDevice(path)
	require.NoError(t, err)
	ev, err := loaded.Evidence(measurement, bound, false)
	require.NoError(t, err)
	res, err := simtee.Verify(ev, [][]byte{root.Public()}, now, bound, allowed, 3)
	require.NoError(t, err)
	require.Equal(t, measurement, res.Measurement)
	require.Equal(t, uint64(3), res.TCB)

	_, err = simtee.Verify(ev, [][]byte{root.Public()}, now, bound, allowed, 4)
	require.ErrorIs(t, err, types.ErrTCB)
	_, err = simtee.Verify(ev, [][]byte{root.Public()}, now.Add(2*time.Hour), bound, allowed, 0)
	require.ErrorIs(t, err, types.ErrCertExpired)
	_, err = simtee.Verify(ev, nil, now, bound, allowed, 0)
	require.ErrorIs(t, err, types.ErrUntrustedChain)
	for _, bad := range [][]byte{nil, ev[:len(ev)/2], bytes.Repeat([]byte{0xff}, 100)} {
		_, err = simtee.Verify(bad, [][]byte{root.Public()}, now, bound, allowed, 0)
		require.Error(t, err)
	}
	_, err = simtee.LoadDevice(filepath.Join(t.TempDir(), "missing.json"))
	require.Error(t, err)
}

func FuzzVerify(f *testing.F) {
	root, dev := device(f)
	ev, err := dev.Evidence(measurement, bound, false)
	require.NoError(f, err)
	f.Add(ev)
	f.Fuzz(func(t *testing.T, evidence []byte) {
		_, _ = simtee.Verify(evidence, [][]byte{root.Public()}, now, bound, allowed, 0) // must not panic
	})
}
