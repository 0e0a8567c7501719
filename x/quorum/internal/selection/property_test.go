package selection_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"cosmossdk.io/math"
	"pgregory.net/rapid"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/x/quorum/internal/selection"
)

// instance is one random auction: few distinct attribute values and prices, so that constraints
// bind, prices tie and the pool cut matters. rapid favours small draws, so the "none" attribute
// values come last and the rare cases are drawn on a middle value.
type instance struct {
	cands         []selection.Candidate
	c             selection.Constraints
	maxCandidates int
	maxPrice      int64
	maxWork       uint64
}

func drawInstance(rt *rapid.T, maxBids int) instance {
	return drawSized(rt, maxBids, 4)
}

func drawSized(rt *rapid.T, maxBids, maxReplicas int) instance {
	r := rapid.IntRange(1, maxReplicas).Draw(rt, "replicas")
	n := max(r, maxBids) - rapid.IntRange(0, max(0, maxBids-r)).Draw(rt, "fewerBids") // mostly maxBids
	if rapid.IntRange(0, 15).Draw(rt, "fewerThanReplicas") == 9 {
		n = rapid.IntRange(0, r-1).Draw(rt, "bids")
	}
	maxPrice := rapid.Int64Range(1, 24).Draw(rt, "maxPrice")
	// Indexes and providers unrelated to the input order and to each other.
	indexes := rapid.Permutation(seq(n)).Draw(rt, "indexes")
	names := rapid.Permutation(seq(n)).Draw(rt, "names")
	cands := make([]selection.Candidate, n)
	for i := range cands {
		var tie [32]byte
		tie[0] = byte(rapid.IntRange(0, 3).Draw(rt, "tie")) // equal ties happen: the provider decides
		tie[31] = byte(rapid.IntRange(0, 255).Draw(rt, "tie31"))
		cands[i] = selection.Candidate{
			Index:    indexes[i] * 3,
			Provider: fmt.Sprintf("fog1p%02d", names[i]),
			Price:    math.NewInt(rapid.Int64Range(1, maxPrice).Draw(rt, "price")),
			ASN:      rapid.SampledFrom([]string{"as1", "as2", "as3", "as4", ""}).Draw(rt, "asn"),
			Region:   rapid.SampledFrom([]string{"eu", "us", "ap", ""}).Draw(rt, "region"),
			TEE:      fogtypes.TeeType((rapid.IntRange(0, 3).Draw(rt, "tee") + 1) % 4), // none last, like "" above
			Tie:      tie,
		}
	}
	c := selection.Constraints{
		Replicas:      uint32(r),
		MinASNs:       uint32(rapid.IntRange(0, r).Draw(rt, "minASNs")),
		MinTEEVendors: uint32(rapid.IntRange(0, min(r, 3)).Draw(rt, "minTEE")),
		MinRegions:    uint32(rapid.IntRange(0, min(r, 3)).Draw(rt, "minRegions")),
	}
	if rapid.IntRange(0, 15).Draw(rt, "unreachableMin") == 9 {
		c.MinASNs = uint32(r + 1) // more distinct values than members
	}
	maxWork := uint64(1 << 40)
	if rapid.Bool().Draw(rt, "tightWork") {
		maxWork = rapid.Uint64Range(uint64(2*r+1), 300).Draw(rt, "maxWork")
	}
	return instance{cands: cands, c: c, maxCandidates: maxBids + 2 - rapid.IntRange(0, maxBids+2-r).Draw(rt, "smallerPool"), maxPrice: maxPrice, maxWork: maxWork}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (in instance) run(cands []selection.Candidate) (selection.Result, error) {
	return selection.Select(cands, in.c, in.maxCandidates, math.NewInt(in.maxPrice), in.maxWork)
}

// with is the instance's bids with bidder i's price replaced.
func (in instance) with(i int, price int64) []selection.Candidate {
	out := slices.Clone(in.cands)
	out[i].Price = math.NewInt(price)
	return out
}

// pay is what the bidder of Index index is paid, and whether it wins.
func pay(res selection.Result, err error, index int) (int64, bool) {
	if err != nil {
		return 0, false
	}
	if i := slices.Index(res.Winners, index); i >= 0 {
		return res.Prices[i].Int64(), true
	}
	return 0, false
}

func mustRun(rt *rapid.T, in instance, cands []selection.Candidate) (selection.Result, error) {
	res, err := in.run(cands)
	if err != nil && !errors.Is(err, selection.ErrInfeasible) {
		rt.Fatalf("Select: %v", err)
	}
	return res, err
}

// Select against the reference (exhaustive optimum, lexicographic tie rule, θ by the formula),
// with the winners feasible, pays within [price, maxPrice] and the work within W(K') ≤ maxWork.
func TestSelectMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := drawInstance(rt, 10)
		if rapid.IntRange(0, 9).Draw(rt, "larger") == 9 { // pools where pruning has more to cut
			in = drawSized(rt, 15, 6)
		}
		res, err := mustRun(rt, in, in.cands)
		want := refSelect(in.cands, in.c, in.maxCandidates, in.maxPrice, in.maxWork)
		if want.infeasible != (err != nil) {
			rt.Fatalf("infeasible: reference %v, Select %v", want.infeasible, err)
		}
		var ie *selection.InfeasibleError
		if err != nil {
			if !errors.As(err, &ie) || ie.Pool != want.poolSize || ie.Report.Feasible {
				rt.Fatalf("infeasible error %v (%#v), want pool %d", err, ie, want.poolSize)
			}
			return
		}
		if !slices.Equal(res.Winners, want.winners) || !slices.Equal(int64s(res.Prices), want.pays) {
			rt.Fatalf("Select %v paid %v, reference %v paid %v", res.Winners, int64s(res.Prices), want.winners, want.pays)
		}
		byIndex := map[int]selection.Candidate{}
		for _, c := range in.cands {
			byIndex[c.Index] = c
		}
		members := make([]selection.Candidate, len(res.Winners))
		for i, w := range res.Winners {
			members[i] = byIndex[w]
			if p := res.Prices[i]; p.LT(members[i].Price) || p.GT(math.NewInt(in.maxPrice)) {
				rt.Fatalf("winner bid %s paid %s, max %d", members[i].Price, p, in.maxPrice)
			}
		}
		if rep := selection.Check(members, in.c); !rep.Feasible {
			rt.Fatalf("winners infeasible: %s", rep.Failing())
		}
		if bound := selection.Work(uint64(want.poolSize), uint64(in.c.Replicas)); res.Evaluated > bound || bound > in.maxWork || res.Evaluated == 0 {
			rt.Fatalf("evaluated %d, bound W(%d) = %d, max work %d", res.Evaluated, want.poolSize, bound, in.maxWork)
		}
	})
}

