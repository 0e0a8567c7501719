package e2e

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

// The verification params of the e2e chain (x/quorum): small fees and deposits, short phases that
// still leave a loaded CI machine time to act in each, three auditors per committee, four observers
// per watch (2f+1 = 3 reports decide a window).
const (
	e2eAuditCommitBlocks = 16
	e2eAuditRevealBlocks = 12
	e2eSlaWindowBlocks   = 16
	e2eSlaReportBlocks   = 12
	e2eSlaReportFee      = 10
)

// setVerificationParams writes the e2e verification params into the genesis.
func setVerificationParams(t *testing.T, c *chain) {
	c.editGenesis(t, func(g map[string]any) {
		p := sub(g, "app_state", "quorum", "params")
		p["verifier_deposit"] = map[string]any{"denom": denom, "amount": "1000"}
		p["audit_fee"] = map[string]any{"denom": denom, "amount": "100"}
		p["sla_report_fee"] = map[string]any{"denom": denom, "amount": strconv.Itoa(e2eSlaReportFee)}
		p["audit_committee_size"] = 3
		p["audit_commit_blocks"] = strconv.Itoa(e2eAuditCommitBlocks)
		p["audit_reveal_blocks"] = strconv.Itoa(e2eAuditRevealBlocks)
		p["sla_observers"] = 4
		p["sla_window_blocks"] = strconv.Itoa(e2eSlaWindowBlocks)
		p["sla_report_blocks"] = strconv.Itoa(e2eSlaReportBlocks)
	})
}

// auditJSON is an x/quorum Audit as the CLI prints it.
type auditJSON struct {
	ID                string   `json:"id"`
	Requester         string   `json:"requester"`
	LeaseID           string   `json:"lease_id"`
	Provider          string   `json:"provider"`
	State             string   `json:"state"`
	RevealDeadline    string   `json:"reveal_deadline"`
	DecidedHeight     string   `json:"decided_height"`
	BondSlashed       coinJSON `json:"bond_slashed"`
	ToRequester       coinJSON `json:"to_requester"`
	ReceiptOutputHash string   `json:"receipt_output_hash"`
	MajorityHash      string   `json:"majority_output_hash"`
	Committee         []struct {
		Auditor      string   `json:"auditor"`
		WithMajority bool     `json:"with_majority"`
		Paid         coinJSON `json:"paid"`
		Slashed      coinJSON `json:"slashed"`
	} `json:"committee"`
}

// startVerifiers starts workers that join the verifier pool and serve both duties (committees and
// observation), bidding on nobody's orders (their [policy] owners is themselves), and waits until
// the pool holds them.
func (c *chain) startVerifiers(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		c.startWorkerWith(t, n, 1, n, map[string]string{"join": "true", "enabled": "true"})
	}
	c.waitFor(t, 200, "the verifiers joined the pool", func() bool {
		var res struct {
			Verifiers []struct {
				Address string `json:"address"`
			} `json:"verifiers"`
		}
		c.query(t, &res, "quorum", "verifiers")
		in := map[string]bool{}
		for _, v := range res.Verifiers {
			in[v.Address] = true
		}
		for _, n := range names {
			if !in[c.addr(t, n)] {
				return false
			}
		}
		return true
	})
}

// balanceAt is a key's ufog balance at height h.
func (c *chain) balanceAt(t *testing.T, name string, h int64) int64 {
	t.Helper()
	var bal struct{ Balance coinJSON }
	c.query(t, &bal, "bank", "balance", c.addr(t, name), denom, "--height", strconv.FormatInt(h, 10))
	return atoi(t, bal.Balance.Amount)
}

// Proof of audit and proof of SLA through real workers. Four verifier workers join the pool.
//
// Audit: a silver order (two replicas) wins one honest worker and one run with
// --unsafe-wrong-output, which returns a wrong output under a receipt signed over it. `fogd client
// run` finds no majority (one against one), so it requests an audit of both receipts, serving their
// module and input itself, and follows both to their verdicts. Committees of three verifiers
// re-execute the task: the cheater's receipt FAILS (its lease closes CLOSE_REASON_AUDIT_FAILED, its
// bond is slashed: the committee's majority gets its share and the customer the rest, the bank's
// records of the decision block say so) and the honest one PASSES.
//
// SLA: a bronze lease of a worker run with --unsafe-inject-latency 3s (bronze promises p95 ≤ 2.5 s)
// is watched for one window by the four verifiers. Their reports' median p95 is above the bound: the
// window is BREACHED in the block its report period ends, its pay (price × window blocks) goes back
// to the owner in that block and is kept from the provider's pay when the lease closes.
func proofOfAuditAndSLA(t *testing.T, c *chain) {
	c.startVerifiers(t, "v-ver1", "v-ver2", "v-ver3", "v-ver4")
	t.Run("AuditSlashesAWorkerReturningWrongOutput", func(t *testing.T) {
		t.Parallel()
		auditSlashesAWorkerReturningWrongOutput(t, c)
	})
	t.Run("SlaBreachCutsTheWindowPayout", func(t *testing.T) {
		t.Parallel()
		slaBreachCutsTheWindowPayout(t, c)
	})
}

