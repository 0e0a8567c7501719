package worker_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

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
	for _, typ := range []string{"none", "auto", "sev-snp", "tdx"} {
		cfg := worker.DefaultConfig()
		cfg.Tee.Type = typ
		require.NoError(t, cfg.Validate(), typ)
	}
}
