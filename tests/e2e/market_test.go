package e2e

import (
	"encoding/json"
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
	ID             string   `json:"id"`
	Owner          string   `json:"owner"`
	State          string   `json:"state"`
	CommitDeadline string   `json:"commit_deadline"`
	RevealDeadline string   `json:"reveal_deadline"`
	ClearingPrice  coinJSON `json:"clearing_price"`
	Escrow         coinJSON `json:"escrow"`
}

type leaseJSON struct {
	ID            string   `json:"id"`
	Provider      string   `json:"provider"`
	State         string   `json:"state"`
	CloseReason   string   `json:"close_reason"`
	PricePerBlock coinJSON `json:"price_per_block"`
	StartHeight   string   `json:"start_height"`
	EndHeight     string   `json:"end_height"`
	Paid          coinJSON `json:"paid"`
}

func atoi(t *testing.T, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return n
}

// The scenario through the real binary: one order, four providers commit 5, 3, 7 and 4, the
// one that committed 3 never reveals. The winner bid 4, the clearing price is 5, the non-revealer's
// deposit is burned (supply drops by it), the others get theirs back, the lease pays 5 × blocks, and
// the owner gets every unspent coin back.
func TestSealedBidVickreyAuctionThroughTheCLI(t *testing.T) {
	names := []string{"customer", "p5", "p3", "p7", "p4"}
	c := startChain(t, names...)
	peerIDs := map[string]string{
		"p5": "12D3KooWMJYunT2WpqCikEfauWWjQtn1XFBkEvicEkstSkBm65Uw",
		"p3": "12D3KooWNAas3dRX1m22mnveHrMqcwdrzHgxTGasCixzdgREvV6b",
		"p7": "12D3KooWFP3yScjpJAxkcdA624HkAhXnmcNPKXf8dStKQxGyAxyp",
		"p4": "12D3KooWHynSaQjN3A97TGVKMgEfQ9ctkLTqABwLhKMDWgAU7qmG",
	}
	for _, p := range names[1:] {
		c.mustTx(p, "market", "register-provider", peerIDs[p], "--multiaddrs", "/ip4/127.0.0.1/tcp/4001",
			"--worker-pubkey", "aaa8f70644f0ef00b94a651731c2a4c583147e07fba4ef22dc2ba2ca201212ec",
			"--attributes", "region=eu-west,asn=64512", "--cpu", "4000", "--memory", "8192")
	}
	var provider struct {
		Provider struct {
			PeerID     string `json:"peer_id"`
			Attributes []struct{ Key, Value string }
		} `json:"provider"`
	}
	c.query(&provider, "market", "provider", c.addr("p4"))
	require.Equal(t, peerIDs["p4"], provider.Provider.PeerID)
	require.Len(t, provider.Provider.Attributes, 2)

	// a malformed peer id is refused with the market's error
	code, log := c.tx("customer", "market", "register-provider", "not-a-peer-id")
	require.NotZero(t, code)
	require.Contains(t, log, "invalid libp2p peer id")

	start := map[string]int64{}
	for _, n := range names {
		start[n] = c.balance(n)
	}

	const leaseBlocks = 10
	c.mustTx("customer", "market", "create-order",
		"f00dfeed00000000000000000000000000000000000000000000000000000000", "10ufog",
		"--cpu", "1000", "--memory", "512", "--storage", "100", "--lease-blocks", strconv.Itoa(leaseBlocks),
		"--tier", "bronze", "--privacy", "public", "--commit-blocks", "25", "--reveal-blocks", "20")
	var orders struct{ Orders []orderJSON }
	c.query(&orders, "market", "orders", "--owner", c.addr("customer"))
	require.Len(t, orders.Orders, 1)
	o := orders.Orders[0]
	require.Equal(t, "ORDER_STATE_OPEN", o.State)
	require.Equal(t, coinJSON{"ufog", "100"}, o.Escrow)
	require.Equal(t, start["customer"]-100, c.balance("customer"))

	var rest struct{ Orders []orderJSON }
	c.rest("/fog/market/v1/orders", &rest)
	require.Len(t, rest.Orders, 1)
	require.Equal(t, o.ID, rest.Orders[0].ID)

	var params struct {
		Params struct {
			BidDeposit coinJSON `json:"bid_deposit"`
		} `json:"params"`
	}
	c.query(&params, "market", "params")
	deposit := atoi(t, params.Params.BidDeposit.Amount)

	for _, bid := range []struct{ who, price string }{{"p5", "5ufog"}, {"p3", "3ufog"}, {"p7", "7ufog"}, {"p4", "4ufog"}} {
		c.mustTx(bid.who, "market", "commit-bid", o.ID, bid.price)
	}
	// the sealed secret was kept under <home>/bids before broadcasting
	saved, err := filepath.Glob(filepath.Join(c.home, "bids", chainID+"-"+o.ID+"-*.json"))
	require.NoError(t, err)
	require.Len(t, saved, 4)
	bz, err := os.ReadFile(saved[0])
	require.NoError(t, err)
	require.True(t, json.Valid(bz))

	var bids struct {
		Bids []struct {
			Provider   string   `json:"provider"`
			State      string   `json:"state"`
			Commitment string   `json:"commitment"`
			Price      coinJSON `json:"price"`
		} `json:"bids"`
	}
	c.query(&bids, "market", "bids", o.ID)
	require.Len(t, bids.Bids, 4)
	for _, b := range bids.Bids {
		require.Equal(t, "BID_STATE_COMMITTED", b.State)
		require.Empty(t, b.Commitment, "commitments stay hidden until revealed")
	}

	// a second bid by the same provider is refused: first by the CLI, which will not overwrite the
	// saved secret, then by the chain
	_, err = c.try(append([]string{"tx", "market", "commit-bid", o.ID, "2ufog", "--from", "p5", "--chain-id", chainID,
		"--node", c.rpc, "-y"}, c.keyArgs()...)...)
	require.ErrorContains(t, err, "already saved")
	code, log = c.tx("p5", "market", "commit-bid", o.ID, "2ufog", "--bids-dir", t.TempDir())
	require.NotZero(t, code)
	require.Contains(t, log, "already bid")

	c.waitHeight(atoi(t, o.CommitDeadline) + 1)
	for _, p := range []string{"p5", "p7", "p4"} {
		c.mustTx(p, "market", "reveal-bid", o.ID)
	}
	supplyBefore := c.supply()

	c.waitHeight(atoi(t, o.RevealDeadline) + 1)
	var order struct{ Order orderJSON }
	c.query(&order, "market", "order", o.ID)
	require.Equal(t, "ORDER_STATE_MATCHED", order.Order.State)
	require.Equal(t, coinJSON{"ufog", "5"}, order.Order.ClearingPrice, "the clearing price is the second price")
	require.Equal(t, supplyBefore-deposit, c.supply(), "the non-revealer's deposit is burned")
	require.Equal(t, start["p3"]-deposit, c.balance("p3"))
	require.Equal(t, start["p5"], c.balance("p5"), "losers get their deposits back")
	require.Equal(t, start["p7"], c.balance("p7"))
	require.Equal(t, start["p4"]-deposit, c.balance("p4"), "the winner's deposit is its bond")
	require.Equal(t, start["customer"]-5*leaseBlocks, c.balance("customer"), "escrow beyond 5 × blocks refunded")

	var leases struct{ Leases []leaseJSON }
	c.query(&leases, "market", "leases", "--owner", c.addr("customer"))
	require.Len(t, leases.Leases, 1)
	l := leases.Leases[0]
	require.Equal(t, c.addr("p4"), l.Provider, "the cheapest revealed bid (4) wins")
	require.Equal(t, coinJSON{"ufog", "5"}, l.PricePerBlock)

	// only the provider may start it
	code, log = c.tx("p5", "market", "start-lease", l.ID)
	require.NotZero(t, code)
	require.Contains(t, log, "not allowed")
	c.mustTx("p4", "market", "start-lease", l.ID)
	var lease struct{ Lease leaseJSON }
	c.query(&lease, "market", "lease", l.ID)
	require.Equal(t, "LEASE_STATE_ACTIVE", lease.Lease.State)
	end := atoi(t, lease.Lease.EndHeight)
	require.Equal(t, int64(leaseBlocks), end-atoi(t, lease.Lease.StartHeight))

	c.waitHeight(atoi(t, lease.Lease.StartHeight) + 3)
	c.mustTx("p4", "market", "withdraw-lease", l.ID)
	c.waitHeight(end + 1)
	c.query(&lease, "market", "lease", l.ID)
	require.Equal(t, "LEASE_STATE_CLOSED", lease.Lease.State)
	require.Equal(t, "CLOSE_REASON_COMPLETED", lease.Lease.CloseReason)
	require.Equal(t, coinJSON{"ufog", strconv.Itoa(5 * leaseBlocks)}, lease.Lease.Paid, "the lease pays 5 × blocks")
	require.Equal(t, start["p4"]+5*leaseBlocks, c.balance("p4"), "bond returned and the lease paid")
	require.Equal(t, start["customer"]-5*leaseBlocks, c.balance("customer"), "every unspent coin went back")

	// x/reputation saw it all: the winner's completed lease added to its α, the silent bidder's
	// unrevealed bid to its β; the losers are untouched (decay applies from their last update).
	type scoreJSON struct {
		Score struct {
			Alpha    string `json:"alpha"`
			Beta     string `json:"beta"`
			Tier     string `json:"tier"`
			Outcomes string `json:"outcomes"`
		} `json:"score"`
		Found bool `json:"found"`
	}
	var winner, silent, loser scoreJSON
	c.query(&winner, "reputation", "score", c.addr("p4"))
	c.query(&silent, "reputation", "score", c.addr("p3"))
	c.query(&loser, "reputation", "score", c.addr("p5"))
	require.True(t, winner.Found)
	require.Equal(t, "1", winner.Score.Outcomes)
	require.True(t, strings.HasPrefix(winner.Score.Alpha, "1.99") || strings.HasPrefix(winner.Score.Alpha, "2.0"), winner.Score.Alpha)
	require.True(t, silent.Found)
	require.True(t, strings.HasPrefix(silent.Score.Beta, "1.99") || strings.HasPrefix(silent.Score.Beta, "2.0"), silent.Score.Beta)
	require.False(t, loser.Found)
	var restScore scoreJSON
	c.rest("/fog/reputation/v1/scores/"+c.addr("p4"), &restScore)
	require.Equal(t, winner.Score.Outcomes, restScore.Score.Outcomes)

	var market struct {
		Escrowed []coinJSON `json:"escrowed"`
		Deposits []coinJSON `json:"deposits"`
		Bonded   []coinJSON `json:"bonded"`
		Bands    []struct {
			Tier    string `json:"tier"`
			Samples string `json:"samples"`
		} `json:"bands"`
	}
	c.query(&market, "market", "market")
	require.Empty(t, market.Escrowed)
	require.Empty(t, market.Deposits)
	require.Empty(t, market.Bonded)
	require.Len(t, market.Bands, 1)

	var quote struct {
		HasData          bool     `json:"has_data"`
		MaxPricePerBlock coinJSON `json:"max_price_per_block"`
	}
	c.query(&quote, "market", "quote", "--cpu-millicores", "2000", "--tier", "bronze", "--lease-blocks", "10")
	require.True(t, quote.HasData)
	require.Equal(t, coinJSON{"ufog", "10"}, quote.MaxPricePerBlock, "band 5/1000 per mCPU-block × 2000 mCPU")

	// `fogd export` dumps the market with its sequences, and the dump is a valid genesis.
	c.stop()
	exported := c.fogd("export", "--home", c.home)
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
	require.Len(t, doc.AppState.Market.Orders, 1)
	require.Len(t, doc.AppState.Market.Leases, 1)
	require.Equal(t, "2", doc.AppState.Market.NextOrderID)
	require.Equal(t, "2", doc.AppState.Market.NextLeaseID)
	path := filepath.Join(t.TempDir(), "exported.json")
	require.NoError(t, os.WriteFile(path, []byte(exported), 0o644))
	c.fogd("genesis", "validate", path, "--home", c.home)
}
