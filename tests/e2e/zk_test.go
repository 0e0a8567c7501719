package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// prepareZK makes keys for the range and set_membership circuits and registers range at genesis,
// as the localnet does; add-genesis-circuit refuses duplicates, unknown circuits and another
// circuit's key.
func prepareZK(t *testing.T, c *chain) {
	for _, circuit := range []string{"range", "set_membership"} {
		out := c.fogd(t, "zk", "setup", circuit, "--out-dir", c.zkKeys)
		require.Contains(t, out, "wrote "+circuit+".pk")
	}
	out := c.fogd(t, "zk", "add-genesis-circuit", "range", filepath.Join(c.zkKeys, "range.vk"), "--home", c.home)
	require.Contains(t, out, "circuit 1: range (3 public inputs)")
	_, err := c.try("zk", "add-genesis-circuit", "range", filepath.Join(c.zkKeys, "range.vk"), "--home", c.home)
	require.ErrorContains(t, err, "already")
	_, err = c.try("zk", "add-genesis-circuit", "nope", filepath.Join(c.zkKeys, "range.vk"), "--home", c.home)
	require.ErrorContains(t, err, "unknown circuit")
	_, err = c.try("zk", "add-genesis-circuit", "set_membership", filepath.Join(c.zkKeys, "range.vk"), "--home", c.home)
	require.ErrorContains(t, err, "public inputs", "a key of another circuit is refused")
}

// A circuit registered at genesis with `fogd zk add-genesis-circuit` and one registered by
// governance both verify proofs made by `fogd zk prove` on chain, through
// `fogd tx proofs verify-proof`; a proof for other public inputs is refused and stores nothing.
func zkProofsThroughTheCLI(t *testing.T, c *chain) {
	keys := c.zkKeys
	var circuits circuitsResponse
	c.query(t, &circuits, "proofs", "circuits")
	require.NotEmpty(t, circuits.Circuits)
	require.Equal(t, "range", circuits.Circuits[0].Name)
	require.True(t, circuits.Circuits[0].Active)

	dir := t.TempDir()
	witness := filepath.Join(dir, "w.json")
	require.NoError(t, os.WriteFile(witness, []byte(`{"value": 42, "salt": "0x2b7e151628aed2a6", "lo": 10, "hi": 100}`), 0o600))
	proofFile := filepath.Join(dir, "proof.json")
	c.fogd(t, "zk", "prove", "range", "--pk", filepath.Join(keys, "range.pk"), "--witness", witness, "--out", proofFile)
	require.Contains(t, c.fogd(t, "zk", "verify", "range", proofFile, "--vk", filepath.Join(keys, "range.vk")), "proof verifies")

	before := c.balance(t, "z-alice")
	c.mustTx(t, "z-alice", "proofs", "verify-proof", "1", proofFile)
	mine := func() claimsResponse {
		var all, out claimsResponse
		c.query(t, &all, "proofs", "claims")
		for _, cl := range all.Claims {
			if cl.Submitter == c.addr(t, "z-alice") {
				out.Claims = append(out.Claims, cl)
			}
		}
		return out
	}
	claims := mine()
	require.Len(t, claims.Claims, 1)
	var byCircuit, rest claimsResponse
	c.query(t, &byCircuit, "proofs", "claims", "--circuit-id", "1")
	c.rest(t, "/fog/proofs/v1/claims?circuit_id=1", &rest)
	require.Equal(t, byCircuit, rest)
	require.Contains(t, rest.Claims, claims.Claims[0])

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
	_, err = c.try("zk", "verify", "range", forged, "--vk", filepath.Join(keys, "range.vk"))
	require.ErrorContains(t, err, "does NOT verify")
	r := c.tx(t, "z-alice", "proofs", "verify-proof", "1", forged)
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "proof does not verify")
	require.Len(t, mine().Claims, 1, "a refused proof stores no claim")
	require.Equal(t, before, c.balance(t, "z-alice"), "no fees on this chain, and nothing else is taken")

	// governance registers set_membership; a membership proof then verifies on chain
	id := c.propose(t, "proofs", "register-circuit-proposal", "set_membership", filepath.Join(keys, "set_membership.vk"), "1",
		"--description", "allowed output classes", "--title", "Register set_membership", "--summary", "depth-16 MiMC tree")
	var membership string
	c.waitFor(t, 200, "proposal "+id+" registered the circuit", func() bool {
		c.query(t, &circuits, "proofs", "circuits")
		for _, cc := range circuits.Circuits {
			if cc.Name == "set_membership" {
				membership = cc.ID
			}
		}
		return membership != ""
	})
	require.NoError(t, os.WriteFile(witness, []byte(`{"value": 7, "set": [1, 3, 7, 9]}`), 0o600))
	c.fogd(t, "zk", "prove", "set_membership", "--pk", filepath.Join(keys, "set_membership.pk"), "--witness", witness, "--out", proofFile)
	c.mustTx(t, "z-alice", "proofs", "verify-proof", membership, proofFile)
	claims = mine()
	require.Len(t, claims.Claims, 2)
	require.Equal(t, membership, claims.Claims[1].CircuitID)
}
