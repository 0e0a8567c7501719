package multinode

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/crypto/tmhash"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	libp2pcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/tx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
)

// Auction windows of the load's orders, in blocks. A commit or reveal that misses its window fails
// in its block (it is then not a confirmed transaction); the windows are wide enough that most land.
const (
	loadCommitBlocks = 10
	loadRevealBlocks = 10
	loadLeaseBlocks  = 20
	loadMaxPrice     = 10
	// rebroadcastBlocks: a transaction not in a block after this many blocks is sent again (the
	// node that had it in its mempool may have been killed).
	rebroadcastBlocks = 15
)

// loadRoles names the accounts of a load: bank senders (each pays its own recipient), customers
// posting orders, and providers bidding on them.
type loadRoles struct {
	senders, customers, providers []string
}

func (r loadRoles) accounts() []string {
	var out []string
	for _, s := range r.senders {
		out = append(out, s, s+"-to")
	}
	return append(append(out, r.customers...), r.providers...)
}

func defaultRoles(prefix string) loadRoles {
	return loadRoles{
		senders:   []string{prefix + "send1", prefix + "send2", prefix + "send3"},
		customers: []string{prefix + "cust1", prefix + "cust2"},
		providers: []string{prefix + "prov1", prefix + "prov2", prefix + "prov3"},
	}
}

// load drives transactions from several accounts at once, each account one transaction at a time
// against whichever node is up, and records every transaction the chain confirmed with what it
// must have changed in the state.
type load struct {
	c     *cluster
	roles loadRoles
	// gate: each transaction and its record hold it for reading (step); pause takes it for
	// writing, which waits for the transactions in flight to land and be recorded and holds new
	// ones back.
	gate   sync.RWMutex
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	recipients map[string]sdk.AccAddress // sender → its recipient
	accounts   map[string]*account       // accounts of mustDeliver, which keep their sequence

	mu        sync.Mutex
	confirmed []confirmedTx
	failed    map[string]int // kind → transactions in a block with a non-zero code
	refused   map[string]int // kind → transactions CheckTx refused
	refusal   string         // the last refusal, for the report
	orders    []markettypes.Order
	sent      map[string]int64 // sender → ufog confirmed sent to its recipient
	errs      []error
	rr        int
}

// confirmedTx is a transaction in a block with code 0, and how to check its effect.
type confirmedTx struct {
	kind   string
	hash   []byte
	height int64
	check  func(ctx context.Context, q client.Context) error
}

// account signs in process with its own account number and sequence.
type account struct {
	name     string
	addr     sdk.AccAddress
	num, seq uint64
	known    bool
}

func startLoad(t *testing.T, c *cluster, roles loadRoles) *load {
	l := &load{c: c, roles: roles, failed: map[string]int{}, refused: map[string]int{}, sent: map[string]int64{},
		recipients: map[string]sdk.AccAddress{}, accounts: map[string]*account{}}
	l.ctx, l.cancel = context.WithCancel(context.Background())
	for _, s := range roles.senders {
		l.recipients[s] = c.address(t, s+"-to")
	}
	for _, s := range roles.senders {
		l.spawn(t, s, l.sendLoop)
	}
	for _, s := range roles.customers {
		l.spawn(t, s, l.customerLoop)
	}
	for _, s := range roles.providers {
		l.spawn(t, s, l.providerLoop)
	}
	t.Cleanup(l.stop)
	return l
}

func (l *load) spawn(t *testing.T, name string, run func(a *account)) {
	a := &account{name: name, addr: l.c.address(t, name)}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		run(a)
	}()
}

// stop ends the load; a transaction in flight is abandoned.
func (l *load) stop() {
	l.cancel()
	l.wg.Wait()
}

// pause waits for every transaction in flight to land and holds new ones back until resume.
func (l *load) pause()  { l.gate.Lock() }
func (l *load) resume() { l.gate.Unlock() }

func (l *load) fail(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errs = append(l.errs, err)
}

// nextNode is a live node, round robin.
func (l *load) nextNode() *node {
	live := l.c.live()
	if len(live) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rr++
	return live[l.rr%len(live)]
}

// queryContext is a client context that queries a node over CometBFT RPC (ABCI queries).
func (l *load) queryContext(nd *node) client.Context {
	return l.c.cctx.WithClient(nd.rpc).WithChainID(chainID)
}

