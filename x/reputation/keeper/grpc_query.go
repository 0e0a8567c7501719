package keeper

import (
	"context"
	"sort"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/fogchain/fog/x/reputation/types"
)

type queryServer struct{ k Keeper }

// NewQueryServerImpl returns the reputation Query service.
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

func (q queryServer) Score(ctx context.Context, req *types.QueryScoreRequest) (*types.QueryScoreResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	addr, err := q.k.addressCodec.StringToBytes(req.Address)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "invalid address %q: %s", req.Address, err)
	}
	s, found, err := q.k.Score(ctx, addr)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryScoreResponse{Score: s, Found: found}, nil
}

// allScores computes every record's score as of the current block. Queries only: it reads all records.
func (q queryServer) allScores(ctx context.Context) (types.Params, []types.Score, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return p, nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	var out []types.Score
	err = q.k.Records.Walk(ctx, nil, func(_ sdk.AccAddress, r types.Record) (bool, error) {
		out = append(out, ScoreOf(p, r, h))
		return false, nil
	})
	return p, out, err
}

func tierInfos(p types.Params, scores []types.Score) []types.TierInfo {
	counts := map[types.Tier]uint64{}
	for _, s := range scores {
		counts[s.Tier]++
	}
	out := make([]types.TierInfo, 0, len(types.Tiers))
	for _, t := range types.Tiers {
		out = append(out, types.TierInfo{Tier: t, MinLowerBound: p.MinLowerBound(t), Members: counts[t]})
	}
	return out
}

func (q queryServer) Tiers(ctx context.Context, req *types.QueryTiersRequest) (*types.QueryTiersResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, scores, err := q.allScores(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryTiersResponse{Tiers: tierInfos(p, scores), Accounts: uint64(len(scores))}, nil
}

func (q queryServer) Analytics(ctx context.Context, req *types.QueryAnalyticsRequest) (*types.QueryAnalyticsResponse, error) {
	if req == nil {
		return nil, errNilRequest
	}
	p, scores, err := q.allScores(ctx)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	hist := make([]uint64, 10)
	for _, s := range scores {
		b := s.Mean.MulInt64(10).TruncateInt64()
		hist[min(b, 9)]++
	}
	sort.SliceStable(scores, func(i, j int) bool {
		if !scores[i].LowerBound.Equal(scores[j].LowerBound) {
			return scores[i].LowerBound.GT(scores[j].LowerBound)
		}
		return scores[i].Address < scores[j].Address
	})
	offset, limit := uint64(0), uint64(query.DefaultLimit)
	if req.Pagination != nil {
		if len(req.Pagination.Key) > 0 {
			return nil, status.Error(codes.InvalidArgument, "the top list pages by offset, not by key")
		}
		offset = req.Pagination.Offset
		if req.Pagination.Limit > 0 {
			limit = min(req.Pagination.Limit, 1000)
		}
	}
	start := min(offset, uint64(len(scores)))
	end := min(start+limit, uint64(len(scores)))
	return &types.QueryAnalyticsResponse{
		Histogram:  hist,
		Tiers:      tierInfos(p, scores),
		Top:        scores[start:end],
		Pagination: &query.PageResponse{Total: uint64(len(scores))},
	}, nil
}
