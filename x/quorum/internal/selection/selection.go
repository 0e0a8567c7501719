package selection

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"cosmossdk.io/math"

	"github.com/fogchain/fog/fogtypes"
)

// Candidate is one revealed bid with its provider's audited attributes.
type Candidate struct {
	// Index is the caller's index of the bid, returned in Result.Winners; ≥ 0 and unique.
	Index int
	// Provider is the bidder's address; non-empty and unique.
	Provider string
	// Price is the revealed price per block, in (0, maxPrice].
	Price math.Int
	// ASN is the provider's audited autonomous-system number, "" when none counts.
	ASN string
	// Region is the provider's audited power region, "" when none counts.
	Region string
	// TEE is the vendor of the provider's verified enclave, fogtypes.TeeTypeUnspecified when none
	// counts. Whether a simulated enclave counts is the caller's choice (pass Unspecified if not).
	TEE fogtypes.TeeType
	// Tie is the caller's tie-breaker between equal prices, sha256(block hash ‖ order id ‖ provider).
	Tie [32]byte
}

// Constraints is what the chosen set must satisfy.
type Constraints struct {
	// Replicas is the set size, exactly; ≥ 1.
	Replicas uint32
	// MinASNs is the least number of distinct non-empty ASNs among the members.
	MinASNs uint32
	// MinTEEVendors is the least number of distinct TEE types other than Unspecified.
	MinTEEVendors uint32
	// MinRegions is the least number of distinct non-empty power regions.
	MinRegions uint32
}

// Result is the outcome of a successful selection.
type Result struct {
	// Winners holds the Candidate.Index of each member, in pool order (cheapest first).
	Winners []int
	// Prices holds each winner's pay per block, in the order of Winners.
	Prices []math.Int
	// Evaluated is the number of search nodes visited, at most W(K') ≤ maxWork (see the package
	// documentation). It is also set when the error is an *InfeasibleError.
	Evaluated uint64
}

// Names of the constraints in a Report.
const (
	NameReplicas    = "replicas"
	NameASN         = "asn"
	NameTEEVendor   = "tee-vendor"
	NamePowerRegion = "power-region"
)

// ConstraintResult is one constraint checked against a set (Check) or against what a pool can
// reach (InfeasibleError).
type ConstraintResult struct {
	Name     string
	Required uint32
	Got      uint32
	OK       bool
}

func (r ConstraintResult) String() string {
	if r.Name == NameReplicas {
		return fmt.Sprintf("%s: %d of %d", r.Name, r.Got, r.Required)
	}
	return fmt.Sprintf("%s: %d distinct of %d needed", r.Name, r.Got, r.Required)
}

// Report is a set checked constraint by constraint, in the order replicas, asn, tee-vendor,
// power-region.
type Report struct {
	Constraints []ConstraintResult
	Feasible    bool
}

// Failing lists the constraints that are not met, "; "-separated ("" when none).
func (r Report) Failing() string {
	var parts []string
	for _, c := range r.Constraints {
		if !c.OK {
			parts = append(parts, c.String())
		}
	}
	return strings.Join(parts, "; ")
}

var (
	// ErrInfeasible: no set of the pool meets the constraints. Returned wrapped in *InfeasibleError.
	ErrInfeasible = errors.New("selection: no feasible set")
	// ErrParams: the parameters admit no selection whatever the bids (Replicas = 0, maxCandidates <
	// Replicas, maxPrice ≤ 0, maxWork < 2·Replicas+1); the caller's parameter validation must
	// exclude them.
	ErrParams = errors.New("selection: invalid parameters")
	// ErrCandidate: a candidate is malformed (index, provider, price or TEE type) or duplicated.
	ErrCandidate = errors.New("selection: invalid candidate")
)

// InfeasibleError says why the pool has no feasible set: Report holds, per constraint, the most
// any set of Replicas members of the pool reaches on that constraint alone, and Feasible false;
// when every constraint is OK, they are only unreachable together.
type InfeasibleError struct {
	Report Report
	// Pool is the number of candidates searched (K', or all of them when fewer than Replicas).
	Pool int
}

func (e *InfeasibleError) Error() string {
	if f := e.Report.Failing(); f != "" {
		return fmt.Sprintf("%v among the %d cheapest bids: %s", ErrInfeasible, e.Pool, f)
	}
	return fmt.Sprintf("%v among the %d cheapest bids: each constraint is reachable alone, but no set meets them together", ErrInfeasible, e.Pool)
}

