package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/x/quorum/types"
)

// maxPage caps a page of every list query of the module: quorum records (up to 72 members each),
// verifiers, audits (up to 15 votes each).
const maxPage = 1000

// boundedPage is p with its limit capped at maxPage.
func boundedPage(p *query.PageRequest) *query.PageRequest {
	if p != nil && p.Limit > maxPage {
		b := *p
		b.Limit = maxPage
		return &b
	}
	return p
}

func (q queryServer) Verifiers(ctx context.Context, req *types.QueryVerifiersRequest) (*types.QueryVerifiersResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	vs, resp, err := query.CollectionPaginate(ctx, q.k.Verifiers, boundedPage(req.Pagination),
		func(_ sdk.AccAddress, v types.Verifier) (types.Verifier, error) { return v, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryVerifiersResponse{Verifiers: vs, Pagination: resp}, nil
}

func (q queryServer) Audit(ctx context.Context, req *types.QueryAuditRequest) (*types.QueryAuditResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	a, err := q.k.Audits.Get(ctx, req.Id)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no audit %d", req.Id)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAuditResponse{Audit: a}, nil
}

func (q queryServer) Audits(ctx context.Context, req *types.QueryAuditsRequest) (*types.QueryAuditsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if req.LeaseId == 0 {
		as, resp, err := query.CollectionPaginate(ctx, q.k.Audits, boundedPage(req.Pagination),
			func(_ uint64, a types.Audit) (types.Audit, error) { return a, nil })
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return &types.QueryAuditsResponse{Audits: as, Pagination: resp}, nil
	}
	as, resp, err := query.CollectionPaginate(ctx, q.k.AuditsByLease, boundedPage(req.Pagination),
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (types.Audit, error) {
			return q.k.Audits.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[uint64, uint64](req.LeaseId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditsResponse{Audits: as, Pagination: resp}, nil
}

func (q queryServer) Watch(ctx context.Context, req *types.QueryWatchRequest) (*types.QueryWatchResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	w, err := q.k.Watches.Get(ctx, req.LeaseId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "lease %d is not watched", req.LeaseId)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp := &types.QueryWatchResponse{Watch: w}
	err = q.k.SlaWindows.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint32](req.LeaseId),
		func(_ collections.Pair[uint64, uint32], win types.SlaWindow) (bool, error) {
			resp.Windows = append(resp.Windows, win)
			return false, nil
		})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return resp, nil
}
