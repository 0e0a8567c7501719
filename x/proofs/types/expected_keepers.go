package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// MarketKeeper is what x/proofs needs of the market: the parties of the lease a batch belongs to.
type MarketKeeper interface {
	// LeaseParties is a lease's owner and provider; an error wrapping collections.ErrNotFound when
	// there is no such lease.
	LeaseParties(ctx context.Context, id uint64) (owner, provider sdk.AccAddress, err error)
}
