package cli

import (
	"github.com/spf13/pflag"

	"github.com/fogchain/fog/x/market/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// The flags that describe an order, beyond the resources (addResourceFlags).
const (
	flagLeaseBlocks  = "lease-blocks"
	flagTier         = "sla-tier"
	flagPrivacy      = "privacy"
	flagCommitBlocks = "commit-blocks"
	flagRevealBlocks = "reveal-blocks"
	flagMinTier      = "min-reputation-tier"
	flagTeeRequired  = "tee-required"
	flagTeeType      = "tee-type"
)

// OrderDefaults are the defaults of the order flags that differ between the commands that post
// orders; the other flags default to the same values everywhere (bronze, public, no minimum
// reputation, no TEE).
type OrderDefaults struct {
	CPUMillicores, MemoryMiB                uint64
	LeaseBlocks, CommitBlocks, RevealBlocks uint64
}

// CreateOrderDefaults are those of `fogd tx market create-order`: its 20-block commit phase leaves
// bids withdrawable during the first 10 blocks under the default withdraw_lock_blocks (10).
var CreateOrderDefaults = OrderDefaults{CPUMillicores: 1000, MemoryMiB: 512, LeaseBlocks: 100, CommitBlocks: 20, RevealBlocks: 10}

// AddOrderFlags adds the flags that describe an order — resources, lease length, SLA tier, privacy,
// auction phases, minimum reputation tier, TEE requirement — with the defaults d: the one flag set of
// every command that posts an order (ReadOrderFlags reads it).
func AddOrderFlags(fs *pflag.FlagSet, d OrderDefaults) {
	addResourceFlags(fs, d.CPUMillicores, d.MemoryMiB)
	fs.Uint64(flagLeaseBlocks, d.LeaseBlocks, "lease length in blocks")
	fs.String(flagTier, "bronze", "SLA tier of the order (replicas and price multiplier): bronze, silver or gold")
	fs.String(flagPrivacy, "public", "privacy: public, private, confidential or secret")
	fs.Uint64(flagCommitBlocks, d.CommitBlocks, "blocks of the commit phase (bids can be withdrawn until the last withdraw_lock_blocks of it)")
	fs.Uint64(flagRevealBlocks, d.RevealBlocks, "blocks of the reveal phase")
	fs.String(flagMinTier, "", "minimum reputation tier of bidders: bronze, silver, gold, platinum or diamond (default: any)")
	fs.Bool(flagTeeRequired, false, "only providers with a valid TEE attestation may bid (implied by --privacy confidential or secret)")
	fs.String(flagTeeType, "", "require this TEE type: sev-snp, tdx or simulated (implies --tee-required)")
}

// ReadOrderFlags reads the flags of AddOrderFlags into an order: all of it but the owner, the
// workload hash and the max price per block, which each command takes its own way. Unknown tier,
// privacy and TEE type names are refused.
func ReadOrderFlags(fs *pflag.FlagSet) (*types.MsgCreateOrder, error) {
	var (
		msg types.MsgCreateOrder
		err error
	)
	if msg.Resources, err = readResources(fs); err != nil {
		return nil, err
	}
	if msg.LeaseBlocks, err = fs.GetUint64(flagLeaseBlocks); err != nil {
		return nil, err
	}
	if msg.CommitBlocks, err = fs.GetUint64(flagCommitBlocks); err != nil {
		return nil, err
	}
	if msg.RevealBlocks, err = fs.GetUint64(flagRevealBlocks); err != nil {
		return nil, err
	}
	tier, _ := fs.GetString(flagTier)
	if msg.Tier, err = types.ParseTier(tier); err != nil {
		return nil, err
	}
	privacy, _ := fs.GetString(flagPrivacy)
	if msg.Privacy, err = types.ParsePrivacy(privacy); err != nil {
		return nil, err
	}
	if minTier, _ := fs.GetString(flagMinTier); minTier != "" {
		if msg.MinReputationTier, err = reputationtypes.ParseTier(minTier); err != nil {
			return nil, err
		}
	}
	msg.TeeRequired, _ = fs.GetBool(flagTeeRequired)
	if teeType, _ := fs.GetString(flagTeeType); teeType != "" {
		if msg.TeeType, err = teetypes.ParseTeeType(teeType); err != nil {
			return nil, err
		}
		msg.TeeRequired = true
	}
	return &msg, nil
}
