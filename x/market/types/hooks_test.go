package types_test

import (
	"errors"
	"testing"

	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/fogchain/fog/x/market/types"
)

// CheckSelection refuses standbys that are not distinct losing bids of the ranked ones, or more
// than MaxStandbys, or any with no winners; it accepts none or a valid list.
func TestCheckSelectionStandbys(t *testing.T) {
	order := types.Order{Replicas: 2, MaxPricePerBlock: sdk.NewInt64Coin("ufog", 10)}
	var ranked []types.Bid
	for i := range 12 {
		ranked = append(ranked, types.Bid{Price: sdk.NewInt64Coin("ufog", int64(1+i%10))})
	}
	for _, c := range []struct {
		name string
		sel  types.Selection
		ok   bool
	}{
		{"no standbys", types.Selection{Winners: []int{0, 1}}, true},
		{"the next bids", types.Selection{Winners: []int{0, 1}, Standbys: []int{3, 2}}, true},
		{"eight standbys", types.Selection{Winners: []int{0, 1}, Standbys: []int{2, 3, 4, 5, 6, 7, 8, 9}}, true},
		{"nine standbys", types.Selection{Winners: []int{0, 1}, Standbys: []int{2, 3, 4, 5, 6, 7, 8, 9, 10}}, false},
		{"a winner as a standby", types.Selection{Winners: []int{0, 1}, Standbys: []int{1}}, false},
		{"a standby twice", types.Selection{Winners: []int{0, 1}, Standbys: []int{2, 2}}, false},
		{"a standby past the bids", types.Selection{Winners: []int{0, 1}, Standbys: []int{12}}, false},
		{"a negative standby", types.Selection{Winners: []int{0, 1}, Standbys: []int{-1}}, false},
		{"standbys without winners", types.Selection{Standbys: []int{2}}, false},
		{"priced winners and standbys", types.Selection{Winners: []int{0, 1}, Prices: []math.Int{math.NewInt(5), math.NewInt(5)}, Standbys: []int{4}}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := types.CheckSelection(c.sel, ranked, order)
			if c.ok {
				if err != nil {
					t.Fatal(err)
				}
			} else if !errors.Is(err, types.ErrBadSelection) {
				t.Fatalf("want ErrBadSelection, got %v", err)
			}
		})
	}
}

// Only the provider's own failures make a lease replaceable: it never started, walked away, or a
// proof-of-audit committee found its receipt wrong, or proof of SLA found too many windows breached.
func TestReplaceableReason(t *testing.T) {
	for reason := range types.CloseReason_name {
		r := types.CloseReason(reason)
		want := r == types.CloseReasonStartTimeout || r == types.CloseReasonProviderClosed || r == types.CloseReasonAuditFailed ||
			r == types.CloseReasonSlaViolation
		if got := types.ReplaceableReason(r); got != want {
			t.Errorf("%s: replaceable %v, want %v", r, got, want)
		}
	}
}
