package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Market params change only through governance: the proposal built by
// `fogd tx market update-params-proposal` from the params as `fogd q market params` prints them
// passes and takes effect (a non-authority sender is refused: see the keeper tests).
func TestParamsChangeThroughGovernance(t *testing.T) {
	c := startChain(t, "customer")
	raw := c.fogd("q", "market", "params", "--node", c.rpc, "-o", "json")
	require.Contains(t, raw, `"ema_weight": "0.200000000000000000"`)
	edited := strings.Replace(raw, `"max_bids_per_order": 100`, `"max_bids_per_order": 42`, 1)
	require.NotEqual(t, raw, edited)
	file := filepath.Join(t.TempDir(), "params.json")
	require.NoError(t, os.WriteFile(file, []byte(edited), 0o644))

	// invalid params are refused before anything is sent
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(raw, `"max_bids_per_order": 100`, `"max_bids_per_order": 0`, 1)), 0o644))
	_, err := c.try(append([]string{"tx", "market", "update-params-proposal", bad, "--title", "t", "--summary", "s",
		"--deposit", "10000000ufog", "--from", "val", "--chain-id", chainID, "--node", c.rpc, "-y"}, c.keyArgs()...)...)
	require.ErrorContains(t, err, "invalid params")

	c.mustTx("val", "market", "update-params-proposal", file, "--title", "Fewer bids per order",
		"--summary", "Lower max_bids_per_order to 42", "--deposit", "10000000ufog")
	c.mustTx("val", "gov", "vote", "1", "yes")

	deadline := time.Now().Add(time.Minute)
	for {
		var res struct {
			Params struct {
				MaxBids int `json:"max_bids_per_order"`
			} `json:"params"`
		}
		c.query(&res, "market", "params")
		if res.Params.MaxBids == 42 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the proposal did not take effect")
		time.Sleep(300 * time.Millisecond)
	}
}
