// Package simulation is the market's part of the app simulation (simsx): a random genesis, store
// decoders, and message factories for every market message, valid most of the time and
// deliberately invalid (expecting the documented error) the rest.
package simulation

import (
	"math/rand"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"

	"github.com/fogchain/fog/x/market/types"
)

// RandomParams draws params inside the ranges Params.Validate accepts, scaled to a simulation: short
// phases and leases (so that auctions settle and leases end within a few dozen blocks), small
// deposits and bonds (so that the simulated accounts can afford them), and sometimes a tiny
// max_work_per_block (so that EndBlock carries work over).
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	between := func(lo, hi int64) int64 { return lo + r.Int63n(hi-lo+1) }
	p.BidDeposit = sdk.NewInt64Coin(denom, between(1, 1_000_000))
	p.WithdrawFee = sdk.NewInt64Coin(denom, r.Int63n(p.BidDeposit.Amount.Int64()+1))
	p.ProviderBond = sdk.NewInt64Coin(denom, between(1, 10_000_000))
	p.MinCommitBlocks = uint64(between(1, 4))
	p.MaxCommitBlocks = p.MinCommitBlocks + uint64(between(0, 12))
	// the simulator delivers a block's transactions after its EndBlock, which settles the auctions
	// whose reveal deadline is that height: a one-block reveal phase would take no reveal at all
	p.MinRevealBlocks = uint64(between(2, 4))
	p.MaxRevealBlocks = p.MinRevealBlocks + uint64(between(0, 12))
	p.MinLeaseBlocks = uint64(between(1, 5))
	p.MaxLeaseBlocks = p.MinLeaseBlocks + uint64(between(0, 40))
	p.StartTimeoutBlocks = uint64(between(1, 15))
	p.WithdrawLockBlocks = uint64(between(0, int64(p.MaxCommitBlocks)))
	p.Bronze.Replicas = 1
	p.Silver.Replicas = uint32(between(1, 3))
	// at least 2: x/quorum's gold tier constrains the diversity of a gold order's replica set, which
	// a single replica never meets
	p.Gold.Replicas = uint32(between(2, 4))
	p.MaxBidsPerOrder = uint32(between(int64(p.Gold.Replicas), 20))
	if p.MaxBidsPerOrder < p.Silver.Replicas {
		p.MaxBidsPerOrder = p.Silver.Replicas
	}
	for _, tp := range []*types.TierParams{&p.Bronze, &p.Silver, &p.Gold} {
		// [0.01, 1000] in steps of 0.01
		tp.Multiplier = math.LegacyNewDecWithPrec(between(1, 100_000), 2)
	}
	p.EmaWeight = math.LegacyNewDecWithPrec(between(1, 100), 2)
	if r.Intn(4) == 0 {
		p.MaxWorkPerBlock = uint32(between(1, 5))
	} else {
		p.MaxWorkPerBlock = uint32(between(6, types.DefaultMaxWorkPerBlock))
	}
	if err := p.Validate(); err != nil {
		panic("market simulation drew invalid params: " + err.Error())
	}
	return p
}

// RandomizedGenState writes the market's random genesis: random params in the bond denom, no
// records (the simulation creates them with messages).
func RandomizedGenState(simState *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(simState.Rand, simState.BondDenom)
	simState.GenState[types.ModuleName] = simState.Cdc.MustMarshalJSON(gs)
}
