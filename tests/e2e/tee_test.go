package e2e

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// A confidential order through the real binary: the chain trusts a simulated TEE root and this fogd's
// measurement; p1 attests (simulated evidence bound to its address, worker key and a recorded block
// hash) and may bid, p2 cannot attest with p1's evidence and its commit is refused without taking its
// deposit; p1 wins the lease.
func TestConfidentialOrderOnlyForAttestedProviders(t *testing.T) {
	dir := t.TempDir()
	root, device := filepath.Join(dir, "root.key"), filepath.Join(dir, "device.json")
	measurement := strings.TrimSpace(fogdOut(t, "tee", "measurement"))
	c := startChainWith(t, func(c *chain) {
		c.fogd("tee", "sim-root", "--out", root)
		c.fogd("tee", "sim-device", "--root", root, "--out", device)
		c.fogd("tee", "add-genesis-simulated-root", root, "--home", c.home)
		c.fogd("tee", "add-genesis-measurement", "simulated", measurement, "--description", "this fogd", "--home", c.home)
	}, "customer", "p1", "p2")

	workerKeys := map[string]string{
		"p1": "aaa8f70644f0ef00b94a651731c2a4c583147e07fba4ef22dc2ba2ca201212ec",
		"p2": "bbb8f70644f0ef00b94a651731c2a4c583147e07fba4ef22dc2ba2ca201212ec",
	}
	peers := map[string]string{"p1": "12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw", "p2": "12D3KooWNAas3dRX1m22mnveHrMqcwdrzHgxTGasCixzdgREvV6b"}
	for _, p := range []string{"p1", "p2"} {
		c.mustTx(p, "market", "register-provider", peers[p], "--multiaddrs", "/ip4/127.0.0.1/tcp/4001",
			"--worker-pubkey", workerKeys[p], "--cpu", "4000", "--memory", "8192")
	}

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
	c.fogd("tee", "sim-evidence", c.addr("p1"), workerKeys["p1"], hex.EncodeToString(hash), "--device", device, "--out", evidence)

	// p2 presents p1's evidence: bound to another provider and key
	code, log := c.tx("p2", "tee", "submit-attestation", "simulated", evidence, nonce.Nonce.Height)
	require.NotZero(t, code)
	require.Contains(t, log, "report data does not bind")
	c.mustTx("p1", "tee", "submit-attestation", "simulated", evidence, nonce.Nonce.Height)

	var enc enclaveResponse
	c.query(&enc, "tee", "enclave", c.addr("p1"))
	require.True(t, enc.Valid)
	require.Equal(t, "TEE_TYPE_SIMULATED", enc.Enclave.TeeType)
	m, err := base64.StdEncoding.DecodeString(enc.Enclave.Measurement)
	require.NoError(t, err)
	require.Equal(t, measurement, hex.EncodeToString(m), "the verified measurement is this fogd's")
	var rest enclaveResponse
	c.rest("/fog/tee/v1/enclaves/"+c.addr("p1"), &rest)
	require.Equal(t, enc, rest)
	_, err = c.try("q", "tee", "enclave", c.addr("p2"), "--node", c.rpc)
	require.ErrorContains(t, err, "no enclave record")

	c.mustTx("customer", "market", "create-order",
		"f00dfeed00000000000000000000000000000000000000000000000000000000", "10ufog",
		"--cpu", "1000", "--memory", "512", "--lease-blocks", "10", "--privacy", "confidential",
		"--commit-blocks", "15", "--reveal-blocks", "10")
	var orders struct{ Orders []orderJSON }
	c.query(&orders, "market", "orders", "--owner", c.addr("customer"))
	o := orders.Orders[0]

	before := c.balance("p2")
	code, log = c.tx("p2", "market", "commit-bid", o.ID, "3ufog", "--bids-dir", t.TempDir())
	require.NotZero(t, code)
	require.Contains(t, log, "no valid attestation")
	require.Equal(t, before, c.balance("p2"), "a refused commit takes no deposit")
	c.mustTx("p1", "market", "commit-bid", o.ID, "5ufog")
	c.waitHeight(atoi(t, o.CommitDeadline) + 1)
	c.mustTx("p1", "market", "reveal-bid", o.ID)
	c.waitHeight(atoi(t, o.RevealDeadline) + 1)
	var leases struct {
		Leases []struct {
			Provider string `json:"provider"`
		} `json:"leases"`
	}
	c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
	require.Len(t, leases.Leases, 1)
	require.Equal(t, c.addr("p1"), leases.Leases[0].Provider)
}

