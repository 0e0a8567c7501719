package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultBondDenom is the chain's base denom, used for the default bid deposit.
const DefaultBondDenom = "ufog"

// Bounds of the params: each keeps the arithmetic it feeds safe (no int64 wrap of heights, no
// LegacyDec overflow in price bands and quotes) and the work of one message or block bounded.
const (
	// MaxReplicas bounds the replicas a tier may ask for, and with it the leases one settlement
	// creates.
	MaxReplicas = 64
	// MaxBidsPerOrderLimit bounds max_bids_per_order: one settlement reads every bid of its order
	// in one block (about 60 ms for 10,000 bids; BENCHMARKS.md, "EndBlock settlement of one order").
	MaxBidsPerOrderLimit = 10_000
	// MaxBlocks bounds every block-count param (≈ 35,000 years of 1-second blocks), so that a height
	// plus any sum of them stays far from int64's limit.
	MaxBlocks = 1 << 40
	// MaxWorkPerBlockLimit bounds max_work_per_block.
	MaxWorkPerBlockLimit = 1_000_000
	// MaxListBound bounds the per-provider list and byte-size params.
	MaxListBound = 4096
)

// MaxCoinAmount bounds every coin param and an order's max price (10^30 base units): clearing
// prices divided by milli-CPUs and tier multipliers stay far inside LegacyDec (≈ 10^59).
var MaxCoinAmount = math.NewIntWithDecimal(1, 30)

// Tier multipliers live in [MinMultiplier, MaxMultiplier], so that a price band (price / mCPU /
// multiplier) and a quote (band × multiplier × mCPU) stay inside LegacyDec.
var (
	MinMultiplier = math.LegacyNewDecWithPrec(1, 2)
	MaxMultiplier = math.LegacyNewDec(1000)
)

// DefaultParams suit a network with 1-second blocks.
func DefaultParams() Params {
	return Params{
		BidDeposit:         sdk.NewInt64Coin(DefaultBondDenom, 1_000_000),
		MaxBidsPerOrder:    100,
		MinCommitBlocks:    3,
		MaxCommitBlocks:    10_000,
		MinRevealBlocks:    3,
		MaxRevealBlocks:    10_000,
		MinLeaseBlocks:     1,
		MaxLeaseBlocks:     10_000_000,
		StartTimeoutBlocks: 50,
		Bronze:             TierParams{Replicas: 1, Multiplier: math.LegacyOneDec()},
		Silver:             TierParams{Replicas: 2, Multiplier: math.LegacyNewDecWithPrec(25, 1)},
		Gold:               TierParams{Replicas: 3, Multiplier: math.LegacyNewDec(5)},
		EmaWeight:          math.LegacyNewDecWithPrec(2, 1),
		MaxAttributes:      16,
		MaxAttributeBytes:  128,
		MaxMultiaddrs:      8,
		MaxMultiaddrBytes:  256,
		// 10 FOG per identity: squatting the 100 slots of an order locks 1,000 FOG of bonds.
		ProviderBond:       sdk.NewInt64Coin(DefaultBondDenom, 10_000_000),
		WithdrawFee:        sdk.NewInt64Coin(DefaultBondDenom, 100_000),
		WithdrawLockBlocks: 10,
		MaxWorkPerBlock:    DefaultMaxWorkPerBlock,
	}
}

// DefaultMaxWorkPerBlock: about 1,000 bids settled, deposits returned or leases closed per block
// (BENCHMARKS.md, "A block of the deposit sweep, and EndBlock with many orders due").
const DefaultMaxWorkPerBlock = 1000

// Tier returns the parameters of a tier, or ErrInvalidTier.
func (p Params) Tier(t Tier) (TierParams, error) {
	switch t {
	case TierBronze:
		return p.Bronze, nil
	case TierSilver:
		return p.Silver, nil
	case TierGold:
		return p.Gold, nil
	default:
		return TierParams{}, errorsmod.Wrapf(ErrInvalidTier, "%d", t)
	}
}

