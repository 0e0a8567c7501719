package app

import (
	runtimev1alpha1 "cosmossdk.io/api/cosmos/app/runtime/v1alpha1"
	appv1alpha1 "cosmossdk.io/api/cosmos/app/v1alpha1"
	authmodulev1 "cosmossdk.io/api/cosmos/auth/module/v1"
	authzmodulev1 "cosmossdk.io/api/cosmos/authz/module/v1"
	bankmodulev1 "cosmossdk.io/api/cosmos/bank/module/v1"
	consensusmodulev1 "cosmossdk.io/api/cosmos/consensus/module/v1"
	distrmodulev1 "cosmossdk.io/api/cosmos/distribution/module/v1"
	evidencemodulev1 "cosmossdk.io/api/cosmos/evidence/module/v1"
	feegrantmodulev1 "cosmossdk.io/api/cosmos/feegrant/module/v1"
	genutilmodulev1 "cosmossdk.io/api/cosmos/genutil/module/v1"
	govmodulev1 "cosmossdk.io/api/cosmos/gov/module/v1"
	mintmodulev1 "cosmossdk.io/api/cosmos/mint/module/v1"
	slashingmodulev1 "cosmossdk.io/api/cosmos/slashing/module/v1"
	stakingmodulev1 "cosmossdk.io/api/cosmos/staking/module/v1"
	txconfigv1 "cosmossdk.io/api/cosmos/tx/config/v1"
	upgrademodulev1 "cosmossdk.io/api/cosmos/upgrade/module/v1"
	"cosmossdk.io/depinject/appconfig"
	_ "cosmossdk.io/x/evidence" // import for side-effects
	evidencetypes "cosmossdk.io/x/evidence/types"
	"cosmossdk.io/x/feegrant"
	_ "cosmossdk.io/x/feegrant/module" // import for side-effects
	_ "cosmossdk.io/x/upgrade"         // import for side-effects
	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/runtime"
	_ "github.com/cosmos/cosmos-sdk/x/auth" // import for side-effects
	_ "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/authz"
	_ "github.com/cosmos/cosmos-sdk/x/authz/module" // import for side-effects
	_ "github.com/cosmos/cosmos-sdk/x/bank"         // import for side-effects
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	_ "github.com/cosmos/cosmos-sdk/x/consensus" // import for side-effects
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"
	_ "github.com/cosmos/cosmos-sdk/x/distribution" // import for side-effects
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	"github.com/cosmos/cosmos-sdk/x/genutil"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
	"github.com/cosmos/cosmos-sdk/x/gov"
	govclient "github.com/cosmos/cosmos-sdk/x/gov/client"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	_ "github.com/cosmos/cosmos-sdk/x/mint" // import for side-effects
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"
	_ "github.com/cosmos/cosmos-sdk/x/slashing" // import for side-effects
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	_ "github.com/cosmos/cosmos-sdk/x/staking" // import for side-effects
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"cosmossdk.io/depinject"

	"github.com/cosmos/cosmos-sdk/types/module"

	_ "github.com/fogchain/fog/x/market" // import for side-effects
	markettypes "github.com/fogchain/fog/x/market/types"
	marketmodulev1 "github.com/fogchain/fog/x/market/types/module"
	_ "github.com/fogchain/fog/x/proofs" // import for side-effects
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	proofsmodulev1 "github.com/fogchain/fog/x/proofs/types/module"
	_ "github.com/fogchain/fog/x/quorum" // import for side-effects
	quorumtypes "github.com/fogchain/fog/x/quorum/types"
	quorummodulev1 "github.com/fogchain/fog/x/quorum/types/module"
	_ "github.com/fogchain/fog/x/reputation" // import for side-effects
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	reputationmodulev1 "github.com/fogchain/fog/x/reputation/types/module"
	_ "github.com/fogchain/fog/x/tee" // import for side-effects
	teetypes "github.com/fogchain/fog/x/tee/types"
	teemodulev1 "github.com/fogchain/fog/x/tee/types/module"
)

