package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type coinJSON struct {
	Denom  string `json:"denom"`
	Amount string `json:"amount"`
}

type orderJSON struct {
	ID               string   `json:"id"`
	Owner            string   `json:"owner"`
	State            string   `json:"state"`
	CommitDeadline   string   `json:"commit_deadline"`
	RevealDeadline   string   `json:"reveal_deadline"`
	WithdrawDeadline string   `json:"withdraw_deadline"`
	BidCount         int      `json:"bid_count"`
	ClearingPrice    coinJSON `json:"clearing_price"`
	Escrow           coinJSON `json:"escrow"`
}

type leaseJSON struct {
	ID            string   `json:"id"`
	Provider      string   `json:"provider"`
	State         string   `json:"state"`
	CloseReason   string   `json:"close_reason"`
	PricePerBlock coinJSON `json:"price_per_block"`
	StartDeadline string   `json:"start_deadline"`
	StartHeight   string   `json:"start_height"`
	EndHeight     string   `json:"end_height"`
	ClosedHeight  string   `json:"closed_height"`
	Paid          coinJSON `json:"paid"`
}

type bidJSON struct {
	Provider   string   `json:"provider"`
	State      string   `json:"state"`
	Commitment string   `json:"commitment"`
	Price      coinJSON `json:"price"`
}

// Auction windows of the CLI scenarios, in blocks: each phase has several transactions to land,
// sent at once; at 0.5 s a block that is 20 s on an idle machine.
const (
	commitBlocks = "40"
	revealBlocks = "40"
)

// order reads one order.
func (c *chain) order(t *testing.T, id string) orderJSON {
	t.Helper()
	var res struct{ Order orderJSON }
	c.query(t, &res, "market", "order", id)
	return res.Order
}

// ownOrders are the orders of one owner.
func (c *chain) ownOrders(t *testing.T, owner string) []orderJSON {
	t.Helper()
	var res struct{ Orders []orderJSON }
	c.query(t, &res, "market", "orders", "--owner", c.addr(t, owner))
	return res.Orders
}

func (c *chain) bids(t *testing.T, orderID string) []bidJSON {
	t.Helper()
	var res struct{ Bids []bidJSON }
	c.query(t, &res, "market", "bids", orderID)
	return res.Bids
}

func (c *chain) ownLeases(t *testing.T, owner string) []leaseJSON {
	t.Helper()
	var res struct{ Leases []leaseJSON }
	c.query(t, &res, "market", "leases", "--owner", c.addr(t, owner))
	return res.Leases
}

func (c *chain) lease(t *testing.T, id string) leaseJSON {
	t.Helper()
	var res struct{ Lease leaseJSON }
	c.query(t, &res, "market", "lease", id)
	return res.Lease
}

// createOrder posts an order from owner and returns it as the chain recorded it.
func (c *chain) createOrder(t *testing.T, owner string, args ...string) orderJSON {
	t.Helper()
	r := c.mustTx(t, owner, append([]string{"market", "create-order",
		"f00dfeed00000000000000000000000000000000000000000000000000000000"}, args...)...)
	id := r.attr("fog.market.v1.EventOrderCreated", "order_id")
	require.NotEmpty(t, id, "the order's id is in its creation event")
	return c.order(t, id)
}

// registerProviders registers providers at once with distinct peer ids and a worker key.
func (c *chain) registerProviders(t *testing.T, names ...string) {
	t.Helper()
	peers := []string{
		"12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw", "12D3KooWNAas3dRX1m22mnveHrMqcwdrzHgxTGasCixzdgREvV6b",
		"12D3KooWFP3yScjpJAxkcdA624HkAhXnmcNPKXf8dStKQxGyAxyp", "12D3KooWHynSaQjN3A97TGVKMgEfQ9ctkLTqABwLhKMDWgAU7qmG",
	}
	var calls []txCall
	for i, n := range names {
		calls = append(calls, call(n, "market", "register-provider", peers[i%len(peers)], "--multiaddrs", "/ip4/127.0.0.1/tcp/4001",
			"--worker-pubkey", workerKeyOf(i), "--attributes", "region=eu-west,asn=64512", "--cpu", "4000", "--memory", "8192"))
	}
	c.mustTxsBy(t, 0, calls...)
}

// workerKeyOf is a distinct 32-byte hex worker key per index.
func workerKeyOf(i int) string {
	return fmt.Sprintf("%064x", 10+i)
}