// Validate checks that the params are usable and that every value lies in the range in which all
// of the market's arithmetic is safe; every failure wraps ErrInvalidParams and names the field.
func (p Params) Validate() error {
	fail := func(format string, args ...any) error { return errorsmod.Wrapf(ErrInvalidParams, format, args...) }
	for _, c := range []struct {
		name     string
		coin     sdk.Coin
		positive bool
	}{{"bid_deposit", p.BidDeposit, true}, {"provider_bond", p.ProviderBond, true}, {"withdraw_fee", p.WithdrawFee, false}} {
		if err := c.coin.Validate(); err != nil {
			return fail("%s: %s", c.name, err)
		}
		if c.positive && !c.coin.IsPositive() {
			return fail("%s must be positive", c.name)
		}
		if c.coin.Amount.GT(MaxCoinAmount) {
			return fail("%s must be at most %s", c.name, MaxCoinAmount)
		}
	}
	if p.WithdrawFee.Denom != p.BidDeposit.Denom || p.WithdrawFee.Amount.GT(p.BidDeposit.Amount) {
		return fail("withdraw_fee %s must be in bid_deposit's denom and at most it (%s)", p.WithdrawFee, p.BidDeposit)
	}
	if p.MaxBidsPerOrder == 0 || p.MaxBidsPerOrder > MaxBidsPerOrderLimit {
		return fail("max_bids_per_order must be in [1, %d], got %d", MaxBidsPerOrderLimit, p.MaxBidsPerOrder)
	}
	for _, b := range []struct {
		name     string
		min, max uint64
	}{
		{"commit", p.MinCommitBlocks, p.MaxCommitBlocks},
		{"reveal", p.MinRevealBlocks, p.MaxRevealBlocks},
		{"lease", p.MinLeaseBlocks, p.MaxLeaseBlocks},
	} {
		if b.min == 0 || b.min > b.max || b.max > MaxBlocks {
			return fail("min_%s_blocks and max_%s_blocks: need 0 < min (%d) <= max (%d) <= %d", b.name, b.name, b.min, b.max, uint64(MaxBlocks))
		}
	}
	if p.StartTimeoutBlocks == 0 || p.StartTimeoutBlocks > MaxBlocks {
		return fail("start_timeout_blocks must be in [1, %d], got %d", uint64(MaxBlocks), p.StartTimeoutBlocks)
	}
	if p.WithdrawLockBlocks > p.MaxCommitBlocks {
		return fail("withdraw_lock_blocks (%d) must be at most max_commit_blocks (%d)", p.WithdrawLockBlocks, p.MaxCommitBlocks)
	}
	for _, t := range []Tier{TierBronze, TierSilver, TierGold} {
		tp, _ := p.Tier(t)
		name := tierNames[t]
		if tp.Replicas == 0 || tp.Replicas > MaxReplicas {
			return fail("%s.replicas must be in [1, %d], got %d", name, MaxReplicas, tp.Replicas)
		}
		if tp.Replicas > p.MaxBidsPerOrder {
			return fail("%s.replicas: %d replicas but max_bids_per_order is %d", name, tp.Replicas, p.MaxBidsPerOrder)
		}
		if tp.Multiplier.IsNil() || tp.Multiplier.LT(MinMultiplier) || tp.Multiplier.GT(MaxMultiplier) {
			return fail("%s.multiplier must be in [%s, %s]", name, MinMultiplier, MaxMultiplier)
		}
	}
	if p.EmaWeight.IsNil() || !p.EmaWeight.IsPositive() || p.EmaWeight.GT(math.LegacyOneDec()) {
		return fail("ema_weight must be in (0, 1]")
	}
	for _, b := range []struct {
		name string
		v    uint32
	}{{"max_attributes", p.MaxAttributes}, {"max_attribute_bytes", p.MaxAttributeBytes}, {"max_multiaddrs", p.MaxMultiaddrs}, {"max_multiaddr_bytes", p.MaxMultiaddrBytes}} {
		if b.v == 0 || b.v > MaxListBound {
			return fail("%s must be in [1, %d], got %d", b.name, MaxListBound, b.v)
		}
	}
	if p.MaxWorkPerBlock == 0 || p.MaxWorkPerBlock > MaxWorkPerBlockLimit {
		return fail("max_work_per_block must be in [1, %d], got %d", MaxWorkPerBlockLimit, p.MaxWorkPerBlock)
	}
	return nil
}

// tierNames and privacyNames are the short names the CLI and docs use.
var (
	tierNames    = []string{TierBronze: "bronze", TierSilver: "silver", TierGold: "gold"}
	privacyNames = []string{PrivacyPublic: "public", PrivacyPrivate: "private", PrivacyConfidential: "confidential", PrivacySecret: "secret"}
)

// ParseTier reads a tier from its short name (bronze, silver, gold) or enum name.
func ParseTier(s string) (Tier, error) {
	for v, name := range tierNames {
		if name != "" && (s == name || s == Tier(v).String()) {
			return Tier(v), nil
		}
	}
	return TierUnspecified, fmt.Errorf("%w: %q (want bronze, silver or gold)", ErrInvalidTier, s)
}

// ParsePrivacy reads a privacy level from its short name (public, private, confidential, secret) or
// enum name.
func ParsePrivacy(s string) (Privacy, error) {
	for v, name := range privacyNames {
		if name != "" && (s == name || s == Privacy(v).String()) {
			return Privacy(v), nil
		}
	}
	return PrivacyUnspecified, fmt.Errorf("%w: %q (want public, private, confidential or secret)", ErrInvalidPrivacy, s)
}
