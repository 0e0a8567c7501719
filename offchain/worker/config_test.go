package worker_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/offchain/task"
	"github.com/fogchain/fog/offchain/worker"
)

func TestConfigRoundTripAndValidation(t *testing.T) {
	home := t.TempDir()
	cfg := worker.DefaultConfig()
	cfg.KeyName = "provider1"
	cfg.Attributes = map[string]string{"region": "eu-west"}
	cfg.Policy.Tiers, cfg.Policy.Privacy = []string{"bronze"}, []string{}
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	_, err = worker.WriteConfig(home, cfg)
	require.ErrorContains(t, err, "exists", "an existing worker.toml is never overwritten")

	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(bz), "# libp2p listen multiaddrs", "the file explains its keys")

	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, cfg, loaded)
	require.NoError(t, loaded.Validate())
	resolved := loaded.Resolve(home)
	require.Equal(t, filepath.Join(home, "worker-data"), resolved.DataDir, "never the node's data/")
	require.Equal(t, home, resolved.KeyringDir)

	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(bz), "gas_limit", "gas_limt", 1)), 0o600))
	_, err = worker.LoadConfig(home)
	require.ErrorContains(t, err, "gas_limt", "a typo in a key is an error, not a silent default")

	_, err = worker.LoadConfig(t.TempDir())
	require.ErrorContains(t, err, "fogd worker init")
}

func TestConfigValidateSaysWhatToFix(t *testing.T) {
	cfg := worker.DefaultConfig()
	cfg.ChainID, cfg.KeyName, cfg.GasPrice = "", "", "cheap"
	cfg.Listen = []string{"127.0.0.1:4001"}
	cfg.Capacity.CPUMillicores = 0
	cfg.Pricing.Margin = "0"
	cfg.Policy.Tiers = []string{"platinum"}
	err := cfg.Validate()
	require.Error(t, err)
	for _, want := range []string{"chain_id", "key_name", "gas_price", "listen", "capacity", "pricing", "policy.tiers"} {
		require.ErrorContains(t, err, want)
	}
}

func TestConfigTeeSection(t *testing.T) {
	home := t.TempDir()
	cfg := worker.DefaultConfig()
	require.Equal(t, "none", cfg.Tee.Type, "no attestation unless asked")
	require.Equal(t, int64(200), cfg.Tee.RenewBeforeBlocks)
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(bz), "[tee]")
	require.Contains(t, string(bz), "# none (no attestation) | auto")

	body := strings.Replace(string(bz), "type = 'none'", "type = 'simulated'", 1)
	body = strings.Replace(body, "simulated_device = ''", "simulated_device = 'sim-device.json'", 1)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, "simulated", loaded.Tee.Type)
	require.NoError(t, loaded.Validate())
	require.Equal(t, filepath.Join(home, "sim-device.json"), loaded.Resolve(home).Tee.SimulatedDevice, "relative to the home")

	for _, c := range []struct {
		edit func(*worker.Config)
		want string
	}{
		{func(c *worker.Config) { c.Tee.Type = "sgx" }, `tee.type "sgx"`},
		{func(c *worker.Config) { c.Tee.Type = "simulated" }, "simulated_device"},
		{func(c *worker.Config) { c.Tee.Type, c.Tee.RenewBeforeBlocks = "auto", 0 }, "renew_before_blocks"},
	} {
		cfg := worker.DefaultConfig()
		c.edit(&cfg)
		require.ErrorContains(t, cfg.Validate(), c.want)
	}
	// the test-vendor backends (development networks) need nothing more: their keys are built in
	for _, typ := range []string{"none", "auto", "sev-snp", "tdx", "test-sev-snp", "test-tdx"} {
		cfg := worker.DefaultConfig()
		cfg.Tee.Type = typ
		require.NoError(t, cfg.Validate(), typ)
	}
}

