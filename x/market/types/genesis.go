package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis is an empty market with default params.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextOrderId: 1, NextLeaseId: 1}
}

// Validate checks the genesis state for internal consistency: unique ids below the sequences,
// bids on known orders, and exactly one queue entry for every open order, pending lease and active
// lease (and none for anything else).
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return err
	}
	providers := make(map[string]bool, len(gs.Providers))
	for _, p := range gs.Providers {
		if _, err := sdk.AccAddressFromBech32(p.Owner); err != nil {
			return fmt.Errorf("provider %q: %w", p.Owner, err)
		}
		if providers[p.Owner] {
			return fmt.Errorf("duplicate provider %s", p.Owner)
		}
		providers[p.Owner] = true
	}

	want := map[string]map[QueueEntry]bool{"settlement": {}, "start": {}, "end": {}}
	orders := make(map[uint64]Order, len(gs.Orders))
	for _, o := range gs.Orders {
		if o.Id == 0 || o.Id >= gs.NextOrderId {
			return fmt.Errorf("order id %d outside [1, next_order_id %d)", o.Id, gs.NextOrderId)
		}
		if _, dup := orders[o.Id]; dup {
			return fmt.Errorf("duplicate order %d", o.Id)
		}
		orders[o.Id] = o
		if o.MinReputationTier < 0 || o.MinReputationTier > 5 {
			return fmt.Errorf("order %d: unknown minimum reputation tier %d", o.Id, o.MinReputationTier)
		}
		if o.State == OrderOpen {
			want["settlement"][QueueEntry{Height: o.RevealDeadline, Id: o.Id}] = true
		}
	}
	bids := make(map[string]bool, len(gs.Bids))
	for _, b := range gs.Bids {
		if _, ok := orders[b.OrderId]; !ok {
			return fmt.Errorf("bid of %s on unknown order %d", b.Provider, b.OrderId)
		}
		key := fmt.Sprintf("%d/%s", b.OrderId, b.Provider)
		if bids[key] {
			return fmt.Errorf("duplicate bid %s", key)
		}
		bids[key] = true
	}
	leases := make(map[uint64]bool, len(gs.Leases))
	for _, l := range gs.Leases {
		if l.Id == 0 || l.Id >= gs.NextLeaseId {
			return fmt.Errorf("lease id %d outside [1, next_lease_id %d)", l.Id, gs.NextLeaseId)
		}
		if leases[l.Id] {
			return fmt.Errorf("duplicate lease %d", l.Id)
		}
		leases[l.Id] = true
		if _, ok := orders[l.OrderId]; !ok {
			return fmt.Errorf("lease %d of unknown order %d", l.Id, l.OrderId)
		}
		switch l.State {
		case LeasePending:
			want["start"][QueueEntry{Height: l.StartDeadline, Id: l.Id}] = true
		case LeaseActive:
			want["end"][QueueEntry{Height: l.EndHeight, Id: l.Id}] = true
		}
	}
	for name, got := range map[string][]QueueEntry{"settlement": gs.SettlementQueue, "start": gs.StartQueue, "end": gs.EndQueue} {
		if len(got) != len(want[name]) {
			return fmt.Errorf("%s queue has %d entries, state needs %d", name, len(got), len(want[name]))
		}
		seen := make(map[QueueEntry]bool, len(got))
		for _, e := range got {
			if !want[name][e] || seen[e] {
				return fmt.Errorf("%s queue entry (%d, %d) matches no record or is repeated", name, e.Height, e.Id)
			}
			seen[e] = true
		}
	}
	return nil
}
