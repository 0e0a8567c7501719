// Package chain is the worker's and client's connection to a fog node: one CometBFT websocket block
// subscription per process, shared by every subscriber through a Hub (typed events, resync after a
// reconnect), broadcasting, gRPC queries, errors classified by gRPC code and registered SDK error,
// and signing with correct account-sequence handling.
package chain

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/tx"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	signingtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// Config says where the node is and who signs.
type Config struct {
	RPC     string // CometBFT RPC, e.g. tcp://127.0.0.1:26657
	GRPC    string // gRPC, e.g. 127.0.0.1:9090
	ChainID string
	KeyName string
	// GasLimit per transaction, and either GasPrice (e.g. "0.025ufog") or Fees (e.g. "2000ufog").
	GasLimit uint64
	GasPrice string
	Fees     string
	// TxTimeout bounds waiting for a broadcast transaction to be included.
	TxTimeout time.Duration
}

// Observer is told about chain client errors and block subscriptions (metrics).
type Observer interface {
	ChainError(kind string)
	// ChainSubscribed: the client opened a websocket subscription to new blocks.
	ChainSubscribed()
}

// Client talks to one node on behalf of one key.
type Client struct {
	cfg     Config
	cctx    client.Context
	keyring keyring.Keyring
	addr    sdk.AccAddress
	obs     Observer
	log     *slog.Logger

	rpc  *rpchttp.HTTP
	conn *grpc.ClientConn
	hub  *Hub

	Market     markettypes.QueryClient
	Bank       banktypes.QueryClient
	Reputation reputationtypes.QueryClient
	Tee        teetypes.QueryClient
	Quorum     quorumtypes.QueryClient

	mu       sync.Mutex // one signer at a time: the sequence is shared state
	accNum   uint64
	seq      uint64
	seqKnown bool
}

// New builds a client from the CLI's client context (codec, tx config, keyring) and cfg. Start
// connects it.
func New(cctx client.Context, kr keyring.Keyring, cfg Config, obs Observer, log *slog.Logger) (*Client, error) {
	if cfg.TxTimeout == 0 {
		cfg.TxTimeout = 30 * time.Second
	}
	if cfg.GasLimit == 0 {
		cfg.GasLimit = 400_000
	}
	c := &Client{cfg: cfg, keyring: kr, obs: obs, log: log}
	if cfg.KeyName != "" {
		rec, err := kr.Key(cfg.KeyName)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", cfg.KeyName, err)
		}
		if c.addr, err = rec.GetAddress(); err != nil {
			return nil, err
		}
	}
	rpc, err := rpchttp.New(cfg.RPC, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("rpc %s: %w", cfg.RPC, err)
	}
	c.rpc = rpc
	c.hub = NewHub(node{addr: cfg.RPC, height: c.Height}, HubConfig{}, obs, log)
	c.cctx = cctx.WithClient(rpc).WithChainID(cfg.ChainID).WithKeyring(kr).WithFromAddress(c.addr).WithFromName(cfg.KeyName)
	return c, nil
}

// Start dials gRPC and checks that the node serves the configured chain.
func (c *Client) Start(ctx context.Context) error {
	conn, err := grpc.NewClient(c.cfg.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(c.cctx.InterfaceRegistry).GRPCCodec())))
	if err != nil {
		return fmt.Errorf("grpc %s: %w", c.cfg.GRPC, err)
	}
	c.conn = conn
	c.cctx = c.cctx.WithGRPCClient(conn)
	c.Market = markettypes.NewQueryClient(conn)
	c.Bank = banktypes.NewQueryClient(conn)
	c.Reputation = reputationtypes.NewQueryClient(conn)
	c.Tee = teetypes.NewQueryClient(conn)
	c.Quorum = quorumtypes.NewQueryClient(conn)
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return fmt.Errorf("node %s: %w", c.cfg.RPC, err)
	}
	if st.NodeInfo.Network != c.cfg.ChainID {
		return fmt.Errorf("node %s serves chain %q, not %q", c.cfg.RPC, st.NodeInfo.Network, c.cfg.ChainID)
	}
	return nil
}

