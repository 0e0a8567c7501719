package keeper

import (
	"context"
	"errors"

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
	ps, page, err := query.CollectionPaginate(ctx, q.k.Providers, req.Pagination,
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
	load := func(id uint64) (types.Order, error) { return q.k.Orders.Get(ctx, id) }
	switch {
	case req.Owner != "":
		owner, aerr := q.k.addressCodec.StringToBytes(req.Owner)
		if aerr != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid owner %q: %s", req.Owner, aerr)
		}
		orders, page, err = query.CollectionFilteredPaginate(ctx, q.k.OrdersByOwner, req.Pagination,
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (bool, error) {
				if req.State == types.OrderStateUnspecified {
					return true, nil
				}
				o, err := load(key.K2())
				return o.State == req.State, err
			},
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Order, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](owner))
	case req.State != types.OrderStateUnspecified:
		orders, page, err = query.CollectionPaginate(ctx, q.k.OrdersByState, req.Pagination,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Order, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.State)))
	default:
		orders, page, err = query.CollectionPaginate(ctx, q.k.Orders, req.Pagination,
			func(_ uint64, o types.Order) (types.Order, error) { return o, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryOrdersResponse{Orders: orders, Pagination: page}, nil
}

func (q queryServer) Bids(ctx context.Context, req *types.QueryBidsRequest) (*types.QueryBidsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if has, err := q.k.Orders.Has(ctx, req.OrderId); err != nil || !has {
		return nil, status.Errorf(codes.NotFound, "order %d not found", req.OrderId)
	}
	bids, page, err := query.CollectionPaginate(ctx, q.k.Bids, req.Pagination,
		func(_ collections.Pair[uint64, sdk.AccAddress], b types.Bid) (types.Bid, error) {
			if b.State == types.BidCommitted {
				b.Commitment = nil // sealed until revealed
			}
			return b, nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, sdk.AccAddress](req.OrderId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryBidsResponse{Bids: bids, Pagination: page}, nil
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
	load := func(id uint64) (types.Lease, error) { return q.k.Leases.Get(ctx, id) }
	// addresses compare as bytes: an upper-case filter finds the same leases
	match := func(l types.Lease) bool {
		return (provider == nil || q.k.sameAddress(l.Provider, provider)) && (owner == nil || q.k.sameAddress(l.Owner, owner)) &&
			(req.State == types.LeaseStateUnspecified || l.State == req.State)
	}
	filter := func(id uint64) (bool, error) {
		l, err := load(id)
		return err == nil && match(l), err
	}
	var (
		leases []types.Lease
		page   *query.PageResponse
		err    error
	)
	switch {
	case provider != nil || owner != nil:
		index, prefix := q.k.LeasesByProvider, provider
		if provider == nil {
			index, prefix = q.k.LeasesByOwner, owner
		}
		leases, page, err = query.CollectionFilteredPaginate(ctx, index, req.Pagination,
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (bool, error) {
				return filter(key.K2())
			},
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Lease, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](prefix))
	case req.State != types.LeaseStateUnspecified:
		leases, page, err = query.CollectionPaginate(ctx, q.k.LeasesByState, req.Pagination,
			func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Lease, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.State)))
	default:
		leases, page, err = query.CollectionPaginate(ctx, q.k.Leases, req.Pagination,
			func(_ uint64, l types.Lease) (types.Lease, error) { return l, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryLeasesResponse{Leases: leases, Pagination: page}, nil
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
	return resp, nil
}
