package selection_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"cosmossdk.io/math"

	"github.com/fogchain/fog/fogtypes"
	"github.com/fogchain/fog/x/quorum/internal/selection"
)

// FuzzSelect: any input either errors or gives a feasible set paid within [bid, maxPrice] with
// the work within maxWork; with few candidates, the reference's answer. Each 5 bytes of data are
// a candidate: price, ASN, region, TEE type (unknown ones included), provider (duplicates
// included). The fuzzer's maxWork is cut to 2^20: the caller bounds it, not Select.
func FuzzSelect(f *testing.F) {
	f.Add([]byte("\x0a\x01\x01\x01\x01\x0b\x01\x02\x02\x02\x0c\x02\x01\x00\x03\x0d\x03\x02\x01\x04\x0e\x04\x03\x02\x05"), uint32(3), uint32(3), uint32(2), uint32(2), 20, uint64(5000), int64(100))
	f.Add([]byte("\x05\x00\x00\x00\x01\x05\x00\x00\x00\x02\x00\x00\x00\x09\x02"), uint32(1), uint32(0), uint32(0), uint32(0), 1, uint64(3), int64(5))
	f.Fuzz(func(t *testing.T, data []byte, r, minASNs, minTEE, minRegions uint32, maxCandidates int, maxWork uint64, maxPrice int64) {
		maxWork %= 1 << 20
		data = data[:min(len(data), 5*64)]
		var cands []selection.Candidate
		for i := 0; i+5 <= len(data); i += 5 {
			d := data[i : i+5]
			c := selection.Candidate{
				Index:    i / 5,
				Provider: fmt.Sprintf("p%d", d[4]%32),
				Price:    math.NewInt(int64(d[0]) - 2),
				TEE:      fogtypes.TeeType(int32(d[3]%6) - 1),
			}
			if d[1]%5 != 0 {
				c.ASN = fmt.Sprintf("as%d", d[1]%5)
			}
			if d[2]%4 != 0 {
				c.Region = fmt.Sprintf("r%d", d[2]%4)
			}
			c.Tie[0] = d[4]
			cands = append(cands, c)
		}
		c := selection.Constraints{Replicas: r, MinASNs: minASNs, MinTEEVendors: minTEE, MinRegions: minRegions}
		res, err := selection.Select(cands, c, maxCandidates, math.NewInt(maxPrice), maxWork)
		if res.Evaluated > maxWork {
			t.Fatalf("evaluated %d above max work %d", res.Evaluated, maxWork)
		}
		if errors.Is(err, selection.ErrParams) || errors.Is(err, selection.ErrCandidate) {
			return
		}
		small := len(cands) <= 9 && r <= 5
		var want refResult
		if small {
			want = refSelect(cands, c, maxCandidates, maxPrice, maxWork)
			if want.infeasible != (err != nil) {
				t.Fatalf("infeasible: reference %v, Select %v", want.infeasible, err)
			}
		}
		if err != nil {
			if !errors.Is(err, selection.ErrInfeasible) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		members := make([]selection.Candidate, len(res.Winners))
		for i, w := range res.Winners {
			members[i] = cands[w]
			if res.Prices[i].LT(members[i].Price) || res.Prices[i].GT(math.NewInt(maxPrice)) {
				t.Fatalf("winner bid %s paid %s, max %d", members[i].Price, res.Prices[i], maxPrice)
			}
		}
		if rep := selection.Check(members, c); !rep.Feasible {
			t.Fatalf("winners infeasible: %s", rep.Failing())
		}
		if small && (!slices.Equal(res.Winners, want.winners) || !slices.Equal(int64s(res.Prices), want.pays)) {
			t.Fatalf("Select %v paid %v, reference %v paid %v", res.Winners, int64s(res.Prices), want.winners, want.pays)
		}
	})
}
