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

// searcher finds the cheapest feasible set of a sorted list of items, lexicographically first
// among equal totals, by depth-first enumeration with branch-and-bound. Its buffers are reused
// from one run to the next; evaluated accumulates over runs.
type searcher struct {
	r    int
	mins [numAttrs]int

	prefix   []big.Int        // prefix[j]: total price of items[:j]
	suffix   [numAttrs][]int  // suffix[k][j]: distinct values of attribute k among items[j:]
	seen     [numAttrs][]bool // scratch for suffix
	count    [numAttrs][]int  // members of the partial set per attribute value
	distinct [numAttrs]int    // distinct values of the partial set per attribute
	cost     []big.Int        // cost[d]: total of the first d picks
	picks    []int

	best      big.Int // total of the best set found, or the bound given to run
	bounded   bool    // best holds a bound
	found     bool    // bestPicks holds a set of total best
	bestPicks []int
	evaluated uint64
	lhs, rhs  big.Int
}

func newSearcher(p *pool, c Constraints) *searcher {
	s := &searcher{r: p.replicas, cost: make([]big.Int, p.replicas+1), picks: make([]int, p.replicas)}
	mins := c.mins()
	for k := range numAttrs {
		// Above r the minimum is unreachable either way; bounding it keeps it an int.
		s.mins[k] = int(min(uint64(mins[k]), uint64(p.replicas)+1))
		s.seen[k] = make([]bool, p.values+1)
		s.count[k] = make([]int, p.values+1)
	}
	return s
}

// run searches items (sorted, numbered by the searcher's pool) for the cheapest feasible set. With
// a bound, only a set of total strictly below it is found. It sets found, best and bestPicks
// (positions in items, ascending) and adds the nodes visited to evaluated: the root and one per
// partial set tried, at most C(len(items)+1, r).
func (s *searcher) run(items []item, bound *big.Int) {
	s.evaluated++
	s.found = false
	s.bounded = bound != nil
	if s.bounded {
		s.best.Set(bound)
	}
	n := len(items)
	if n < s.r {
		return
	}
	if cap(s.prefix) < n+1 {
		s.prefix = make([]big.Int, n+1)
	}
	s.prefix = s.prefix[:n+1]
	s.prefix[0].SetInt64(0)
	for j := range items {
		s.prefix[j+1].Add(&s.prefix[j], items[j].price)
	}
	for k := range numAttrs {
		clear(s.seen[k])
		if cap(s.suffix[k]) < n+1 {
			s.suffix[k] = make([]int, n+1)
		}
		s.suffix[k] = s.suffix[k][:n+1]
		s.suffix[k][n] = 0
		for j := n - 1; j >= 0; j-- {
			s.suffix[k][j] = s.suffix[k][j+1]
			if id := items[j].attr[k]; id != 0 && !s.seen[k][id] {
				s.seen[k][id] = true
				s.suffix[k][j]++
			}
		}
	}
	if !s.reachable(0, s.r) {
		return
	}

	// Depth-first over the r-subsets in lexicographic order: picks[:depth] is the partial set and
	// j the next position tried for pick number depth. Positions past n-left leave no room for
	// the picks after this one and are not tried. Every pick is undone before run returns.
	s.cost[0].SetInt64(0)
	depth, j := 0, 0
	for {
		left := s.r - depth // picks still to make, this one included
		if j <= n-left {
			s.evaluated++
			if s.bounded {
				// cost so far + items[j:j+left], the cheapest completion from j on, against best
				s.lhs.Add(&s.cost[depth], &s.prefix[j+left])
				s.rhs.Add(&s.best, &s.prefix[j])
				if s.lhs.Cmp(&s.rhs) >= 0 {
					j = n + 1 // and every later j, whose completions cost no less
					continue
				}
			}
			s.add(&items[j])
			if !s.reachable(j+1, left-1) {
				s.remove(&items[j])
				j++
				continue
			}
			s.cost[depth+1].Add(&s.cost[depth], items[j].price)
			s.picks[depth] = j
			if left == 1 {
				// feasible, and strictly below best by the cost test
				s.best.Set(&s.cost[depth+1])
				s.bounded, s.found = true, true
				s.bestPicks = append(s.bestPicks[:0], s.picks...)
				s.remove(&items[j])
				j = n + 1 // later j are no cheaper, and lexicographically later
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
		s.remove(&items[p])
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
