package market

import (
	"fmt"
	"maps"
	"slices"

	"cosmossdk.io/core/appmodule"
	"cosmossdk.io/core/store"
	"cosmossdk.io/depinject"
	"cosmossdk.io/depinject/appconfig"

	"github.com/cosmos/cosmos-sdk/codec"

	"github.com/fogchain/fog/internal/accaddr"
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
	// MarketHooks are the subscribers to the market's life cycle: every module that outputs a
	// types.MarketHooksWrapper, keyed by module name.
	MarketHooks map[string]types.MarketHooksWrapper
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
	authority, err := accaddr.ModuleAuthority(in.AccountKeeper.AddressCodec(), in.Config.Authority)
	if err != nil {
		panic(err)
	}
	hooks, err := OrderHooks(in.MarketHooks, in.Config.HooksOrder)
	if err != nil {
		panic(err)
	}
	k := keeper.NewKeeper(in.Codec, in.AccountKeeper.AddressCodec(), in.StoreService, in.BankKeeper, in.ReputationKeeper, in.TeeKeeper, hooks, authority)
	return ModuleOutputs{Keeper: k, Module: NewAppModule(in.Codec, k)}
}

// OrderHooks lists the subscribed modules' hooks in the configured order, or by module name when
// order is empty; a configured order must name every subscribed module once.
func OrderHooks(subscribed map[string]types.MarketHooksWrapper, order []string) ([]types.NamedHooks, error) {
	names := slices.Sorted(maps.Keys(subscribed))
	if len(order) == 0 {
		order = names
	}
	if len(order) != len(names) {
		return nil, fmt.Errorf("market hooks_order %v does not name every subscribed module %v", order, names)
	}
	out := make([]types.NamedHooks, 0, len(order))
	seen := map[string]bool{}
	for _, name := range order {
		h, ok := subscribed[name]
		if !ok || seen[name] {
			return nil, fmt.Errorf("market hooks_order %v: %q is not a subscribed module or is named twice (subscribed: %v)", order, name, names)
		}
		seen[name] = true
		out = append(out, types.NamedHooks{Name: name, Hooks: h.MarketHooks})
	}
	return out, nil
}
