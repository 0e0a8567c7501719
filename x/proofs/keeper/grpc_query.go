package keeper

import (
	"context"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/internal/grpcquery"
	"github.com/fogchain/fog/x/proofs/types"
)

type queryServer struct{ k Keeper }

// NewQueryServerImpl returns the proofs Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k} }

func (q queryServer) Params(ctx context.Context, req *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

func (q queryServer) Batch(ctx context.Context, req *types.QueryBatchRequest) (*types.QueryBatchResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	b, err := q.k.Batches.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcquery.NotFound(err, "batch")
	}
	return &types.QueryBatchResponse{Batch: b}, nil
}

func (q queryServer) Batches(ctx context.Context, req *types.QueryBatchesRequest) (*types.QueryBatchesResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	load := func(id uint64) (types.Batch, error) { return q.k.Batches.Get(ctx, id) }
	var submitter sdk.AccAddress
	if req.Submitter != "" {
		addr, err := q.k.addressCodec.StringToBytes(req.Submitter)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "invalid submitter %q: %s", req.Submitter, err)
		}
		submitter = addr
	}
	var (
		batches []types.Batch
		page    *query.PageResponse
		err     error
	)
	switch {
	case req.LeaseId != 0:
		batches, page, err = query.CollectionFilteredPaginate(ctx, q.k.BatchesByLease, req.Pagination,
			func(key collections.Pair[uint64, uint64], _ collections.NoValue) (bool, error) {
				if submitter == nil {
					return true, nil
				}
				// an index entry, not the batch: the submitter's bytes without decoding it
				return q.k.BatchesBySubmitter.Has(ctx, collections.Join(submitter, key.K2()))
			},
			func(key collections.Pair[uint64, uint64], _ collections.NoValue) (types.Batch, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[uint64, uint64](req.LeaseId))
	case submitter != nil:
		batches, page, err = query.CollectionPaginate(ctx, q.k.BatchesBySubmitter, req.Pagination,
			func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (types.Batch, error) {
				return load(key.K2())
			},
			query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](submitter))
	default:
		batches, page, err = query.CollectionPaginate(ctx, q.k.Batches, req.Pagination,
			func(_ uint64, b types.Batch) (types.Batch, error) { return b, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryBatchesResponse{Batches: batches, Pagination: page}, nil
}

func (q queryServer) VerifyInclusion(ctx context.Context, req *types.QueryVerifyInclusionRequest) (*types.QueryVerifyInclusionResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	b, err := q.k.Batches.Get(ctx, req.BatchId)
	if err != nil {
		return nil, grpcquery.NotFound(err, "batch")
	}
	if uint64(req.Proof.Total) != b.LeafCount {
		return &types.QueryVerifyInclusionResponse{Reason: "the proof is for a tree of another size than the batch", Batch: b}, nil
	}
	if err := types.VerifyInclusion(b.MerkleRoot, req.Leaf, req.Proof); err != nil {
		return &types.QueryVerifyInclusionResponse{Reason: err.Error(), Batch: b}, nil
	}
	return &types.QueryVerifyInclusionResponse{Valid: true, Batch: b}, nil
}

func (q queryServer) Circuit(ctx context.Context, req *types.QueryCircuitRequest) (*types.QueryCircuitResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	c, err := q.k.Circuits.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcquery.NotFound(err, "circuit")
	}
	return &types.QueryCircuitResponse{Circuit: c}, nil
}

func (q queryServer) Circuits(ctx context.Context, req *types.QueryCircuitsRequest) (*types.QueryCircuitsResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	cs, page, err := query.CollectionPaginate(ctx, q.k.Circuits, req.Pagination,
		func(_ uint64, c types.Circuit) (types.Circuit, error) { return c, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryCircuitsResponse{Circuits: cs, Pagination: page}, nil
}

func (q queryServer) Claim(ctx context.Context, req *types.QueryClaimRequest) (*types.QueryClaimResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	c, err := q.k.Claims.Get(ctx, req.Id)
	if err != nil {
		return nil, grpcquery.NotFound(err, "claim")
	}
	return &types.QueryClaimResponse{Claim: c}, nil
}

func (q queryServer) Claims(ctx context.Context, req *types.QueryClaimsRequest) (*types.QueryClaimsResponse, error) {
	if req == nil {
		return nil, grpcquery.ErrNilRequest
	}
	var (
		claims []types.Claim
		page   *query.PageResponse
		err    error
	)
	if req.CircuitId != 0 {
		claims, page, err = query.CollectionPaginate(ctx, q.k.ClaimsByCircuit, req.Pagination,
			func(key collections.Pair[uint64, uint64], _ collections.NoValue) (types.Claim, error) {
				return q.k.Claims.Get(ctx, key.K2())
			},
			query.WithCollectionPaginationPairPrefix[uint64, uint64](req.CircuitId))
	} else {
		claims, page, err = query.CollectionPaginate(ctx, q.k.Claims, req.Pagination,
			func(_ uint64, c types.Claim) (types.Claim, error) { return c, nil })
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryClaimsResponse{Claims: claims, Pagination: page}, nil
}
