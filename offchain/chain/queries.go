package chain

import (
	"context"
	"fmt"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/fogchain/fog/offchain/wire"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// allPages calls fetch with each page's key until the last page and returns every item.
func allPages[T any](c *Client, fetch func(page *query.PageRequest) ([]T, *query.PageResponse, error)) ([]T, error) {
	var out []T
	page := &query.PageRequest{Limit: 200}
	for {
		items, res, err := fetch(page)
		if err != nil {
			c.fail("query")
			return nil, cleanGRPC(err)
		}
		out = append(out, items...)
		if res == nil || len(res.NextKey) == 0 {
			return out, nil
		}
		page = &query.PageRequest{Key: res.NextKey, Limit: 200}
	}
}

// OpenOrders lists every order whose auction runs, all pages, from the market's state index.
func (c *Client) OpenOrders(ctx context.Context) ([]markettypes.Order, error) {
	return allPages(c, func(page *query.PageRequest) ([]markettypes.Order, *query.PageResponse, error) {
		res, err := c.Market.OrdersByState(ctx, &markettypes.QueryOrdersByStateRequest{State: markettypes.OrderOpen, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return res.Orders, res.Pagination, nil
	})
}

// ProviderLeases lists the leases of provider, optionally in one state, all pages, from the
// market's (provider, state) index.
func (c *Client) ProviderLeases(ctx context.Context, provider string, state markettypes.LeaseState) ([]markettypes.Lease, error) {
	return allPages(c, func(page *query.PageRequest) ([]markettypes.Lease, *query.PageResponse, error) {
		res, err := c.Market.ProviderLeases(ctx, &markettypes.QueryProviderLeasesRequest{Provider: provider, State: state, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return res.Leases, res.Pagination, nil
	})
}

// Bid returns provider's bid on an order, if it has one.
func (c *Client) Bid(ctx context.Context, orderID uint64, provider string) (markettypes.Bid, bool, error) {
	res, err := c.Market.Bid(ctx, &markettypes.QueryBidRequest{OrderId: orderID, Provider: provider})
	if err != nil {
		if isNotFound(err) {
			return markettypes.Bid{}, false, nil
		}
		c.fail("query")
		return markettypes.Bid{}, false, cleanGRPC(err)
	}
	return res.Bid, true, nil
}

// Order reads an order.
func (c *Client) Order(ctx context.Context, id uint64) (markettypes.Order, error) {
	res, err := c.Market.Order(ctx, &markettypes.QueryOrderRequest{Id: id})
	if err != nil {
		c.fail("query")
		return markettypes.Order{}, cleanGRPC(err)
	}
	return res.Order, nil
}

// Provider reads a provider's registration; found is false when it has none.
func (c *Client) Provider(ctx context.Context, addr string) (p markettypes.Provider, found bool, err error) {
	res, err := c.Market.Provider(ctx, &markettypes.QueryProviderRequest{Address: addr})
	if err != nil {
		if isNotFound(err) {
			return p, false, nil
		}
		c.fail("query")
		return p, false, cleanGRPC(err)
	}
	return res.Provider, true, nil
}

// Lease reads a lease.
func (c *Client) Lease(ctx context.Context, id uint64) (markettypes.Lease, error) {
	res, err := c.Market.Lease(ctx, &markettypes.QueryLeaseRequest{Id: id})
	if err != nil {
		c.fail("query")
		return markettypes.Lease{}, cleanGRPC(err)
	}
	return res.Lease, nil
}

// OrderLeases lists the leases of one order, all pages, from the market's by-order index.
func (c *Client) OrderLeases(ctx context.Context, orderID uint64) ([]markettypes.Lease, error) {
	return allPages(c, func(page *query.PageRequest) ([]markettypes.Lease, *query.PageResponse, error) {
		res, err := c.Market.LeasesByOrder(ctx, &markettypes.QueryLeasesByOrderRequest{OrderId: orderID, Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return res.Leases, res.Pagination, nil
	})
}

// Balance of addr in denom.
func (c *Client) Balance(ctx context.Context, addr, denom string) (sdk.Coin, error) {
	res, err := c.Bank.Balance(ctx, &banktypes.QueryBalanceRequest{Address: addr, Denom: denom})
	if err != nil {
		c.fail("query")
		return sdk.Coin{}, cleanGRPC(err)
	}
	return *res.Balance, nil
}

// MsgResponse decodes the first message response of a delivered transaction into out.
func MsgResponse(res *ctypes.ResultTx, out interface{ Unmarshal([]byte) error }) error {
	var data sdk.TxMsgData
	if err := data.Unmarshal(res.TxResult.Data); err != nil {
		return fmt.Errorf("decoding the transaction result: %w", err)
	}
	if len(data.MsgResponses) == 0 {
		return fmt.Errorf("transaction result has no message response")
	}
	return out.Unmarshal(data.MsgResponses[0].Value)
}

// ReputationScore is an account's reputation as of now (the prior if it has no outcomes).
func (c *Client) ReputationScore(ctx context.Context, addr string) (reputationtypes.Score, error) {
	res, err := c.Reputation.Score(ctx, &reputationtypes.QueryScoreRequest{Address: addr})
	if err != nil {
		c.fail("query")
		return reputationtypes.Score{}, cleanGRPC(err)
	}
	return res.Score, nil
}

// CheckInclusion checks on chain that an anchored receipt is in its batch, and that the batch is an
// execution batch of the receipt's lease anchored by its provider (wire.AnchoredReceipt.CheckInclusion).
func (c *Client) CheckInclusion(ctx context.Context, a *wire.AnchoredReceipt) error {
	err := a.CheckInclusion(ctx, proofstypes.NewQueryClient(c.conn))
	if _, fromNode := status.FromError(err); err != nil && fromNode {
		c.fail("query")
		return cleanGRPC(err)
	}
	return err
}

// Enclave reads a provider's x/tee enclave record and whether it is valid at the node's height (it
// counts while the height is below its expiry_height); found is false when it never attested.
func (c *Client) Enclave(ctx context.Context, provider string) (res teetypes.QueryEnclaveResponse, found bool, err error) {
	r, err := c.Tee.Enclave(ctx, &teetypes.QueryEnclaveRequest{Provider: provider})
	if err != nil {
		if isNotFound(err) {
			return res, false, nil
		}
		c.fail("query")
		return res, false, cleanGRPC(err)
	}
	return *r, true, nil
}

// TeeNonce is the newest block hash x/tee recorded, for binding fresh evidence.
func (c *Client) TeeNonce(ctx context.Context) (teetypes.Nonce, error) {
	res, err := c.Tee.Nonce(ctx, &teetypes.QueryNonceRequest{})
	if err != nil {
		c.fail("query")
		return teetypes.Nonce{}, cleanGRPC(err)
	}
	return res.Nonce, nil
}

// TeeParams are x/tee's params.
func (c *Client) TeeParams(ctx context.Context) (teetypes.Params, error) {
	res, err := c.Tee.Params(ctx, &teetypes.QueryParamsRequest{})
	if err != nil {
		c.fail("query")
		return teetypes.Params{}, cleanGRPC(err)
	}
	return res.Params, nil
}

// Audit reads one audit of x/quorum's proof of audit.
func (c *Client) Audit(ctx context.Context, id uint64) (quorumtypes.Audit, error) {
	res, err := c.Quorum.Audit(ctx, &quorumtypes.QueryAuditRequest{Id: id})
	if err != nil {
		c.fail("query")
		return quorumtypes.Audit{}, cleanGRPC(err)
	}
	return res.Audit, nil
}

// Verifiers lists x/quorum's verifier pool, all pages.
func (c *Client) Verifiers(ctx context.Context) ([]quorumtypes.Verifier, error) {
	return allPages(c, func(page *query.PageRequest) ([]quorumtypes.Verifier, *query.PageResponse, error) {
		res, err := c.Quorum.Verifiers(ctx, &quorumtypes.QueryVerifiersRequest{Pagination: page})
		if err != nil {
			return nil, nil, err
		}
		return res.Verifiers, res.Pagination, nil
	})
}

// RecentAudits calls visit with the audits newest first (by id, one page of 50 at a time) until visit
// returns false or none is left.
func (c *Client) RecentAudits(ctx context.Context, visit func(quorumtypes.Audit) bool) error {
	page := &query.PageRequest{Limit: 50, Reverse: true}
	for {
		res, err := c.Quorum.Audits(ctx, &quorumtypes.QueryAuditsRequest{Pagination: page})
		if err != nil {
			c.fail("query")
			return cleanGRPC(err)
		}
		for _, a := range res.Audits {
			if !visit(a) {
				return nil
			}
		}
		if res.Pagination == nil || len(res.Pagination.NextKey) == 0 {
			return nil
		}
		page = &query.PageRequest{Key: res.Pagination.NextKey, Limit: 50, Reverse: true}
	}
}
