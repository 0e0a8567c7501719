package tee

import (
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/core/store"
	"cosmossdk.io/depinject"
	"cosmossdk.io/depinject/appconfig"

	"github.com/cosmos/cosmos-sdk/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/x/tee/keeper"
	modulev1 "github.com/fogchain/fog/x/tee/types/module"
)

func init() {
	appconfig.RegisterModule(&modulev1.Module{}, appconfig.Provide(ProvideModule), appconfig.Invoke(InvokeSetMarketKeeper))
}

// ModuleInputs are what the module needs from the app.
type ModuleInputs struct {
	depinject.In

	Config       *modulev1.Module
	Codec        codec.Codec
	StoreService store.KVStoreService
	AddressCodec address.Codec
}

// ModuleOutputs are what it gives the app.
type ModuleOutputs struct {
	depinject.Out

	Keeper keeper.Keeper
	Module appmodule.AppModule
}

// ProvideModule builds the keeper and module; params are governed by x/gov unless configured.
func ProvideModule(in ModuleInputs) ModuleOutputs {
	authority := authtypes.NewModuleAddress(govtypes.ModuleName)
	if in.Config.Authority != "" {
		authority = authtypes.NewModuleAddressOrBech32Address(in.Config.Authority)
	}
	authorityAddr, err := in.AddressCodec.BytesToString(authority)
	if err != nil {
		panic(err)
	}
	k := keeper.NewKeeper(in.Codec, in.AddressCodec, in.StoreService, authorityAddr)
	return ModuleOutputs{Keeper: k, Module: NewAppModule(k)}
}

// MarketInputs is x/market, given to the keeper after wiring: x/market depends on x/tee (orders that
// require a TEE), and x/tee reads worker keys and leases from x/market.
type MarketInputs struct {
	depinject.In

	Keeper keeper.Keeper
	Market keeper.MarketKeeper
}

// InvokeSetMarketKeeper hands x/market to the tee keeper.
func InvokeSetMarketKeeper(in MarketInputs) { in.Keeper.SetMarketKeeper(in.Market) }
