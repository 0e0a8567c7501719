package selection_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"cosmossdk.io/math"
	"github.com/stretchr/testify/require"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/x/quorum/internal/selection"
)

const (
	snp  = fogtypes.TeeTypeSevSnp
	tdx  = fogtypes.TeeTypeTdx
	none = fogtypes.TeeTypeUnspecified
)

// gold is the product's gold tier: 3 replicas in 3 autonomous systems, 2 TEE vendors, 2 regions.
var gold = selection.Constraints{Replicas: 3, MinASNs: 3, MinTEEVendors: 2, MinRegions: 2}

// bid is a candidate of Index index and provider fog1<name>, its Tie sha256 of the name.
func bid(index int, name string, price int64, asn string, tee fogtypes.TeeType, region string) selection.Candidate {
	return selection.Candidate{
		Index: index, Provider: "fog1" + name, Price: math.NewInt(price),
		ASN: asn, TEE: tee, Region: region, Tie: sha256.Sum256([]byte(name)),
	}
}

func TestSelectGold(t *testing.T) {
	// p2 shares p1's ASN, p3 has no TEE. The three cheapest fail on ASNs; the cheapest feasible
	// set keeps p1 and p3 (p5 brings the second vendor and region) and skips p2 and p4.
	cands := []selection.Candidate{
		bid(0, "p6", 15, "as5", snp, "ap"),
		bid(1, "p1", 10, "as1", snp, "eu"),
		bid(2, "p4", 14, "as3", snp, "eu"),
		bid(3, "p2", 11, "as1", tdx, "us"),
		bid(4, "p3", 12, "as2", none, "eu"),
		bid(5, "p5", 13, "as4", tdx, "us"),
	}
	res, err := selection.Select(cands, gold, 20, math.NewInt(100), 1<<20)
	require.NoError(t, err)
	require.Equal(t, []int{1, 4, 5}, res.Winners) // p1, p3, p5: 35
	// θ = C(pool∖{w}) − (35 − p_w): without p1 the best is p2+p3+p4 = 37, without p3 p1+p5+p4 = 37,
	// without p5 p2+p3+p4 = 37. Vickrey would pay all three 12, the 4th price.
	require.Equal(t, []int64{12, 14, 15}, int64s(res.Prices))
	want := refSelect(cands, gold, 20, 100, 1<<20)
	require.Equal(t, want.winners, res.Winners)
	require.Equal(t, want.pays, int64s(res.Prices))
	require.LessOrEqual(t, res.Evaluated, selection.Work(6, 3))
	t.Logf("evaluated %d of at most %d", res.Evaluated, selection.Work(6, 3))

	// Cut to 4 (p1 p2 p3 p5), the pool has no feasible set without any one winner: each is paid
	// the price of p4, the first bid outside the pool, which it would have to beat to stay in.
	res, err = selection.Select(cands, gold, 4, math.NewInt(100), 1<<20)
	require.NoError(t, err)
	require.Equal(t, []int{1, 4, 5}, res.Winners)
	require.Equal(t, []int64{14, 14, 14}, int64s(res.Prices))
	require.Equal(t, refSelect(cands, gold, 4, 100, 1<<20).pays, int64s(res.Prices))
}

func TestSelectTieRule(t *testing.T) {
	// {p1, p3, p5} and {p2, p3, p4} both cost 36 and are both feasible: the lexicographically
	// first in pool order wins, p1 being cheaper than p2.
	cands := []selection.Candidate{
		bid(10, "p1", 10, "as1", snp, "eu"),
		bid(11, "p2", 11, "as1", tdx, "us"),
		bid(12, "p3", 12, "as2", none, "eu"),
		bid(13, "p4", 13, "as3", snp, "eu"),
		bid(14, "p5", 14, "as4", tdx, "us"),
	}
	res, err := selection.Select(cands, gold, 20, math.NewInt(100), 1<<20)
	require.NoError(t, err)
	require.Equal(t, []int{10, 12, 14}, res.Winners)

	// Equal prices: the Tie decides, whatever the input order, then the provider.
	a, b := bid(1, "a", 5, "", none, ""), bid(2, "b", 5, "", none, "")
	one := selection.Constraints{Replicas: 1}
	first := 1
	if slices.Compare(b.Tie[:], a.Tie[:]) < 0 {
		first = 2
	}
	for _, in := range [][]selection.Candidate{{a, b}, {b, a}} {
		res, err := selection.Select(in, one, 20, math.NewInt(9), 100)
		require.NoError(t, err)
		require.Equal(t, []int{first}, res.Winners)
		require.Equal(t, []int64{5}, int64s(res.Prices))
	}
	b.Tie = a.Tie
	for _, in := range [][]selection.Candidate{{a, b}, {b, a}} {
		res, err := selection.Select(in, one, 20, math.NewInt(9), 100)
		require.NoError(t, err)
		require.Equal(t, []int{1}, res.Winners) // fog1a before fog1b
	}
}

