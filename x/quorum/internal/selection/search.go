package selection

import "math/big"

// item is a pool member as the search sees it: its price and, per attribute, the number of its
// value in the pool (1, 2, ... in order of first appearance; 0 when it has none that counts).
type item struct {
	price *big.Int
	attr  [numAttrs]int
}

// pool is the first K' sorted candidates and their items, position for position.
type pool struct {
	cands    []*Candidate
	items    []item
	replicas int
	values   int // attribute values are numbered 1..values at most
}

func newPool(sorted []*Candidate, replicas int) *pool {
	p := &pool{cands: sorted, items: make([]item, len(sorted)), replicas: replicas}
	for k := range numAttrs {
		ids := make(map[string]int, len(sorted))
		for i, c := range sorted {
			v := c.key(k)
			if v == "" {
				continue
			}
			id, ok := ids[v]
			if !ok {
				id = len(ids) + 1
				ids[v] = id
			}
			p.items[i].attr[k] = id
		}
		p.values = max(p.values, len(ids))
	}
	for i, c := range sorted {
		p.items[i].price = c.Price.BigInt()
	}
	return p
}

// ceiling is what a set of Replicas members of the pool can reach on each constraint alone, in a
// Report whose Feasible is false: it is built only when the pool has no feasible set.
func (p *pool) ceiling(c Constraints) Report {
	var distinct [numAttrs]int
	for k := range numAttrs {
		n := 0
		for _, it := range p.items {
			n = max(n, it.attr[k]) // values are numbered densely from 1
		}
		distinct[k] = min(n, p.replicas)
	}
	r := report(capUint32(min(len(p.items), p.replicas)), distinct, c)
	r.Feasible = false
	return r
}

// searcher finds the cheapest feasible set of the pool, or of the pool without one position,
// lexicographically first among equal totals, by depth-first enumeration with branch-and-bound.
// What it derives from the pool is computed once (O(K')); evaluated accumulates over runs.
type searcher struct {
	items []item
	r     int
	mins  [numAttrs]int

	prefix   []big.Int       // prefix[j]: total price of items[:j]
	suffix   [numAttrs][]int // suffix[k][j]: distinct values of attribute k among items[j:]
	count    [numAttrs][]int // members of the partial set per attribute value
	distinct [numAttrs]int   // distinct values of the partial set per attribute
	cost     []big.Int       // cost[d]: total of the first d picks
	picks    []int

	best      big.Int // total of the best set found, or the bound given to run
	bounded   bool    // best holds a bound
	found     bool    // bestPicks holds a set of total best
	bestPicks []int
	evaluated uint64
	lhs, rhs  big.Int
}

func newSearcher(p *pool, c Constraints) *searcher {
	n := len(p.items)
	s := &searcher{
		items: p.items, r: p.replicas,
		prefix: make([]big.Int, n+1), cost: make([]big.Int, p.replicas+1), picks: make([]int, p.replicas),
	}
	for j := range p.items {
		s.prefix[j+1].Add(&s.prefix[j], p.items[j].price)
	}
	mins := c.mins()
	for k := range numAttrs {
		// Above r the minimum is unreachable either way; bounding it keeps it an int.
		s.mins[k] = int(min(uint64(mins[k]), uint64(p.replicas)+1))
		s.count[k] = make([]int, p.values+1)
		seen := make([]bool, p.values+1)
		s.suffix[k] = make([]int, n+1)
		for j := n - 1; j >= 0; j-- {
			s.suffix[k][j] = s.suffix[k][j+1]
			if id := p.items[j].attr[k]; id != 0 && !seen[id] {
				seen[id] = true
				s.suffix[k][j]++
			}
		}
	}
	return s
}

// run searches the pool, without position skip when skip ≥ 0, for the cheapest feasible set.
// With a bound, only a set of total strictly below it is found. It sets found, best and
// bestPicks (pool positions, ascending) and adds the nodes visited to evaluated: the root and one
// per partial set tried, at most C(m+1, r) for the m = K' or K'−1 positions searched.
func (s *searcher) run(skip int, bound *big.Int) {
	s.evaluated++
	s.found = false
	s.bounded = bound != nil
	if s.bounded {
		s.best.Set(bound)
	}
	n := len(s.items)
	// The suffix counts are the whole pool's: without skip they can only be lower, so they still
	// bound what the picks left can bring.
	if !s.reachable(0, s.r) {
		return
	}

	// Depth-first over the r-subsets in lexicographic order: picks[:depth] is the partial set and
	// j the next position tried for pick number depth. A position that leaves too few after it
	// for the picks still to make is not tried. Every pick is undone before run returns.
	s.cost[0].SetInt64(0)
	depth, j := 0, 0
	for {
		if j == skip {
			j++
		}
		left := s.r - depth // picks still to make, this one included
		after := n - 1 - j  // positions after j ...
		if skip > j {       // ... that may be picked
			after--
		}
		if j < n && after >= left-1 {
			s.evaluated++
			if s.bounded {
				// cost so far + the cheapest completion from j on (left positions from j, the
				// skipped one excepted), against best
				end := j + left
				s.rhs.Add(&s.best, &s.prefix[j])
				if skip > j && skip < end {
					end++ // ≤ n, since after ≥ left−1 counts skip out
					s.rhs.Add(&s.rhs, s.items[skip].price)
				}
				s.lhs.Add(&s.cost[depth], &s.prefix[end])
				if s.lhs.Cmp(&s.rhs) >= 0 {
					j = n // and every later j, whose completions cost no less
					continue
				}
			}
			it := &s.items[j]
			s.add(it)
			if !s.reachable(j+1, left-1) {
				s.remove(it)
				j++
				continue
			}
			s.cost[depth+1].Add(&s.cost[depth], it.price)
			s.picks[depth] = j
			if left == 1 {
				// feasible, and strictly below best by the cost test
				s.best.Set(&s.cost[depth+1])
				s.bounded, s.found = true, true
				s.bestPicks = append(s.bestPicks[:0], s.picks...)
				s.remove(it)
				j = n // later j are no cheaper, and lexicographically later
				continue
			}
			depth++
			j++
			continue
		}
		if depth == 0 {
			return
		}
		depth--
		p := s.picks[depth]
		s.remove(&s.items[p])
		j = p + 1
	}
}

// reachable: with m picks left among items[from:], can every distinct count still reach its
// minimum? Each pick brings at most one new value, and only a value present in items[from:].
func (s *searcher) reachable(from, m int) bool {
	for k := range numAttrs {
		if s.distinct[k]+min(m, s.suffix[k][from]) < s.mins[k] {
			return false
		}
	}
	return true
}

func (s *searcher) add(it *item) {
	for k := range numAttrs {
		if id := it.attr[k]; id != 0 {
			if s.count[k][id] == 0 {
				s.distinct[k]++
			}
			s.count[k][id]++
		}
	}
}

func (s *searcher) remove(it *item) {
	for k := range numAttrs {
		if id := it.attr[k]; id != 0 {
			s.count[k][id]--
			if s.count[k][id] == 0 {
				s.distinct[k]--
			}
		}
	}
}
