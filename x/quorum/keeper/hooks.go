package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/internal/selection"
	"github.com/fogchain/fog/x/quorum/types"
)

// MarketHooks is x/quorum's subscription to the market: it chooses replica sets at settlement.
type MarketHooks struct {
	markettypes.NoMarketHooks
	k Keeper
}

// MarketHooks returns the keeper's subscription to the market's hooks.
func (k Keeper) MarketHooks() MarketHooks { return MarketHooks{k: k} }

// tierName is the name of a market tier in the quorum params.
func tierName(t markettypes.Tier) (string, error) {
	if t < markettypes.TierBronze || int(t) > len(types.TierNames) {
		return "", fmt.Errorf("order of unknown tier %d", t)
	}
	return types.TierNames[t-1], nil
}

// Tie is the tie-breaker of provider's bid on orderID in the block of hash blockHash:
// sha256(block hash ‖ order id (8 bytes, big endian) ‖ provider address bytes). No bidder chooses
// it; the block's proposer could grind it, which only decides between sets of equal total price.
func Tie(blockHash []byte, orderID uint64, provider sdk.AccAddress) [32]byte {
	h := sha256.New()
	h.Write(blockHash)
	var id [8]byte
	binary.BigEndian.PutUint64(id[:], orderID)
	h.Write(id[:])
	h.Write(provider)
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// BeforeSettlement chooses the replica set of every order, and the standbys held to replace a
// member that fails (at most the tier's max_standbys).
//
// An order whose tier constrains who its members are gets the cheapest set of revealed bids
// meeting the tier's constraints, each member paid its critical value (selection's package
// documentation); its standbys are the cheapest other bids of the pool that could each take some
// member's place (bid at most that member's pay, the set with it instead still meeting the tier).
// An order with fewer replicas than its tier's minimum, or whose bids hold no feasible set, gets
// no set: it fails and everyone is refunded (EventQuorumInfeasible says why); a tier is never
// silently downgraded.
//
// An order of a tier without diversity constraints gets exactly the market's own rule: its
// replicas cheapest bids (in the market's ranking) at the uniform Vickrey price (no per-member
// prices, so the market prices them); its standbys are the next ranked bids priced at most that
// price (a replacement takes the failed lease's price, so a dearer bid could replace nobody).
func (h MarketHooks) BeforeSettlement(ctx context.Context, o markettypes.Order, ranked []markettypes.Bid) (markettypes.Selection, bool, error) {
	k := h.k
	name, err := tierName(o.Tier)
	if err != nil {
		return markettypes.Selection{}, false, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return markettypes.Selection{}, false, err
	}
	tier, err := params.Tier(name)
	if err != nil {
		return markettypes.Selection{}, false, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	infeasible := func(candidates int, constraints []types.ConstraintResult) (markettypes.Selection, bool, error) {
		return markettypes.Selection{}, true, sdkCtx.EventManager().EmitTypedEvent(&types.EventQuorumInfeasible{
			OrderId: o.Id, Tier: name, RevealedBids: uint32(len(ranked)), Candidates: uint32(candidates), Constraints: constraints,
		})
	}
	if o.Replicas < tier.MinReplicas {
		return infeasible(0, []types.ConstraintResult{{Name: selection.NameReplicas, Required: tier.MinReplicas, Got: o.Replicas}})
	}
	if !tier.HasDiversity() {
		return marketRule(o, ranked, int(tier.MaxStandbys)), true, nil
	}

	// Only the pool's attributes matter (of the bids after it, only the first one's price): profile
	// the cheapest bids by (price, tie) and leave the rest unread.
	blockHash := sdkCtx.HeaderHash()
	cands := make([]selection.Candidate, len(ranked))
	for i, b := range ranked {
		addr, err := k.addressCodec.StringToBytes(b.Provider)
		if err != nil {
			return markettypes.Selection{}, false, err
		}
		cands[i] = selection.Candidate{Index: i, Provider: b.Provider, Price: b.Price.Amount, Tie: Tie(blockHash, o.Id, addr)}
	}
	pool := max(int(params.MaxCandidates), int(o.Replicas))
	poolOrder := selection.Cheapest(cands, pool)
	for _, c := range poolOrder {
		addr, _ := k.addressCodec.StringToBytes(c.Provider)
		prof, err := k.Profile(ctx, addr)
		if err != nil {
			return markettypes.Selection{}, false, err
		}
		cands[c.Index].ASN, cands[c.Index].Region, cands[c.Index].TEE = prof.Asn, prof.PowerRegion, prof.TeeVendor
	}

	constraints := constraintsOf(tier, o.Replicas)
	res, err := selection.Select(cands, constraints, pool, o.MaxPricePerBlock.Amount, params.MaxSelectionWork)
	var inf *selection.InfeasibleError
	if errors.As(err, &inf) {
		return infeasible(inf.Pool, results(inf.Report))
	}
	if err != nil {
		return markettypes.Selection{}, false, err
	}
	members := make([]selection.Candidate, len(res.Winners))
	ev := types.EventQuorumSelected{OrderId: o.Id, Tier: name, Candidates: uint32(min(pool, len(cands))), Evaluated: res.Evaluated}
	for i, w := range res.Winners {
		members[i] = cands[w]
		ev.Members = append(ev.Members, ranked[w].Provider)
		ev.Prices = append(ev.Prices, sdk.NewCoin(o.MaxPricePerBlock.Denom, res.Prices[i]))
	}
	ev.Constraints = results(selection.Check(members, constraints))
	if err := sdkCtx.EventManager().EmitTypedEvent(&ev); err != nil {
		return markettypes.Selection{}, false, err
	}
	sel := markettypes.Selection{Winners: res.Winners, Prices: append([]math.Int(nil), res.Prices...)}
	// standbys: the pool's other bids, cheapest first, each able to take some member's place
	for _, c := range poolOrder {
		if len(sel.Standbys) == int(tier.MaxStandbys) {
			break
		}
		if slices.Contains(res.Winners, c.Index) {
			continue
		}
		if couldReplace(cands[c.Index], members, res.Prices, constraints) {
			sel.Standbys = append(sel.Standbys, c.Index)
		}
	}
	return sel, true, nil
}

// marketRule is the market's own choice of winners for an order whose tier has no diversity
// constraints: the first replicas ranked bids at the uniform Vickrey price (Prices nil: the market
// prices them, with keeper.SelectionPrice), and as standbys the next ranked bids, up to
// maxStandbys, priced at most that price.
func marketRule(o markettypes.Order, ranked []markettypes.Bid, maxStandbys int) markettypes.Selection {
	r := int(o.Replicas) // the market settles only orders with at least replicas revealed bids
	sel := markettypes.Selection{Winners: make([]int, r)}
	for i := range sel.Winners {
		sel.Winners[i] = i
	}
	price := o.MaxPricePerBlock.Amount
	if r < len(ranked) {
		price = ranked[r].Price.Amount
	}
	for i := r; i < len(ranked) && len(sel.Standbys) < maxStandbys; i++ {
		if ranked[i].Price.Amount.GT(price) {
			break // ranked cheapest first: none after it is cheaper
		}
		sel.Standbys = append(sel.Standbys, i)
	}
	return sel
}

// couldReplace is whether c could take the place of some member: its bid is at most that
// member's pay, and the set with c instead meets the constraints.
func couldReplace(c selection.Candidate, members []selection.Candidate, pays []math.Int, constraints selection.Constraints) bool {
	for i := range members {
		if c.Price.GT(pays[i]) {
			continue
		}
		set := slices.Clone(members)
		set[i] = c
		if selection.Check(set, constraints).Feasible {
			return true
		}
	}
	return false
}

func constraintsOf(t types.SlaTier, replicas uint32) selection.Constraints {
	return selection.Constraints{Replicas: replicas, MinASNs: t.MinAsns, MinTEEVendors: t.MinTeeVendors, MinRegions: t.MinPowerRegions}
}

func results(r selection.Report) []types.ConstraintResult {
	out := make([]types.ConstraintResult, len(r.Constraints))
	for i, c := range r.Constraints {
		out[i] = types.ConstraintResult{Name: c.Name, Required: c.Required, Got: c.Got, Ok: c.OK}
	}
	return out
}

// CheckProfiles checks providers' diversity profiles against a tier, constraint by constraint, as
// a set of that many replicas.
func CheckProfiles(profiles []types.DiversityProfile, t types.SlaTier) ([]types.ConstraintResult, bool) {
	members := make([]selection.Candidate, len(profiles))
	for i, p := range profiles {
		members[i] = selection.Candidate{Index: i, Provider: p.Provider, ASN: p.Asn, Region: p.PowerRegion, TEE: p.TeeVendor}
	}
	c := constraintsOf(t, uint32(len(profiles)))
	r := selection.Check(members, c)
	out := results(r)
	// the set's size is the tier's replicas only if it reaches the tier's minimum
	replicasOK := uint32(len(profiles)) >= t.MinReplicas
	out[0] = types.ConstraintResult{Name: selection.NameReplicas, Required: t.MinReplicas, Got: uint32(len(profiles)), Ok: replicasOK}
	return out, r.Feasible && replicasOK
}