func TestSelectInfeasible(t *testing.T) {
	// Two ASNs, one vendor, one region among the pool: three constraints fail.
	cands := []selection.Candidate{
		bid(0, "p1", 10, "as1", snp, "eu"),
		bid(1, "p2", 11, "as1", snp, "eu"),
		bid(2, "p3", 12, "as2", none, "eu"),
		bid(3, "p4", 13, "as2", snp, "eu"),
		bid(4, "p5", 14, "", snp, ""),
	}
	res, err := selection.Select(cands, gold, 20, math.NewInt(100), 1<<20)
	require.ErrorIs(t, err, selection.ErrInfeasible)
	var ie *selection.InfeasibleError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, 5, ie.Pool)
	require.False(t, ie.Report.Feasible)
	require.Equal(t, []selection.ConstraintResult{
		{Name: "replicas", Required: 3, Got: 3, OK: true},
		{Name: "asn", Required: 3, Got: 2, OK: false},
		{Name: "tee-vendor", Required: 2, Got: 1, OK: false},
		{Name: "power-region", Required: 2, Got: 1, OK: false},
	}, ie.Report.Constraints)
	require.EqualError(t, err, "selection: no feasible set among the 5 cheapest bids: "+
		"asn: 2 distinct of 3 needed; tee-vendor: 1 distinct of 2 needed; power-region: 1 distinct of 2 needed")
	require.Nil(t, res.Winners)
	require.Equal(t, uint64(1), res.Evaluated) // the root sees that no set reaches 3 ASNs

	// Each constraint reachable alone, not together: the two vendors share an ASN.
	cands = []selection.Candidate{
		bid(0, "p1", 10, "as1", snp, "eu"),
		bid(1, "p2", 11, "as1", tdx, "us"),
		bid(2, "p3", 12, "as2", none, "eu"),
		bid(3, "p4", 13, "as3", none, "us"),
	}
	res, err = selection.Select(cands, gold, 20, math.NewInt(100), 1<<20)
	require.ErrorAs(t, err, &ie)
	require.False(t, ie.Report.Feasible)
	require.Empty(t, ie.Report.Failing())
	require.EqualError(t, err, "selection: no feasible set among the 4 cheapest bids: each constraint is reachable alone, but no set meets them together")
	require.Greater(t, res.Evaluated, uint64(1))

	// Fewer bids than replicas, and a minimum above the replicas.
	_, err = selection.Select(cands[:2], gold, 20, math.NewInt(100), 1<<20)
	require.EqualError(t, err, "selection: no feasible set among the 2 cheapest bids: replicas: 2 of 3; asn: 1 distinct of 3 needed")
	_, err = selection.Select(cands, selection.Constraints{Replicas: 2, MinASNs: 3}, 20, math.NewInt(100), 1<<20)
	require.EqualError(t, err, "selection: no feasible set among the 4 cheapest bids: asn: 2 distinct of 3 needed")

	// The pool cut decides: the only third ASN is the 4th cheapest bid.
	_, err = selection.Select(cands, selection.Constraints{Replicas: 3, MinASNs: 3}, 3, math.NewInt(100), 1<<20)
	require.EqualError(t, err, "selection: no feasible set among the 3 cheapest bids: asn: 2 distinct of 3 needed")
}

func TestCheck(t *testing.T) {
	p1 := bid(0, "p1", 1, "as1", snp, "eu")
	p2 := bid(1, "p2", 1, "as1", tdx, "us")
	p3 := bid(2, "p3", 1, "as2", none, "eu")
	p4 := bid(3, "p4", 1, "", fogtypes.TeeTypeSimulated, "")
	for _, tc := range []struct {
		name     string
		members  []selection.Candidate
		c        selection.Constraints
		got      [4]uint32
		ok       [4]bool
		feasible bool
	}{
		{"gold met", []selection.Candidate{p1, p3, bid(4, "p5", 1, "as3", tdx, "ap")}, gold, [4]uint32{3, 3, 2, 2}, [4]bool{true, true, true, true}, true},
		{"shared ASN", []selection.Candidate{p1, p2, p3}, gold, [4]uint32{3, 2, 2, 2}, [4]bool{true, false, true, true}, false},
		{"empty values do not count", []selection.Candidate{p3, p4, p4}, gold, [4]uint32{3, 1, 1, 1}, [4]bool{true, false, false, false}, false},
		{"too few", []selection.Candidate{p1, p2}, gold, [4]uint32{2, 1, 2, 2}, [4]bool{false, false, true, true}, false},
		{"too many", []selection.Candidate{p1, p2, p3, p4}, gold, [4]uint32{4, 2, 3, 2}, [4]bool{false, false, true, true}, false},
		{"no minimums", []selection.Candidate{p4}, selection.Constraints{Replicas: 1}, [4]uint32{1, 0, 1, 0}, [4]bool{true, true, true, true}, true},
		{"empty set", nil, selection.Constraints{}, [4]uint32{}, [4]bool{true, true, true, true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := selection.Check(tc.members, tc.c)
			require.Equal(t, tc.feasible, rep.Feasible)
			require.Len(t, rep.Constraints, 4)
			req := [4]uint32{tc.c.Replicas, tc.c.MinASNs, tc.c.MinTEEVendors, tc.c.MinRegions}
			for i, name := range []string{"replicas", "asn", "tee-vendor", "power-region"} {
				require.Equal(t, selection.ConstraintResult{Name: name, Required: req[i], Got: tc.got[i], OK: tc.ok[i]}, rep.Constraints[i])
			}
		})
	}
}

