package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultBondDenom is the chain's base denom, used for the default bid deposit.
const DefaultBondDenom = "ufog"

// maxReplicas bounds the replicas a tier may ask for, and with it the work of one settlement.
const maxReplicas = 64

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
	}
}

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

// Validate checks that the params are usable; every failure wraps ErrInvalidParams.
func (p Params) Validate() error {
	if err := p.BidDeposit.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidParams, "bid deposit: %s", err)
	}
	if !p.BidDeposit.IsPositive() {
		return errorsmod.Wrap(ErrInvalidParams, "bid deposit must be positive")
	}
	if p.MaxBidsPerOrder == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max bids per order must be positive")
	}
	for _, b := range []struct {
		name     string
		min, max uint64
	}{
		{"commit", p.MinCommitBlocks, p.MaxCommitBlocks},
		{"reveal", p.MinRevealBlocks, p.MaxRevealBlocks},
		{"lease", p.MinLeaseBlocks, p.MaxLeaseBlocks},
	} {
		if b.min == 0 || b.min > b.max {
			return errorsmod.Wrapf(ErrInvalidParams, "%s blocks: need 0 < min (%d) <= max (%d)", b.name, b.min, b.max)
		}
	}
	if p.StartTimeoutBlocks == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "start timeout blocks must be positive")
	}
	for _, t := range []Tier{TierBronze, TierSilver, TierGold} {
		tp, _ := p.Tier(t)
		if tp.Replicas == 0 || tp.Replicas > maxReplicas {
			return errorsmod.Wrapf(ErrInvalidParams, "%s replicas must be in [1, %d], got %d", t, maxReplicas, tp.Replicas)
		}
		if tp.Multiplier.IsNil() || !tp.Multiplier.IsPositive() {
			return errorsmod.Wrapf(ErrInvalidParams, "%s multiplier must be positive", t)
		}
		if tp.Replicas > p.MaxBidsPerOrder {
			return errorsmod.Wrapf(ErrInvalidParams, "%s needs %d replicas but only %d bids are allowed", t, tp.Replicas, p.MaxBidsPerOrder)
		}
	}
	if p.EmaWeight.IsNil() || !p.EmaWeight.IsPositive() || p.EmaWeight.GT(math.LegacyOneDec()) {
		return errorsmod.Wrap(ErrInvalidParams, "ema weight must be in (0, 1]")
	}
	if p.MaxAttributes == 0 || p.MaxAttributeBytes == 0 || p.MaxMultiaddrs == 0 || p.MaxMultiaddrBytes == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "attribute and multiaddr bounds must be positive")
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
