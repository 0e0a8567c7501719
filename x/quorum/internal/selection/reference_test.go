package selection_test

import (
	"bytes"
	"math/big"
	"sort"

	"cosmossdk.io/math"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/x/quorum/internal/selection"
)

// The reference: the rules of the package documentation written as directly as possible, by
// exhaustive enumeration over int64 prices, sharing no code with the package.

// refSorted is cands sorted by (price, tie, provider).
func refSorted(cands []selection.Candidate) []selection.Candidate {
	out := append([]selection.Candidate(nil), cands...)
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if !a.Price.Equal(b.Price) {
			return a.Price.LT(b.Price)
		}
		if c := bytes.Compare(a.Tie[:], b.Tie[:]); c != 0 {
			return c < 0
		}
		return a.Provider < b.Provider
	})
	return out
}

// refWork is C(n+1, r) + r·C(n, r) in big integers.
func refWork(n, r int64) *big.Int {
	w := new(big.Int).Binomial(n+1, r)
	return w.Add(w, new(big.Int).Mul(big.NewInt(r), new(big.Int).Binomial(n, r)))
}

// refPoolSize is K': the largest n in [r, k] whose work fits maxWork.
func refPoolSize(r, k int, maxWork uint64) int {
	best := r
	for n := r; n <= k; n++ {
		if refWork(int64(n), int64(r)).Cmp(new(big.Int).SetUint64(maxWork)) <= 0 {
			best = n
		}
	}
	return best
}

// refFeasible: exactly r members, and the distinct counts reach the minimums.
func refFeasible(set []selection.Candidate, c selection.Constraints) bool {
	asns, regions, tees := map[string]bool{}, map[string]bool{}, map[fogtypes.TeeType]bool{}
	for _, m := range set {
		if m.ASN != "" {
			asns[m.ASN] = true
		}
		if m.Region != "" {
			regions[m.Region] = true
		}
		if m.TEE != fogtypes.TeeTypeUnspecified {
			tees[m.TEE] = true
		}
	}
	return len(set) == int(c.Replicas) && len(asns) >= int(c.MinASNs) && len(tees) >= int(c.MinTEEVendors) && len(regions) >= int(c.MinRegions)
}

// refBest enumerates every r-subset of pool in lexicographic order and keeps the first of minimum
// total among the feasible ones: its positions and total, or ok = false.
func refBest(pool []selection.Candidate, c selection.Constraints) (best []int, total int64, ok bool) {
	r := int(c.Replicas)
	set := make([]int, 0, r)
	var rec func(from int)
	rec = func(from int) {
		if len(set) == r {
			members := make([]selection.Candidate, r)
			var sum int64
			for i, p := range set {
				members[i] = pool[p]
				sum += pool[p].Price.Int64()
			}
			if refFeasible(members, c) && (!ok || sum < total) {
				best, total, ok = append([]int(nil), set...), sum, true
			}
			return
		}
		for p := from; p < len(pool); p++ {
			set = append(set, p)
			rec(p + 1)
			set = set[:len(set)-1]
		}
	}
	if r <= len(pool) {
		rec(0)
	}
	return best, total, ok
}

type refResult struct {
	infeasible bool
	winners    []int // Candidate.Index
	pays       []int64
	poolSize   int
}

// refSelect is Select by the rules: pool, exhaustive optimum, θ_w by the formula.
func refSelect(cands []selection.Candidate, c selection.Constraints, maxCandidates int, maxPrice int64, maxWork uint64) refResult {
	sorted := refSorted(cands)
	r := int(c.Replicas)
	if len(sorted) < r {
		return refResult{infeasible: true, poolSize: len(sorted)}
	}
	k := refPoolSize(r, min(maxCandidates, len(sorted)), maxWork)
	pool := sorted[:k]
	best, total, ok := refBest(pool, c)
	if !ok {
		return refResult{infeasible: true, poolSize: k}
	}
	limit := maxPrice
	if k < len(sorted) {
		limit = min(limit, sorted[k].Price.Int64())
	}
	res := refResult{poolSize: k}
	for _, w := range best {
		others := append(append([]selection.Candidate(nil), pool[:w]...), pool[w+1:]...)
		theta := limit
		if _, without, ok := refBest(others, c); ok {
			theta = min(theta, without-(total-pool[w].Price.Int64()))
		}
		res.winners = append(res.winners, pool[w].Index)
		res.pays = append(res.pays, theta)
	}
	return res
}

func int64s(xs []math.Int) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = x.Int64()
	}
	return out
}
