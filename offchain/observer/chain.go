package observer

import (
	"context"

	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/offchain/chain"
	markettypes "github.com/fogchain/fog/x/market/types"
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Chain is what the observer needs from the node: NodeChain adapts an offchain/chain.Client.
type Chain interface {
	// Address is the observer's account: the worker's provider address.
	Address() sdk.AccAddress
	Subscribe(ctx context.Context, filter chain.Filter) <-chan chain.Event
	Broadcast(ctx context.Context, msgs ...sdk.Msg) (*ctypes.ResultTx, error)
	// Provider is a provider's registration (peer id, multiaddrs); found is false when it has none.
	Provider(ctx context.Context, addr string) (p markettypes.Provider, found bool, err error)
	// Watch is a lease's watch and its windows; found is false when the lease has none.
	Watch(ctx context.Context, leaseID uint64) (res quorumtypes.QueryWatchResponse, found bool, err error)
	// QuorumParams are x/quorum's params (sla_report_blocks, max_probes_per_window).
	QuorumParams(ctx context.Context) (quorumtypes.Params, error)
}

// NodeChain is a Chain on an offchain/chain.Client; x/quorum's queries go through the client's gRPC
// connection (its Context).
type NodeChain struct {
	*chain.Client
}

var _ Chain = NodeChain{}

func (c NodeChain) quorum() quorumtypes.QueryClient { return quorumtypes.NewQueryClient(c.Context()) }

// Watch reads a lease's watch.
func (c NodeChain) Watch(ctx context.Context, leaseID uint64) (quorumtypes.QueryWatchResponse, bool, error) {
	res, err := c.quorum().Watch(ctx, &quorumtypes.QueryWatchRequest{LeaseId: leaseID})
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return quorumtypes.QueryWatchResponse{}, false, nil
		}
		return quorumtypes.QueryWatchResponse{}, false, err
	}
	return *res, true, nil
}

// QuorumParams reads x/quorum's params.
func (c NodeChain) QuorumParams(ctx context.Context) (quorumtypes.Params, error) {
	res, err := c.quorum().Params(ctx, &quorumtypes.QueryParamsRequest{})
	if err != nil {
		return quorumtypes.Params{}, err
	}
	return res.Params, nil
}
