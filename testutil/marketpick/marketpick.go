// Package marketpick is a module outside x/market that plugs into the market's life cycle through
// its hooks alone: it chooses each order's winners among the revealed bids, leaving out the
// providers on a deny list, and keeps a log of the hooks it is called with. Tests wire it into the
// app with depinject (Config) to show that a module changes the winning set without any change to
// x/market.
package marketpick

import (
	"context"
	"fmt"

	"cosmossdk.io/depinject"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
)

// ModuleName is the name the picker subscribes under.
const ModuleName = "marketpick"

// Picker is the module's hooks. Its fields are shared by every copy (the market holds one).
type Picker struct {
	markettypes.NoMarketHooks
	state *state
}

type state struct {
	deny     map[string]bool
	prices   []math.Int
	standbys int
	replace  *int
	fail     error
	log      []string
}

// New returns a picker that denies nobody.
func New() Picker { return Picker{state: &state{deny: map[string]bool{}}} }

// Config wires p into an app as module marketpick's subscription to the market's hooks.
func Config(p Picker) depinject.Config {
	return depinject.Configs(depinject.Supply(p), depinject.ProvideInModule(ModuleName, ProvideHooks))
}

// ProvideHooks is the module's depinject provider: its subscription to the market's hooks.
func ProvideHooks(p Picker) markettypes.MarketHooksWrapper {
	return markettypes.MarketHooksWrapper{MarketHooks: p}
}

// Deny leaves provider (bech32) out of every winning set from now on.
func (p Picker) Deny(provider string) { p.state.deny[provider] = true }

// PayWith makes every selection pay its winners prices, in the order of the winners (nil: the
// market's uniform price). The market checks them: a price below a winner's bid or above the max
// price fails the order.
func (p Picker) PayWith(prices ...math.Int) { p.state.prices = prices }

// HoldStandbys makes every selection hold the n cheapest bids after its winners as standbys (0:
// none).
func (p Picker) HoldStandbys(n int) { p.state.standbys = n }

// ReplaceWith makes ChooseReplacement choose standby index i (whatever it is: the market checks
// it); nil leaves the choice to the next subscriber.
func (p Picker) ReplaceWith(i *int) { p.state.replace = i }

// FailWith makes every hook return err (nil: succeed again).
func (p Picker) FailWith(err error) { p.state.fail = err }

// Log is the hooks called so far, one line each.
func (p Picker) Log() []string { return append([]string(nil), p.state.log...) }

func (p Picker) called(format string, args ...any) error {
	p.state.log = append(p.state.log, fmt.Sprintf(format, args...))
	return p.state.fail
}

// BeforeSettlement chooses the cheapest order.Replicas bids of providers not denied, or no set when
// there are not enough of them.
func (p Picker) BeforeSettlement(_ context.Context, o markettypes.Order, ranked []markettypes.Bid) (markettypes.Selection, bool, error) {
	if err := p.called("BeforeSettlement order=%d bids=%d", o.Id, len(ranked)); err != nil {
		return markettypes.Selection{}, false, err
	}
	var winners, standbys []int
	for i, b := range ranked {
		switch {
		case p.state.deny[b.Provider]:
		case len(winners) < int(o.Replicas):
			winners = append(winners, i)
		case len(standbys) < p.state.standbys:
			standbys = append(standbys, i)
		}
	}
	if len(winners) < int(o.Replicas) {
		return markettypes.Selection{}, true, nil
	}
	return markettypes.Selection{Winners: winners, Prices: p.state.prices, Standbys: standbys}, true, nil
}

// AfterAuctionSettled logs the settlement.
func (p Picker) AfterAuctionSettled(_ context.Context, o markettypes.Order, leases []markettypes.Lease, standbys []markettypes.Bid, clearing sdk.Coin) error {
	return p.called("AfterAuctionSettled order=%d leases=%d standbys=%d price=%s", o.Id, len(leases), len(standbys), clearing)
}

// ChooseReplacement chooses the index ReplaceWith set, or leaves the choice to others.
func (p Picker) ChooseReplacement(_ context.Context, o markettypes.Order, closed markettypes.Lease, leases []markettypes.Lease, standbys []markettypes.Bid) (int, bool, error) {
	if err := p.called("ChooseReplacement order=%d lease=%d others=%d standbys=%d", o.Id, closed.Id, len(leases), len(standbys)); err != nil {
		return 0, false, err
	}
	if p.state.replace == nil {
		return 0, false, nil
	}
	return *p.state.replace, true, nil
}

// AfterStandbyPromoted logs the promotion.
func (p Picker) AfterStandbyPromoted(_ context.Context, o markettypes.Order, closed, l markettypes.Lease) error {
	return p.called("AfterStandbyPromoted order=%d closed=%d lease=%d", o.Id, closed.Id, l.Id)
}

// AfterStandbyReleased logs the release.
func (p Picker) AfterStandbyReleased(_ context.Context, o markettypes.Order, b markettypes.Bid) error {
	return p.called("AfterStandbyReleased order=%d provider=%s", o.Id, b.Provider)
}

// AfterBidForfeited logs the forfeit.
func (p Picker) AfterBidForfeited(_ context.Context, o markettypes.Order, b markettypes.Bid) error {
	return p.called("AfterBidForfeited order=%d provider=%s", o.Id, b.Provider)
}

// AfterLeaseStarted logs the start.
func (p Picker) AfterLeaseStarted(_ context.Context, o markettypes.Order, l markettypes.Lease) error {
	return p.called("AfterLeaseStarted order=%d lease=%d", o.Id, l.Id)
}

// AfterLeaseClosed logs the close.
func (p Picker) AfterLeaseClosed(_ context.Context, l markettypes.Lease, reason markettypes.CloseReason) error {
	return p.called("AfterLeaseClosed lease=%d reason=%s", l.Id, reason)
}
