package keeper

import (
	errorsmod "cosmossdk.io/errors"

	"github.com/fogchain/fog/x/market/types"
)

// validateProvider checks a provider registration: the stateless checks of ValidateBasic, then the
// params' bounds.
func validateProvider(p types.Params, peerID string, multiaddrs []string, workerKey []byte, capacity types.Resources, attrs []types.Attribute) error {
	if err := types.ValidateProviderFields(peerID, multiaddrs, workerKey, capacity, attrs); err != nil {
		return err
	}
	if len(multiaddrs) > int(p.MaxMultiaddrs) {
		return errorsmod.Wrapf(types.ErrInvalidMultiaddr, "%d multiaddrs, at most %d", len(multiaddrs), p.MaxMultiaddrs)
	}
	for _, a := range multiaddrs {
		if len(a) > int(p.MaxMultiaddrBytes) {
			return errorsmod.Wrapf(types.ErrInvalidMultiaddr, "length %d not in [1, %d]", len(a), p.MaxMultiaddrBytes)
		}
	}
	if len(attrs) > int(p.MaxAttributes) {
		return errorsmod.Wrapf(types.ErrInvalidAttributes, "%d attributes, at most %d", len(attrs), p.MaxAttributes)
	}
	for _, a := range attrs {
		if len(a.Key)+len(a.Value) > int(p.MaxAttributeBytes) {
			return errorsmod.Wrapf(types.ErrInvalidAttributes, "attribute %q: key+value must be at most %d bytes", a.Key, p.MaxAttributeBytes)
		}
	}
	return nil
}

// validateOrder checks an order request: the stateless checks of ValidateBasic, then the params'
// bounds; it returns the tier's replica count.
func validateOrder(p types.Params, msg *types.MsgCreateOrder) (uint32, error) {
	if err := types.ValidateOrderFields(msg); err != nil {
		return 0, err
	}
	tier, err := p.Tier(msg.Tier)
	if err != nil {
		return 0, err
	}
	if err := inBounds("lease", msg.LeaseBlocks, p.MinLeaseBlocks, p.MaxLeaseBlocks); err != nil {
		return 0, err
	}
	if err := inBounds("commit", msg.CommitBlocks, p.MinCommitBlocks, p.MaxCommitBlocks); err != nil {
		return 0, err
	}
	if err := inBounds("reveal", msg.RevealBlocks, p.MinRevealBlocks, p.MaxRevealBlocks); err != nil {
		return 0, err
	}
	return tier.Replicas, nil
}

func inBounds(what string, v, lo, hi uint64) error {
	if v < lo || v > hi {
		return errorsmod.Wrapf(types.ErrBlocksOutOfBounds, "%s blocks %d not in [%d, %d]", what, v, lo, hi)
	}
	return nil
}
