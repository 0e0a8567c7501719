package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// scenario is one independent story told against the shared chain, with accounts of its own.
type scenario struct {
	name     string
	accounts []string
	run      func(t *testing.T, c *chain)
}

// scenarios run side by side on one chain: they use disjoint accounts, their workers serve only
// their own customers ([policy] owners), and what they check is their own records, so they do not
// see each other. Running them together makes the suite take about as long as the longest one.
var scenarios = []scenario{
	{"SealedBidVickreyAuctionThroughTheCLI", []string{"a-customer", "a-p5", "a-p3", "a-p7", "a-p4"}, sealedBidAuctionThroughTheCLI},
	{"ParamsChangeThroughGovernance", nil, paramsChangeThroughGovernance},
	{"ConfidentialOrderOnlyForAttestedProviders", []string{"t-customer", "t-p1", "t-p2"}, confidentialOrderOnlyForAttestedProviders},
	{"ConfidentialRunWithAttestedWorker", []string{"w-customer", "w-tee", "w-plain"}, confidentialRunWithAttestedWorker},
	{"ComputeMarketEndToEnd", []string{"m-customer", "m-cheap", "m-mid", "m-dear"}, computeMarketEndToEnd},
	{"WorkerRevealsAfterRestart", []string{"r-customer", "r-p1"}, workerRevealsAfterRestart},
	{"ZKProofsThroughTheCLI", []string{"z-alice"}, zkProofsThroughTheCLI},
	{"RESTEnumQueryParameters", []string{"x-customer", "x-p1"}, restEnumQueryParameters},
	{"BadInputFailsBeforeTheBlock", []string{"f-user", "f-provider"}, badInputFailsBeforeTheBlock},
	{"ChainClientSequenceAndErrors", []string{"c-alice", "c-bob"}, chainClientSequenceAndErrors},
	{"GoldOrderSettlesToTheCheapestFeasibleSet", []string{"g-customer", "g-auditor", "g-p1", "g-p2", "g-p3", "g-p4", "g-p5", "g-p6"},
		goldOrderSettlesToTheCheapestFeasibleSet},
	{"ProofOfAuditAndSLA", []string{"v-customer", "v-honest", "v-cheat", "v-ver1", "v-ver2", "v-ver3", "v-ver4", "s-customer", "s-slow"},
		proofOfAuditAndSLA},
}

// restarts stop and start the node, so they run one at a time once the scenarios are done.
var restarts = []scenario{
	{"ChainClientRidesOutANodeRestart", nil, chainClientRidesOutANodeRestart},
	{"WorkerServesTheNextOrderAfterANodeRestart", []string{"n-customer", "n-p1"}, workerServesTheNextOrderAfterANodeRestart},
}

// finalStep stops the node for good: an export that must be a valid genesis; built with -tags long
// (make test-long), an export imported into a new chain that must hold the same state and go on.
var finalStep = scenario{"ExportIsAValidGenesis", nil, exportIsAValidGenesis}

// TestFogd starts one chain whose genesis every scenario needs (a simulated TEE root, the
// test-vendor SEV-SNP and TDX roots and this fogd's measurement, an x/quorum auditor, the range
// circuit), runs the scenarios on it in parallel, and then the steps
// that stop the node: restarts the chain client and a worker must ride out, and an export that must
// be a valid genesis.
func TestFogd(t *testing.T) {
	var accounts []string
	for _, s := range append(append([]scenario{finalStep}, scenarios...), restarts...) {
		accounts = append(accounts, s.accounts...)
	}
	c := startChain(t, func(c *chain) {
		dir := t.TempDir()
		root := filepath.Join(dir, "root.key")
		c.simDevice, c.zkKeys = filepath.Join(dir, "device.json"), filepath.Join(dir, "zk")
		c.measurement = strings.TrimSpace(c.fogd(t, "tee", "measurement"))
		c.fogd(t, "tee", "sim-root", "--out", root)
		c.fogd(t, "tee", "sim-device", "--root", root, "--out", c.simDevice)
		c.fogd(t, "tee", "add-genesis-simulated-root", root, "--home", c.home)
		c.fogd(t, "tee", "add-genesis-measurement", "simulated", c.measurement, "--description", "this fogd", "--home", c.home)
		// the gold scenario's workers attest with the development-only test-vendor SEV-SNP and TDX
		// chains, and its auditor signs their attributes
		c.fogd(t, "tee", "add-genesis-test-roots", "--measurement", c.measurement, "--home", c.home)
		c.fogd(t, "genesis", "add-genesis-auditor", c.addr(t, "g-auditor"), "e2e auditor", "--home", c.home)
		prepareZK(t, c)
		setVerificationParams(t, c)
	}, accounts...)

	t.Run("scenarios", func(t *testing.T) {
		for _, s := range scenarios {
			t.Run(s.name, func(t *testing.T) {
				t.Parallel()
				s.run(t, c)
			})
		}
	})
	if t.Failed() {
		return
	}
	for _, s := range restarts {
		if !t.Run(s.name, func(t *testing.T) { s.run(t, c) }) {
			return
		}
	}
	t.Run(finalStep.name, func(t *testing.T) { finalStep.run(t, c) })
}
