package types

import (
	"context"

	"cosmossdk.io/core/address"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/fogtypes"
)

// BankKeeper is what the market needs of x/bank: moving escrow, deposits and payouts, and burning
// forfeited deposits and bonds.
type BankKeeper interface {
	SendCoinsFromAccountToModule(ctx context.Context, senderAddr sdk.AccAddress, recipientModule string, amt sdk.Coins) error
	SendCoinsFromModuleToAccount(ctx context.Context, senderModule string, recipientAddr sdk.AccAddress, amt sdk.Coins) error
	SendCoinsFromModuleToModule(ctx context.Context, senderModule, recipientModule string, amt sdk.Coins) error
	BurnCoins(ctx context.Context, moduleName string, amt sdk.Coins) error
	GetAllBalances(ctx context.Context, addr sdk.AccAddress) sdk.Coins
	SpendableCoins(ctx context.Context, addr sdk.AccAddress) sdk.Coins
}

// AccountKeeper is what the market needs of x/auth.
type AccountKeeper interface {
	GetModuleAddress(moduleName string) sdk.AccAddress
	AddressCodec() address.Codec
}

// TeeKeeper is what the market needs of x/tee, for orders that require a TEE: the worker key that
// the provider's valid attestation binds.
type TeeKeeper interface {
	// AttestedWorkerKey is the worker key bound by provider's enclave record, if the record is
	// unexpired and, when teeType is set, of that type; otherwise an error that says why not.
	AttestedWorkerKey(ctx context.Context, provider sdk.AccAddress, teeType fogtypes.TeeType) ([]byte, error)
}

// ReputationKeeper is what the market reads of x/reputation: providers' tiers (orders may require a
// minimum) and lower bounds (to rank equal bids). x/reputation learns outcomes through the market's
// hooks.
type ReputationKeeper interface {
	TierOf(ctx context.Context, addr sdk.AccAddress) (fogtypes.ReputationTier, error)
	LowerBound(ctx context.Context, addr sdk.AccAddress) (math.LegacyDec, error)
}
