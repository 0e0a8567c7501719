package loadgen

import (
	"encoding/json"
	"fmt"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// AddToGenesis prepares the genesis file at path for a benchmark chain: it adds every account of
// keys with coins, and raises the market's max_bids_per_order to the number of load accounts if it
// is lower, since in the commit scenario every load account bids on every order.
func AddToGenesis(cdc codec.Codec, ac address.Codec, path string, keys Keys, coins sdk.Coins) error {
	var accounts []genutil.GenesisAccount
	for _, a := range keys.All() {
		addr, err := ac.BytesToString(a.Addr)
		if err != nil {
			return err
		}
		accounts = append(accounts, genutil.GenesisAccount{Address: addr, Coins: coins})
	}
	if err := genutil.AddGenesisAccounts(cdc, ac, accounts, false, path); err != nil {
		return err
	}

	appState, appGenesis, err := genutiltypes.GenesisStateFromGenFile(path)
	if err != nil {
		return err
	}
	var market markettypes.GenesisState
	if err := cdc.UnmarshalJSON(appState[markettypes.ModuleName], &market); err != nil {
		return fmt.Errorf("market genesis: %w", err)
	}
	if n := uint32(len(keys.Load)); market.Params.MaxBidsPerOrder < n {
		market.Params.MaxBidsPerOrder = n
	}
	if err := market.Validate(); err != nil {
		return fmt.Errorf("market genesis: %w", err)
	}
	if appState[markettypes.ModuleName], err = cdc.MarshalJSON(&market); err != nil {
		return err
	}
	if appGenesis.AppState, err = json.Marshal(appState); err != nil {
		return err
	}
	return genutil.ExportGenesisFile(appGenesis, path)
}