// Stop closes the block subscription, which ends every subscriber's channel, and the connections.
func (c *Client) Stop() {
	c.hub.Stop()
	if c.conn != nil {
		_ = c.conn.Close()
	}
}

// Subscribe follows new blocks on the client's one websocket subscription, opened at the first call
// (see Hub). The channel is closed when ctx ends or the client stops.
func (c *Client) Subscribe(ctx context.Context, filter Filter) <-chan Event {
	return c.hub.Subscribe(ctx, filter)
}

// Connections is how many websocket subscriptions the client has opened: one, plus one per reconnect.
func (c *Client) Connections() int { return c.hub.Connections() }

// Address is the signer's account address.
func (c *Client) Address() sdk.AccAddress { return c.addr }

// ChainID is the chain the client serves.
func (c *Client) ChainID() string { return c.cfg.ChainID }

// Context is the client context (codec, keyring, node) for callers that need the SDK's helpers.
func (c *Client) Context() client.Context { return c.cctx }

// Height is the node's latest block height.
func (c *Client) Height(ctx context.Context) (int64, error) {
	st, err := c.rpc.Status(ctx)
	if err != nil {
		c.fail("status")
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

func (c *Client) fail(kind string) {
	if c.obs != nil {
		c.obs.ChainError(kind)
	}
}

// TxError is a transaction the chain refused or failed.
type TxError struct {
	Code      uint32
	Codespace string
	Log       string
}

func (e *TxError) Error() string {
	return fmt.Sprintf("transaction failed (%s code %d): %s", e.Codespace, e.Code, e.Log)
}

// Unwrap is the registered SDK error of the codespace and code (errorsmod.ABCIError), so that
// errors.Is(err, markettypes.ErrOrderNotOpen) classifies a refusal by its code, never by its text.
// An unregistered code unwraps to an error that matches nothing registered.
func (e *TxError) Unwrap() error {
	return errorsmod.ABCIError(e.Codespace, e.Code, e.Log)
}

// Broadcast signs msgs, broadcasts them, and waits until they are in a block. A refused or failed
// transaction is a *TxError. On an account-sequence mismatch (another process used the key, or a
// transaction was dropped) the sequence is read again from chain and the transaction re-signed.
func (c *Client) Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if !c.seqKnown {
			num, seq, err := authtypes.AccountRetriever{}.GetAccountNumberSequence(c.cctx, c.addr)
			if err != nil {
				c.fail("account")
				return nil, fmt.Errorf("reading account %s: %w", c.addr, err)
			}
			c.accNum, c.seq, c.seqKnown = num, seq, true
		}
		bz, err := c.sign(ctx, msgs)
		if err != nil {
			return nil, err
		}
		res, err := c.rpc.BroadcastTxSync(ctx, bz)
		if err != nil {
			// The node refused the bytes before CheckTx could give a code: for example the very same
			// bytes are in its mempool cache, because another signer used this sequence for an
			// identical transaction. If the chain's sequence has moved past the one signed with, sign
			// again with it; otherwise the failure is not the sequence's.
			c.seqKnown = false
			if attempt < 3 && c.sequenceMoved(c.seq) {
				continue
			}
			c.fail("broadcast")
			return nil, fmt.Errorf("broadcast: %w", err)
		}
		if res.Code == sdkerrors.ErrWrongSequence.ABCICode() && res.Codespace == sdkerrors.ErrWrongSequence.Codespace() && attempt < 3 {
			c.log.Info("account sequence mismatch; reading it again", "log", res.Log)
			c.seqKnown = false
			continue
		}
		if res.Code != 0 {
			c.fail("checktx")
			if res.Code == sdkerrors.ErrWrongSequence.ABCICode() {
				c.seqKnown = false
			}
			return nil, &TxError{Code: res.Code, Codespace: res.Codespace, Log: res.Log}
		}
		c.seq++
		return c.waitTx(ctx, res.Hash)
	}
}

