package selection_test

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"cosmossdk.io/math"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/x/quorum/internal/selection"
)

// benchBids is 100 candidates drawn deterministically (sha256 of the mix name and position), in
// an order unrelated to price. Mixes:
//   - skewed: a big cloud and bare metal are cheap; 55% of bids in as1, 25% in as2, 12% in as3,
//     the rest in 8 small ASNs; 60% without TEE, 25% SEV-SNP, 15% TDX; 75% eu, 20% us, 5% ap.
//   - scarce: the 15 cheapest all in as1, no TEE, eu; diversity only from the 16th bid on
//     (scarceTail), the bids after the 20th as in skewed: the search must reach the end of the pool.
//   - tight: as scarce, but the only TDX bid of the pool is the 20th, which every set must hold.
//   - joint: each bid in its own ASN, without TEE, except every 4th by price, all in one ASN with
//     SEV-SNP and TDX in turn: two vendors take two bids of one ASN, so with MinASNs = R no set is
//     feasible, though each constraint is reachable alone; the search cannot prune on any single
//     constraint and visits more of the tree.
func benchBids(mix string) []selection.Candidate {
	out := make([]selection.Candidate, 100)
	for i := range out {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", mix, i)))
		u := func(j int) uint64 { return binary.BigEndian.Uint64(h[8*j:]) % 100 }
		rank := (i*37 + 11) % 100 // a permutation of positions: input order ≠ price order
		c := selection.Candidate{
			Index:    i,
			Provider: fmt.Sprintf("fog1bench%03d", i),
			Price:    math.NewInt(int64(1_000 + 10*rank + int(u(0)%10))),
			Tie:      h,
		}
		switch a := u(1); {
		case a < 55:
			c.ASN = "as1"
		case a < 80:
			c.ASN = "as2"
		case a < 92:
			c.ASN = "as3"
		default:
			c.ASN = fmt.Sprintf("as%d", 10+a%8)
		}
		switch t := u(2); {
		case t < 60:
			c.TEE = fogtypes.TeeTypeUnspecified
		case t < 85:
			c.TEE = fogtypes.TeeTypeSevSnp
		default:
			c.TEE = fogtypes.TeeTypeTdx
		}
		switch r := u(3); {
		case r < 75:
			c.Region = "eu"
		case r < 95:
			c.Region = "us"
		default:
			c.Region = "ap"
		}
		if mix == "joint" {
			c.ASN, c.TEE, c.Region = fmt.Sprintf("as%d", 100+rank), fogtypes.TeeTypeUnspecified, []string{"eu", "us", "ap"}[rank%3]
			if rank%4 == 0 {
				c.ASN, c.TEE = "as-tee", []fogtypes.TeeType{fogtypes.TeeTypeSevSnp, fogtypes.TeeTypeTdx}[rank/4%2]
			}
		}
		if (mix == "scarce" || mix == "tight") && rank < 20 {
			c.ASN, c.TEE, c.Region = "as1", fogtypes.TeeTypeUnspecified, "eu"
			if rank >= 15 {
				c.ASN, c.TEE, c.Region = scarceTail[rank-15].asn, scarceTail[rank-15].tee, scarceTail[rank-15].region
			}
			if mix == "tight" && rank == 18 {
				c.TEE = fogtypes.TeeTypeSevSnp
			}
		}
		out[i] = c
	}
	return out
}

// scarceTail is the 16th to 20th cheapest bids of the scarce and tight mixes.
var scarceTail = []struct {
	asn    string
	tee    fogtypes.TeeType
	region string
}{
	{"as2", fogtypes.TeeTypeSevSnp, "us"},
	{"as3", fogtypes.TeeTypeUnspecified, "eu"},
	{"as4", fogtypes.TeeTypeSevSnp, "ap"},
	{"as5", fogtypes.TeeTypeTdx, "eu"}, // SEV-SNP in tight
	{"as6", fogtypes.TeeTypeTdx, "us"},
}

// BenchmarkSelectGold: 100 bids, a pool of 20, the gold constraints (R=3: 3 ASNs, 2 vendors,
// 2 regions) and the same minimums for R=5 plus a strict R=5 (4 ASNs, 3 regions); last the
// joint mix, infeasible, with MinASNs = R.
func BenchmarkSelectGold(b *testing.B) {
	for _, tc := range []struct {
		name string
		c    selection.Constraints
		mix  []string
	}{
		{"R=3", gold, []string{"skewed", "scarce", "tight"}},
		{"R=5", selection.Constraints{Replicas: 5, MinASNs: 3, MinTEEVendors: 2, MinRegions: 2}, []string{"skewed", "scarce", "tight"}},
		{"R=5-strict", selection.Constraints{Replicas: 5, MinASNs: 4, MinTEEVendors: 2, MinRegions: 3}, []string{"skewed", "scarce", "tight"}},
		{"R=3-infeasible", gold, []string{"joint"}},
		{"R=5-infeasible", selection.Constraints{Replicas: 5, MinASNs: 5, MinTEEVendors: 2, MinRegions: 2}, []string{"joint"}},
	} {
		for _, mix := range tc.mix {
			b.Run(tc.name+"/"+mix, func(b *testing.B) {
				cands := benchBids(mix)
				maxPrice := math.NewInt(1_000_000)
				maxWork := selection.Work(20, uint64(tc.c.Replicas)) // the pool is never cut
				res, err := selection.Select(cands, tc.c, 20, maxPrice, maxWork)
				var ie *selection.InfeasibleError
				switch {
				case mix == "joint":
					if !errors.As(err, &ie) || ie.Report.Failing() != "" {
						b.Fatalf("want jointly infeasible, got %v", err)
					}
				case err != nil:
					b.Fatal(err)
				default:
					vickrey := true
					for i, w := range res.Winners {
						vickrey = vickrey && w == refSorted(cands)[i].Index
					}
					if vickrey {
						b.Fatalf("the constraints do not bind: %v", res.Winners)
					}
				}
				b.ReportAllocs()
				b.ResetTimer()
				var evaluated uint64
				for range b.N {
					res, _ := selection.Select(cands, tc.c, 20, maxPrice, maxWork)
					evaluated += res.Evaluated
				}
				b.ReportMetric(float64(evaluated)/float64(b.N), "evaluated/op")
				b.ReportMetric(float64(maxWork), "bound")
			})
		}
	}
}
