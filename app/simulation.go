package app

import (
	"github.com/cosmos/cosmos-sdk/types/module"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// simGenesisAccounts gives every simulated genesis account a base account. x/auth's default
// generator makes some of them vesting accounts, which fogd cannot decode: it has no vesting module.
func simGenesisAccounts(simState *module.SimulationState) authtypes.GenesisAccounts {
	accs := make(authtypes.GenesisAccounts, len(simState.Accounts))
	for i, acc := range simState.Accounts {
		accs[i] = authtypes.NewBaseAccountWithAddress(acc.Address)
	}
	return accs
}

// BlockedAddresses are the module accounts that may not receive coins by plain transfers, by
// address: the simulation never picks them as senders or receivers.
func BlockedAddresses() map[string]bool {
	out := make(map[string]bool, len(blockAccAddrs))
	for _, name := range blockAccAddrs {
		out[authtypes.NewModuleAddress(name).String()] = true
	}
	return out
}
