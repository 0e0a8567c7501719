package types

import (
	"crypto/ed25519"

	errorsmod "cosmossdk.io/errors"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/internal/accaddr"
)

// Stateless checks of the market's messages. ValidateBasic runs them in CheckTx, so a malformed
// message is refused before it reaches a block (a sync broadcast returns the error); the msg server
// runs the same functions again, with the params-dependent checks on top.

const (
	// MaxPeerIDBytes bounds the peer id string before it is parsed.
	MaxPeerIDBytes = 128
	// MaxResource bounds each resource count of an order or a capacity (2^40 millicores or MiB),
	// so that price bands and quotes computed from them stay inside LegacyDec.
	MaxResource = 1 << 40
)

var (
	_ sdk.HasValidateBasic = (*MsgRegisterProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgDeregisterProvider)(nil)
	_ sdk.HasValidateBasic = (*MsgCreateOrder)(nil)
	_ sdk.HasValidateBasic = (*MsgCancelOrder)(nil)
	_ sdk.HasValidateBasic = (*MsgCommitBid)(nil)
	_ sdk.HasValidateBasic = (*MsgRevealBid)(nil)
	_ sdk.HasValidateBasic = (*MsgWithdrawBid)(nil)
	_ sdk.HasValidateBasic = (*MsgStartLease)(nil)
	_ sdk.HasValidateBasic = (*MsgWithdrawLease)(nil)
	_ sdk.HasValidateBasic = (*MsgCloseLease)(nil)
	_ sdk.HasValidateBasic = (*MsgUpdateParams)(nil)
)

// ValidateAddress checks that s is an account address of this chain (bech32 with the chain's
// prefix, all lower or all upper case).
func ValidateAddress(field, s string) error {
	_, _, err := accaddr.Parse(accaddr.Codec(), field, s)
	return err
}

func validateID(field string, id uint64) error {
	if id == 0 {
		return errorsmod.Wrapf(ErrInvalidID, "%s must be positive", field)
	}
	return nil
}

// ValidateProviderFields checks a provider registration as far as it can be checked without the
// params: a parseable peer id and multiaddrs, a 32-byte ed25519 worker key or none, a capacity with
// cpu and memory, attribute keys present and unique.
func ValidateProviderFields(peerID string, multiaddrs []string, workerKey []byte, capacity Resources, attrs []Attribute) error {
	if len(peerID) == 0 || len(peerID) > MaxPeerIDBytes {
		return errorsmod.Wrapf(ErrInvalidPeerID, "length %d not in [1, %d]", len(peerID), MaxPeerIDBytes)
	}
	if _, err := peer.Decode(peerID); err != nil {
		return errorsmod.Wrapf(ErrInvalidPeerID, "%q: %s", peerID, err)
	}
	if len(multiaddrs) > MaxListBound {
		return errorsmod.Wrapf(ErrInvalidMultiaddr, "%d multiaddrs, at most %d", len(multiaddrs), MaxListBound)
	}
	for _, a := range multiaddrs {
		if len(a) == 0 || len(a) > MaxListBound {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "length %d not in [1, %d]", len(a), MaxListBound)
		}
		if _, err := ma.NewMultiaddr(a); err != nil {
			return errorsmod.Wrapf(ErrInvalidMultiaddr, "%q: %s", a, err)
		}
	}
	if len(workerKey) != 0 && len(workerKey) != ed25519.PublicKeySize {
		return errorsmod.Wrapf(ErrInvalidWorkerKey, "ed25519 key is %d bytes, got %d", ed25519.PublicKeySize, len(workerKey))
	}
	if capacity.CpuMillicores == 0 || capacity.MemoryMib == 0 {
		return errorsmod.Wrap(ErrInvalidResources, "capacity needs cpu and memory")
	}
	if err := validateResourceBounds(capacity); err != nil {
		return err
	}
	if len(attrs) > MaxListBound {
		return errorsmod.Wrapf(ErrInvalidAttributes, "%d attributes, at most %d", len(attrs), MaxListBound)
	}
	seen := make(map[string]bool, len(attrs))
	for _, a := range attrs {
		if a.Key == "" {
			return errorsmod.Wrap(ErrInvalidAttributes, "attribute key must not be empty")
		}
		if seen[a.Key] {
			return errorsmod.Wrapf(ErrInvalidAttributes, "duplicate key %q", a.Key)
		}
		seen[a.Key] = true
	}
	return nil
}

func validateResourceBounds(r Resources) error {
	if r.CpuMillicores > MaxResource || r.MemoryMib > MaxResource || r.StorageMib > MaxResource {
		return errorsmod.Wrapf(ErrInvalidResources, "cpu, memory and storage must each be at most %d", uint64(MaxResource))
	}
	return nil
}

// ValidatePrice checks a price (an order's max price or a revealed bid): a valid, positive coin of
// at most MaxCoinAmount.
func ValidatePrice(field string, c sdk.Coin) error {
	if err := c.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s: %s", field, err)
	}
	if !c.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s must be positive", field)
	}
	if c.Amount.GT(MaxCoinAmount) {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s must be at most %s", field, MaxCoinAmount)
	}
	return nil
}

