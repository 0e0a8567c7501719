// Package simulation is the reputation module's part of the app simulation (simsx): random params
// in genesis and in governance proposals. Reputation has no message of its own but MsgUpdateParams:
// its records change through the market's hooks, which the market's simulation drives.
package simulation

import (
	"context"
	"math/rand"
	"slices"

	"cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/testutil/simfog"
	"github.com/fogchain/fog/x/reputation/keeper"
	"github.com/fogchain/fog/x/reputation/types"
)

// RandomParams draws params inside the ranges Params.Validate accepts: priors in [0.001, 1000], any
// half-life up to a million blocks, z in (0, 10], four distinct falling tier thresholds in (0, 1) and
// weights in [0, 10] (sometimes up to MaxWeight, so that one outcome can move an account across
// every tier).
func RandomParams(r *rand.Rand) types.Params {
	p := types.DefaultParams()
	p.PriorAlpha = simfog.Dec(r, types.MinPrior, math.LegacyNewDec(1000), 3)
	p.PriorBeta = simfog.Dec(r, types.MinPrior, math.LegacyNewDec(1000), 3)
	p.HalfLifeBlocks = uint64(r.Int63n(1_000_000) + 1)
	p.Z = simfog.Dec(r, math.LegacyNewDecWithPrec(1, 3), types.MaxZ, 3)
	th := map[int64]bool{}
	for len(th) < 4 {
		th[r.Int63n(999)+1] = true // thousandths in [1, 999]
	}
	var ts []int64
	for t := range th {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	p.Silver, p.Gold, p.Platinum, p.Diamond = math.LegacyNewDecWithPrec(ts[0], 3), math.LegacyNewDecWithPrec(ts[1], 3),
		math.LegacyNewDecWithPrec(ts[2], 3), math.LegacyNewDecWithPrec(ts[3], 3)
	maxWeight := math.LegacyNewDec(10)
	if r.Intn(10) == 0 {
		maxWeight = types.MaxWeight
	}
	w := func() math.LegacyDec { return simfog.Dec(r, math.LegacyZeroDec(), maxWeight, 2) }
	p.Weights = types.Weights{
		LeaseCompleted: w(), LeaseStartTimeout: w(), BidUnrevealed: w(), LeaseAbandoned: w(), AuditPassed: w(),
		AuditFailed: w(), SlaViolation: w(), ContributionAccepted: w(), ContributionRejected: w(),
	}
	if err := p.Validate(); err != nil {
		panic("reputation simulation drew invalid params: " + err.Error())
	}
	return p
}

// RandomizedGenState writes the reputation module's random genesis: random params, no records.
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}

// MsgUpdateParamsFactory is a governance proposal that sets random valid params.
func MsgUpdateParamsFactory() simsx.SimMsgFactoryFn[*types.MsgUpdateParams] {
	return func(_ context.Context, testData *simsx.ChainDataSource, reporter simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
		return nil, &types.MsgUpdateParams{Authority: testData.ModuleAccountAddress(reporter, "gov"), Params: RandomParams(testData.Rand().Rand)}
	}
}

// MsgUpdateParamsUnauthorizedFactory sends MsgUpdateParams from an ordinary account, expecting
// ErrInvalidAuthority.
func MsgUpdateParamsUnauthorizedFactory(k keeper.Keeper) *simsx.ResultHandlingSimMsgFactory[*types.MsgUpdateParams] {
	return simfog.Unauthorized(func(ctx context.Context, authority string) (*types.MsgUpdateParams, error) {
		p, err := k.Params.Get(ctx)
		return &types.MsgUpdateParams{Authority: authority, Params: p}, err
	}, types.ErrInvalidAuthority)
}
