package selection

import (
	"math"
	"math/bits"
)

// binomial is C(n, k), saturating at math.MaxUint64 (exact below it).
func binomial(n, k uint64) uint64 {
	if k > n {
		return 0
	}
	k = min(k, n-k)
	c := uint64(1)
	// c = C(n, i) → C(n, i+1) = c·(n−i)/(i+1), an exact division. C(n, i) ≥ 2^i for i ≤ n/2, so
	// the loop saturates within 64 rounds whatever k is.
	for i := uint64(0); i < k; i++ {
		hi, lo := bits.Mul64(c, n-i)
		if hi >= i+1 { // the quotient would not fit in 64 bits
			return math.MaxUint64
		}
		c, _ = bits.Div64(hi, lo, i+1)
	}
	return c
}

// Work is W(n) = C(n+1, r) + r·C(n, r), saturating: the most nodes a call searching a pool of n
// candidates for r replicas visits (the allocation over n, then one search over the n−1 others
// per winner). n ≥ r ≥ 1.
func Work(n, r uint64) uint64 {
	if n == math.MaxUint64 {
		return math.MaxUint64
	}
	hi, lo := bits.Mul64(r, binomial(n, r))
	if hi != 0 {
		return math.MaxUint64
	}
	sum, carry := bits.Add64(binomial(n+1, r), lo, 0)
	if carry != 0 {
		return math.MaxUint64
	}
	return sum
}

// poolSize is K', the largest n in [r, k] with Work(n, r) ≤ maxWork; r ≤ k and Work(r, r) = 2r+1
// ≤ maxWork are checked by the caller. Work is nondecreasing in n.
func poolSize(r, k int, maxWork uint64) int {
	lo, hi := r, k
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if Work(uint64(mid), uint64(r)) <= maxWork {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}