// waitBlock waits until the chain's tip passes h or the load ends.
func (l *load) waitBlock(h int64) bool {
	for l.ctx.Err() == nil {
		if l.c.tip() > h {
			return true
		}
		select {
		case <-l.ctx.Done():
		case <-time.After(150 * time.Millisecond):
		}
	}
	return false
}

// submit signs msgs with the account's next sequence, broadcasts them to a live node, and waits
// until they are in a block, sending them again to another node if they do not get in (the node
// may have died with them in its mempool). It returns nil and no error when the load ends first,
// and a nil result with a CheckTx refusal.
// The caller holds the gate for reading.
func (l *load) submit(a *account, kind string, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	if !a.known {
		nd := l.nextNode()
		if nd == nil {
			return nil, errors.New("no live node")
		}
		num, seq, err := authtypes.AccountRetriever{}.GetAccountNumberSequence(l.queryContext(nd), a.addr)
		if err != nil {
			return nil, fmt.Errorf("%s: reading account %s: %w", nd.name(), a.name, err)
		}
		a.num, a.seq, a.known = num, seq, true
	}
	bz, err := l.sign(a, msgs)
	if err != nil {
		return nil, err
	}
	hash := tmhash.Sum(bz)
	sentAt := int64(-1)
	for l.ctx.Err() == nil {
		tip := l.c.tip()
		if sentAt < 0 || tip >= sentAt+rebroadcastBlocks {
			nd := l.nextNode()
			if nd == nil {
				time.Sleep(200 * time.Millisecond)
				continue
			}
			ctx, cancel := rpcCtx()
			res, err := nd.rpc.BroadcastTxSync(ctx, bz)
			cancel()
			switch {
			case err != nil && strings.Contains(err.Error(), "already exists in cache"):
				sentAt = tip
			case err != nil:
				// the node died or is busy: another one is tried at once
				time.Sleep(100 * time.Millisecond)
				continue
			case res.Code == sdkerrors.ErrWrongSequence.ABCICode() && res.Codespace == sdkerrors.ErrWrongSequence.Codespace() && sentAt >= 0:
				// sent before and the sequence is used now: it is in a block; wait for it
				sentAt = tip
			case res.Code != 0:
				l.mu.Lock()
				l.refused[kind]++
				l.refusal = fmt.Sprintf("%s by %s: %s", kind, nd.name(), res.Log)
				l.mu.Unlock()
				a.known = false // a refused transaction uses no sequence; read it again to be sure
				return nil, nil
			default:
				sentAt = tip
			}
		}
		for _, nd := range l.c.live() {
			ctx, cancel := rpcCtx()
			res, err := nd.rpc.Tx(ctx, hash, false)
			cancel()
			if err == nil {
				a.seq++
				return res, nil
			}
		}
		select {
		case <-l.ctx.Done():
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil, nil
}

func (l *load) sign(a *account, msgs []sdk.Msg) ([]byte, error) {
	txf := tx.Factory{}.
		WithTxConfig(l.c.cctx.TxConfig).
		WithKeybase(l.c.kr).
		WithChainID(chainID).
		WithAccountNumber(a.num).
		WithSequence(a.seq).
		WithGas(400_000).
		WithSignMode(signingtypes.SignMode_SIGN_MODE_DIRECT)
	b, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := tx.Sign(context.Background(), txf, a.name, b, true); err != nil {
		return nil, err
	}
	return l.c.cctx.TxConfig.TxEncoder()(b.GetTx())
}

// record keeps a delivered transaction: confirmed with its check, or counted as failed.
func (l *load) record(kind string, res *ctypes.ResultTx, check func(ctx context.Context, q client.Context) error) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if res.TxResult.Code != 0 {
		l.failed[kind]++
		return false
	}
	l.confirmed = append(l.confirmed, confirmedTx{kind: kind, hash: res.Hash, height: res.Height, check: check})
	return true
}

// step runs one action of a loop (its transactions and their records) under the gate, so that
// verify sees either all of it or none; an error ends the loop and fails the load.
func (l *load) step(f func() error) bool {
	l.gate.RLock()
	defer l.gate.RUnlock()
	if err := f(); err != nil {
		l.fail(err)
		return false
	}
	return true
}

// sendLoop: bank transfers of random amounts to the sender's own recipient, one per block or so.
func (l *load) sendLoop(a *account) {
	to := l.recipients[a.name]
	for l.ctx.Err() == nil {
		amount := int64(1 + mrand.IntN(1000))
		if !l.step(func() error {
			res, err := l.submit(a, "bank send", &banktypes.MsgSend{FromAddress: a.addr.String(), ToAddress: to.String(),
				Amount: sdk.NewCoins(sdk.NewInt64Coin(denom, amount))})
			if err != nil || res == nil {
				return err
			}
			if l.record("bank send", res, nil) {
				l.mu.Lock()
				l.sent[a.name] += amount
				l.mu.Unlock()
			}
			return nil
		}) {
			return
		}
	}
}

// customerLoop: an order every few blocks.
func (l *load) customerLoop(a *account) {
	owner := a.addr.String()
	for l.ctx.Err() == nil {
		var (
			id     uint64
			height int64
		)
		if !l.step(func() error {
			hash := sha256.Sum256([]byte(fmt.Sprintf("%s %d", a.name, time.Now().UnixNano())))
			res, err := l.submit(a, "create order", &markettypes.MsgCreateOrder{Owner: owner,
				Resources: markettypes.Resources{CpuMillicores: 100, MemoryMib: 64}, Tier: markettypes.TierBronze,
				Privacy: markettypes.PrivacyPublic, WorkloadHash: hash[:], LeaseBlocks: loadLeaseBlocks,
				MaxPricePerBlock: sdk.NewInt64Coin(denom, loadMaxPrice), CommitBlocks: loadCommitBlocks, RevealBlocks: loadRevealBlocks})
			if err != nil || res == nil {
				return err
			}
			var resp markettypes.MsgCreateOrderResponse
			if res.TxResult.Code == 0 {
				if err := chain.MsgResponse(res, &resp); err != nil {
					return err
				}
			}
			orderID := resp.OrderId
			if l.record("create order", res, func(ctx context.Context, q client.Context) error {
				o, err := markettypes.NewQueryClient(q).Order(ctx, &markettypes.QueryOrderRequest{Id: orderID})
				if err != nil {
					return fmt.Errorf("order %d: %w", orderID, err)
				}
				if o.Order.Owner != owner {
					return fmt.Errorf("order %d: owner %s, want %s", orderID, o.Order.Owner, owner)
				}
				return nil
			}) {
				id, height = orderID, res.Height
			}
			return nil
		}) {
			return
		}
		if id == 0 {
			continue
		}
		// the providers bid on it once a node that has its block tells them its deadlines
		for l.ctx.Err() == nil {
			if o, ok := l.order(id, height); ok {
				l.mu.Lock()
				l.orders = append(l.orders, o)
				l.mu.Unlock()
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		l.waitBlock(height + 3)
	}
}

// order reads an order from a live node that has reached height h.
func (l *load) order(id uint64, h int64) (markettypes.Order, bool) {
	for _, nd := range l.c.live() {
		if nd.height() < h {
			continue
		}
		ctx, cancel := rpcCtx()
		o, err := markettypes.NewQueryClient(l.queryContext(nd)).Order(ctx, &markettypes.QueryOrderRequest{Id: id})
		cancel()
		if err == nil {
			return o.Order, true
		}
	}
	return markettypes.Order{}, false
}

// sealedBid is a provider's bid, secret until revealed.
type sealedBid struct {
	price    sdk.Coin
	salt     []byte
	revealed bool
}

// providerLoop: register, then commit a sealed bid on every order of the load in its commit
// phase, and reveal it in the reveal phase.
func (l *load) providerLoop(a *account) {
	key, _, err := libp2pcrypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		l.fail(err)
		return
	}
	peerID, err := peer.IDFromPrivateKey(key)
	if err != nil {
		l.fail(err)
		return
	}
	owner := a.addr.String()
	for registered := false; !registered && l.ctx.Err() == nil; {
		if !l.step(func() error {
			res, err := l.submit(a, "register provider", &markettypes.MsgRegisterProvider{Owner: owner, PeerId: peerID.String(),
				Capacity: markettypes.Resources{CpuMillicores: 100_000, MemoryMib: 100_000}})
			if err != nil || res == nil {
				return err
			}
			registered = l.record("register provider", res, func(ctx context.Context, q client.Context) error {
				p, err := markettypes.NewQueryClient(q).Provider(ctx, &markettypes.QueryProviderRequest{Address: owner})
				if err != nil {
					return fmt.Errorf("provider %s: %w", owner, err)
				}
				if p.Provider.PeerId != peerID.String() {
					return fmt.Errorf("provider %s: peer id %s, want %s", owner, p.Provider.PeerId, peerID)
				}
				return nil
			})
			return nil
		}) {
			return
		}
	}
	bids := map[uint64]*sealedBid{}
	for l.ctx.Err() == nil {
		tip := l.c.tip()
		acted := false
		l.mu.Lock()
		orders := append([]markettypes.Order(nil), l.orders...)
		l.mu.Unlock()
		for _, o := range orders {
			b, bid := bids[o.Id]
			switch {
			case !bid && tip < o.CommitDeadline:
				b = &sealedBid{price: sdk.NewInt64Coin(denom, int64(1+mrand.IntN(loadMaxPrice))), salt: make([]byte, markettypes.SaltSize)}
				_, _ = rand.Read(b.salt)
				bids[o.Id] = b
				acted = true
				b.revealed = true // until the commit is confirmed, there is nothing to reveal
				commitment := markettypes.BidCommitment(o.Id, a.addr, b.price, b.salt)
				if !l.step(func() error {
					res, err := l.submit(a, "commit bid", &markettypes.MsgCommitBid{Provider: owner, OrderId: o.Id, Commitment: commitment})
					if err != nil || res == nil {
						return err
					}
					b.revealed = !l.record("commit bid", res, func(ctx context.Context, q client.Context) error {
						got, err := markettypes.NewQueryClient(q).Bid(ctx, &markettypes.QueryBidRequest{OrderId: o.Id, Provider: owner})
						if err != nil {
							return fmt.Errorf("bid of %s on order %d: %w", owner, o.Id, err)
						}
						// the query hides a commitment until the bid is revealed
						if got.Bid.CommitHeight != res.Height || (got.Bid.State != markettypes.BidCommitted && string(got.Bid.Commitment) != string(commitment)) {
							return fmt.Errorf("bid of %s on order %d: %v, want the commitment %X of height %d", owner, o.Id, got.Bid, commitment, res.Height)
						}
						return nil
					})
					return nil
				}) {
					return
				}
			case bid && !b.revealed && tip >= o.CommitDeadline && tip < o.RevealDeadline:
				b.revealed, acted = true, true
				price := b.price
				if !l.step(func() error {
					res, err := l.submit(a, "reveal bid", &markettypes.MsgRevealBid{Provider: owner, OrderId: o.Id, Price: b.price, Salt: b.salt})
					if err != nil || res == nil {
						return err
					}
					l.record("reveal bid", res, func(ctx context.Context, q client.Context) error {
						got, err := markettypes.NewQueryClient(q).Bid(ctx, &markettypes.QueryBidRequest{OrderId: o.Id, Provider: owner})
						if err != nil {
							return fmt.Errorf("bid of %s on order %d: %w", owner, o.Id, err)
						}
						if got.Bid.State == markettypes.BidCommitted || !got.Bid.Price.Equal(price) {
							return fmt.Errorf("revealed bid of %s on order %d: %s at %s, want revealed at %s", owner, o.Id, got.Bid.State, got.Bid.Price, price)
						}
						return nil
					})
					return nil
				}) {
					return
				}
			}
		}
		if !acted {
			l.waitBlock(tip)
		}
	}
}

// mustDeliver sends msgs from a key of the cluster (not one of the load's senders), requires
// them to succeed in a block, and records them as confirmed.
func (l *load) mustDeliver(t *testing.T, name string, msgs ...sdk.Msg) *ctypes.ResultTx {
	t.Helper()
	a := &account{name: name, addr: l.c.address(t, name)}
	l.mu.Lock()
	if known, ok := l.accounts[name]; ok {
		a = known
	} else {
		l.accounts[name] = a
	}
	l.mu.Unlock()
	kind := sdk.MsgTypeURL(msgs[0])
	var res *ctypes.ResultTx
	var err error
	l.gate.RLock()
	res, err = l.submit(a, kind, msgs...)
	if err == nil && res != nil {
		l.record(kind, res, nil)
	}
	l.gate.RUnlock()
	require.NoError(t, err)
	require.NotNil(t, res, "%s: refused by CheckTx or the load stopped: %s", kind, l.report())
	require.Zero(t, res.TxResult.Code, "%s: %s", kind, res.TxResult.Log)
	return res
}

// bankBalance is an account's ufog balance on a node.
func (l *load) bankBalance(ctx context.Context, nd *node, addr string) (int64, error) {
	res, err := banktypes.NewQueryClient(l.queryContext(nd)).Balance(ctx, &banktypes.QueryBalanceRequest{Address: addr, Denom: denom})
	if err != nil {
		return 0, err
	}
	return res.Balance.Amount.Int64(), nil
}

// confirmedAfter counts the confirmed transactions in blocks above h.
func (l *load) confirmedAfter(h int64) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.confirmed {
		if c.height > h {
			n++
		}
	}
	return n
}

// waitConfirmedAfter waits until n transactions are confirmed in blocks above h.
func (l *load) waitConfirmedAfter(t *testing.T, h int64, n int) {
	t.Helper()
	require.NoError(t, l.c.poll(func() bool { return l.confirmedAfter(h) >= n }), "waiting for %d transactions confirmed above height %d: %s", n, h, l.report())
}

// loadReport summarises what the load did so far.
func (l *load) report() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	kinds := map[string]int{}
	for _, c := range l.confirmed {
		kinds[c.kind]++
	}
	s := fmt.Sprintf("confirmed %d %v; failed in a block %v; refused by CheckTx %v; orders %d", len(l.confirmed), kinds, l.failed, l.refused, len(l.orders))
	if l.refusal != "" {
		s += "; last refusal: " + l.refusal
	}
	return s
}

