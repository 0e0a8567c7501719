package keeper

import (
	"context"
	"errors"

	"github.com/fogchain/fog/x/quorum/types"
)

var errTODO = errors.New("not implemented yet")

func (k msgServer) JoinVerifierPool(context.Context, *types.MsgJoinVerifierPool) (*types.MsgJoinVerifierPoolResponse, error) {
	return nil, errTODO
}
func (k msgServer) LeaveVerifierPool(context.Context, *types.MsgLeaveVerifierPool) (*types.MsgLeaveVerifierPoolResponse, error) {
	return nil, errTODO
}
func (k msgServer) RequestAudit(context.Context, *types.MsgRequestAudit) (*types.MsgRequestAuditResponse, error) {
	return nil, errTODO
}
func (k msgServer) CommitAuditVote(context.Context, *types.MsgCommitAuditVote) (*types.MsgCommitAuditVoteResponse, error) {
	return nil, errTODO
}
func (k msgServer) RevealAuditVote(context.Context, *types.MsgRevealAuditVote) (*types.MsgRevealAuditVoteResponse, error) {
	return nil, errTODO
}
func (k msgServer) WatchLease(context.Context, *types.MsgWatchLease) (*types.MsgWatchLeaseResponse, error) {
	return nil, errTODO
}
func (k msgServer) SubmitSlaReport(context.Context, *types.MsgSubmitSlaReport) (*types.MsgSubmitSlaReportResponse, error) {
	return nil, errTODO
}
func (q queryServer) Verifiers(context.Context, *types.QueryVerifiersRequest) (*types.QueryVerifiersResponse, error) {
	return nil, errTODO
}
func (q queryServer) Audit(context.Context, *types.QueryAuditRequest) (*types.QueryAuditResponse, error) {
	return nil, errTODO
}
func (q queryServer) Audits(context.Context, *types.QueryAuditsRequest) (*types.QueryAuditsResponse, error) {
	return nil, errTODO
}
func (q queryServer) Watch(context.Context, *types.QueryWatchRequest) (*types.QueryWatchResponse, error) {
	return nil, errTODO
}
