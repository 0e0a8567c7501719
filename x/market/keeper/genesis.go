package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	"github.com/fogchain/fog/x/market/types"
)

// InitGenesis loads the market state, queues and sequences included; the orders, bids and leases
// maps build their indexes as the records are written.
func (k Keeper) InitGenesis(ctx context.Context, gs *types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, p := range gs.Providers {
		addr, err := k.addressCodec.StringToBytes(p.Owner)
		if err != nil {
			return err
		}
		if err := k.Providers.Set(ctx, addr, p); err != nil {
			return err
		}
	}
	for _, o := range gs.Orders {
		if err := k.Orders.Set(ctx, o.Id, o); err != nil {
			return err
		}
	}
	for _, b := range gs.Bids {
		addr, err := k.addressCodec.StringToBytes(b.Provider)
		if err != nil {
			return err
		}
		if err := k.setBid(ctx, addr, b); err != nil {
			return err
		}
	}
	for _, l := range gs.Leases {
		if err := k.Leases.Set(ctx, l.Id, l); err != nil {
			return err
		}
	}
	for _, b := range gs.PriceBands {
		if err := k.PriceBands.Set(ctx, collections.Join(int32(b.Tier), b.Denom), b); err != nil {
			return err
		}
	}
	if err := k.OrderSeq.Set(ctx, gs.NextOrderId); err != nil {
		return err
	}
	if err := k.LeaseSeq.Set(ctx, gs.NextLeaseId); err != nil {
		return err
	}
	for _, q := range []struct {
		set     collections.KeySet[HeightID]
		entries []types.QueueEntry
	}{{k.SettlementQueue, gs.SettlementQueue}, {k.StartQueue, gs.StartQueue}, {k.EndQueue, gs.EndQueue}} {
		for _, e := range q.entries {
			if err := q.set.Set(ctx, collections.Join(e.Height, e.Id)); err != nil {
				return err
			}
		}
	}
	for _, s := range gs.DepositSweeps {
		var after []byte
		if s.After != "" {
			var err error
			if after, err = k.addressCodec.StringToBytes(s.After); err != nil {
				return err
			}
		}
		if err := k.DepositSweeps.Set(ctx, collections.Join(s.Height, s.OrderId), after); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis dumps the whole market state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	gs := &types.GenesisState{}
	var err error
	if gs.Params, err = k.Params.Get(ctx); err != nil {
		return nil, err
	}
	if gs.Providers, err = values(ctx, k.Providers); err != nil {
		return nil, err
	}
	if gs.Orders, err = values(ctx, k.Orders); err != nil {
		return nil, err
	}
	if gs.Bids, err = values(ctx, k.Bids); err != nil {
		return nil, err
	}
	if gs.Leases, err = values(ctx, k.Leases); err != nil {
		return nil, err
	}
	if gs.PriceBands, err = values(ctx, k.PriceBands); err != nil {
		return nil, err
	}
	if gs.NextOrderId, err = k.OrderSeq.Peek(ctx); err != nil {
		return nil, err
	}
	if gs.NextLeaseId, err = k.LeaseSeq.Peek(ctx); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		set collections.KeySet[HeightID]
		out *[]types.QueueEntry
	}{{k.SettlementQueue, &gs.SettlementQueue}, {k.StartQueue, &gs.StartQueue}, {k.EndQueue, &gs.EndQueue}} {
		err := q.set.Walk(ctx, nil, func(key HeightID) (bool, error) {
			*q.out = append(*q.out, types.QueueEntry{Height: key.K1(), Id: key.K2()})
			return false, nil
		})
		if err != nil {
			return nil, fmt.Errorf("export queue: %w", err)
		}
	}
	err = k.DepositSweeps.Walk(ctx, nil, func(key HeightID, after []byte) (bool, error) {
		s := types.DepositSweep{Height: key.K1(), OrderId: key.K2()}
		if len(after) > 0 {
			var err error
			if s.After, err = k.addressCodec.BytesToString(after); err != nil {
				return true, err
			}
		}
		gs.DepositSweeps = append(gs.DepositSweeps, s)
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("export deposit sweeps: %w", err)
	}
	return gs, nil
}

func values[K, V any](ctx context.Context, m interface {
	Iterate(context.Context, collections.Ranger[K]) (collections.Iterator[K, V], error)
},
) ([]V, error) {
	iter, err := m.Iterate(ctx, nil)
	if err != nil {
		return nil, err
	}
	return iter.Values()
}