// Shuffling the input changes nothing, not even the work.
func TestSelectPermutationInvariant(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := drawInstance(rt, 12)
		res, err := mustRun(rt, in, in.cands)
		res2, err2 := mustRun(rt, in, rapid.Permutation(in.cands).Draw(rt, "shuffled"))
		if fmt.Sprint(err) != fmt.Sprint(err2) || !slices.Equal(res.Winners, res2.Winners) ||
			!slices.Equal(int64s(res.Prices), int64s(res2.Prices)) || res.Evaluated != res2.Evaluated {
			rt.Fatalf("input order changed the result: %v %v %d (%v) against %v %v %d (%v)",
				res.Winners, int64s(res.Prices), res.Evaluated, err, res2.Winners, int64s(res2.Prices), res2.Evaluated, err2)
		}
	})
}

// No bidder, its cost being its bid and every other bid fixed, gains by bidding anything else in
// (0, maxPrice]; in particular the bidder just outside the pool gains nothing by underbidding into it.
func TestTruthful(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := drawInstance(rt, 9)
		res, err := mustRun(rt, in, in.cands)
		check := func(i int, lie int64) {
			cost := in.cands[i].Price.Int64()
			truth, won := pay(res, err, in.cands[i].Index)
			uTruth := int64(0)
			if won {
				uTruth = truth - cost
			}
			resLie, errLie := mustRun(rt, in, in.with(i, lie))
			paid, wonLie := pay(resLie, errLie, in.cands[i].Index)
			uLie := int64(0)
			if wonLie {
				uLie = paid - cost
			}
			if uLie > uTruth {
				rt.Fatalf("bidder %d (cost %d) gains by bidding %d: utility %d, truthful %d", i, cost, lie, uLie, uTruth)
			}
			if won && wonLie && paid != truth {
				rt.Fatalf("bidder %d's pay depends on its bid: %d at %d, %d at its cost %d", i, paid, lie, truth, cost)
			}
		}
		for i := range in.cands {
			check(i, rapid.Int64Range(1, in.maxPrice).Draw(rt, "lie"))
		}
		// The first candidate outside the pool, underbidding to enter it.
		sorted := refSorted(in.cands)
		k := refPoolSize(int(in.c.Replicas), min(in.maxCandidates, len(sorted)), in.maxWork)
		if k < len(sorted) {
			i := slices.IndexFunc(in.cands, func(c selection.Candidate) bool { return c.Provider == sorted[k].Provider })
			check(i, rapid.Int64Range(1, sorted[k-1].Price.Int64()).Draw(rt, "entry"))
		}
	})
}