func auditSlashesAWorkerReturningWrongOutput(t *testing.T, c *chain) {
	honest := c.startWorker(t, "v-honest", 3, "v-customer")
	cheat := c.startWorkerWith(t, "v-cheat", 3, "v-customer", nil, "--unsafe-wrong-output")
	c.waitRegistered(t, honest, cheat)

	input := []byte("audit me\n")
	dir := t.TempDir()
	stdout, stderr, err := c.clientRun(t, "v-customer", sha256Wasm, input, "--sla-tier", "silver", "--lease-blocks", "400",
		"--receipt-out", filepath.Join(dir, "receipt.json"), "--out", filepath.Join(dir, "out.txt"))
	require.Error(t, err, "one replica against one is no majority:\n%s%s", stdout, stderr)
	require.Regexp(t, `audit \d+ FAILED at height \d+`, stderr, "the run reports the cheater's verdict")
	require.Regexp(t, `audit \d+ PASSED at height \d+`, stderr, "and the honest replica's")
	require.Contains(t, stderr, "brought in", "the slashed bond paid the customer more than the order cost")

	leases := c.ownLeases(t, "v-customer")
	require.Len(t, leases, 2)
	audits := map[string]auditJSON{}
	for _, l := range leases {
		var res struct {
			Audits []auditJSON `json:"audits"`
		}
		c.query(t, &res, "quorum", "audits", "--lease-id", l.ID)
		require.Len(t, res.Audits, 1, "lease %s was audited once", l.ID)
		audits[l.Provider] = res.Audits[0]
	}
	bad, good := audits[c.addr(t, "v-cheat")], audits[c.addr(t, "v-honest")]
	require.Equal(t, "AUDIT_STATE_FAILED", bad.State)
	require.Equal(t, "AUDIT_STATE_PASSED", good.State)
	require.Equal(t, good.ReceiptOutputHash, bad.MajorityHash, "the committee recomputed the honest output")
	require.NotEqual(t, bad.ReceiptOutputHash, bad.MajorityHash)
	for _, a := range []auditJSON{bad, good} {
		require.Equal(t, c.addr(t, "v-customer"), a.Requester)
		require.Len(t, a.Committee, 3)
		for _, m := range a.Committee {
			require.True(t, m.WithMajority, "every verifier re-executed and voted with the majority")
			require.NotContains(t, []string{c.addr(t, "v-cheat"), c.addr(t, "v-honest"), c.addr(t, "v-customer")}, m.Auditor,
				"no party to the lease sits on its committee")
		}
	}

	// the cheater's lease closed for the failed audit, its bond slashed
	var cheatLease leaseJSON
	for _, l := range leases {
		if l.Provider == c.addr(t, "v-cheat") {
			cheatLease = c.lease(t, l.ID)
		}
	}
	require.Equal(t, "CLOSE_REASON_AUDIT_FAILED", cheatLease.CloseReason)
	bond := atoi(t, bad.BondSlashed.Amount)
	require.Positive(t, bond, "the lease's bond was slashed")
	decided := atoi(t, bad.DecidedHeight)
	require.Equal(t, atoi(t, bad.RevealDeadline), decided, "decided in the reveal deadline's block")
	// the bond's committee share (20 %) went to the three majority voters, the rest and the fee's
	// remainder to the customer, in the decision block
	share := bond * 2000 / 10000
	var committeePaid int64
	for _, m := range bad.Committee {
		committeePaid += atoi(t, m.Paid.Amount)
	}
	require.Equal(t, share-share%3+100-100%3, committeePaid, "equal shares of the bond's 20 %% and of the fee")
	toRequester := atoi(t, bad.ToRequester.Amount)
	require.Equal(t, bond-share+share%3+100%3, toRequester)
	received := int64(0)
	for _, e := range c.blockEvents(t, decided) {
		if e.Type != "coin_received" {
			continue
		}
		var receiver, amount string
		for _, a := range e.Attributes {
			switch a.Key {
			case "receiver":
				receiver = a.Value
			case "amount":
				amount = a.Value
			}
		}
		if receiver == c.addr(t, "v-customer") && amount != "" {
			n, err := strconv.ParseInt(amount[:len(amount)-len(denom)], 10, 64)
			require.NoError(t, err, amount)
			received += n
		}
	}
	require.GreaterOrEqual(t, received, toRequester, "the customer received its part of the slashed bond in block %d", decided)
}