// The sealed-bid Vickrey auction through the real binary: one order, four providers commit 5, 3, 7
// and 4, the one that committed 3 never reveals. The winner bid 4, the clearing price is 5, the
// non-revealer's deposit is burned, the others get theirs back, the lease pays 5 × blocks, the owner
// gets every unspent coin back, and providers with nothing left to serve get their bond back.
func sealedBidAuctionThroughTheCLI(t *testing.T, c *chain) {
	providers := []string{"a-p5", "a-p3", "a-p7", "a-p4"}
	var params struct {
		Params struct {
			BidDeposit   coinJSON `json:"bid_deposit"`
			ProviderBond coinJSON `json:"provider_bond"`
		} `json:"params"`
	}
	c.query(t, &params, "market", "params")
	deposit, bond := atoi(t, params.Params.BidDeposit.Amount), atoi(t, params.Params.ProviderBond.Amount)
	before := map[string]int64{}
	for _, p := range providers {
		before[p] = c.balance(t, p)
	}
	c.registerProviders(t, providers...)
	for _, p := range providers {
		require.Equal(t, before[p]-bond, c.balance(t, p), "registering locks the provider bond")
	}
	var provider struct {
		Provider struct {
			PeerID     string `json:"peer_id"`
			Attributes []struct{ Key, Value string }
			Bond       coinJSON `json:"bond"`
		} `json:"provider"`
	}
	c.query(t, &provider, "market", "provider", c.addr(t, "a-p4"))
	require.Len(t, provider.Provider.Attributes, 2)
	require.Equal(t, params.Params.ProviderBond, provider.Provider.Bond)

	// a malformed peer id never leaves the CLI: the message's own checks refuse it
	_, err := c.try(append([]string{"tx", "market", "register-provider", "not-a-peer-id", "--from", "a-customer",
		"--chain-id", chainID, "--node", c.rpc, "-y"}, c.keyArgs()...)...)
	require.ErrorContains(t, err, "invalid libp2p peer id")

	start := map[string]int64{}
	for _, n := range append([]string{"a-customer"}, providers...) {
		start[n] = c.balance(t, n)
	}
	const leaseBlocks = 10
	o := c.createOrder(t, "a-customer", "10ufog", "--cpu", "1000", "--memory", "512", "--storage", "100",
		"--lease-blocks", strconv.Itoa(leaseBlocks), "--sla-tier", "bronze", "--privacy", "public",
		"--commit-blocks", commitBlocks, "--reveal-blocks", revealBlocks)
	require.Equal(t, "ORDER_STATE_OPEN", o.State)
	require.Equal(t, coinJSON{"ufog", "100"}, o.Escrow)
	require.Equal(t, start["a-customer"]-100, c.balance(t, "a-customer"))
	var rest struct{ Order orderJSON }
	c.rest(t, "/fog/market/v1/orders/"+o.ID, &rest)
	require.Equal(t, o, rest.Order)

	commitBy := atoi(t, o.CommitDeadline)
	c.mustTxsBy(t, commitBy,
		call("a-p5", "market", "commit-bid", o.ID, "5ufog"), call("a-p3", "market", "commit-bid", o.ID, "3ufog"),
		call("a-p7", "market", "commit-bid", o.ID, "7ufog"), call("a-p4", "market", "commit-bid", o.ID, "4ufog"))
	// the sealed secret was kept under <home>/bids before broadcasting
	saved, err := filepath.Glob(filepath.Join(c.home, "bids", chainID+"-"+o.ID+"-*.json"))
	require.NoError(t, err)
	require.Len(t, saved, 4)
	bz, err := os.ReadFile(saved[0])
	require.NoError(t, err)
	require.True(t, json.Valid(bz))
	bids := c.bids(t, o.ID)
	require.Len(t, bids, 4)
	for _, b := range bids {
		require.Equal(t, "BID_STATE_COMMITTED", b.State)
		require.Empty(t, b.Commitment, "commitments stay hidden until revealed")
	}

	// a second bid by the same provider is refused: first by the CLI, which will not overwrite the
	// saved secret, then by the chain
	_, err = c.try(append([]string{"tx", "market", "commit-bid", o.ID, "2ufog", "--from", "a-p5", "--chain-id", chainID,
		"--node", c.rpc, "-y"}, c.keyArgs()...)...)
	require.ErrorContains(t, err, "already saved")
	r := c.tx(t, "a-p5", "market", "commit-bid", o.ID, "2ufog", "--bids-dir", t.TempDir())
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "already bid")

	c.waitHeight(t, commitBy+1)
	revealBy := atoi(t, o.RevealDeadline)
	c.mustTxsBy(t, revealBy, call("a-p5", "market", "reveal-bid", o.ID), call("a-p7", "market", "reveal-bid", o.ID),
		call("a-p4", "market", "reveal-bid", o.ID))

	// the auction settles at the end of the reveal deadline's block, and the deposit sweep that
	// returns and burns the deposits follows (in that block, or later ones when EndBlock is busy)
	c.waitHeight(t, revealBy)
	c.waitFor(t, 100, "the deposits of order "+o.ID+" were swept", func() bool {
		for _, b := range c.bids(t, o.ID) {
			if b.State == "BID_STATE_COMMITTED" || b.State == "BID_STATE_REVEALED" {
				return false
			}
		}
		return true
	})
	o = c.order(t, o.ID)
	require.Equal(t, "ORDER_STATE_MATCHED", o.State)
	require.Equal(t, coinJSON{"ufog", "5"}, o.ClearingPrice, "the clearing price is the second price")
	states := map[string]string{}
	for _, b := range c.bids(t, o.ID) {
		states[b.Provider] = b.State
	}
	require.Equal(t, map[string]string{c.addr(t, "a-p5"): "BID_STATE_LOST", c.addr(t, "a-p3"): "BID_STATE_FORFEITED",
		c.addr(t, "a-p7"): "BID_STATE_LOST", c.addr(t, "a-p4"): "BID_STATE_WON"}, states)
	require.Equal(t, start["a-p3"]-deposit, c.balance(t, "a-p3"))
	require.True(t, c.burnedWith(t, revealBy, "fog.market.v1.EventBidForfeited", c.addr(t, "a-p3"), deposit), "the non-revealer's deposit is burned")
	require.Equal(t, start["a-p5"], c.balance(t, "a-p5"), "losers get their deposits back")
	require.Equal(t, start["a-p7"], c.balance(t, "a-p7"))
	require.Equal(t, start["a-p4"]-deposit, c.balance(t, "a-p4"), "the winner's deposit is its bond")
	require.Equal(t, start["a-customer"]-5*leaseBlocks, c.balance(t, "a-customer"), "escrow beyond 5 × blocks refunded")

	leases := c.ownLeases(t, "a-customer")
	require.Len(t, leases, 1)
	l := leases[0]
	require.Equal(t, c.addr(t, "a-p4"), l.Provider, "the cheapest revealed bid (4) wins")
	require.Equal(t, coinJSON{"ufog", "5"}, l.PricePerBlock)

	// only the provider may start it
	r = c.tx(t, "a-p5", "market", "start-lease", l.ID)
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "not allowed")
	c.mustTxBy(t, atoi(t, l.StartDeadline), "a-p4", "market", "start-lease", l.ID)
	l = c.lease(t, l.ID)
	require.Equal(t, "LEASE_STATE_ACTIVE", l.State)
	end := atoi(t, l.EndHeight)
	require.Equal(t, int64(leaseBlocks), end-atoi(t, l.StartHeight))
	// a provider serving a lease cannot leave
	r = c.tx(t, "a-p4", "market", "deregister-provider")
	require.NotZero(t, r.Code)
	require.Contains(t, r.Log, "unfinished leases")

	c.waitHeight(t, atoi(t, l.StartHeight)+3)
	c.mustTx(t, "a-p4", "market", "withdraw-lease", l.ID)
	c.waitHeight(t, end)
	c.waitFor(t, 100, "lease "+l.ID+" closed", func() bool { return c.lease(t, l.ID).State == "LEASE_STATE_CLOSED" })
	l = c.lease(t, l.ID)
	require.Equal(t, "CLOSE_REASON_COMPLETED", l.CloseReason)
	require.Equal(t, coinJSON{"ufog", strconv.Itoa(5 * leaseBlocks)}, l.Paid, "the lease pays 5 × blocks")
	require.Equal(t, start["a-p4"]+5*leaseBlocks, c.balance(t, "a-p4"), "bond returned and the lease paid")
	require.Equal(t, start["a-customer"]-5*leaseBlocks, c.balance(t, "a-customer"), "every unspent coin went back")

	// x/reputation saw it all: the winner's completed lease added to its α, the silent bidder's
	// unrevealed bid to its β; the losers are untouched.
	type scoreJSON struct {
		Score struct {
			Alpha    string `json:"alpha"`
			Beta     string `json:"beta"`
			Outcomes string `json:"outcomes"`
		} `json:"score"`
		Found bool `json:"found"`
	}
	var winner, silent, loser scoreJSON
	c.query(t, &winner, "reputation", "score", c.addr(t, "a-p4"))
	c.query(t, &silent, "reputation", "score", c.addr(t, "a-p3"))
	c.query(t, &loser, "reputation", "score", c.addr(t, "a-p5"))
	require.True(t, winner.Found)
	require.Equal(t, "1", winner.Score.Outcomes)
	require.True(t, strings.HasPrefix(winner.Score.Alpha, "1.99") || strings.HasPrefix(winner.Score.Alpha, "2.0"), winner.Score.Alpha)
	require.True(t, silent.Found)
	require.True(t, strings.HasPrefix(silent.Score.Beta, "1.99") || strings.HasPrefix(silent.Score.Beta, "2.0"), silent.Score.Beta)
	require.False(t, loser.Found)
	var restScore scoreJSON
	c.rest(t, "/fog/reputation/v1/scores/"+c.addr(t, "a-p4"), &restScore)
	require.Equal(t, winner.Score.Outcomes, restScore.Score.Outcomes)

	var quote struct {
		HasData          bool     `json:"has_data"`
		MaxPricePerBlock coinJSON `json:"max_price_per_block"`
	}
	c.query(t, &quote, "market", "quote", "--cpu-millicores", "2000", "--sla-tier", "bronze", "--lease-blocks", "10")
	require.True(t, quote.HasData, "settled auctions feed the price bands")
	require.Positive(t, atoi(t, quote.MaxPricePerBlock.Amount))

	// providers with nothing left to serve leave and get their bond back
	for _, p := range []string{"a-p4", "a-p5"} {
		was := c.balance(t, p)
		c.mustTx(t, p, "market", "deregister-provider")
		require.Equal(t, was+bond, c.balance(t, p), "%s's bond came back", p)
	}
	_, err = c.try("q", "market", "provider", c.addr(t, "a-p4"), "--node", c.rpc)
	require.ErrorContains(t, err, "not found")
}