// verify pauses the load and checks, on every live node at one common height, that every
// confirmed transaction is in the node's chain and its effect in the node's state: the records it
// made, the exact balances of the transfers, and the market module's solvency. It returns how many
// transactions it checked.
func (l *load) verify(t *testing.T) int {
	t.Helper()
	l.pause()
	defer l.resume()
	l.mu.Lock()
	require.Empty(t, l.errs, "load errors")
	confirmed := append([]confirmedTx(nil), l.confirmed...)
	sent := map[string]int64{}
	for k, v := range l.sent {
		sent[k] = v
	}
	l.mu.Unlock()

	live := l.c.live()
	var top int64
	for _, c := range confirmed {
		top = max(top, c.height)
	}
	// one height every live node's application has committed, at or above every confirmed
	// transaction
	var at int64
	require.NoError(t, l.c.poll(func() bool {
		at = 0
		for i, nd := range live {
			h := nd.appHeight()
			if i == 0 || h < at {
				at = h
			}
		}
		return at >= top
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, nd := range live {
		q := l.queryContext(nd).WithHeight(at)
		for _, c := range confirmed {
			res, err := nd.rpc.Tx(ctx, c.hash, false)
			require.NoError(t, err, "%s: confirmed %s %X is not in its chain", nd.name(), c.kind, c.hash)
			require.Equal(t, c.height, res.Height, "%s: %s %X", nd.name(), c.kind, c.hash)
			require.Zero(t, res.TxResult.Code, "%s: %s %X", nd.name(), c.kind, c.hash)
			if c.check != nil {
				require.NoError(t, c.check(ctx, q), "%s at height %d: confirmed %s %X at height %d", nd.name(), at, c.kind, c.hash, c.height)
			}
		}
		bank := banktypes.NewQueryClient(q)
		balance := func(name string) int64 {
			res, err := bank.Balance(ctx, &banktypes.QueryBalanceRequest{Address: l.c.address(t, name).String(), Denom: denom})
			require.NoError(t, err)
			return res.Balance.Amount.Int64()
		}
		for _, s := range l.roles.senders {
			require.Equal(t, l.c.funds+sent[s], balance(s+"-to"), "%s at height %d: %s's recipient got exactly the confirmed transfers", nd.name(), at, s)
			require.Equal(t, l.c.funds-sent[s], balance(s), "%s at height %d: %s paid exactly the confirmed transfers", nd.name(), at, s)
		}
		m, err := markettypes.NewQueryClient(q).Market(ctx, &markettypes.QueryMarketRequest{})
		require.NoError(t, err)
		held := m.Escrowed.Add(m.Deposits...).Add(m.Bonded...).Add(m.ProviderBonds...)
		mod, err := bank.AllBalances(ctx, &banktypes.QueryAllBalancesRequest{Address: authtypes.NewModuleAddress(markettypes.ModuleName).String()})
		require.NoError(t, err)
		require.Equal(t, held.String(), mod.Balances.String(), "%s at height %d: the market module holds exactly its records' escrow, deposits and bonds", nd.name(), at)
	}
	t.Logf("verified %d confirmed transactions on %d nodes at height %d: %s", len(confirmed), len(live), at, l.report())
	return len(confirmed)
}