// many is n candidates whose attributes cycle through few values, prices rising.
func many(n int) []selection.Candidate {
	out := make([]selection.Candidate, n)
	tees := []fogtypes.TeeType{none, snp, none, tdx, none}
	for i := range out {
		out[i] = bid(i, fmt.Sprintf("m%04d", i), int64(100+i), fmt.Sprintf("as%d", i%2), tees[i%5], []string{"eu", "eu", "us"}[i%3])
	}
	return out
}

func TestWorkBound(t *testing.T) {
	require.Equal(t, uint64(4750), selection.Work(20, 3)) // C(21,3) + 3·C(20,3) = 1330 + 3420
	require.Equal(t, uint64(97869), selection.Work(20, 5))
	require.Equal(t, uint64(7), selection.Work(3, 3)) // 2R+1
	require.Equal(t, uint64(^uint64(0)), selection.Work(1_000_000, 500_000))
	require.Equal(t, uint64(^uint64(0)), selection.Work(^uint64(0), 3))
	require.Equal(t, uint64(^uint64(0)), selection.Work(70, 35)) // C(71,35) ≈ 1.1e20
	for n := uint64(1); n <= 40; n++ {
		for r := uint64(1); r <= n; r++ {
			w := refWork(int64(n), int64(r))
			if w.IsUint64() {
				require.Equal(t, w.Uint64(), selection.Work(n, r), "W(%d,%d)", n, r)
			} else {
				require.Equal(t, uint64(^uint64(0)), selection.Work(n, r), "W(%d,%d)", n, r)
			}
		}
	}

	// A pool of 20 (from 2,000 bids) for 3 replicas fits W(20) = 4,750; one less cuts it to 19.
	// Only ASN as0 and as1 exist among them but the 20th cheapest: the cut makes it infeasible.
	cands := many(2000)
	cands[19].ASN = "as-other"
	c := selection.Constraints{Replicas: 3, MinASNs: 3}
	res, err := selection.Select(cands, c, 20, math.NewInt(10_000), 4750)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 19}, res.Winners)
	require.LessOrEqual(t, res.Evaluated, uint64(4750))
	res, err = selection.Select(cands, c, 20, math.NewInt(10_000), 4749)
	var ie *selection.InfeasibleError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, 19, ie.Pool)
	require.LessOrEqual(t, res.Evaluated, selection.Work(19, 3))

	// The gold constraints on the same bids stay within the bound; below 2R+1 nothing fits.
	res, err = selection.Select(cands, gold, 20, math.NewInt(10_000), 4750)
	require.NoError(t, err)
	require.LessOrEqual(t, res.Evaluated, uint64(4750))
	_, err = selection.Select(cands, gold, 20, math.NewInt(10_000), 6)
	require.ErrorIs(t, err, selection.ErrParams)
	_, err = selection.Select(cands, gold, 20, math.NewInt(10_000), 7) // the pool is cut to 3
	require.ErrorAs(t, err, &ie)
	require.Equal(t, 3, ie.Pool)
}