// ValidateOrderFields checks an order request as far as it can be checked without the params.
func ValidateOrderFields(msg *MsgCreateOrder) error {
	r := msg.Resources
	if r.CpuMillicores == 0 || r.MemoryMib == 0 {
		return errorsmod.Wrap(ErrInvalidResources, "an order needs cpu millicores and memory")
	}
	if err := validateResourceBounds(r); err != nil {
		return err
	}
	if msg.Tier < TierBronze || msg.Tier > TierGold {
		return errorsmod.Wrapf(ErrInvalidTier, "%d (want bronze, silver or gold)", msg.Tier)
	}
	if msg.Privacy < PrivacyPublic || msg.Privacy > PrivacySecret {
		return errorsmod.Wrapf(ErrInvalidPrivacy, "%d", msg.Privacy)
	}
	if _, ok := fogtypes.TeeType_name[int32(msg.TeeType)]; !ok {
		return errorsmod.Wrapf(ErrInvalidTeeType, "%d", msg.TeeType)
	}
	if msg.MinReputationTier < fogtypes.TierUnspecified || msg.MinReputationTier > fogtypes.TierDiamond {
		return errorsmod.Wrapf(ErrInvalidMinTier, "%d", msg.MinReputationTier)
	}
	if len(msg.WorkloadHash) != WorkloadHashSize {
		return errorsmod.Wrapf(ErrInvalidWorkloadHash, "want %d bytes, got %d", WorkloadHashSize, len(msg.WorkloadHash))
	}
	for _, b := range []struct {
		name string
		v    uint64
	}{{"lease", msg.LeaseBlocks}, {"commit", msg.CommitBlocks}, {"reveal", msg.RevealBlocks}} {
		if b.v == 0 || b.v > MaxBlocks {
			return errorsmod.Wrapf(ErrBlocksOutOfBounds, "%s blocks %d not in [1, %d]", b.name, b.v, uint64(MaxBlocks))
		}
	}
	return ValidatePrice("max price", msg.MaxPricePerBlock)
}

func (m *MsgRegisterProvider) ValidateBasic() error {
	if err := ValidateAddress("owner", m.Owner); err != nil {
		return err
	}
	return ValidateProviderFields(m.PeerId, m.Multiaddrs, m.WorkerPubkey, m.Capacity, m.Attributes)
}

func (m *MsgUpdateProvider) ValidateBasic() error {
	if err := ValidateAddress("owner", m.Owner); err != nil {
		return err
	}
	return ValidateProviderFields(m.PeerId, m.Multiaddrs, m.WorkerPubkey, m.Capacity, m.Attributes)
}

func (m *MsgDeregisterProvider) ValidateBasic() error { return ValidateAddress("owner", m.Owner) }

func (m *MsgCreateOrder) ValidateBasic() error {
	if err := ValidateAddress("owner", m.Owner); err != nil {
		return err
	}
	return ValidateOrderFields(m)
}

func (m *MsgCancelOrder) ValidateBasic() error {
	if err := ValidateAddress("owner", m.Owner); err != nil {
		return err
	}
	return validateID("order_id", m.OrderId)
}

func (m *MsgCommitBid) ValidateBasic() error {
	if err := ValidateAddress("provider", m.Provider); err != nil {
		return err
	}
	if err := validateID("order_id", m.OrderId); err != nil {
		return err
	}
	if len(m.Commitment) != CommitmentSize {
		return errorsmod.Wrapf(ErrInvalidCommitment, "want %d bytes, got %d", CommitmentSize, len(m.Commitment))
	}
	return nil
}

func (m *MsgRevealBid) ValidateBasic() error {
	if err := ValidateAddress("provider", m.Provider); err != nil {
		return err
	}
	if err := validateID("order_id", m.OrderId); err != nil {
		return err
	}
	if err := ValidatePrice("price", m.Price); err != nil {
		return err
	}
	if len(m.Salt) != SaltSize {
		return errorsmod.Wrapf(ErrInvalidSalt, "want %d bytes, got %d", SaltSize, len(m.Salt))
	}
	return nil
}

func (m *MsgWithdrawBid) ValidateBasic() error {
	if err := ValidateAddress("provider", m.Provider); err != nil {
		return err
	}
	return validateID("order_id", m.OrderId)
}

func (m *MsgStartLease) ValidateBasic() error {
	if err := ValidateAddress("provider", m.Provider); err != nil {
		return err
	}
	return validateID("lease_id", m.LeaseId)
}

func (m *MsgWithdrawLease) ValidateBasic() error {
	if err := ValidateAddress("provider", m.Provider); err != nil {
		return err
	}
	return validateID("lease_id", m.LeaseId)
}

func (m *MsgCloseLease) ValidateBasic() error {
	if err := ValidateAddress("sender", m.Sender); err != nil {
		return err
	}
	return validateID("lease_id", m.LeaseId)
}

func (m *MsgUpdateParams) ValidateBasic() error {
	if err := ValidateAddress("authority", m.Authority); err != nil {
		return err
	}
	return m.Params.Validate()
}
