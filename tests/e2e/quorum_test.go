package e2e

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goldProvider is one of the gold scenario's workers: its price per block, the ASN and power region
// the auditor signs for it, and its [tee] type (the test-vendor backends give real-format SEV-SNP and
// TDX evidence that this chain's genesis trusts; "none" attests nothing).
type goldProvider struct {
	name, asn, region, tee string
	price                  int
}

// The example of x/quorum/README.md: the three cheapest share AS1, so {g-p1, g-p3, g-p4} (10 + 12 + 13)
// is the cheapest set with three ASNs, two TEE vendors and two power regions.
var goldProviders = []goldProvider{
	{"g-p1", "AS1", "r1", "test-sev-snp", 10},
	{"g-p2", "AS1", "r2", "test-tdx", 11},
	{"g-p3", "AS2", "r1", "none", 12},
	{"g-p4", "AS3", "r2", "test-tdx", 13},
	{"g-p5", "AS4", "r1", "test-sev-snp", 14},
	{"g-p6", "AS5", "r3", "test-tdx", 20},
}

// constraint is a ConstraintResult as the CLI and the events print it.
type constraint struct {
	Name     string `json:"name"`
	Required any    `json:"required"`
	Got      any    `json:"got"`
	OK       bool   `json:"ok"`
}

func (k constraint) String() string {
	num := func(v any) string {
		if v == nil {
			return "0"
		}
		return strings.Trim(fmt.Sprint(v), `"`)
	}
	return fmt.Sprintf("%s %s of %s ok=%v", k.Name, num(k.Got), num(k.Required), k.OK)
}

// goldEvent is the first event of a type in block h's finalization that names order id.
func (c *chain) goldEvent(t *testing.T, h int64, typ, id string) map[string]json.RawMessage {
	t.Helper()
	for _, e := range c.blockEvents(t, h) {
		if e.Type != typ {
			continue
		}
		out := map[string]json.RawMessage{}
		for _, a := range e.Attributes {
			out[a.Key] = json.RawMessage(a.Value)
		}
		if strings.Trim(string(out["order_id"]), `"`) == id {
			return out
		}
	}
	t.Fatalf("no %s for order %s in block %d", typ, id, h)
	return nil
}

// checkMarketSolvency checks, at one height, that the market's module account holds exactly what its
// records say it holds (escrow, bid deposits, lease bonds, provider bonds, standby deposits): every coin of the gold
// auctions is accounted for, whatever else runs on the chain at the same time.
func (c *chain) checkMarketSolvency(t *testing.T) {
	t.Helper()
	var acc struct {
		Account struct {
			Value struct {
				Address string `json:"address"`
			} `json:"value"`
			BaseAccount struct {
				Address string `json:"address"`
			} `json:"base_account"`
		} `json:"account"`
	}
	c.query(t, &acc, "auth", "module-account", "market")
	module := acc.Account.Value.Address
	if module == "" {
		module = acc.Account.BaseAccount.Address
	}
	require.NotEmpty(t, module, "the market's module account")
	h := strconv.FormatInt(c.height(), 10)
	var bal struct{ Balance coinJSON }
	c.query(t, &bal, "bank", "balance", module, denom, "--height", h)
	var m struct {
		Escrowed, Deposits, Bonded []coinJSON
		ProviderBonds              []coinJSON `json:"provider_bonds"`
		StandbyDeposits            []coinJSON `json:"standby_deposits"`
	}
	c.query(t, &m, "market", "market", "--height", h)
	var sum int64
	for _, cs := range [][]coinJSON{m.Escrowed, m.Deposits, m.Bonded, m.ProviderBonds, m.StandbyDeposits} {
		for _, coin := range cs {
			require.Equal(t, denom, coin.Denom)
			sum += atoi(t, coin.Amount)
		}
	}
	require.Equal(t, atoi(t, bal.Balance.Amount), sum, "at height %s the market module holds what its records say (escrow %v, deposits %v, bonds %v, provider bonds %v, standby deposits %v)",
		h, m.Escrowed, m.Deposits, m.Bonded, m.ProviderBonds, m.StandbyDeposits)
}

