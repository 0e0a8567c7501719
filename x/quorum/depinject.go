package quorum

import (
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/core/store"
	"cosmossdk.io/depinject"
	"cosmossdk.io/depinject/appconfig"

	"github.com/cosmos/cosmos-sdk/codec"

	"github.com/fogchain/fog/internal/accaddr"
	marketkeeper "github.com/fogchain/fog/x/market/keeper"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofskeeper "github.com/fogchain/fog/x/proofs/keeper"
	"github.com/fogchain/fog/x/quorum/keeper"
	modulev1 "github.com/fogchain/fog/x/quorum/types/module"
)

func init() {
	appconfig.RegisterModule(&modulev1.Module{}, appconfig.Provide(ProvideModule), appconfig.Invoke(InvokeSetLateKeepers))
}

// ModuleInputs are what the module needs from the app.
type ModuleInputs struct {
	depinject.In

	Config       *modulev1.Module
	Codec        codec.Codec
	StoreService store.KVStoreService
	AddressCodec address.Codec
	TeeKeeper    keeper.TeeKeeper
	BankKeeper   keeper.BankKeeper
	Reputation   keeper.ReputationKeeper
}

// ModuleOutputs are what it gives the app.
type ModuleOutputs struct {
	depinject.Out

	Keeper keeper.Keeper
	Module appmodule.AppModule
	// MarketHooks subscribes x/quorum to the market's settlement: it chooses the replica sets of
	// orders whose tier constrains them.
	MarketHooks markettypes.MarketHooksWrapper
}

// ProvideModule builds the keeper and module; auditors and params are governed by x/gov unless
// configured.
func ProvideModule(in ModuleInputs) ModuleOutputs {
	authority, err := accaddr.ModuleAuthority(in.AddressCodec, in.Config.Authority)
	if err != nil {
		panic(err)
	}
	k := keeper.NewKeeper(in.Codec, in.AddressCodec, in.StoreService, authority, in.TeeKeeper, in.BankKeeper, in.Reputation)
	return ModuleOutputs{Keeper: k, Module: NewAppModule(k), MarketHooks: markettypes.MarketHooksWrapper{MarketHooks: k.MarketHooks()}}
}

// InvokeSetLateKeepers hands x/quorum the market and x/proofs, which are built after it (the market
// takes its hooks): proofs of audit and of SLA read leases, check anchored receipts, slash bonds and
// cut payouts through them.
func InvokeSetLateKeepers(k keeper.Keeper, market marketkeeper.Keeper, proofs proofskeeper.Keeper) {
	k.SetMarket(market)
	k.SetProofs(proofs)
}
