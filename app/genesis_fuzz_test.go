package app_test

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/cosmos/gogoproto/proto"
	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/testutil/fixture"
	markettypes "github.com/fogchain/fog/x/market/types"
	proofstypes "github.com/fogchain/fog/x/proofs/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
	teetypes "github.com/fogchain/fog/x/tee/types"
)

// genesisModule is one fog module's genesis path as a chain runs it: the module's ValidateGenesis on
// the JSON (what `fogd genesis validate` and InitChain run), then the keeper's InitGenesis and
// ExportGenesis.
type genesisModule struct {
	name   string
	state  func() proto.Message
	init   func(ctx sdk.Context, gs proto.Message) error
	export func(ctx sdk.Context) (proto.Message, error)
}

func genesisModules(f *fixture.Fixture) []genesisModule {
	return []genesisModule{
		{
			name:  markettypes.ModuleName,
			state: func() proto.Message { return new(markettypes.GenesisState) },
			init: func(ctx sdk.Context, gs proto.Message) error {
				return f.Keeper.InitGenesis(ctx, gs.(*markettypes.GenesisState))
			},
			export: func(ctx sdk.Context) (proto.Message, error) { return f.Keeper.ExportGenesis(ctx) },
		},
		{
			name:  reputationtypes.ModuleName,
			state: func() proto.Message { return new(reputationtypes.GenesisState) },
			init: func(ctx sdk.Context, gs proto.Message) error {
				return f.Reputation.InitGenesis(ctx, gs.(*reputationtypes.GenesisState))
			},
			export: func(ctx sdk.Context) (proto.Message, error) { return f.Reputation.ExportGenesis(ctx) },
		},
		{
			name:  proofstypes.ModuleName,
			state: func() proto.Message { return new(proofstypes.GenesisState) },
			init: func(ctx sdk.Context, gs proto.Message) error {
				return f.Proofs.InitGenesis(ctx, gs.(*proofstypes.GenesisState))
			},
			export: func(ctx sdk.Context) (proto.Message, error) { return f.Proofs.ExportGenesis(ctx) },
		},
		{
			name:  teetypes.ModuleName,
			state: func() proto.Message { return new(teetypes.GenesisState) },
			init: func(ctx sdk.Context, gs proto.Message) error {
				return f.Tee.InitGenesis(ctx, gs.(*teetypes.GenesisState))
			},
			export: func(ctx sdk.Context) (proto.Message, error) { return f.Tee.ExportGenesis(ctx) },
		},
	}
}

// genesisSeeds are the fog modules' sections of a genesis with records in it: an app that ran an
// auction to a lease (providers, an order, revealed bids, a lease, queued sweeps, reputation
// outcomes), the defaults, and the market genesis exported by the pre-v2 binary.
func genesisSeeds(t testing.TB, f *fixture.Fixture, cdc codec.JSONCodec) map[string][]json.RawMessage {
	run := f.Fork()
	owner := run.NewAccount(t, 1_000_000)
	order := run.CreateOrder(t, fixture.OrderMsg(owner))
	var bids []fixture.SealedBid
	for i := 0; i < 3; i++ {
		bids = append(bids, run.Commit(t, order.Id, run.NewProvider(t), int64(3+i)))
	}
	run.AdvanceTo(t, order.CommitDeadline+1)
	for _, b := range bids[:2] {
		run.Reveal(t, order.Id, b)
	}
	run.AdvanceTo(t, order.RevealDeadline+1)

	seeds := map[string][]json.RawMessage{}
	for _, m := range genesisModules(run) {
		gs, err := m.export(run.Ctx)
		require.NoError(t, err)
		seeds[m.name] = append(seeds[m.name], cdc.MustMarshalJSON(gs), f.App.DefaultGenesis()[m.name])
	}
	v1, err := os.ReadFile("../x/market/keeper/testdata/genesis_v1.json")
	require.NoError(t, err)
	seeds[markettypes.ModuleName] = append(seeds[markettypes.ModuleName], v1)
	return seeds
}

// A genesis file is untrusted bytes: whoever writes or hands around genesis.json (or an export to
// restart from) decides them. For every fog module: ValidateGenesis refuses what it cannot load with
// an error, never a panic; a section it accepts loads without a panic (an InitGenesis error is a
// refusal the operator sees when the chain starts; a runtime panic would be a crash with no
// reason); and what loads exports to a genesis that validates and loads back to the same export.
func FuzzGenesisJSON(f *testing.F) {
	fx := fixture.New(f)
	cdc := fx.Codec
	modules := genesisModules(fx)
	seeds := genesisSeeds(f, fx, cdc)
	for i, m := range modules {
		for _, s := range seeds[m.name] {
			f.Add(uint8(i), []byte(s))
		}
	}
	f.Add(uint8(0), []byte(`{"params":{},"orders":[{"id":"1"}],"bids":[{"order_id":"1"}]}`))
	f.Add(uint8(2), []byte(`{"circuits":[{"id":"1","verifying_key":"AAAA"}]}`))
	f.Add(uint8(3), []byte(`{"attestations":[{}],"tee_leases":[{"lease_id":"0"}]}`))

	f.Fuzz(func(t *testing.T, which uint8, bz []byte) {
		m := modules[int(which)%len(modules)]
		basics, ok := fx.App.ModuleManager.Modules[m.name].(module.HasGenesisBasics)
		require.True(t, ok, "%s has genesis basics", m.name)
		if err := noPanic(func() error { return basics.ValidateGenesis(cdc, nil, bz) }); err != nil {
			require.NotErrorIs(t, err, errPanicked, "%s ValidateGenesis", m.name)
			return
		}
		gs := m.state()
		require.NoError(t, cdc.UnmarshalJSON(bz, gs), "ValidateGenesis accepted JSON the codec refuses")

		ctx, _ := fx.Ctx.CacheContext()
		if err := noPanic(func() error { return m.init(ctx, gs) }); err != nil {
			require.NotErrorIs(t, err, errPanicked, "%s InitGenesis of a validated genesis", m.name)
			return
		}
		exported, err := m.export(ctx)
		require.NoError(t, err, "%s ExportGenesis after a successful InitGenesis", m.name)
		first := cdc.MustMarshalJSON(exported)
		require.NoError(t, basics.ValidateGenesis(cdc, nil, first), "%s: its own export does not validate", m.name)

		again, _ := fx.Ctx.CacheContext()
		require.NoError(t, noPanic(func() error { return m.init(again, exported) }), "%s: its own export does not load", m.name)
		reexported, err := m.export(again)
		require.NoError(t, err)
		require.JSONEq(t, string(first), string(cdc.MustMarshalJSON(reexported)), "%s: export → import → export changed the state", m.name)
	})
}

var errPanicked = fmt.Errorf("panicked")

// noPanic runs fn and turns a panic into an error wrapping errPanicked.
func noPanic(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", errPanicked, r)
		}
	}()
	return fn()
}
