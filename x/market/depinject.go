package market

import (
	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/core/store"
	"cosmossdk.io/depinject"
	"cosmossdk.io/depinject/appconfig"

	"github.com/cosmos/cosmos-sdk/codec"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/fogchain/fog/x/market/keeper"
	"github.com/fogchain/fog/x/market/types"
	modulev1 "github.com/fogchain/fog/x/market/types/module"
)

func init() {
	appconfig.RegisterModule(&modulev1.Module{}, appconfig.Provide(ProvideModule))
}

// ModuleInputs are what the market needs from the app.
type ModuleInputs struct {
	depinject.In

	Config       *modulev1.Module
	Codec        codec.Codec
	StoreService store.KVStoreService

	AccountKeeper    types.AccountKeeper
	BankKeeper       types.BankKeeper
	ReputationKeeper types.ReputationKeeper
	TeeKeeper        types.TeeKeeper
}

// ModuleOutputs are what the market gives the app.
type ModuleOutputs struct {
	depinject.Out

	Keeper keeper.Keeper
	Module appmodule.AppModule
}

// ProvideModule builds the market keeper and module; params are governed by x/gov unless the app
// config names another authority.
func ProvideModule(in ModuleInputs) ModuleOutputs {
	authority := authtypes.NewModuleAddress(govtypes.ModuleName)
	if in.Config.Authority != "" {
		authority = authtypes.NewModuleAddressOrBech32Address(in.Config.Authority)
	}
	authorityAddr, err := in.AccountKeeper.AddressCodec().BytesToString(authority)
	if err != nil {
		panic(err)
	}
	k := keeper.NewKeeper(in.Codec, in.AccountKeeper.AddressCodec(), in.StoreService, in.BankKeeper, in.ReputationKeeper, in.TeeKeeper, authorityAddr)
	return ModuleOutputs{Keeper: k, Module: NewAppModule(in.Codec, k)}
}