func slaBreachCutsTheWindowPayout(t *testing.T, c *chain) {
	slow := c.startWorkerWith(t, "s-slow", 3, "s-customer", nil, "--unsafe-inject-latency", "3s")
	c.waitRegistered(t, slow)
	stdout, stderr, err := c.clientRun(t, "s-customer", sha256Wasm, []byte("slow\n"), "--lease-blocks", "400", "--keep-lease",
		"--receipt-out", filepath.Join(t.TempDir(), "receipt.json"))
	require.NoError(t, err, "%s%s", stdout, stderr)
	leases := c.ownLeases(t, "s-customer")
	require.Len(t, leases, 1)
	l := leases[0]
	require.Equal(t, "LEASE_STATE_ACTIVE", l.State, "--keep-lease left it open")
	price := atoi(t, l.PricePerBlock.Amount)

	r := c.mustTx(t, "s-customer", "quorum", "watch-lease", l.ID, "1")
	first := atoi(t, r.attr("fog.quorum.v1.EventLeaseWatched", "first_window_start"))
	end := first + e2eSlaWindowBlocks
	decision := end + e2eSlaReportBlocks - 1

	type watchJSON struct {
		Watch struct {
			Decided   any `json:"decided"`
			Observers []struct {
				Address string   `json:"address"`
				Paid    coinJSON `json:"paid"`
			} `json:"observers"`
		} `json:"watch"`
		Windows []struct {
			Verdict   string `json:"verdict"`
			MedianP95 string `json:"median_p95_latency_ms"`
			Reports   []struct {
				Observer string `json:"observer"`
			} `json:"reports"`
			Cut           coinJSON `json:"cut"`
			DecidedHeight string   `json:"decided_height"`
		} `json:"windows"`
	}
	var w watchJSON
	c.waitFor(t, decision-c.height()+40, "the window was decided", func() bool {
		c.query(t, &w, "quorum", "watch", l.ID)
		return len(w.Windows) == 1 && w.Windows[0].Verdict != "" && w.Windows[0].Verdict != "SLA_VERDICT_UNSPECIFIED"
	})
	win := w.Windows[0]
	require.Equal(t, "SLA_VERDICT_BREACHED", win.Verdict, "%+v", w)
	require.GreaterOrEqual(t, len(win.Reports), 3, "at least 2f+1 observers reported")
	require.Greater(t, atoi(t, win.MedianP95), int64(2500), "the median p95 is above bronze's 2.5 s")
	require.Equal(t, decision, atoi(t, win.DecidedHeight), "decided in the last block of the window's report period")
	cut := atoi(t, win.Cut.Amount)
	require.Equal(t, price*e2eSlaWindowBlocks, cut, "the whole window's pay is cut")
	require.Equal(t, cut, c.balanceAt(t, "s-customer", decision)-c.balanceAt(t, "s-customer", decision-1),
		"the cut went back to the owner in the decision block")
	paidObservers := 0
	for _, o := range w.Watch.Observers {
		if atoi(t, o.Paid.Amount) == e2eSlaReportFee {
			paidObservers++
		}
	}
	require.GreaterOrEqual(t, paidObservers, 3, "the observers who reported the breach were paid")

	// the provider's pay is short of exactly the cut when the lease closes: what its accruals since
	// the breach did not cover comes out of its bond
	closeTx := c.mustTx(t, "s-customer", "market", "close-lease", l.ID)
	closed := c.lease(t, l.ID)
	require.Equal(t, "LEASE_STATE_CLOSED", closed.State)
	var fromBond coinJSON
	require.NoError(t, json.Unmarshal([]byte(closeTx.attr("fog.market.v1.EventLeaseClosed", "withheld_from_bond")), &fromBond))
	ran := atoi(t, closed.ClosedHeight) - atoi(t, closed.StartHeight)
	require.Equal(t, price*ran-cut, atoi(t, closed.Paid.Amount)-atoi(t, fromBond.Amount),
		fmt.Sprintf("paid for %d blocks less the cut (%s from the bond)", ran, fromBond.Amount))
}
