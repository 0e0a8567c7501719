package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/x/tee/types"
)

type queryServer struct{ k Keeper }

// NewQueryServerImpl returns the tee Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k} }

var errNilRequest = status.Error(codes.InvalidArgument, "empty request")

// DefaultExpiringWithinBlocks is the Status query's "expiring soon" horizon when none is given.
const DefaultExpiringWithinBlocks = 100

func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.GetParams(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Enclave(ctx context.Context, req *types.QueryEnclaveRequest) (*types.QueryEnclaveResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	addr, err := q.k.addressCodec.StringToBytes(req.Provider)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "provider: %s", err)
	}
	e, err := q.k.Enclaves.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no enclave record for %s", req.Provider)
	} else if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryEnclaveResponse{Enclave: e, Valid: e.ExpiryHeight > sdk.UnwrapSDKContext(ctx).BlockHeight()}, nil
}

func (q queryServer) Enclaves(ctx context.Context, req *types.QueryEnclavesRequest) (*types.QueryEnclavesResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	es, page, err := query.CollectionFilteredPaginate(ctx, q.k.Enclaves, req.Pagination,
		func(_ sdk.AccAddress, e types.Enclave) (bool, error) {
			return req.TeeType == types.TeeTypeUnspecified || e.TeeType == req.TeeType, nil
		},
		func(_ sdk.AccAddress, e types.Enclave) (types.Enclave, error) { return e, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryEnclavesResponse{Enclaves: es, Pagination: page}, nil
}

// Status counts valid records per TEE type and those expiring soon, and the expired ones (one record
// per provider is read).
func (q queryServer) Status(ctx context.Context, req *types.QueryStatusRequest) (*types.QueryStatusResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	within := req.ExpiringWithinBlocks
	if within <= 0 {
		within = DefaultExpiringWithinBlocks
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	counts := map[types.TeeType]*types.TypeCount{}
	var expired uint64
	err := q.k.Enclaves.Walk(ctx, nil, func(_ sdk.AccAddress, e types.Enclave) (bool, error) {
		if e.ExpiryHeight <= h {
			expired++
			return false, nil
		}
		c := counts[e.TeeType]
		if c == nil {
			c = &types.TypeCount{TeeType: e.TeeType}
			counts[e.TeeType] = c
		}
		c.Valid++
		if e.ExpiryHeight-h <= within { // not h+within: a huge horizon must not wrap
			c.ExpiringSoon++
		}
		return false, nil
	})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	res := &types.QueryStatusResponse{Expired: expired}
	for _, t := range []types.TeeType{types.TeeTypeSevSnp, types.TeeTypeTdx, types.TeeTypeSimulated} {
		if c := counts[t]; c != nil {
			res.Counts = append(res.Counts, *c)
		} else {
			res.Counts = append(res.Counts, types.TypeCount{TeeType: t})
		}
	}
	return res, nil
}

func (q queryServer) Nonce(ctx context.Context, req *types.QueryNonceRequest) (*types.QueryNonceResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.params.Get(ctx) // the window only
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	it, err := q.k.Nonces.Iterate(ctx, new(collections.Range[int64]).Descending())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	defer it.Close()
	if !it.Valid() {
		return nil, status.Error(codes.NotFound, "no block hash recorded yet")
	}
	kv, err := it.KeyValue()
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryNonceResponse{Nonce: types.Nonce{Height: kv.Key, Hash: kv.Value}, WindowBlocks: p.NonceWindowBlocks}, nil
}