func (e *InfeasibleError) Unwrap() error { return ErrInfeasible }

// attributes, in the order of a Report after replicas.
const (
	attrASN = iota
	attrTEE
	attrRegion
	numAttrs
)

var attrNames = [numAttrs]string{NameASN, NameTEEVendor, NamePowerRegion}

// key is the attribute value of k that counts toward diversity, "" when none does.
func (c *Candidate) key(k int) string {
	switch k {
	case attrASN:
		return c.ASN
	case attrRegion:
		return c.Region
	default:
		if c.TEE == fogtypes.TeeTypeUnspecified {
			return ""
		}
		return strconv.Itoa(int(c.TEE))
	}
}

func (c Constraints) mins() [numAttrs]uint32 {
	return [numAttrs]uint32{c.MinASNs, c.MinTEEVendors, c.MinRegions}
}

// capUint32 bounds a count to what a ConstraintResult holds.
func capUint32(n int) uint32 {
	if n < 0 {
		return 0
	}
	if uint64(n) > uint64(^uint32(0)) {
		return ^uint32(0)
	}
	return uint32(n)
}

// Check reports, constraint by constraint, whether members form a feasible set: exactly Replicas
// of them, with the minimum numbers of distinct ASNs, TEE vendors and regions. It does not
// validate prices or TEE types (any type but Unspecified counts) or look for duplicate providers.
func Check(members []Candidate, c Constraints) Report {
	var distinct [numAttrs]int
	for k := range numAttrs {
		seen := make(map[string]struct{}, len(members))
		for i := range members {
			if v := members[i].key(k); v != "" {
				seen[v] = struct{}{}
			}
		}
		distinct[k] = len(seen)
	}
	return report(capUint32(len(members)), distinct, c)
}

// report builds a Report from a set size and distinct counts.
func report(size uint32, distinct [numAttrs]int, c Constraints) Report {
	r := Report{Feasible: true}
	ok := size == c.Replicas
	r.Constraints = append(r.Constraints, ConstraintResult{Name: NameReplicas, Required: c.Replicas, Got: size, OK: ok})
	r.Feasible = r.Feasible && ok
	mins := c.mins()
	for k := range numAttrs {
		got := capUint32(distinct[k])
		ok := got >= mins[k]
		r.Constraints = append(r.Constraints, ConstraintResult{Name: attrNames[k], Required: mins[k], Got: got, OK: ok})
		r.Feasible = r.Feasible && ok
	}
	return r
}

// Select returns the winners of the auction among cands and their pay (see the package
// documentation for the rules): the cheapest feasible set within the first K' of the sorted
// candidates, K' ≤ maxCandidates the largest whose worst-case work fits maxWork, each winner paid
// its critical value, at most maxPrice. Errors: ErrParams, ErrCandidate (both wrapped with the
// detail), or an *InfeasibleError when the pool has no feasible set (Result.Evaluated is then set).
func Select(cands []Candidate, c Constraints, maxCandidates int, maxPrice math.Int, maxWork uint64) (Result, error) {
	r := c.Replicas
	switch {
	case r == 0:
		return Result{}, fmt.Errorf("%w: replicas must be at least 1", ErrParams)
	case maxCandidates < 1 || uint64(maxCandidates) < uint64(r):
		return Result{}, fmt.Errorf("%w: max candidates %d below replicas %d", ErrParams, maxCandidates, r)
	case maxPrice.IsNil() || !maxPrice.IsPositive():
		return Result{}, fmt.Errorf("%w: max price must be positive", ErrParams)
	case maxWork < 2*uint64(r)+1:
		return Result{}, fmt.Errorf("%w: max work %d below %d, the work of a pool of exactly %d replicas", ErrParams, maxWork, 2*uint64(r)+1, r)
	}
	if err := validate(cands, maxPrice); err != nil {
		return Result{}, err
	}
	replicas := int(r) // r ≤ maxCandidates, an int

	sorted := make([]*Candidate, len(cands))
	for i := range cands {
		sorted[i] = &cands[i]
	}
	slices.SortFunc(sorted, compare)

	if len(sorted) < replicas {
		pool := newPool(sorted, replicas)
		return Result{}, &InfeasibleError{Report: pool.ceiling(c), Pool: len(sorted)}
	}
	k := poolSize(replicas, min(maxCandidates, len(sorted)), maxWork)
	pool := newPool(sorted[:k], replicas)

	s := newSearcher(pool, c)
	s.run(-1, nil)
	if !s.found {
		return Result{Evaluated: s.evaluated}, &InfeasibleError{Report: pool.ceiling(c), Pool: k}
	}
	chosen := slices.Clone(s.bestPicks)
	total := new(big.Int).Set(&s.best)

	// limit = min(maxPrice, the price of the first sorted candidate outside the pool)
	limit := new(big.Int).Set(maxPrice.BigIntMut())
	if k < len(sorted) {
		if p := sorted[k].Price.BigIntMut(); p.Cmp(limit) < 0 {
			limit.Set(p)
		}
	}
	res := Result{Winners: make([]int, replicas), Prices: make([]math.Int, replicas)}
	completion := new(big.Int) // C(S) − p_w
	bound := new(big.Int)
	for i, w := range chosen {
		completion.Sub(total, pool.items[w].price)
		bound.Add(completion, limit)
		// A set without w at or above completion + limit leaves θ_w = limit, so the search only
		// needs to find one strictly below.
		s.run(w, bound)
		theta := new(big.Int).Set(limit)
		if s.found {
			theta.Sub(&s.best, completion)
		}
		res.Winners[i] = pool.cands[w].Index
		res.Prices[i] = math.NewIntFromBigIntMut(theta) // p_w ≤ θ ≤ maxPrice < 2^256
	}
	res.Evaluated = s.evaluated
	return res, nil
}

