package e2e

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

type enclaveResponse struct {
	Enclave struct {
		Provider     string `json:"provider"`
		TeeType      string `json:"tee_type"`
		Measurement  string `json:"measurement"`
		ExpiryHeight string `json:"expiry_height"`
		EvidenceHash string `json:"evidence_hash"`
	} `json:"enclave"`
	Valid bool `json:"valid"`
}

// attestSimulated has provider attest with the chain's simulated TEE: evidence bound to its
// address, its registered worker key and a block hash the chain recorded.
func (c *chain) attestSimulated(t *testing.T, provider, workerKey string) string {
	t.Helper()
	var nonce struct {
		Nonce struct {
			Height string `json:"height"`
			Hash   string `json:"hash"`
		} `json:"nonce"`
	}
	c.query(t, &nonce, "tee", "nonce")
	hash, err := base64.StdEncoding.DecodeString(nonce.Nonce.Hash)
	require.NoError(t, err)
	evidence := filepath.Join(t.TempDir(), provider+".evidence")
	c.fogd(t, "tee", "sim-evidence", c.addr(t, provider), workerKey, hex.EncodeToString(hash), "--device", c.simDevice, "--out", evidence)
	c.mustTx(t, provider, "tee", "submit-attestation", "simulated", evidence, nonce.Nonce.Height)
	return evidence
}

// A confidential order through the real binary: the chain trusts a simulated TEE root and this fogd's
// measurement; t-p1 attests and may bid, t-p2 cannot attest with t-p1's evidence and its commit is
// refused without taking its deposit; t-p1 wins the lease.
func confidentialOrderOnlyForAttestedProviders(t *testing.T, c *chain) {
	c.registerProviders(t, "t-p1", "t-p2")
	evidence := c.attestSimulated(t, "t-p1", workerKeyOf(0))

	// t-p2 presents t-p1's evidence: bound to another provider and key
	var nonce struct {
		Nonce struct {
			Height string `json:"height"`
		} `json:"nonce"`
	}
	c.query(t, &nonce, "tee", "nonce")
	r := c.tx(t, "t-p2", "tee", "submit-attestation", "simulated", evidence, nonce.Nonce.Height)
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "report data does not bind")

	var enc enclaveResponse
	c.query(t, &enc, "tee", "enclave", c.addr(t, "t-p1"))
	require.True(t, enc.Valid)
	require.Equal(t, "TEE_TYPE_SIMULATED", enc.Enclave.TeeType)
	require.Equal(t, c.measurement, enc.Enclave.Measurement, "the verified measurement is this fogd's, as `fogd tee measurement` prints it")
	var rest enclaveResponse
	c.rest(t, "/fog/tee/v1/enclaves/"+c.addr(t, "t-p1"), &rest)
	require.Equal(t, enc, rest)
	var params struct {
		Params struct {
			AllowedMeasurements []struct {
				TeeType string `json:"tee_type"`
				Value   string `json:"value"`
			} `json:"allowed_measurements"`
		} `json:"params"`
	}
	c.query(t, &params, "tee", "params")
	// the genesis allows this fogd's measurement for the simulated TEE and for the test-vendor
	// SEV-SNP and TDX chains (the gold scenario's workers)
	require.Len(t, params.Params.AllowedMeasurements, 3)
	for _, m := range params.Params.AllowedMeasurements {
		require.Equal(t, c.measurement, m.Value, "the allowlist shows the measurement as `fogd tee measurement` prints it (%s)", m.TeeType)
	}
	_, err := c.try("q", "tee", "enclave", c.addr(t, "t-p2"), "--node", c.rpc)
	require.ErrorContains(t, err, "no enclave record")

	o := c.createOrder(t, "t-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--lease-blocks", "10",
		"--privacy", "confidential", "--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks)
	before := c.balance(t, "t-p2")
	r = c.tx(t, "t-p2", "market", "commit-bid", o.ID, "3ufog", "--bids-dir", t.TempDir())
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "no valid attestation")
	require.Equal(t, before, c.balance(t, "t-p2"), "a refused commit takes no deposit")
	commitBy, revealBy := atoi(t, o.CommitDeadline), atoi(t, o.RevealDeadline)
	c.mustTxBy(t, commitBy, "t-p1", "market", "commit-bid", o.ID, "5ufog")
	c.waitHeight(t, commitBy+1)
	c.mustTxBy(t, revealBy, "t-p1", "market", "reveal-bid", o.ID)
	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "order "+o.ID+" settled", func() bool { return c.order(t, o.ID).State != "ORDER_STATE_OPEN" })
	leases := c.ownLeases(t, "t-customer")
	require.Len(t, leases, 1)
	require.Equal(t, c.addr(t, "t-p1"), leases[0].Provider)
}

// A confidential order through `fogd client run` and real workers: a TEE worker (simulated, attested
// by the worker itself) and a cheaper worker without one. Only the attested worker bids and wins; the
// client prints the verified measurement (this fogd's) before delivering, and the receipt carries the
// hash of the attestation the chain holds.
func confidentialRunWithAttestedWorker(t *testing.T, c *chain) {
	attested := c.startWorkerWith(t, "w-tee", 5, "w-customer", map[string]string{"type": "'simulated'", "simulated_device": "'" + c.simDevice + "'"})
	plain := c.startWorker(t, "w-plain", 3, "w-customer")
	c.waitRegistered(t, attested, plain)
	var enc enclaveResponse
	c.waitFor(t, 200, "the TEE worker attested", func() bool {
		out, err := c.try("q", "tee", "enclave", c.addr(t, "w-tee"), "--node", c.rpc, "-o", "json")
		return err == nil && json.Unmarshal([]byte(out), &enc) == nil && enc.Valid
	})

	dir := t.TempDir()
	input := filepath.Join(dir, "input.txt")
	require.NoError(t, os.WriteFile(input, []byte("confidential\n"), 0o644))
	receipt := filepath.Join(dir, "receipt.json")
	// the client reports its progress on stderr
	run := exec.Command(fogdBin, append([]string{"client", "run", "--wasm", sha256Wasm, "--input", input, "--out", filepath.Join(dir, "out.txt"),
		"--receipt-out", receipt, "--max-price", "10ufog", "--lease-blocks", "200", "--privacy", "confidential",
		"--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks, "--memory", "256", "--from", "w-customer",
		"--chain-id", chainID, "--node", c.rpc, "--grpc-addr", c.grpc}, c.keyArgs()...)...)
	combined, err := run.CombinedOutput()
	out := string(combined)
	require.NoError(t, err, "%s\ntee worker log:\n%s\nplain worker log:\n%s", out, attested.logTail(), plain.logTail())
	require.Contains(t, out, "attested as simulated, measurement "+c.measurement, "the client shows the verified measurement")

	leases := c.ownLeases(t, "w-customer")
	require.Len(t, leases, 1)
	require.Equal(t, c.addr(t, "w-tee"), leases[0].Provider, "the cheaper worker without a TEE may not bid")

	c.query(t, &enc, "tee", "enclave", c.addr(t, "w-tee"))
	evidenceHash, err := base64.StdEncoding.DecodeString(enc.Enclave.EvidenceHash)
	require.NoError(t, err)
	verified := c.fogd(t, "client", "verify-receipt", receipt, "--node", c.rpc)
	require.Contains(t, verified, hex.EncodeToString(evidenceHash), "the receipt carries the attestation's hash")
}
