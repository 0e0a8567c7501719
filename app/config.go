package app

import (
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// AppName is the name of the chain's binary and of its home directory (~/.fogd).
	AppName = "fogd"
	// Bech32Prefix is the prefix of account addresses (fog1...).
	Bech32Prefix = "fog"
	// BaseDenom is the staking and fee denom; DisplayDenom is 10^6 of it.
	BaseDenom    = "ufog"
	DisplayDenom = "FOG"
	// DisplayExponent: 1 FOG = 10^6 ufog.
	DisplayExponent = 6
)

func init() {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount(Bech32Prefix, Bech32Prefix+sdk.PrefixPublic)
	cfg.SetBech32PrefixForValidator(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixOperator+sdk.PrefixPublic)
	cfg.SetBech32PrefixForConsensusNode(Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus, Bech32Prefix+sdk.PrefixValidator+sdk.PrefixConsensus+sdk.PrefixPublic)
	// Staking, mint and gov defaults take their denom from here.
	sdk.DefaultBondDenom = BaseDenom
	if err := sdk.RegisterDenom(BaseDenom, math.LegacyNewDecWithPrec(1, DisplayExponent)); err != nil {
		panic(err)
	}
	if err := sdk.RegisterDenom("fog", math.LegacyOneDec()); err != nil {
		panic(err)
	}
}