// burnedWith tells whether a block from height `from` on holds an event of type typ for provider
// and, in the same block, a burn by the market of amount ufog.
func (c *chain) burnedWith(t *testing.T, from int64, typ, provider string, amount int64) bool {
	t.Helper()
	for h := from; h <= c.height(); h++ {
		events := c.blockEvents(t, h)
		found, burned := false, false
		for _, e := range events {
			if e.Type == typ && eventAttr([]abciEvent{e}, typ, "provider") == provider {
				found = true
			}
			if e.Type == "burn" && eventAttr([]abciEvent{e}, "burn", "amount") == strconv.FormatInt(amount, 10)+denom {
				burned = true
			}
		}
		if found {
			return burned
		}
	}
	return false
}

// Market params change only through governance: the proposal built by
// `fogd tx market update-params-proposal` from the params as `fogd q market params` prints them
// passes and takes effect (a non-authority sender is refused: see the keeper tests).
func paramsChangeThroughGovernance(t *testing.T, c *chain) {
	raw := c.fogd(t, "q", "market", "params", "--node", c.rpc, "-o", "json")
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

	id := c.propose(t, "market", "update-params-proposal", file, "--title", "Fewer bids per order",
		"--summary", "Lower max_bids_per_order to 42")
	c.waitFor(t, 200, "proposal "+id+" took effect", func() bool {
		var res struct {
			Params struct {
				MaxBids int `json:"max_bids_per_order"`
			} `json:"params"`
		}
		c.query(t, &res, "market", "params")
		return res.Params.MaxBids == 42
	})
}

