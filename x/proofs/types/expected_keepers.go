package types

import (
	"context"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// MarketKeeper is what x/proofs needs of the market: the lease a batch belongs to.
type MarketKeeper interface {
	Lease(ctx context.Context, id uint64) (markettypes.Lease, error)
}