// [anchor] has documented defaults, takes max_age as a duration or a block count, and says what is
// wrong with a bad value; a worker.toml with the former [anchoring] section is told what replaced it.
func TestConfigAnchorSection(t *testing.T) {
	cfg := worker.DefaultConfig()
	require.Equal(t, 16, cfg.Anchor.MaxBatch)
	require.Equal(t, "30s", cfg.Anchor.MaxAge.String())

	home := t.TempDir()
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(bz), "[anchor]\n")
	require.Contains(t, string(bz), "max_batch = 16\n")
	require.Contains(t, string(bz), "max_age = '30s'")
	require.Contains(t, string(bz), `# or once the oldest waiting receipt is this old: a duration ("30s") or a block count ("20 blocks")`)

	body := strings.Replace(strings.Replace(string(bz), "max_age = '30s'", "max_age = '12 blocks'", 1), "max_batch = 16", "max_batch = 64", 1)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, int64(12), loaded.Anchor.MaxAge.Blocks)
	require.Equal(t, 64, loaded.Anchor.MaxBatch)
	require.NoError(t, loaded.Validate())

	require.NoError(t, os.WriteFile(path, []byte(strings.Replace(body, "max_age = '12 blocks'", "max_age = '12'", 1)), 0o600))
	_, err = worker.LoadConfig(home)
	require.ErrorContains(t, err, `max_age "12" is neither a duration such as "30s" nor a block count such as "20 blocks"`)

	for _, c := range []struct {
		name string
		edit func(*worker.Config)
		want string
	}{
		{"empty batch", func(c *worker.Config) { c.Anchor.MaxBatch = 0 }, "anchor.max_batch = 0: want 1 to 1048576 receipts per batch"},
		{"batch above the chain's default max_leaf_count", func(c *worker.Config) { c.Anchor.MaxBatch = 1<<20 + 1 }, "anchor.max_batch = 1048577"},
		{"no age", func(c *worker.Config) { c.Anchor.MaxAge.Duration = 0 }, `anchor.max_age = "0s": want a positive duration such as "30s" or a block count such as "20 blocks"`},
		{"negative duration", func(c *worker.Config) { c.Anchor.MaxAge.Duration = -time.Second }, `anchor.max_age = "-1s"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := worker.DefaultConfig()
			c.edit(&cfg)
			require.ErrorContains(t, cfg.Validate(), c.want)
		})
	}

	old := strings.Replace(strings.Replace(string(bz), "[anchor]\n", "[anchoring]\n", 1), "max_batch = 16", "every_receipts = 16", 1)
	require.NoError(t, os.WriteFile(path, []byte(old), 0o600))
	_, err = worker.LoadConfig(home)
	require.ErrorContains(t, err, `[anchoring] (every_receipts, every_blocks) was replaced by [anchor]: max_batch = 16 and max_age = "30s"`)
}

// [sessions] has documented defaults, reaches the task server as its session limits, and says what
// is wrong with a bad value.
func TestConfigSessionsSection(t *testing.T) {
	cfg := worker.DefaultConfig()
	require.Equal(t, 24*time.Hour, cfg.Sessions.MaxTTL.Duration)
	require.Equal(t, 5*time.Second, cfg.Sessions.RecheckInterval.Duration)
	require.Equal(t, 10_000, cfg.Sessions.MaxSessions)
	require.Equal(t, 16, cfg.Sessions.MaxPerLease)
	require.Equal(t, task.DefaultSessionLimits(), cfg.Sessions.TaskLimits())

	home := t.TempDir()
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	for _, want := range []string{"[sessions]\n", "max_ttl = '24h0m0s'\n", "recheck_interval = '5s'\n", "max_sessions = 10000\n", "max_sessions_per_lease = 16\n",
		"# how old a session's view of its lease may grow before the lease is read again from the node"} {
		require.Contains(t, string(bz), want)
	}
	body := strings.Replace(string(bz), "recheck_interval = '5s'", "recheck_interval = '2s'", 1)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.NoError(t, loaded.Validate())
	require.Equal(t, 2*time.Second, loaded.Sessions.TaskLimits().RecheckInterval)

	// a worker.toml written before [sessions] existed gets the defaults
	body = strings.Replace(string(bz), "[sessions]", "", 1)
	for _, key := range []string{"max_ttl = '24h0m0s'", "recheck_interval = '5s'", "max_sessions = 10000", "max_sessions_per_lease = 16"} {
		body = strings.Replace(body, key, "", 1)
	}
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err = worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, cfg.Sessions, loaded.Sessions)

	for _, c := range []struct {
		edit func(*worker.Config)
		want string
	}{
		{func(c *worker.Config) { c.Sessions.MaxTTL.Duration = 0 }, "sessions.max_ttl 0s: must be at least 1s"},
		{func(c *worker.Config) { c.Sessions.RecheckInterval.Duration = 0 }, "sessions.recheck_interval 0s: must be positive and at most 10m0s"},
		{func(c *worker.Config) { c.Sessions.RecheckInterval.Duration = time.Hour }, "a lease closed on chain is still served for up to this long"},
		{func(c *worker.Config) { c.Sessions.MaxSessions = 0 }, "max_sessions and max_sessions_per_lease must be positive"},
		{func(c *worker.Config) { c.Sessions.MaxPerLease = -1 }, "got 10000 and -1"},
		{func(c *worker.Config) { c.Sessions.MaxSessions, c.Sessions.MaxPerLease = 4, 8 }, "max_sessions_per_lease at most max_sessions (got 4 and 8)"},
	} {
		cfg := worker.DefaultConfig()
		c.edit(&cfg)
		require.ErrorContains(t, cfg.Validate(), c.want)
	}
}

// [verifier]: the worker joins the verifier pool only when told to; the section is in the template,
// a worker.toml without it gets the defaults, and a fetch timeout must be positive and bounded.
func TestConfigVerifierSection(t *testing.T) {
	cfg := worker.DefaultConfig()
	require.False(t, cfg.Verifier.Join, "no verifier deposit is locked unless asked")
	require.Equal(t, 30*time.Second, cfg.Verifier.FetchTimeout.Duration)

	home := t.TempDir()
	path, err := worker.WriteConfig(home, cfg)
	require.NoError(t, err)
	bz, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(bz), "[verifier]\n")
	require.Contains(t, string(bz), "# join the verifier pool at start if the provider is not in it")
	require.Contains(t, string(bz), "join = false\n")
	require.Contains(t, string(bz), "fetch_timeout = '30s'")

	body := strings.Replace(strings.Replace(string(bz), "join = false", "join = true", 1), "fetch_timeout = '30s'", "fetch_timeout = '1m'", 1)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
	loaded, err := worker.LoadConfig(home)
	require.NoError(t, err)
	require.True(t, loaded.Verifier.Join)
	require.Equal(t, time.Minute, loaded.Verifier.FetchTimeout.Duration)
	require.NoError(t, loaded.Validate())

	// a worker.toml written before [verifier] existed
	i := strings.Index(body, "[verifier]")
	require.Positive(t, i)
	j := strings.Index(body[i:], "fetch_timeout = '1m'")
	require.NoError(t, os.WriteFile(path, []byte(body[:i]+body[i+j+len("fetch_timeout = '1m'"):]), 0o600))
	loaded, err = worker.LoadConfig(home)
	require.NoError(t, err)
	require.Equal(t, cfg.Verifier, loaded.Verifier)

	for _, d := range []time.Duration{0, -time.Second, 11 * time.Minute} {
		cfg := worker.DefaultConfig()
		cfg.Verifier.FetchTimeout.Duration = d
		require.ErrorContains(t, cfg.Validate(), "verifier.fetch_timeout")
	}
	require.False(t, strings.Contains(string(bz), "unsafe"), "the development flag is never written to worker.toml")
}
