package e2e

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every enum query parameter of every fog REST route, through the real API server, written the way
// the module READMEs write it: by name, and by number. x/reputation and x/proofs have no enum query
// parameter. The chain holds one matched order with an active lease, one open order and one
// simulated enclave, so each filter is seen to keep what it names and drop the rest.
func TestRESTEnumQueryParameters(t *testing.T) {
	dir := t.TempDir()
	root, device := filepath.Join(dir, "root.key"), filepath.Join(dir, "device.json")
	c := startChainWith(t, func(c *chain) {
		measurement := strings.TrimSpace(c.fogd("tee", "measurement"))
		c.fogd("tee", "sim-root", "--out", root)
		c.fogd("tee", "sim-device", "--root", root, "--out", device)
		c.fogd("tee", "add-genesis-simulated-root", root, "--home", c.home)
		c.fogd("tee", "add-genesis-measurement", "simulated", measurement, "--home", c.home)
	}, "customer", "p1")
	customer, p1 := c.addr("customer"), c.addr("p1")
	const workerKey = "aaa8f70644f0ef00b94a651731c2a4c583147e07fba4ef22dc2ba2ca201212ec"

	c.mustTx("p1", "market", "register-provider", "12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw",
		"--multiaddrs", "/ip4/127.0.0.1/tcp/4001", "--worker-pubkey", workerKey, "--cpu", "4000", "--memory", "8192")
	c.mustTx("customer", "market", "create-order",
		"f00dfeed00000000000000000000000000000000000000000000000000000000", "10ufog",
		"--cpu", "1000", "--memory", "512", "--lease-blocks", "1000", "--tier", "bronze", "--privacy", "public",
		"--commit-blocks", "15", "--reveal-blocks", "10")
	var orders struct {
		Orders []struct {
			ID             string `json:"id"`
			CommitDeadline string `json:"commit_deadline"`
			RevealDeadline string `json:"reveal_deadline"`
		} `json:"orders"`
	}
	c.query(&orders, "market", "orders", "--owner", customer)
	require.Len(t, orders.Orders, 1)
	matched := orders.Orders[0]
	c.mustTx("p1", "market", "commit-bid", matched.ID, "5ufog")

	// the attestation is made while the auction's commit phase runs
	var nonce struct {
		Nonce struct {
			Height string `json:"height"`
			Hash   string `json:"hash"`
		} `json:"nonce"`
	}
	c.query(&nonce, "tee", "nonce")
	hash, err := base64.StdEncoding.DecodeString(nonce.Nonce.Hash)
	require.NoError(t, err)
	evidence := filepath.Join(dir, "p1.evidence")
	c.fogd("tee", "sim-evidence", p1, workerKey, hex.EncodeToString(hash), "--device", device, "--out", evidence)
	c.mustTx("p1", "tee", "submit-attestation", "simulated", evidence, nonce.Nonce.Height)

	c.waitHeight(restAtoi(t, matched.CommitDeadline) + 1)
	c.mustTx("p1", "market", "reveal-bid", matched.ID)
	c.waitHeight(restAtoi(t, matched.RevealDeadline) + 1)
	var leases struct {
		Leases []struct {
			ID string `json:"id"`
		} `json:"leases"`
	}
	c.query(&leases, "market", "leases", "--owner", customer)
	require.Len(t, leases.Leases, 1)
	lease := leases.Leases[0].ID
	c.mustTx("p1", "market", "start-lease", lease)

	c.mustTx("customer", "market", "create-order",
		"f00dfeed00000000000000000000000000000000000000000000000000000000", "10ufog",
		"--cpu", "1000", "--memory", "512", "--lease-blocks", "10", "--tier", "bronze", "--privacy", "public",
		"--commit-blocks", "5000", "--reveal-blocks", "10")
	c.query(&orders, "market", "orders", "--owner", customer)
	require.Len(t, orders.Orders, 2)
	var open string
	for _, o := range orders.Orders {
		if o.ID != matched.ID {
			open = o.ID
		}
	}

	for _, tc := range []struct {
		path, list, key string
		want            []string
	}{
		{"/fog/market/v1/orders?state=ORDER_STATE_OPEN&pagination.limit=10", "orders", "id", []string{open}},
		{"/fog/market/v1/orders?state=ORDER_STATE_MATCHED", "orders", "id", []string{matched.ID}},
		{"/fog/market/v1/orders?owner=" + customer + "&state=ORDER_STATE_CANCELLED", "orders", "id", nil},
		{"/fog/market/v1/orders?state=1", "orders", "id", []string{open}},
		{"/fog/market/v1/leases?provider=" + p1 + "&state=LEASE_STATE_ACTIVE", "leases", "id", []string{lease}},
		{"/fog/market/v1/leases?state=LEASE_STATE_PENDING", "leases", "id", nil},
		{"/fog/market/v1/leases?owner=" + customer + "&state=2", "leases", "id", []string{lease}},
		{"/fog/tee/v1/enclaves?tee_type=TEE_TYPE_SIMULATED", "enclaves", "provider", []string{p1}},
		{"/fog/tee/v1/enclaves?tee_type=TEE_TYPE_SEV_SNP", "enclaves", "provider", nil},
		{"/fog/tee/v1/enclaves?tee_type=3&pagination.limit=10", "enclaves", "provider", []string{p1}},
		// an SDK module's enum, resolved before the fog ones were registered, still is
		{"/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD", "proposals", "id", nil},
	} {
		var res map[string]any
		c.rest(tc.path, &res)
		items, ok := res[tc.list].([]any)
		require.True(t, ok, "%s: no %q list in %v", tc.path, tc.list, res)
		var got []string
		for _, it := range items {
			got = append(got, it.(map[string]any)[tc.key].(string))
		}
		require.Equal(t, tc.want, got, tc.path)
	}

	// the quote's tier is seen in the replicas it buys, which the params fix per tier
	type tierParams struct {
		Replicas int64 `json:"replicas"`
	}
	var params struct {
		Params struct {
			Bronze tierParams `json:"bronze"`
			Silver tierParams `json:"silver"`
			Gold   tierParams `json:"gold"`
		} `json:"params"`
	}
	c.rest("/fog/market/v1/params", &params)
	tiers := params.Params
	require.NotEqual(t, tiers.Bronze.Replicas, tiers.Silver.Replicas,
		"the tiers must buy different replicas for the quote to show which tier it read")
	for _, tc := range []struct {
		tier     string
		replicas int64
	}{
		{"TIER_BRONZE", tiers.Bronze.Replicas}, {"TIER_SILVER", tiers.Silver.Replicas},
		{"TIER_GOLD", tiers.Gold.Replicas}, {"2", tiers.Silver.Replicas},
	} {
		var quote struct {
			Replicas int64 `json:"replicas"`
		}
		c.rest("/fog/market/v1/quote?cpu_millicores=1000&tier="+tc.tier+"&lease_blocks=100", &quote)
		require.Equal(t, tc.replicas, quote.Replicas, tc.tier)
	}

	for _, tc := range []struct{ path, value string }{
		{"/fog/market/v1/orders?state=ORDER_STATE_BOGUS", "ORDER_STATE_BOGUS"},
		{"/fog/market/v1/orders?state=99", "99"},
		{"/fog/market/v1/leases?state=LEASE_STATE_LIVE", "LEASE_STATE_LIVE"},
		{"/fog/market/v1/quote?cpu_millicores=1000&tier=TIER_PLATINUM", "TIER_PLATINUM"},
		{"/fog/tee/v1/enclaves?tee_type=TEE_TYPE_SGX", "TEE_TYPE_SGX"},
	} {
		status, msg := restError(t, c, tc.path)
		require.Equal(t, http.StatusBadRequest, status, tc.path)
		require.Contains(t, msg, tc.value+" is not a valid", tc.path)
		t.Logf("%s: %d %s", tc.path, status, msg)
	}
}

// restError GETs a path that must fail and returns the status and the gateway's error message.
func restError(t *testing.T, c *chain, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + c.api + path)
	require.NoError(t, err)
	defer resp.Body.Close()
	bz, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var body struct {
		Message string `json:"message"`
	}
	require.NoError(t, json.Unmarshal(bz, &body), string(bz))
	return resp.StatusCode, body.Message
}

func restAtoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}
