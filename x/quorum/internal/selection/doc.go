// Package selection chooses, for one sealed-bid reverse auction of a compute order, the replica set
// that wins under diversity constraints and what each winner is paid per block. It is pure: no
// state, no context, no I/O; the caller (x/quorum, at the market's settlement) passes the revealed
// bids with each provider's audited attributes (autonomous system, power region, verified TEE
// vendor) and the order's constraints.
//
// # Pool
//
// Candidates are sorted by (price ascending, Tie ascending bytewise, provider ascending); the input
// order never matters. Tie is the caller's tie-breaker, sha256(block hash ‖ order id ‖ provider),
// which no bidder chooses; the provider, unique in the input, only orders the (practically
// impossible) equal ties so that the order is total. The pool is the first K = min(maxCandidates,
// len(cands)) of them, then cut to the first K' ≤ K, the largest K' whose worst-case work fits
// maxWork (see Work bound). The pool's size K' depends only on the number of candidates and the
// parameters, never on the prices.
//
// # Allocation
//
// The winners are the feasible set of minimum total price within the pool: exactly R = Replicas
// members with at least MinASNs distinct non-empty ASNs, MinTEEVendors distinct TEE types other
// than fogtypes.TeeTypeUnspecified, and MinRegions distinct non-empty power regions. Among sets of
// equal total the lexicographically first in pool order wins (the one whose cheapest member comes
// first, then its second, ...). The search is exact: a depth-first enumeration of the R-subsets of
// the pool in lexicographic order, with two prunings that never cut an optimum:
//
//   - cost: a partial set whose cost so far plus the cheapest possible completion (the next
//     members in pool order, which is sorted) is ≥ the best total found is abandoned, and so are its
//     later siblings, whose completions cost no less; a set found later is lexicographically later,
//     so an equal total never replaces the best;
//   - diversity: a partial set whose distinct counts cannot reach the minimums, even if every pick
//     left brought a new value among those present in the rest of the pool, is abandoned.
//
// When the pool has no feasible set, Select returns an *InfeasibleError (errors.Is(err,
// ErrInfeasible)) carrying a Report of what the pool can reach per constraint, e.g. "asn: 2 distinct of 3 needed", or, when
// every constraint is reachable alone, that no set meets them together.
//
// # Pay
//
// Each winner w is paid its critical value, the threshold between winning and losing with every
// other bid unchanged (any lower bid wins, any higher one loses):
//
//	θ_w = min(maxPrice, p_(K'+1), C(pool∖{w}) − (C(S) − p_w))
//
// where S is the chosen set, C(X) the minimum total of a feasible set within X (∞ when there is
// none), p_w the winner's price and p_(K'+1) the price of the first sorted candidate outside the
// pool (absent when there is none). C(S) − p_w is the cheapest way to complete a feasible set
// around w (S∖{w} is such a completion, and a cheaper one would make a cheaper set than S), so w
// is in the cheapest set exactly while its bid is below C(pool∖{w}) minus that completion: the
// third term is the sealed-bid second price extended to sets, what the best set without w costs
// beyond the best set with w's partners. The second term is the bid above which w leaves the pool
// (its place taken by the first candidate outside it) and the first the order's price cap, above
// which a bid is refused. θ_w ≥ p_w always, and θ_w ≤ maxPrice, so the order's escrow at
// R × maxPrice per block covers every pay.
//
// Why no bidder gains by misreporting its cost (a provider's attributes are audited, not bid, so
// its price is its only report; its Tie is not its choice either). The allocation is monotone: a
// winner that lowers its bid stays in the pool, every set containing it gets cheaper by the same
// amount and every other set keeps its total, so its set becomes strictly cheaper than any set
// without it, and it still wins. And θ_w depends only on the other bids: while w is in the pool,
// the others in it, hence C(pool∖{w}) and the cheapest completion around w, and p_(K'+1) (the
// K'-th cheapest other bid) do not move with w's bid. So w wins when it bids below θ_w, loses
// above it, and a winner is paid θ_w whatever it bid. For a bidder of true cost v: when v < θ it
// wins by bidding v and gets θ − v > 0, which every winning bid also gives and no losing one
// does; when v > θ the truth loses (utility 0) and a bid low enough to win pays θ < v, a loss; at
// v = θ every outcome is worth 0, whichever way the tie-breaks fall. A bidder just outside the
// pool is the same case: to enter it must bid below the last pool member, whose price is at most
// its own cost and which, displaced, becomes p_(K'+1), so that what it would be paid is at most
// its cost. What is not claimed: resistance to collusion between bidders, or to one provider
// bidding under several identities (what the audited ASNs and the reputation module are for).
//
// With no diversity constraint (every Min* is 0, or 1 when every candidate has the attribute) the
// cheapest set is the R cheapest bids, C(pool∖{w}) − C(S) + p_w is the (R+1)-th sorted price
// when the pool holds it, p_(K'+1) is that price when K' = R, and every winner is paid p_(R+1), or
// maxPrice when there are only R candidates: the market's Vickrey (R+1)-th price (x/market's
// SelectionPrice for its R cheapest bids). Under binding constraints pays differ between winners
// and may exceed p_(R+1): the diversity a winner brings is paid for.
//
// # Work bound
//
// Evaluated counts the nodes of every search: its root and each partial set tried (a candidate
// added to a partial one). The enumeration of the R-subsets of n candidates, at each depth trying
// only the positions that leave room for the picks still to make, is a tree of
// Σ_{d=0..R} C(n−R+d, d) = C(n+1, R) nodes counting its root (C(n−R+d, d) partial sets of d
// members); the prunings only remove nodes. A call runs
// one search over the pool of K' and, for the pay, one per winner over the K'−1 others, so
//
//	Evaluated ≤ W(K') = C(K'+1, R) + R·C(K', R)
//
// with every binomial and the sum computed in uint64, saturating at 2^64−1 (exact below it). K' is
// the largest n in [R, K] with W(n) ≤ maxWork; W(R) = 2R+1, so maxWork < 2R+1 is an error (a
// parameter bound the caller must enforce), as are maxCandidates < R and R = 0. For R = 3: W(20) =
// 4,750; for R = 5: W(20) = 97,869. The search work is thus bounded by maxWork and depends only
// on K'; besides it a call spends O(n log n) validating and sorting the n candidates and O(K')
// preparing the pool (prefix sums of prices, distinct values per suffix), once for all its
// searches: a search without w skips w's position. W is exported as
// Work, so that the caller's parameter validation can require maxWork ≥ Work(maxCandidates, R)
// and never see the pool cut.
//
// # Determinism
//
// Integers only: money in cosmossdk.io/math Int at the interface and math/big internally for the
// totals (a sum of K' prices of up to 256 bits each can exceed math.Int's 256-bit bound, which
// would panic); counts and work in int and uint64 with every conversion bounded. Maps serve only
// for membership (duplicate providers and indexes) and for numbering attribute values in pool
// order, never iterated. The sort is on a total order. No floats, time, randomness or goroutines;
// the result is a function of the set of candidates and the parameters alone.
package selection