// A confidential order through `fogd client run` and real workers: a TEE worker (simulated, attested
// by the worker itself) and a cheaper worker without one. Only the attested worker bids and wins; the
// client prints the verified measurement (this fogd's) before delivering, and the receipt carries the
// hash of the attestation the chain holds.
func TestConfidentialRunWithAttestedWorker(t *testing.T) {
	dir := t.TempDir()
	root, device := filepath.Join(dir, "root.key"), filepath.Join(dir, "device.json")
	measurement := strings.TrimSpace(fogdOut(t, "tee", "measurement"))
	c := startChainWith(t, func(c *chain) {
		c.fogd("tee", "sim-root", "--out", root)
		c.fogd("tee", "sim-device", "--root", root, "--out", device)
		c.fogd("tee", "add-genesis-simulated-root", root, "--home", c.home)
		c.fogd("tee", "add-genesis-measurement", "simulated", measurement, "--home", c.home)
	}, "customer", "tee", "plain")
	attested := c.startWorkerWith("tee", 5, map[string]string{"type": "'simulated'", "simulated_device": "'" + device + "'"})
	plain := c.startWorker("plain", 3)
	c.waitRegistered(attested, plain)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("tee worker log:\n%s\nplain worker log:\n%s", attested.logTail(), plain.logTail())
		}
	})
	var enc enclaveResponse
	deadline := time.Now().Add(time.Minute)
	for {
		if out, err := c.try("q", "tee", "enclave", c.addr("tee"), "--node", c.rpc, "-o", "json"); err == nil {
			require.NoError(t, json.Unmarshal([]byte(out), &enc))
			if enc.Valid {
				break
			}
		}
		require.True(t, time.Now().Before(deadline), "the TEE worker never attested:\n%s", attested.logTail())
		time.Sleep(200 * time.Millisecond)
	}

	input := filepath.Join(dir, "input.txt")
	require.NoError(t, os.WriteFile(input, []byte("confidential\n"), 0o644))
	receipt := filepath.Join(dir, "receipt.json")
	// the client reports its progress on stderr
	run := exec.Command(fogdBin, append([]string{"client", "run", "--wasm", sha256Wasm, "--input", input, "--out", filepath.Join(dir, "out.txt"),
		"--receipt-out", receipt, "--max-price", "10ufog", "--lease-blocks", "100", "--privacy", "confidential",
		"--commit-blocks", "10", "--reveal-blocks", "10", "--memory", "256", "--from", "customer",
		"--chain-id", chainID, "--node", c.rpc, "--grpc-addr", c.grpc}, c.keyArgs()...)...)
	combined, err := run.CombinedOutput()
	out := string(combined)
	require.NoError(t, err, out)
	require.Contains(t, out, "attested as simulated, measurement "+measurement, "the client shows the verified measurement")

	var leases struct{ Leases []leaseJSON }
	c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
	require.Len(t, leases.Leases, 1)
	require.Equal(t, c.addr("tee"), leases.Leases[0].Provider, "the cheaper worker without a TEE may not bid")

	c.query(&enc, "tee", "enclave", c.addr("tee"))
	evidenceHash, err := base64.StdEncoding.DecodeString(enc.Enclave.EvidenceHash)
	require.NoError(t, err)
	verified := c.fogd("client", "verify-receipt", receipt, "--node", c.rpc)
	require.Contains(t, verified, hex.EncodeToString(evidenceHash), "the receipt carries the attestation's hash")
}
