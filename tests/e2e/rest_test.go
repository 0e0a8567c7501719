package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
)

// Every enum query parameter of every fog REST route, through the real API server, written the way
// the module READMEs write it: by name, and by number. x/reputation and x/proofs have no enum query
// parameter. The market's matched order also has an x/quorum record. The scenario's customer has one matched order with an active lease and one open order,
// and its provider a simulated enclave, so each filter is seen to keep what it names and drop the
// rest (other scenarios' records may appear in the unfiltered lists of the shared chain).
func restEnumQueryParameters(t *testing.T, c *chain) {
	customer, p1 := c.addr(t, "x-customer"), c.addr(t, "x-p1")
	c.mustTx(t, "x-p1", "market", "register-provider", "12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw",
		"--multiaddrs", "/ip4/127.0.0.1/tcp/4001", "--worker-pubkey", workerKeyOf(7), "--cpu", "4000", "--memory", "8192")
	matched := c.createOrder(t, "x-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "1000",
		"--sla-tier", "bronze", "--privacy", "public", "--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks)
	commitBy, revealBy := atoi(t, matched.CommitDeadline), atoi(t, matched.RevealDeadline)
	c.mustTxBy(t, commitBy, "x-p1", "market", "commit-bid", matched.ID, "5ufog")
	// the attestation is made while the auction's commit phase runs
	c.attestSimulated(t, "x-p1", workerKeyOf(7))

	c.waitHeight(t, commitBy+1)
	c.mustTxBy(t, revealBy, "x-p1", "market", "reveal-bid", matched.ID)
	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "order "+matched.ID+" settled", func() bool { return c.order(t, matched.ID).State == "ORDER_STATE_MATCHED" })
	leases := c.ownLeases(t, "x-customer")
	require.Len(t, leases, 1)
	lease := leases[0].ID
	c.mustTxBy(t, atoi(t, leases[0].StartDeadline), "x-p1", "market", "start-lease", lease)

	open := c.createOrder(t, "x-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "10",
		"--sla-tier", "bronze", "--privacy", "public", "--commit-blocks", "5000", "--reveal-blocks", "10").ID

	for _, tc := range []struct {
		path, list, key string
		// own: the filter is by this scenario's owner or provider, so the list is exactly want;
		// otherwise want must be in it and unwanted must not
		own            bool
		want, unwanted []string
	}{
		{"/fog/market/v1/orders?state=ORDER_STATE_OPEN&pagination.limit=1000", "orders", "id", false, []string{open}, []string{matched.ID}},
		{"/fog/market/v1/orders?state=ORDER_STATE_MATCHED&pagination.limit=1000", "orders", "id", false, []string{matched.ID}, []string{open}},
		{"/fog/market/v1/orders?owner=" + customer + "&state=ORDER_STATE_CANCELLED", "orders", "id", true, nil, nil},
		{"/fog/market/v1/orders?owner=" + customer + "&state=1", "orders", "id", true, []string{open}, nil},
		{"/fog/market/v1/leases?provider=" + p1 + "&state=LEASE_STATE_ACTIVE", "leases", "id", true, []string{lease}, nil},
		{"/fog/market/v1/leases?owner=" + customer + "&state=LEASE_STATE_PENDING", "leases", "id", true, nil, nil},
		{"/fog/market/v1/leases?owner=" + customer + "&state=2", "leases", "id", true, []string{lease}, nil},
		{"/fog/market/v1/orders/state/ORDER_STATE_OPEN?pagination.limit=1000", "orders", "id", false, []string{open}, []string{matched.ID}},
		{"/fog/market/v1/orders/state/2?pagination.limit=1000", "orders", "id", false, []string{matched.ID}, []string{open}},
		{"/fog/market/v1/providers/" + p1 + "/leases?state=LEASE_STATE_ACTIVE", "leases", "id", true, []string{lease}, nil},
		{"/fog/market/v1/providers/" + p1 + "/leases?state=1", "leases", "id", true, nil, nil},
		{"/fog/tee/v1/enclaves?tee_type=TEE_TYPE_SIMULATED&pagination.limit=1000", "enclaves", "provider", false, []string{p1}, nil},
		{"/fog/tee/v1/enclaves?tee_type=TEE_TYPE_SEV_SNP", "enclaves", "provider", false, nil, []string{p1}},
		{"/fog/tee/v1/enclaves?tee_type=3&pagination.limit=1000", "enclaves", "provider", false, []string{p1}, nil},
		// the matched order's lease is active, so its quorum record is
		{"/fog/quorum/v1/quorums?state=QUORUM_STATE_ACTIVE&pagination.limit=1000", "quorums", "order_id", false, []string{matched.ID}, nil},
		{"/fog/quorum/v1/quorums?state=2&pagination.limit=1000", "quorums", "order_id", false, nil, []string{matched.ID}},
		// an SDK module's enum, resolved before the fog ones were registered, still is
		{"/cosmos/gov/v1/proposals?proposal_status=PROPOSAL_STATUS_PASSED", "proposals", "id", false, nil, nil},
	} {
		var res map[string]any
		c.rest(t, tc.path, &res)
		items, ok := res[tc.list].([]any)
		require.True(t, ok || len(tc.want) == 0, "%s: no %q list in %v", tc.path, tc.list, res)
		var got []string
		for _, it := range items {
			got = append(got, it.(map[string]any)[tc.key].(string))
		}
		if tc.own {
			require.Equal(t, tc.want, got, tc.path)
			continue
		}
		for _, w := range tc.want {
			require.Contains(t, got, w, tc.path)
		}
		for _, u := range tc.unwanted {
			require.NotContains(t, got, u, tc.path)
		}
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
	c.rest(t, "/fog/market/v1/params", &params)
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
		c.rest(t, "/fog/market/v1/quote?cpu_millicores=1000&tier="+tc.tier+"&lease_blocks=100", &quote)
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