// sequenceMoved tells whether the account's sequence on chain differs from the one a transaction was
// signed with, and keeps the chain's for the next signature.
func (c *Client) sequenceMoved(signed uint64) bool {
	num, seq, err := authtypes.AccountRetriever{}.GetAccountNumberSequence(c.cctx, c.addr)
	if err != nil {
		c.fail("account")
		return false
	}
	c.accNum, c.seq, c.seqKnown = num, seq, true
	return seq != signed
}

func (c *Client) sign(ctx context.Context, msgs []sdk.Msg) ([]byte, error) {
	txf := tx.Factory{}.
		WithTxConfig(c.cctx.TxConfig).
		WithKeybase(c.keyring).
		WithChainID(c.cfg.ChainID).
		WithAccountNumber(c.accNum).
		WithSequence(c.seq).
		WithGas(c.cfg.GasLimit).
		WithGasPrices(c.cfg.GasPrice).
		WithFees(c.cfg.Fees).
		WithSignMode(signingtypes.SignMode_SIGN_MODE_DIRECT)
	b, err := txf.BuildUnsignedTx(msgs...)
	if err != nil {
		return nil, err
	}
	if err := tx.Sign(ctx, txf, c.cfg.KeyName, b, true); err != nil {
		return nil, err
	}
	return c.cctx.TxConfig.TxEncoder()(b.GetTx())
}

func (c *Client) waitTx(ctx context.Context, hash []byte) (*ctypes.ResultTx, error) {
	deadline := time.Now().Add(c.cfg.TxTimeout)
	for {
		res, err := c.rpc.Tx(ctx, hash, false)
		if err == nil {
			if res.TxResult.Code != 0 {
				return res, &TxError{Code: res.TxResult.Code, Codespace: res.TxResult.Codespace, Log: res.TxResult.Log}
			}
			return res, nil
		}
		if time.Now().After(deadline) {
			c.fail("tx_timeout")
			// the transaction may still be included later: the sequence is no longer known
			c.seqKnown = false
			return nil, fmt.Errorf("transaction %X not included within %s", hash, c.cfg.TxTimeout)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// LeaseAndOrder reads a lease and its order.
func (c *Client) LeaseAndOrder(ctx context.Context, leaseID uint64) (markettypes.Lease, markettypes.Order, error) {
	l, err := c.Market.Lease(ctx, &markettypes.QueryLeaseRequest{Id: leaseID})
	if err != nil {
		c.fail("query")
		return markettypes.Lease{}, markettypes.Order{}, cleanGRPC(err)
	}
	o, err := c.Market.Order(ctx, &markettypes.QueryOrderRequest{Id: l.Lease.OrderId})
	if err != nil {
		c.fail("query")
		return l.Lease, markettypes.Order{}, cleanGRPC(err)
	}
	return l.Lease, o.Order, nil
}

// QueryError is a query the node answered with an error. Its gRPC status code classifies it
// (status.Code(err) == codes.NotFound, ...); Error is the node's message without the gRPC prefix.
type QueryError struct {
	Code    codes.Code
	Message string
}

func (e *QueryError) Error() string { return e.Message }

// GRPCStatus lets status.Code and status.FromError read the code back.
func (e *QueryError) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// cleanGRPC turns a gRPC status error into a *QueryError; other errors (a cancelled context, ...)
// are returned as they are.
func cleanGRPC(err error) error {
	s, ok := status.FromError(err)
	if !ok {
		return err
	}
	return &QueryError{Code: s.Code(), Message: s.Message()}
}

func isNotFound(err error) bool {
	return status.Code(err) == codes.NotFound
}
