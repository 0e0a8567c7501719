package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/x/market/types"
)

type queryServer struct {
	k Keeper
}

// NewQueryServerImpl returns the market's Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

var _ types.QueryServer = queryServer{}

var errNilRequest = status.Error(codes.InvalidArgument, "empty request")

func notFound(err error, what string) error {
	if errors.Is(err, collections.ErrNotFound) {
		return status.Errorf(codes.NotFound, "%s not found", what)
	}
	return status.Error(codes.Internal, err.Error())
}

func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Provider(ctx context.Context, req *types.QueryProviderRequest) (*types.QueryProviderResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	addr, err := q.k.addressCodec.StringToBytes(req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid address %q: %s", req.Address, err)
	}
	p, err := q.k.Providers.Get(ctx, addr)
	if err != nil {
		return nil, notFound(err, "provider "+req.Address)
	}
	return &types.QueryProviderResponse{Provider: p}, nil
}

func (q queryServer) Providers(ctx context.Context, req *types.QueryProvidersRequest) (*types.QueryProvidersResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	ps, page, err := query.CollectionPaginate(ctx, q.k.Providers, boundedPage(req.Pagination),
		func(_ sdk.AccAddress, p types.Provider) (types.Provider, error) { return p, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryProvidersResponse{Providers: ps, Pagination: page}, nil
}

func (q queryServer) Order(ctx context.Context, req *types.QueryOrderRequest) (*types.QueryOrderResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	o, err := q.k.Orders.Get(ctx, req.Id)
	if err != nil {
		return nil, notFound(err, "order")
	}
	return &types.QueryOrderResponse{Order: o}, nil
}

func (q queryServer) Orders(ctx context.Context, req *types.QueryOrdersRequest) (*types.QueryOrdersResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if _, ok := types.OrderState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown order state %d", req.State)
	}
	var (
		orders []types.Order
		page   *query.PageResponse
		err    error
	)
	switch {
	case req.Owner != "":
		owner, aerr := q.k.addressCodec.StringToBytes(req.Owner)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid owner %q: %s", req.Owner, aerr)
		}
		var inState func(types.Order) bool
		if req.State != types.OrderStateUnspecified {
			inState = func(o types.Order) bool { return o.State == req.State }
		}
		orders, page, err = pageIndex(ctx, q.k.Orders.Indexes.Owner, owner, req.Pagination, q.k.Orders.Get, inState)
	case req.State != types.OrderStateUnspecified:
		orders, page, err = q.ordersInState(ctx, req.State, req.Pagination)
	default:
		orders, page, err = query.CollectionPaginate(ctx, q.k.Orders, boundedPage(req.Pagination),
			func(_ uint64, o types.Order) (types.Order, error) { return o, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryOrdersResponse{Orders: orders, Pagination: page}, nil
}

func (q queryServer) OrdersByState(ctx context.Context, req *types.QueryOrdersByStateRequest) (*types.QueryOrdersByStateResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if _, ok := types.OrderState_name[int32(req.State)]; !ok || req.State == types.OrderStateUnspecified {
		return nil, status.Errorf(codes.InvalidArgument, "order state must be one of open, matched, failed, cancelled; got %d", req.State)
	}
	orders, page, err := q.ordersInState(ctx, req.State, req.Pagination)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryOrdersByStateResponse{Orders: orders, Pagination: page}, nil
}

// ordersInState pages through the state index.
func (q queryServer) ordersInState(ctx context.Context, state types.OrderState, pageReq *query.PageRequest) ([]types.Order, *query.PageResponse, error) {
	return pageIndex(ctx, q.k.Orders.Indexes.State, int32(state), pageReq, q.k.Orders.Get, nil)
}

func (q queryServer) Bids(ctx context.Context, req *types.QueryBidsRequest) (*types.QueryBidsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if has, err := q.k.Orders.Has(ctx, req.OrderId); err != nil || !has {
		return nil, status.Errorf(codes.NotFound, "order %d not found", req.OrderId)
	}
	bids, page, err := query.CollectionPaginate(ctx, q.k.Bids, boundedPage(req.Pagination),
		func(_ BidKey, b types.Bid) (types.Bid, error) { return sealed(b), nil },
		query.WithCollectionPaginationPairPrefix[uint64, sdk.AccAddress](req.OrderId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryBidsResponse{Bids: bids, Pagination: page}, nil
}

func (q queryServer) Bid(ctx context.Context, req *types.QueryBidRequest) (*types.QueryBidResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	provider, err := q.k.addressCodec.StringToBytes(req.Provider)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid provider %q: %s", req.Provider, err)
	}
	b, err := q.k.Bids.Get(ctx, collections.Join(req.OrderId, sdk.AccAddress(provider)))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("bid of %s on order %d", req.Provider, req.OrderId))
	}
	return &types.QueryBidResponse{Bid: sealed(b)}, nil
}

// sealed hides a committed bid's commitment until it is revealed.
func sealed(b types.Bid) types.Bid {
	if b.State == types.BidCommitted {
		b.Commitment = nil
	}
	return b
}

func (q queryServer) Lease(ctx context.Context, req *types.QueryLeaseRequest) (*types.QueryLeaseResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	l, err := q.k.Leases.Get(ctx, req.Id)
	if err != nil {
		return nil, notFound(err, "lease")
	}
	return &types.QueryLeaseResponse{Lease: l, Accrued: Accrued(l, sdk.UnwrapSDKContext(ctx).BlockHeight())}, nil
}

func (q queryServer) Leases(ctx context.Context, req *types.QueryLeasesRequest) (*types.QueryLeasesResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if _, ok := types.LeaseState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown lease state %d", req.State)
	}
	var provider, owner sdk.AccAddress
	for _, a := range []struct {
		in  string
		out *sdk.AccAddress
	}{{req.Provider, &provider}, {req.Owner, &owner}} {
		if a.in == "" {
			continue
		}
		bz, err := q.k.addressCodec.StringToBytes(a.in)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid address %q: %s", a.in, err)
		}
		*a.out = bz
	}
	var (
		leases []types.Lease
		page   *query.PageResponse
		err    error
	)
	// addresses compare as bytes: an upper-case filter finds the same leases
	switch {
	case provider != nil:
		var ownedBy func(types.Lease) bool
		if owner != nil {
			ownedBy = func(l types.Lease) bool { return q.k.sameAddress(l.Owner, owner) }
		}
		leases, page, err = q.providerLeases(ctx, provider, req.State, req.Pagination, ownedBy)
	case owner != nil:
		var inState func(types.Lease) bool
		if req.State != types.LeaseStateUnspecified {
			inState = func(l types.Lease) bool { return l.State == req.State }
		}
		leases, page, err = pageIndex(ctx, q.k.Leases.Indexes.Owner, owner, req.Pagination, q.k.Leases.Get, inState)
	case req.State != types.LeaseStateUnspecified:
		leases, page, err = pageIndex(ctx, q.k.Leases.Indexes.State, int32(req.State), req.Pagination, q.k.Leases.Get, nil)
	default:
		leases, page, err = query.CollectionPaginate(ctx, q.k.Leases, boundedPage(req.Pagination),
			func(_ uint64, l types.Lease) (types.Lease, error) { return l, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryLeasesResponse{Leases: leases, Pagination: page}, nil
}

func (q queryServer) LeasesByOrder(ctx context.Context, req *types.QueryLeasesByOrderRequest) (*types.QueryLeasesByOrderResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if has, err := q.k.Orders.Has(ctx, req.OrderId); err != nil || !has {
		return nil, status.Errorf(codes.NotFound, "order %d not found", req.OrderId)
	}
	leases, page, err := pageIndex(ctx, q.k.Leases.Indexes.Order, req.OrderId, req.Pagination, q.k.Leases.Get, nil)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryLeasesByOrderResponse{Leases: leases, Pagination: page}, nil
}

func (q queryServer) ProviderLeases(ctx context.Context, req *types.QueryProviderLeasesRequest) (*types.QueryProviderLeasesResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if _, ok := types.LeaseState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown lease state %d", req.State)
	}
	provider, err := q.k.addressCodec.StringToBytes(req.Provider)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid provider %q: %s", req.Provider, err)
	}
	leases, page, err := q.providerLeases(ctx, provider, req.State, req.Pagination, nil)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryProviderLeasesResponse{Leases: leases, Pagination: page}, nil
}

// providerLeases pages through the by-provider index, or the (provider, state) one when a state is
// given, keeping the leases keep accepts (all when keep is nil).
func (q queryServer) providerLeases(ctx context.Context, provider sdk.AccAddress, state types.LeaseState, pageReq *query.PageRequest,
	keep func(types.Lease) bool,
) ([]types.Lease, *query.PageResponse, error) {
	if state == types.LeaseStateUnspecified {
		return pageIndex(ctx, q.k.Leases.Indexes.Provider, provider, pageReq, q.k.Leases.Get, keep)
	}
	return pageIndex(ctx, q.k.Leases.Indexes.ProviderState, collections.Join(provider, int32(state)), pageReq, q.k.Leases.Get, keep)
}

// pageIndex pages through the records an index holds under ref, in id order, keeping those keep
// accepts (all when keep is nil). The page is bounded by boundedPage.
func pageIndex[R, V any](ctx context.Context, index Index[R, uint64, V], ref R, pageReq *query.PageRequest,
	get func(context.Context, uint64) (V, error), keep func(V) bool,
) ([]V, *query.PageResponse, error) {
	var filter func(collections.Pair[R, uint64], collections.NoValue) (bool, error)
	if keep != nil {
		filter = func(key collections.Pair[R, uint64], _ collections.NoValue) (bool, error) {
			v, err := get(ctx, key.K2())
			return err == nil && keep(v), err
		}
	}
	return query.CollectionFilteredPaginate(ctx, index, boundedPage(pageReq), filter,
		func(key collections.Pair[R, uint64], _ collections.NoValue) (V, error) { return get(ctx, key.K2()) },
		query.WithCollectionPaginationPairPrefix[R, uint64](ref))
}

// boundedPage caps a list query's page at types.MaxListBound entries; the rest is one next_key away.
func boundedPage(p *query.PageRequest) *query.PageRequest {
	if p == nil || p.Limit <= types.MaxListBound {
		return p
	}
	bounded := *p
	bounded.Limit = types.MaxListBound
	return &bounded
}

func (q queryServer) Quote(ctx context.Context, req *types.QueryQuoteRequest) (*types.QueryQuoteResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if req.CpuMillicores == 0 {
		return nil, status.Error(codes.InvalidArgument, "cpu_millicores must be positive")
	}
	denom := req.Denom
	if denom == "" {
		denom = p.BidDeposit.Denom
	}
	if err := sdk.ValidateDenom(denom); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	r := types.Resources{CpuMillicores: req.CpuMillicores, MemoryMib: req.MemoryMib, StorageMib: req.StorageMib, Gpus: req.Gpus}
	resp, err := q.k.Quote(ctx, p, r, req.Tier, req.LeaseBlocks, denom)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return resp, nil
}

func (q queryServer) Market(ctx context.Context, req *types.QueryMarketRequest) (*types.QueryMarketResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	resp := &types.QueryMarketResponse{}
	iter, err := q.k.PriceBands.Iterate(ctx, nil)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if resp.Bands, err = iter.Values(); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	h, err := q.k.Holdings(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp.OpenOrders, resp.PendingLeases, resp.ActiveLeases = h.OpenOrders, h.PendingLeases, h.ActiveLeases
	resp.Escrowed, resp.Deposits, resp.Bonded = h.Escrowed, h.Deposits, h.Bonded
	resp.ProviderBonds, resp.Providers, resp.DepositSweeps = h.ProviderBonds, h.Providers, h.DepositSweeps
	resp.Standbys, resp.StandbyDeposits = h.Standbys, h.StandbyDeposits
	return resp, nil
}