// θ_w is the threshold: bidding one less still wins (and is paid θ_w), one more loses.
func TestPayIsCriticalValue(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := drawInstance(rt, 9)
		res, err := mustRun(rt, in, in.cands)
		if err != nil {
			return
		}
		for wi, w := range res.Winners {
			i := slices.IndexFunc(in.cands, func(c selection.Candidate) bool { return c.Index == w })
			theta := res.Prices[wi].Int64()
			if theta > 1 {
				r, e := mustRun(rt, in, in.with(i, theta-1))
				if paid, won := pay(r, e, w); !won || paid != theta {
					rt.Fatalf("winner %d paid %d: at %d won %v paid %d", w, theta, theta-1, won, paid)
				}
			}
			if theta < in.maxPrice {
				r, e := mustRun(rt, in, in.with(i, theta+1))
				if _, won := pay(r, e, w); won {
					rt.Fatalf("winner %d paid %d still wins at %d", w, theta, theta+1)
				}
			}
		}
	})
}

// Without diversity constraints the pay is the market's Vickrey price: every winner gets the
// (R+1)-th sorted price, or maxPrice when there are only R candidates.
func TestVickreyReduction(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		in := drawInstance(rt, 10)
		if rapid.Bool().Draw(rt, "minOnes") {
			// minimums of 1 with every candidate holding the attribute bind nothing either
			in.c.MinASNs, in.c.MinTEEVendors, in.c.MinRegions = 1, 1, 1
			for i := range in.cands {
				in.cands[i].ASN, in.cands[i].Region, in.cands[i].TEE = "as1", "eu", fogtypes.TeeTypeTdx
			}
		} else {
			in.c.MinASNs, in.c.MinTEEVendors, in.c.MinRegions = 0, 0, 0
		}
		r := int(in.c.Replicas)
		res, err := mustRun(rt, in, in.cands)
		if len(in.cands) < r {
			if err == nil {
				rt.Fatalf("%d candidates for %d replicas, no error", len(in.cands), r)
			}
			return
		}
		if err != nil {
			rt.Fatalf("Select: %v", err)
		}
		sorted := refSorted(in.cands)
		want := in.maxPrice
		if len(sorted) > r {
			want = sorted[r].Price.Int64()
		}
		for i, w := range res.Winners {
			if w != sorted[i].Index || res.Prices[i].Int64() != want {
				rt.Fatalf("winners %v paid %v, want the %d cheapest paid %d", res.Winners, int64s(res.Prices), r, want)
			}
		}
	})
}