// A gold order through real workers and a real auditor. Six workers with chosen prices bid on the
// gold orders of g-customer only; five attest with the test-vendor backends (two SEV-SNP, three
// TDX), one has no TEE; the auditor approved in genesis signs each one's ASN and power region by
// transaction. The three cheapest bids share AS1, so the order settles to {g-p1, g-p3, g-p4}, the
// cheapest set with three ASNs, two vendors and two regions, each member paid its critical value
// (12, 14, 15), as the leases, the order and EventQuorumSelected say; everything paid and refunded adds
// up. Then a gold order that requires TDX: only the three TDX workers may bid, one vendor is not two,
// and the order fails with NO_ELIGIBLE_SET and EventQuorumInfeasible, the owner and the bidders
// getting every coin back.
func goldOrderSettlesToTheCheapestFeasibleSet(t *testing.T, c *chain) {
	var workers []*worker
	for _, p := range goldProviders {
		workers = append(workers, c.startWorkerWith(t, p.name, p.price, "g-customer", map[string]string{"type": "'" + p.tee + "'"}))
	}
	// the auditor signs while the workers start: attributes may be signed for any account
	for _, p := range goldProviders {
		c.mustTx(t, "g-auditor", "quorum", "sign-attributes", c.addr(t, p.name), "asn="+p.asn, "power-region="+p.region)
	}
	c.waitRegistered(t, workers...)
	for _, p := range goldProviders {
		if p.tee == "none" {
			continue
		}
		var enc enclaveResponse
		c.waitFor(t, 200, p.name+" attested", func() bool {
			out, err := c.try("q", "tee", "enclave", c.addr(t, p.name), "--node", c.rpc, "-o", "json")
			return err == nil && json.Unmarshal([]byte(out), &enc) == nil && enc.Valid
		})
		want := map[string]string{"test-sev-snp": "TEE_TYPE_SEV_SNP", "test-tdx": "TEE_TYPE_TDX"}[p.tee]
		require.Equal(t, want, enc.Enclave.TeeType, "x/tee verified %s's evidence as %s", p.name, want)
		require.Equal(t, c.measurement, enc.Enclave.Measurement, "the measurement is this fogd's")
	}

	// What counts of each provider, and why the three cheapest are no gold set.
	validate := func(names ...string) (feasible bool, constraints []constraint, vendors map[string]string) {
		args := []string{"quorum", "validate-diversity", "gold"}
		for _, n := range names {
			args = append(args, c.addr(t, n))
		}
		var res struct {
			Feasible    bool         `json:"feasible"`
			Constraints []constraint `json:"constraints"`
			Profiles    []struct {
				Provider, Asn string
				Region        string `json:"power_region"`
				Vendor        string `json:"tee_vendor"`
			} `json:"profiles"`
		}
		c.query(t, &res, args...)
		vendors = map[string]string{}
		for _, p := range res.Profiles {
			vendors[p.Provider] = p.Vendor
		}
		return res.Feasible, res.Constraints, vendors
	}
	feasible, cons, vendors := validate("g-p1", "g-p2", "g-p3")
	require.False(t, feasible, "%v", cons)
	require.Contains(t, fmt.Sprint(cons), "asn 2 of 3 ok=false", "g-p1 and g-p2 share AS1")
	require.Equal(t, "TEE_TYPE_SEV_SNP", vendors[c.addr(t, "g-p1")])
	require.Equal(t, "TEE_TYPE_TDX", vendors[c.addr(t, "g-p2")])
	require.Contains(t, []string{"", "TEE_TYPE_UNSPECIFIED"}, vendors[c.addr(t, "g-p3")], "no TEE, no vendor")
	feasible, cons, _ = validate("g-p1", "g-p3", "g-p4")
	require.True(t, feasible, "%v", cons)
	t.Logf("validate-diversity gold g-p1 g-p3 g-p4: %v", cons)

	names := []string{"g-customer"}
	for _, p := range goldProviders {
		names = append(names, p.name)
	}
	balances := func() map[string]int64 {
		out := map[string]int64{}
		for _, n := range names {
			out[n] = c.balance(t, n)
		}
		return out
	}
	start := balances()

	// 1. A gold order every worker bids on.
	const leaseBlocks = 200
	o := c.createOrder(t, "g-customer", "30ufog", "--cpu", "1000", "--memory", "256", "--lease-blocks", strconv.Itoa(leaseBlocks),
		"--sla-tier", "gold", "--commit-blocks", runCommitBlocks, "--reveal-blocks", runRevealBlocks)
	commitBy, revealBy := atoi(t, o.CommitDeadline), atoi(t, o.RevealDeadline)
	c.waitFor(t, commitBy-c.height()+1, "all six workers committed", func() bool { return c.order(t, o.ID).BidCount == 6 })
	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "order "+o.ID+" settled", func() bool { return c.order(t, o.ID).State != "ORDER_STATE_OPEN" })
	settled := c.order(t, o.ID)
	require.Equal(t, "ORDER_STATE_MATCHED", settled.State)
	require.Equal(t, coinJSON{denom, "15"}, settled.ClearingPrice, "the dearest member's pay")

	want := map[string]int64{c.addr(t, "g-p1"): 12, c.addr(t, "g-p3"): 14, c.addr(t, "g-p4"): 15}
	ev := c.goldEvent(t, revealBy, "fog.quorum.v1.EventQuorumSelected", o.ID)
	var members []string
	var prices []coinJSON
	var selected []constraint
	require.NoError(t, json.Unmarshal(ev["members"], &members))
	require.NoError(t, json.Unmarshal(ev["prices"], &prices))
	require.NoError(t, json.Unmarshal(ev["constraints"], &selected))
	require.Len(t, prices, len(members))
	got := map[string]int64{}
	for i, m := range members {
		got[m] = atoi(t, prices[i].Amount)
	}
	require.Equal(t, want, got, "EventQuorumSelected: the members and what each is paid")
	for _, k := range selected {
		require.True(t, k.OK, "%v", selected)
	}
	t.Logf("EventQuorumSelected: members %v, prices %v, constraints %v", members, prices, selected)

	var leases []leaseJSON
	c.waitFor(t, 100, "the three winners started their leases", func() bool {
		leases = c.ownLeases(t, "g-customer")
		active := 0
		for _, l := range leases {
			if l.State == "LEASE_STATE_ACTIVE" {
				active++
			}
		}
		return active == 3
	})
	require.Len(t, leases, 3)
	got = map[string]int64{}
	for _, l := range leases {
		require.Equal(t, denom, l.PricePerBlock.Denom)
		got[l.Provider] = atoi(t, l.PricePerBlock.Amount)
	}
	require.Equal(t, want, got, "the leases: one per member, each at its own price")
	c.checkMarketSolvency(t)

	// The owner closes the leases; then every coin is where it should be: each winner has what its
	// lease paid (its deposit came back as the lease's bond), the losers have their deposits back,
	// and the owner paid exactly what the winners earned.
	var closes []txCall
	for _, l := range leases {
		closes = append(closes, call("g-customer", "market", "close-lease", l.ID))
	}
	c.mustTxsBy(t, 0, closes...)
	paid := map[string]int64{}
	var total int64
	for _, l := range leases {
		l = c.lease(t, l.ID)
		require.Equal(t, "LEASE_STATE_CLOSED", l.State)
		paid[l.Provider] = atoi(t, l.Paid.Amount)
		total += paid[l.Provider]
	}
	c.waitFor(t, 100, "the losers' deposits came back", func() bool {
		for _, n := range []string{"g-p2", "g-p5", "g-p6"} {
			if c.balance(t, n) != start[n] {
				return false
			}
		}
		return true
	})
	for _, n := range []string{"g-p1", "g-p3", "g-p4"} {
		require.Positive(t, paid[c.addr(t, n)])
		require.Equal(t, start[n]+paid[c.addr(t, n)], c.balance(t, n), "%s: its deposit back and its lease's pay", n)
	}
	require.Equal(t, start["g-customer"]-total, c.balance(t, "g-customer"), "the owner paid what the leases paid, the rest came back")
	c.checkMarketSolvency(t)

	// 2. A gold order that requires TDX: the SEV-SNP workers and the one without a TEE may not bid,
	// and three TDX providers are one vendor, not two.
	before := balances()
	o2 := c.createOrder(t, "g-customer", "30ufog", "--cpu", "1000", "--memory", "256", "--lease-blocks", strconv.Itoa(leaseBlocks),
		"--sla-tier", "gold", "--tee-type", "tdx", "--commit-blocks", runCommitBlocks, "--reveal-blocks", runRevealBlocks)
	require.Less(t, c.balance(t, "g-customer"), before["g-customer"], "the escrow is locked")
	commitBy, revealBy = atoi(t, o2.CommitDeadline), atoi(t, o2.RevealDeadline)
	c.waitFor(t, commitBy-c.height()+1, "the three TDX workers committed", func() bool { return c.order(t, o2.ID).BidCount == 3 })
	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "order "+o2.ID+" settled", func() bool { return c.order(t, o2.ID).State != "ORDER_STATE_OPEN" })
	var failed struct {
		Order struct {
			State       string `json:"state"`
			CloseReason string `json:"close_reason"`
		} `json:"order"`
	}
	c.query(t, &failed, "market", "order", o2.ID)
	require.Equal(t, "ORDER_STATE_FAILED", failed.Order.State)
	require.Equal(t, "CLOSE_REASON_NO_ELIGIBLE_SET", failed.Order.CloseReason)
	bidders := map[string]bool{}
	for _, b := range c.bids(t, o2.ID) {
		bidders[b.Provider] = true
	}
	require.Equal(t, map[string]bool{c.addr(t, "g-p2"): true, c.addr(t, "g-p4"): true, c.addr(t, "g-p6"): true}, bidders, "only the TDX workers bid")

	inf := c.goldEvent(t, revealBy, "fog.quorum.v1.EventQuorumInfeasible", o2.ID)
	var reach []constraint
	require.NoError(t, json.Unmarshal(inf["constraints"], &reach))
	require.Contains(t, fmt.Sprint(reach), "tee-vendor 1 of 2 ok=false", "the most the bids could reach")
	require.Equal(t, "3", strings.Trim(string(inf["revealed_bids"]), `"`))
	t.Logf("EventQuorumInfeasible: revealed_bids %s, constraints %v", inf["revealed_bids"], reach)
	fail := c.goldEvent(t, revealBy, "fog.market.v1.EventOrderFailed", o2.ID)
	require.Equal(t, `"CLOSE_REASON_NO_ELIGIBLE_SET"`, string(fail["reason"]))

	c.waitFor(t, 100, "everyone has everything back", func() bool {
		for _, n := range names {
			if c.balance(t, n) != before[n] {
				return false
			}
		}
		return true
	})
	var rows []string
	for _, n := range names {
		rows = append(rows, fmt.Sprintf("%s %d", n, c.balance(t, n)-before[n]))
	}
	sort.Strings(rows)
	t.Logf("balance changes over the infeasible order: %v", rows)
	c.checkMarketSolvency(t)
}
