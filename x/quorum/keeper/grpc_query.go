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

type queryServer struct{ k Keeper }

// NewQueryServerImpl returns the quorum Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k} }

var errNilRequest = status.Error(codes.InvalidArgument, "empty request")

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

func (q queryServer) Tiers(ctx context.Context, req *types.QueryTiersRequest) (*types.QueryTiersResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	resp := &types.QueryTiersResponse{}
	for _, name := range types.TierNames {
		t, _ := p.Tier(name)
		resp.Tiers = append(resp.Tiers, types.TierInfo{Name: name, Sla: t})
	}
	return resp, nil
}

func (q queryServer) Auditors(ctx context.Context, req *types.QueryAuditorsRequest) (*types.QueryAuditorsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	auditors, page, err := query.CollectionPaginate(ctx, q.k.Auditors, req.Pagination,
		func(_ sdk.AccAddress, a types.Auditor) (types.Auditor, error) { return a, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAuditorsResponse{Auditors: auditors, Pagination: page}, nil
}

func (q queryServer) address(field, s string) (sdk.AccAddress, error) {
	addr, err := q.k.addressCodec.StringToBytes(s)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid %s %q: %s", field, s, err)
	}
	return addr, nil
}

func (q queryServer) Auditor(ctx context.Context, req *types.QueryAuditorRequest) (*types.QueryAuditorResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	addr, err := q.address("address", req.Address)
	if err != nil {
		return nil, err
	}
	a, err := q.k.Auditors.Get(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "%s is not an approved auditor", req.Address)
	} else if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryAuditorResponse{Auditor: a}, nil
}

func (q queryServer) ProviderAttributes(ctx context.Context, req *types.QueryProviderAttributesRequest) (*types.QueryProviderAttributesResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	provider, err := q.address("provider", req.Provider)
	if err != nil {
		return nil, err
	}
	resp := &types.QueryProviderAttributesResponse{}
	err = q.k.Attributes.Walk(ctx, collections.NewPrefixedPairRange[sdk.AccAddress, sdk.AccAddress](provider),
		func(key collections.Pair[sdk.AccAddress, sdk.AccAddress], e types.AuditedAttributes) (bool, error) {
			approved, err := q.k.Auditors.Has(ctx, key.K2())
			resp.Signed = append(resp.Signed, types.SignedAttributes{Attributes: e, Approved: approved})
			return false, err
		})
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if resp.Profile, err = q.k.Profile(ctx, provider); err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return resp, nil
}

func (q queryServer) ValidateDiversity(ctx context.Context, req *types.QueryValidateDiversityRequest) (*types.QueryValidateDiversityResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	tier, err := p.Tier(req.Tier)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if len(req.Providers) == 0 || len(req.Providers) > types.MaxReplicas {
		return nil, status.Errorf(codes.InvalidArgument, "%d providers: give 1 to %d", len(req.Providers), types.MaxReplicas)
	}
	seen := map[string]bool{}
	resp := &types.QueryValidateDiversityResponse{}
	for _, s := range req.Providers {
		addr, err := q.address("provider", s)
		if err != nil {
			return nil, err
		}
		if seen[string(addr)] {
			return nil, status.Errorf(codes.InvalidArgument, "provider %s given twice", s)
		}
		seen[string(addr)] = true
		prof, err := q.k.Profile(ctx, addr)
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		resp.Profiles = append(resp.Profiles, prof)
	}
	resp.Constraints, resp.Feasible = CheckProfiles(resp.Profiles, tier)
	return resp, nil
}

func (q queryServer) Quorum(ctx context.Context, req *types.QueryQuorumRequest) (*types.QueryQuorumResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	if req.OrderId == 0 {
		return nil, status.Error(codes.InvalidArgument, "order id 0")
	}
	r, err := q.k.Quorums.Get(ctx, req.OrderId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, status.Errorf(codes.NotFound, "no quorum record of order %d", req.OrderId)
	}
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryQuorumResponse{Quorum: r}, nil
}


func (q queryServer) Quorums(ctx context.Context, req *types.QueryQuorumsRequest) (*types.QueryQuorumsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	page := boundedPage(req.Pagination)
	if req.State == types.QuorumStateUnspecified {
		records, resp, err := query.CollectionPaginate(ctx, q.k.Quorums, page,
			func(_ uint64, r types.Quorum) (types.Quorum, error) { return r, nil })
		if err != nil {
			return nil, status.Error(codes.InvalidArgument, err.Error())
		}
		return &types.QueryQuorumsResponse{Quorums: records, Pagination: resp}, nil
	}
	if _, ok := types.QuorumState_name[int32(req.State)]; !ok {
		return nil, status.Errorf(codes.InvalidArgument, "unknown quorum state %d", req.State)
	}
	// the state index's entries under the state, in order id order
	records, resp, err := query.CollectionPaginate(ctx, q.k.quorumsByState, page,
		func(key collections.Pair[int32, uint64], _ collections.NoValue) (types.Quorum, error) {
			return q.k.Quorums.Get(ctx, key.K2())
		}, query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.State)))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryQuorumsResponse{Quorums: records, Pagination: resp}, nil
}
