// Package draw chooses k of n weighted candidates without replacement, deterministically and with
// integer arithmetic only: a straw2 draw (as Ceph's CRUSH), each candidate's straw an exponential
// variable of rate equal to its weight, computed from a hash, the k shortest straws winning.
//
// Candidate i's straw is −log2(u_i) / w_i, with u_i in (0, 1] taken from sha256(seed ‖ id_i). The
// minimum of independent exponential variables of rates w_i falls on i with probability
// w_i / Σw, and the k smallest are a weighted draw without replacement (Efraimidis–Spirakis).
// −log2 is computed in fixed point with 32 fractional bits by repeated squaring, the same on every
// CPU; straws are compared by cross-multiplication in 128 bits, exactly.
package draw

import (
	"bytes"
	"crypto/sha256"
	"math/bits"
	"slices"
)

// Candidate is one entrant: an id (its address bytes) and a weight ≥ 1 (a weight of 0 counts as 1).
type Candidate struct {
	ID     []byte
	Weight uint64
}

const fracBits = 32

// log2Fixed is log2(x) in fixed point with 32 fractional bits, for x ≥ 1.
func log2Fixed(x uint64) uint64 {
	i := uint64(bits.Len64(x) - 1)
	// y = x / 2^i in [1, 2) as a Q1.63 fixed point number
	y := x << (63 - i)
	var frac uint64
	for b := 0; b < fracBits; b++ {
		// y² in Q2.126: hi holds the top 64 bits (Q2.62), shift to Q1.63 (or note y² ≥ 2)
		hi, lo := bits.Mul64(y, y)
		if hi >= 1<<63 { // y² ≥ 2: one more bit, and y = y² / 2 (Q1.63 of hi)
			frac = frac<<1 | 1
			y = hi
		} else {
			frac <<= 1
			y = hi<<1 | lo>>63
		}
	}
	return i<<fracBits | frac
}

// straw is the numerator of a candidate's straw: −log2(u) in fixed point, u = (h+1) / 2^63 with h
// the top 63 bits of sha256(seed ‖ id); it is in [0, 63·2^32].
func straw(seed, id []byte) uint64 {
	hash := sha256.New()
	hash.Write(seed)
	hash.Write(id)
	sum := hash.Sum(nil)
	var h uint64
	for _, b := range sum[:8] {
		h = h<<8 | uint64(b)
	}
	x := h>>1 + 1 // in [1, 2^63]
	return 63<<fracBits - log2Fixed(x)
}

type entry struct {
	id     []byte
	num    uint64 // straw numerator
	weight uint64
}

// less orders straws num/weight ascending (exactly, by cross-multiplying), then ids.
func less(a, b entry) int {
	ah, al := bits.Mul64(a.num, b.weight)
	bh, bl := bits.Mul64(b.num, a.weight)
	switch {
	case ah != bh:
		if ah < bh {
			return -1
		}
		return 1
	case al != bl:
		if al < bl {
			return -1
		}
		return 1
	}
	return bytes.Compare(a.id, b.id)
}

// Draw returns the indexes of the k candidates with the shortest straws for seed, in draw order
// (shortest first); all of them, in that order, when there are at most k.
func Draw(seed []byte, candidates []Candidate, k int) []int {
	es := make([]entry, len(candidates))
	idx := make(map[string]int, len(candidates))
	for i, c := range candidates {
		w := max(c.Weight, 1)
		es[i] = entry{id: c.ID, num: straw(seed, c.ID), weight: w}
		idx[string(c.ID)] = i
	}
	slices.SortFunc(es, less)
	out := make([]int, 0, min(k, len(es)))
	for _, e := range es[:min(k, len(es))] {
		out = append(out, idx[string(e.id)])
	}
	return out
}