// Cheapest returns the first n of cands in the order Select sorts them (price, then Tie, then
// provider), as copies: the candidates whose attributes a selection with maxCandidates < n can read
// (its pool and the first bid after it). The caller fills in only those; the others' attributes
// never matter.
func Cheapest(cands []Candidate, n int) []Candidate {
	sorted := make([]*Candidate, len(cands))
	for i := range cands {
		sorted[i] = &cands[i]
	}
	slices.SortFunc(sorted, compare)
	out := make([]Candidate, 0, min(max(n, 0), len(sorted)))
	for _, c := range sorted[:cap(out)] {
		out = append(out, *c)
	}
	return out
}

// compare orders candidates by price, then tie-breaker, then provider: a total order on valid
// (provider-unique) input.
func compare(a, b *Candidate) int {
	if c := a.Price.BigIntMut().Cmp(b.Price.BigIntMut()); c != 0 {
		return c
	}
	if c := bytes.Compare(a.Tie[:], b.Tie[:]); c != 0 {
		return c
	}
	return strings.Compare(a.Provider, b.Provider)
}

// validate rejects malformed and duplicated candidates, naming the first in input order.
func validate(cands []Candidate, maxPrice math.Int) error {
	providers := make(map[string]struct{}, len(cands))
	indexes := make(map[int]struct{}, len(cands))
	for i := range cands {
		c := &cands[i]
		switch {
		case c.Index < 0:
			return fmt.Errorf("%w: candidate %d has negative index %d", ErrCandidate, i, c.Index)
		case c.Provider == "":
			return fmt.Errorf("%w: candidate %d (index %d) has no provider", ErrCandidate, i, c.Index)
		case c.Price.IsNil() || !c.Price.IsPositive():
			return fmt.Errorf("%w: provider %s bid a non-positive price", ErrCandidate, c.Provider)
		case c.Price.GT(maxPrice):
			return fmt.Errorf("%w: provider %s bid %s above the max price %s", ErrCandidate, c.Provider, c.Price, maxPrice)
		}
		if _, ok := fogtypes.TeeType_name[int32(c.TEE)]; !ok {
			return fmt.Errorf("%w: provider %s has unknown TEE type %d", ErrCandidate, c.Provider, int32(c.TEE))
		}
		if _, dup := providers[c.Provider]; dup {
			return fmt.Errorf("%w: provider %s bids twice", ErrCandidate, c.Provider)
		}
		if _, dup := indexes[c.Index]; dup {
			return fmt.Errorf("%w: index %d appears twice", ErrCandidate, c.Index)
		}
		providers[c.Provider] = struct{}{}
		indexes[c.Index] = struct{}{}
	}
	return nil
}