func TestSelectRejects(t *testing.T) {
	ok := []selection.Candidate{bid(0, "p1", 10, "as1", snp, "eu"), bid(1, "p2", 11, "as2", tdx, "us")}
	one := selection.Constraints{Replicas: 1}
	maxPrice := math.NewInt(100)
	_, err := selection.Select(ok, one, 20, maxPrice, 100)
	require.NoError(t, err)

	for _, tc := range []struct {
		name     string
		c        selection.Constraints
		maxCands int
		maxPrice math.Int
		maxWork  uint64
	}{
		{"no replicas", selection.Constraints{}, 20, maxPrice, 100},
		{"pool below replicas", selection.Constraints{Replicas: 3}, 2, maxPrice, 100},
		{"no pool", one, 0, maxPrice, 100},
		{"negative pool", one, -1, maxPrice, 100},
		{"zero max price", one, 20, math.ZeroInt(), 100},
		{"negative max price", one, 20, math.NewInt(-1), 100},
		{"nil max price", one, 20, math.Int{}, 100},
		{"work below 2R+1", selection.Constraints{Replicas: 4}, 20, maxPrice, 8},
		{"huge replicas", selection.Constraints{Replicas: ^uint32(0)}, 20, maxPrice, ^uint64(0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := selection.Select(ok, tc.c, tc.maxCands, tc.maxPrice, tc.maxWork)
			require.ErrorIs(t, err, selection.ErrParams)
		})
	}

	for _, tc := range []struct {
		name   string
		mutate func([]selection.Candidate) []selection.Candidate
	}{
		{"duplicate provider", func(cs []selection.Candidate) []selection.Candidate {
			cs[1].Provider = cs[0].Provider
			return cs
		}},
		{"duplicate index", func(cs []selection.Candidate) []selection.Candidate { cs[1].Index = cs[0].Index; return cs }},
		{"negative index", func(cs []selection.Candidate) []selection.Candidate { cs[1].Index = -1; return cs }},
		{"no provider", func(cs []selection.Candidate) []selection.Candidate { cs[0].Provider = ""; return cs }},
		{"zero price", func(cs []selection.Candidate) []selection.Candidate { cs[0].Price = math.ZeroInt(); return cs }},
		{"negative price", func(cs []selection.Candidate) []selection.Candidate { cs[0].Price = math.NewInt(-3); return cs }},
		{"nil price", func(cs []selection.Candidate) []selection.Candidate { cs[0].Price = math.Int{}; return cs }},
		{"above max price", func(cs []selection.Candidate) []selection.Candidate { cs[1].Price = math.NewInt(101); return cs }},
		{"unknown TEE type", func(cs []selection.Candidate) []selection.Candidate { cs[1].TEE = 7; return cs }},
		{"negative TEE type", func(cs []selection.Candidate) []selection.Candidate { cs[1].TEE = -1; return cs }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := selection.Select(tc.mutate(slices.Clone(ok)), one, 20, maxPrice, 100)
			require.ErrorIs(t, err, selection.ErrCandidate)
		})
	}
}

// Prices near 2^256: totals exceed what math.Int holds, pays do not.
func TestSelectHugePrices(t *testing.T) {
	top := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)) // 2^256 − 1
	maxPrice := math.NewIntFromBigInt(top)
	price := func(minus int64) math.Int { return math.NewIntFromBigInt(new(big.Int).Sub(top, big.NewInt(minus))) }
	var cands []selection.Candidate
	for i := range 8 {
		c := bid(i, fmt.Sprintf("h%d", i), 1, fmt.Sprintf("as%d", i%3), []fogtypes.TeeType{snp, none, tdx, none}[i%4], "eu")
		c.Price = price(int64(100 - i))
		cands = append(cands, c)
	}
	res, err := selection.Select(cands, selection.Constraints{Replicas: 6}, 20, maxPrice, 1<<20)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4, 5}, res.Winners)
	for _, p := range res.Prices {
		require.True(t, p.Equal(price(94)), p.String()) // the 7th price
	}
	res, err = selection.Select(cands, selection.Constraints{Replicas: 5, MinASNs: 3, MinTEEVendors: 2}, 20, maxPrice, 1<<20)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4}, res.Winners)
	res, err = selection.Select(cands[:4], selection.Constraints{Replicas: 4}, 20, maxPrice, 1<<20)
	require.NoError(t, err)
	for _, p := range res.Prices {
		require.True(t, p.Equal(maxPrice)) // only R candidates: the max price
	}
}

// Large replica counts: the work bound admits them only with a large maxWork, and the search is
// iterative, so depth costs no stack.
func TestSelectManyReplicas(t *testing.T) {
	cands := many(3000)
	c := selection.Constraints{Replicas: 2500, MinASNs: 2, MinTEEVendors: 2, MinRegions: 2}
	res, err := selection.Select(cands, c, 3000, math.NewInt(10_000), 100_000)
	require.NoError(t, err)
	require.Len(t, res.Winners, 2500)
	require.LessOrEqual(t, res.Evaluated, uint64(100_000))
	_, err = selection.Select(cands, c, 3000, math.NewInt(10_000), 5000)
	require.True(t, errors.Is(err, selection.ErrParams), err)
}
