package worker_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/worker"
)

func TestConfigObserverSection(t *testing.T) {
	cfg := worker.DefaultConfig()
	require.False(t, cfg.Observer.Enabled, "the observer duty is off by default")
	require.Equal(t, 200*time.Millisecond, cfg.Observer.ProbeInterval.Duration)
	require.Equal(t, 5*time.Second, cfg.Observer.ProbeTimeout.Duration)
	require.NoError(t, cfg.Validate())

	home := t.TempDir()
	cfg.UnsafeInjectLatency = time.Second
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, want := range []string{"[observer]\n", "enabled = false\n", "probe_interval = '200ms'\n", "probe_timeout = '5s'",
		"# SLA observer duty (proof of SLA)", "# a probe not answered within this counts as sent and not answered"} {
		require.Contains(t, string(bz), want)
	}
	require.NotContains(t, string(bz), "inject", "the development-only latency is a flag, never in worker.toml")

	body := strings.Replace(string(bz), "enabled = false", "enabled = true", 1)
	body = strings.Replace(body, "probe_interval = '200ms'", "probe_interval = '100ms'", 1)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.NoError(t, loaded.Validate())
	require.True(t, loaded.Observer.Enabled)
	require.Equal(t, 100*time.Millisecond, loaded.Observer.ProbeInterval.Duration)
	require.Zero(t, loaded.UnsafeInjectLatency)

	// a worker.toml written before [observer] existed gets the defaults
	body = string(bz)
	for _, key := range []string{"[observer]", "enabled = false", "probe_interval = '200ms'", "probe_timeout = '5s'"} {
		body = strings.Replace(body, key, "", 1)
	}
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err = worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, worker.DefaultObserverConfig(), loaded.Observer)

	for _, c := range []struct {
		edit func(*worker.Config)
		want string
	}{
		{func(c *worker.Config) { c.Observer.ProbeInterval.Duration = 5 * time.Millisecond }, "observer.probe_interval 5ms: must be at least 10ms"},
		{func(c *worker.Config) { c.Observer.ProbeTimeout.Duration = 0 }, "observer.probe_timeout 0s: must be positive and at most 1m0s"},
		{func(c *worker.Config) { c.Observer.ProbeTimeout.Duration = time.Hour }, "observer.probe_timeout 1h0m0s"},
		{func(c *worker.Config) { c.Observer.ProbeInterval.Duration = 10 * time.Millisecond }, "observer.probe_timeout 5s: must be at most 50 × probe_interval (500ms)"},
		{func(c *worker.Config) { c.UnsafeInjectLatency = -time.Second }, "--unsafe-inject-latency -1s: must not be negative"},
	} {
		bad := worker.DefaultConfig()
		c.edit(&bad)
		require.ErrorContains(t, bad.Validate(), c.want)
	}
}
