package keeper

import (
	"crypto/ed25519"

	errorsmod "cosmossdk.io/errors"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// maxPeerIDBytes bounds the peer id string before it is parsed.
const maxPeerIDBytes = 128

// validateProvider checks a provider registration against the params' bounds.
func validateProvider(p types.Params, peerID string, multiaddrs []string, workerKey []byte, capacity types.Resources, attrs []types.Attribute) error {
	if len(peerID) == 0 || len(peerID) > maxPeerIDBytes {
		return errorsmod.Wrapf(types.ErrInvalidPeerID, "length %d not in [1, %d]", len(peerID), maxPeerIDBytes)
	}
	if _, err := peer.Decode(peerID); err != nil {
		return errorsmod.Wrapf(types.ErrInvalidPeerID, "%q: %s", peerID, err)
	}
	if len(multiaddrs) > int(p.MaxMultiaddrs) {
		return errorsmod.Wrapf(types.ErrInvalidMultiaddr, "%d multiaddrs, at most %d", len(multiaddrs), p.MaxMultiaddrs)
	}
	for _, a := range multiaddrs {
		if len(a) == 0 || len(a) > int(p.MaxMultiaddrBytes) {
			return errorsmod.Wrapf(types.ErrInvalidMultiaddr, "length %d not in [1, %d]", len(a), p.MaxMultiaddrBytes)
		}
		if _, err := ma.NewMultiaddr(a); err != nil {
			return errorsmod.Wrapf(types.ErrInvalidMultiaddr, "%q: %s", a, err)
		}
	}
	if len(workerKey) != 0 && len(workerKey) != ed25519.PublicKeySize {
		return errorsmod.Wrapf(types.ErrInvalidWorkerKey, "ed25519 key is %d bytes, got %d", ed25519.PublicKeySize, len(workerKey))
	}
	if capacity.CpuMillicores == 0 || capacity.MemoryMib == 0 {
		return errorsmod.Wrap(types.ErrInvalidResources, "capacity needs cpu and memory")
	}
	if len(attrs) > int(p.MaxAttributes) {
		return errorsmod.Wrapf(types.ErrInvalidAttributes, "%d attributes, at most %d", len(attrs), p.MaxAttributes)
	}
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if a.Key == "" || len(a.Key)+len(a.Value) > int(p.MaxAttributeBytes) {
			return errorsmod.Wrapf(types.ErrInvalidAttributes, "attribute %q: key must be non-empty and key+value at most %d bytes", a.Key, p.MaxAttributeBytes)
		}
		if seen[a.Key] {
			return errorsmod.Wrapf(types.ErrInvalidAttributes, "duplicate key %q", a.Key)
		}
		seen[a.Key] = true
	}
	return nil
}

// validateOrder checks an order request against the params; it returns the tier's replica count.
func validateOrder(p types.Params, msg *types.MsgCreateOrder) (uint32, error) {
	r := msg.Resources
	if r.CpuMillicores == 0 || r.MemoryMib == 0 {
		return 0, errorsmod.Wrap(types.ErrInvalidResources, "an order needs cpu millicores and memory")
	}
	tier, err := p.Tier(msg.Tier)
	if err != nil {
		return 0, err
	}
	if msg.Privacy < types.PrivacyPublic || msg.Privacy > types.PrivacySecret {
		return 0, errorsmod.Wrapf(types.ErrInvalidPrivacy, "%d", msg.Privacy)
	}
	if _, ok := teetypes.TeeType_name[int32(msg.TeeType)]; !ok {
		return 0, errorsmod.Wrapf(types.ErrInvalidTeeType, "%d", msg.TeeType)
	}
	if msg.MinReputationTier < reputationtypes.TierUnspecified || msg.MinReputationTier > reputationtypes.TierDiamond {
		return 0, errorsmod.Wrapf(types.ErrInvalidMinTier, "%d", msg.MinReputationTier)
	}
	if len(msg.WorkloadHash) != types.WorkloadHashSize {
		return 0, errorsmod.Wrapf(types.ErrInvalidWorkloadHash, "want %d bytes, got %d", types.WorkloadHashSize, len(msg.WorkloadHash))
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
	if err := msg.MaxPricePerBlock.Validate(); err != nil {
		return 0, errorsmod.Wrapf(types.ErrInvalidPrice, "max price: %s", err)
	}
	if !msg.MaxPricePerBlock.IsPositive() {
		return 0, errorsmod.Wrap(types.ErrInvalidPrice, "max price must be positive")
	}
	return tier.Replicas, nil
}

func inBounds(what string, v, lo, hi uint64) error {
	if v < lo || v > hi {
		return errorsmod.Wrapf(types.ErrBlocksOutOfBounds, "%s blocks %d not in [%d, %d]", what, v, lo, hi)
	}
	return nil
}
