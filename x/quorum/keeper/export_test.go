package keeper

import (
	"context"

	"github.com/fogchain/fog/x/quorum/types"
)

// DrawVerifiers is drawVerifiers, for the draw tests (seed as given, not derived from a block).
func (k Keeper) DrawVerifiers(ctx context.Context, seed []byte, n int, maxDuties uint32, exclude map[string]bool) ([]types.Verifier, error) {
	return k.drawVerifiers(ctx, seed, n, maxDuties, exclude)
}