// propose submits a governance proposal from the validator, votes yes with it, and returns the
// proposal's id.
func (c *chain) propose(t *testing.T, args ...string) string {
	t.Helper()
	r := c.mustTx(t, "val", append(args, "--deposit", "10000000ufog")...)
	id := r.attr("submit_proposal", "proposal_id")
	require.NotEmpty(t, id, "the proposal's id is in its submission event")
	c.mustTx(t, "val", "gov", "vote", id, "yes")
	return id
}

// exportIsAValidGenesis stops the node: `fogd export` dumps the market with its sequences and
// every scenario's records, and the dump is a valid genesis.
func exportIsAValidGenesis(t *testing.T, c *chain) {
	c.stop()
	exported := c.fogd(t, "export", "--home", c.home)
	var doc struct {
		AppState struct {
			Market struct {
				Orders      []orderJSON `json:"orders"`
				Leases      []leaseJSON `json:"leases"`
				NextOrderID string      `json:"next_order_id"`
				NextLeaseID string      `json:"next_lease_id"`
			} `json:"market"`
		} `json:"app_state"`
	}
	require.NoError(t, json.Unmarshal([]byte(exported), &doc))
	m := doc.AppState.Market
	require.NotEmpty(t, m.Orders)
	require.NotEmpty(t, m.Leases)
	require.Equal(t, strconv.Itoa(len(m.Orders)+1), m.NextOrderID)
	require.Equal(t, strconv.Itoa(len(m.Leases)+1), m.NextLeaseID)
	path := filepath.Join(t.TempDir(), "exported.json")
	require.NoError(t, os.WriteFile(path, []byte(exported), 0o644))
	c.fogd(t, "genesis", "validate", path, "--home", c.home)
}
