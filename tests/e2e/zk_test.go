package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type circuitsResponse struct {
	Circuits []struct {
		ID               string `json:"id"`
		Name             string `json:"name"`
		PublicInputCount int    `json:"public_input_count"`
		Active           bool   `json:"active"`
	} `json:"circuits"`
}

type claimsResponse struct {
	Claims []struct {
		ID               string `json:"id"`
		CircuitID        string `json:"circuit_id"`
		Submitter        string `json:"submitter"`
		PublicInputsHash string `json:"public_inputs_hash"`
	} `json:"claims"`
}

// A circuit registered at genesis with `fogd zk add-genesis-circuit` (as the localnet does) and one
// registered by governance both verify proofs made by `fogd zk prove` on chain, through
// `fogd tx proofs verify-proof`; a proof for other public inputs is refused and stores nothing.
func TestZKProofsThroughTheCLI(t *testing.T) {
	keys := t.TempDir()
	for _, circuit := range []string{"range", "set_membership"} {
		out := fogdOut(t, "zk", "setup", circuit, "--out-dir", keys)
		require.Contains(t, out, "wrote "+circuit+".pk")
	}
	c := startChainWith(t, func(c *chain) {
		out := c.fogd("zk", "add-genesis-circuit", "range", filepath.Join(keys, "range.vk"), "--home", c.home)
		require.Contains(t, out, "circuit 1: range (3 public inputs)")
		_, err := c.try("zk", "add-genesis-circuit", "range", filepath.Join(keys, "range.vk"), "--home", c.home)
		require.ErrorContains(t, err, "already")
		_, err = c.try("zk", "add-genesis-circuit", "nope", filepath.Join(keys, "range.vk"), "--home", c.home)
		require.ErrorContains(t, err, "unknown circuit")
		_, err = c.try("zk", "add-genesis-circuit", "set_membership", filepath.Join(keys, "range.vk"), "--home", c.home)
		require.ErrorContains(t, err, "public inputs", "a key of another circuit is refused")
	}, "alice")

	var circuits circuitsResponse
	c.query(&circuits, "proofs", "circuits")
	require.Len(t, circuits.Circuits, 1)
	require.Equal(t, "range", circuits.Circuits[0].Name)
	require.True(t, circuits.Circuits[0].Active)

	dir := t.TempDir()
	witness := filepath.Join(dir, "w.json")
	require.NoError(t, os.WriteFile(witness, []byte(`{"value": 42, "salt": "0x2b7e151628aed2a6", "lo": 10, "hi": 100}`), 0o600))
	proofFile := filepath.Join(dir, "proof.json")
	c.fogd("zk", "prove", "range", "--pk", filepath.Join(keys, "range.pk"), "--witness", witness, "--out", proofFile)
	require.Contains(t, c.fogd("zk", "verify", "range", proofFile, "--vk", filepath.Join(keys, "range.vk")), "proof verifies")

	before := c.balance("alice")
	c.mustTx("alice", "proofs", "verify-proof", "1", proofFile)
	var claims claimsResponse
	c.query(&claims, "proofs", "claims", "--circuit-id", "1")
	require.Len(t, claims.Claims, 1)
	require.Equal(t, c.addr("alice"), claims.Claims[0].Submitter)
	var rest claimsResponse
	c.rest("/fog/proofs/v1/claims?circuit_id=1", &rest)
	require.Equal(t, claims, rest)

	// the same proof presented for lo = 0 instead of 10 does not verify
	var pf struct {
		Circuit      string   `json:"circuit"`
		Proof        string   `json:"proof"`
		PublicInputs []string `json:"public_inputs"`
	}
	bz, err := os.ReadFile(proofFile)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(bz, &pf))
	pf.PublicInputs[1] = strings.Repeat("00", 32)
	bz, err = json.Marshal(pf)
	require.NoError(t, err)
	forged := filepath.Join(dir, "forged.json")
	require.NoError(t, os.WriteFile(forged, bz, 0o600))
	require.ErrorContains(t, tryLocalVerify(c, forged, keys), "does NOT verify")
	code, log := c.tx("alice", "proofs", "verify-proof", "1", forged)
	require.NotZero(t, code)
	require.Contains(t, log, "proof does not verify")
	c.query(&claims, "proofs", "claims")
	require.Len(t, claims.Claims, 1, "a refused proof stores no claim")
	require.Equal(t, before, c.balance("alice"), "no fees on this chain, and nothing else is taken")

	// governance registers set_membership; a membership proof then verifies on chain
	c.mustTx("val", "proofs", "register-circuit-proposal", "set_membership", filepath.Join(keys, "set_membership.vk"), "1",
		"--description", "allowed output classes", "--title", "Register set_membership", "--summary", "depth-16 MiMC tree",
		"--deposit", "10000000ufog")
	c.mustTx("val", "gov", "vote", "1", "yes")
	deadline := time.Now().Add(time.Minute)
	for {
		c.query(&circuits, "proofs", "circuits")
		if len(circuits.Circuits) == 2 {
			break
		}
		require.True(t, time.Now().Before(deadline), "the proposal did not register the circuit")
		time.Sleep(300 * time.Millisecond)
	}
	require.Equal(t, "set_membership", circuits.Circuits[1].Name)
	require.NoError(t, os.WriteFile(witness, []byte(`{"value": 7, "set": [1, 3, 7, 9]}`), 0o600))
	c.fogd("zk", "prove", "set_membership", "--pk", filepath.Join(keys, "set_membership.pk"), "--witness", witness, "--out", proofFile)
	c.mustTx("alice", "proofs", "verify-proof", circuits.Circuits[1].ID, proofFile)
	c.query(&claims, "proofs", "claims")
	require.Len(t, claims.Claims, 2)
	require.Equal(t, circuits.Circuits[1].ID, claims.Claims[1].CircuitID)
}

func tryLocalVerify(c *chain, proofFile, keys string) error {
	_, err := c.try("zk", "verify", "range", proofFile, "--vk", filepath.Join(keys, "range.vk"))
	return err
}

// fogdOut runs fogd outside any chain (commands that need no node or home).
func fogdOut(t *testing.T, args ...string) string {
	t.Helper()
	c := &chain{t: t, home: t.TempDir()}
	return c.fogd(args...)
}