var (
	// genesisModuleOrder: bank before anything that moves coins at genesis, genutil after staking.
	genesisModuleOrder = []string{
		authtypes.ModuleName,
		banktypes.ModuleName,
		distrtypes.ModuleName,
		stakingtypes.ModuleName,
		slashingtypes.ModuleName,
		govtypes.ModuleName,
		minttypes.ModuleName,
		genutiltypes.ModuleName,
		evidencetypes.ModuleName,
		authz.ModuleName,
		feegrant.ModuleName,
		upgradetypes.ModuleName,
		consensustypes.ModuleName,
		reputationtypes.ModuleName,
		teetypes.ModuleName,
		markettypes.ModuleName,
		proofstypes.ModuleName,
		quorumtypes.ModuleName,
	}

	moduleAccPerms = []*authmodulev1.ModuleAccountPermission{
		{Account: authtypes.FeeCollectorName},
		{Account: distrtypes.ModuleName},
		{Account: minttypes.ModuleName, Permissions: []string{authtypes.Minter}},
		{Account: stakingtypes.BondedPoolName, Permissions: []string{authtypes.Burner, stakingtypes.ModuleName}},
		{Account: stakingtypes.NotBondedPoolName, Permissions: []string{authtypes.Burner, stakingtypes.ModuleName}},
		{Account: govtypes.ModuleName, Permissions: []string{authtypes.Burner}},
		// the market burns forfeited bid deposits and bonds.
		{Account: markettypes.ModuleName, Permissions: []string{authtypes.Burner}},
		// x/quorum holds verifier deposits, audit fees, slashed bonds on their way and observer fees;
		// it burns the deposits of verifiers who fail a duty
		{Account: quorumtypes.ModuleName, Permissions: []string{authtypes.Burner}},
	}

	// blockAccAddrs may not receive coins by plain transfers: their balances must match their records.
	blockAccAddrs = []string{
		authtypes.FeeCollectorName,
		distrtypes.ModuleName,
		minttypes.ModuleName,
		stakingtypes.BondedPoolName,
		stakingtypes.NotBondedPoolName,
		markettypes.ModuleName,
		quorumtypes.ModuleName,
	}

	appConfig = appconfig.Compose(&appv1alpha1.Config{
		Modules: []*appv1alpha1.ModuleConfig{
			{
				Name: runtime.ModuleName,
				Config: appconfig.WrapAny(&runtimev1alpha1.Module{
					AppName:       AppName,
					PreBlockers:   []string{upgradetypes.ModuleName, authtypes.ModuleName},
					BeginBlockers: []string{minttypes.ModuleName, distrtypes.ModuleName, slashingtypes.ModuleName, evidencetypes.ModuleName, stakingtypes.ModuleName, authz.ModuleName, teetypes.ModuleName},
					EndBlockers:   []string{govtypes.ModuleName, stakingtypes.ModuleName, feegrant.ModuleName, markettypes.ModuleName, quorumtypes.ModuleName, teetypes.ModuleName},
					OverrideStoreKeys: []*runtimev1alpha1.StoreKeyConfig{
						{ModuleName: authtypes.ModuleName, KvStoreKey: "acc"},
					},
					SkipStoreKeys: []string{"tx"},
					InitGenesis:   genesisModuleOrder,
				}),
			},
			{Name: authtypes.ModuleName, Config: appconfig.WrapAny(&authmodulev1.Module{
				Bech32Prefix:             Bech32Prefix,
				ModuleAccountPermissions: moduleAccPerms,
			})},
			// The SDK's default post-handler chain is empty (a nil handler): skipping it changes nothing
			// and leaves the slot to the simulation's supply checker (BlockChecker).
			{Name: "tx", Config: appconfig.WrapAny(&txconfigv1.Config{SkipPostHandler: true})},
			{Name: banktypes.ModuleName, Config: appconfig.WrapAny(&bankmodulev1.Module{BlockedModuleAccountsOverride: blockAccAddrs})},
			{Name: stakingtypes.ModuleName, Config: appconfig.WrapAny(&stakingmodulev1.Module{
				Bech32PrefixValidator: Bech32Prefix + "valoper",
				Bech32PrefixConsensus: Bech32Prefix + "valcons",
			})},
			{Name: slashingtypes.ModuleName, Config: appconfig.WrapAny(&slashingmodulev1.Module{})},
			{Name: minttypes.ModuleName, Config: appconfig.WrapAny(&mintmodulev1.Module{})},
			{Name: distrtypes.ModuleName, Config: appconfig.WrapAny(&distrmodulev1.Module{})},
			{Name: govtypes.ModuleName, Config: appconfig.WrapAny(&govmodulev1.Module{})},
			{Name: consensustypes.ModuleName, Config: appconfig.WrapAny(&consensusmodulev1.Module{})},
			{Name: upgradetypes.ModuleName, Config: appconfig.WrapAny(&upgrademodulev1.Module{})},
			{Name: genutiltypes.ModuleName, Config: appconfig.WrapAny(&genutilmodulev1.Module{})},
			{Name: evidencetypes.ModuleName, Config: appconfig.WrapAny(&evidencemodulev1.Module{})},
			{Name: authz.ModuleName, Config: appconfig.WrapAny(&authzmodulev1.Module{})},
			{Name: feegrant.ModuleName, Config: appconfig.WrapAny(&feegrantmodulev1.Module{})},
			{Name: reputationtypes.ModuleName, Config: appconfig.WrapAny(&reputationmodulev1.Module{})},
			{Name: markettypes.ModuleName, Config: appconfig.WrapAny(&marketmodulev1.Module{})},
			{Name: proofstypes.ModuleName, Config: appconfig.WrapAny(&proofsmodulev1.Module{})},
			{Name: teetypes.ModuleName, Config: appconfig.WrapAny(&teemodulev1.Module{})},
			{Name: quorumtypes.ModuleName, Config: appconfig.WrapAny(&quorummodulev1.Module{})},
		},
	})
)

// AppConfig is the app's dependency-injection config, with the module basics the CLI needs that
// depinject cannot build by itself.
func AppConfig() depinject.Config {
	return depinject.Configs(
		appConfig,
		depinject.Supply(map[string]module.AppModuleBasic{
			genutiltypes.ModuleName: genutil.NewAppModuleBasic(genutiltypes.DefaultMessageValidator),
			govtypes.ModuleName:     gov.NewAppModuleBasic([]govclient.ProposalHandler{}),
			banktypes.ModuleName:    bankBasic{},
		}),
		depinject.Supply(authtypes.RandomGenesisAccountsFn(simGenesisAccounts)),
	)
}
