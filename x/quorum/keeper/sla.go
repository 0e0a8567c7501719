package keeper

import (
	"context"
	"errors"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/fogchain/fog/x/market/types"
	"github.com/fogchain/fog/x/quorum/types"
	reputationtypes "github.com/fogchain/fog/x/reputation/types"
)

// Proof of SLA: anyone pays observers, drawn by reputation from the verifier pool among those not
// party to the lease, to probe an active lease's provider and report each window: probes sent and
// answered, and the p95 latency by nearest rank. A window is decided, at the end of its report
// period, on the median of at least 2f+1 reports (f = (observers - 1) / 3) against the tier the
// lease's order was sold under; a breach withholds the window's pay (refunded to the owner now) and
// records an SLA violation.

// WatchLease draws the observers and takes their fees for windows windows from the next block.
func (k msgServer) WatchLease(ctx context.Context, msg *types.MsgWatchLease) (*types.MsgWatchLeaseResponse, error) {
	payer, canonical, err := k.address("payer", msg.Payer)
	if err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Windows == 0 || msg.Windows > p.MaxSlaWindows {
		return nil, errorsmod.Wrapf(types.ErrInvalidRequest, "%d windows: must be 1 to max_sla_windows %d", msg.Windows, p.MaxSlaWindows)
	}
	m, err := k.market()
	if err != nil {
		return nil, err
	}
	l, err := m.GetLease(ctx, msg.LeaseId)
	if err != nil {
		return nil, err
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	h := sdkCtx.BlockHeight()
	if l.State != markettypes.LeaseActive {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotWatchable, "lease %d is %s: only an active lease is watched", l.Id, l.State)
	}
	first := h + 1
	// every window is decided while the lease is still active (the last decision at least one block
	// before its end), so that a breach can always be cut from the lease's pay
	if decided := first + int64(msg.Windows)*int64(p.SlaWindowBlocks) + int64(p.SlaReportBlocks) - 1; decided >= l.EndHeight {
		fit := max(0, (l.EndHeight-first-int64(p.SlaReportBlocks))/int64(p.SlaWindowBlocks))
		return nil, errorsmod.Wrapf(types.ErrLeaseNotWatchable,
			"lease %d ends at height %d: at most %d windows of %d blocks fit from height %d with their %d-block report periods before it",
			l.Id, l.EndHeight, fit, p.SlaWindowBlocks, first, p.SlaReportBlocks)
	}
	if has, err := k.Watches.Has(ctx, l.Id); err != nil || has {
		return nil, errors.Join(err, errorsmod.Wrapf(types.ErrWatchExists, "lease %d (one watch per lease)", l.Id))
	}
	q, found, err := k.record(ctx, l.OrderId)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errorsmod.Wrapf(types.ErrLeaseNotWatchable, "order %d has no quorum record: its tier's bounds are unknown", l.OrderId)
	}
	tier, err := p.Tier(q.Tier)
	if err != nil {
		return nil, err
	}
	exclude, err := k.partiesOf(ctx, l, payer)
	if err != nil {
		return nil, err
	}
	observers, err := k.drawVerifiers(ctx, drawSeed(sdkCtx.HeaderHash(), "watch", l.Id), int(p.SlaObservers), p.MaxOpenDuties, exclude)
	if err != nil {
		return nil, err
	}
	fee := sdk.NewCoin(p.SlaReportFee.Denom, p.SlaReportFee.Amount.MulRaw(int64(len(observers))).MulRaw(int64(msg.Windows)))
	if err := k.collect(ctx, payer, fee); err != nil {
		return nil, err
	}
	w := types.Watch{
		LeaseId: l.Id, OrderId: l.OrderId, Provider: l.Provider, Payer: canonical, Tier: q.Tier,
		MaxP95LatencyMs: tier.MaxP95LatencyMs, MinUptimeBps: tier.MinUptimeBps, MinProbes: tier.MinProbes,
		FirstWindowStart: first, WindowBlocks: p.SlaWindowBlocks, Windows: msg.Windows,
		ReportFee: p.SlaReportFee, Escrow: fee, BondSlashed: zeroOf(l.Bond.Denom),
	}
	names := make([]string, len(observers))
	for i, v := range observers {
		names[i] = v.Address
		w.Observers = append(w.Observers, types.WatchObserver{Address: v.Address, Paid: zeroOf(fee.Denom)})
		if err := k.addDuty(ctx, v.Address, 1, h); err != nil {
			return nil, err
		}
	}
	if err := k.Watches.Set(ctx, l.Id, w); err != nil {
		return nil, err
	}
	if err := k.WatchQueue.Set(ctx, collections.Join(k.decisionHeight(w, p), l.Id)); err != nil {
		return nil, err
	}
	return &types.MsgWatchLeaseResponse{Observers: names, FirstWindowStart: first, Paid: fee},
		sdkCtx.EventManager().EmitTypedEvent(&types.EventLeaseWatched{
			LeaseId: l.Id, Provider: l.Provider, Payer: canonical, Observers: names, FirstWindowStart: first,
			WindowBlocks: w.WindowBlocks, Windows: w.Windows, MaxP95LatencyMs: w.MaxP95LatencyMs, MinUptimeBps: w.MinUptimeBps,
		})
}

// decisionHeight is the height in whose EndBlock the watch's next window (w.Decided) is decided:
// the last of its report period.
func (k Keeper) decisionHeight(w types.Watch, p types.Params) int64 {
	_, end := w.WindowBounds(w.Decided)
	return end + int64(p.SlaReportBlocks) - 1
}

// SubmitSlaReport takes an observer's report of a window during its report period.
func (k msgServer) SubmitSlaReport(ctx context.Context, msg *types.MsgSubmitSlaReport) (*types.MsgSubmitSlaReportResponse, error) {
	_, canonical, err := k.address("observer", msg.Observer)
	if err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	switch {
	case msg.ProbesSent == 0 || msg.ProbesSent > p.MaxProbesPerWindow:
		return nil, errorsmod.Wrapf(types.ErrInvalidReport, "probes_sent %d not in [1, max_probes_per_window %d]", msg.ProbesSent, p.MaxProbesPerWindow)
	case msg.ProbesAnswered > msg.ProbesSent:
		return nil, errorsmod.Wrapf(types.ErrInvalidReport, "probes_answered %d above probes_sent %d", msg.ProbesAnswered, msg.ProbesSent)
	case msg.P95LatencyMs > types.MaxLatencyMs:
		return nil, errorsmod.Wrapf(types.ErrInvalidReport, "p95_latency_ms %d above %d", msg.P95LatencyMs, types.MaxLatencyMs)
	case msg.ProbesAnswered == 0 && msg.P95LatencyMs != 0:
		return nil, errorsmod.Wrap(types.ErrInvalidReport, "a p95 latency with no probe answered")
	}
	w, err := k.Watches.Get(ctx, msg.LeaseId)
	if errors.Is(err, collections.ErrNotFound) {
		return nil, errorsmod.Wrapf(types.ErrWatchNotFound, "lease %d", msg.LeaseId)
	}
	if err != nil {
		return nil, err
	}
	i := w.Observer(canonical)
	if i < 0 {
		return nil, errorsmod.Wrapf(types.ErrNotObserver, "%s does not watch lease %d", canonical, w.LeaseId)
	}
	if msg.Window >= w.Windows {
		return nil, errorsmod.Wrapf(types.ErrInvalidReport, "window %d: the watch has windows 0 to %d", msg.Window, w.Windows-1)
	}
	if msg.Window < w.Observers[i].NextWindow || msg.Window < w.Decided {
		return nil, errorsmod.Wrapf(types.ErrDuplicateReport, "window %d of lease %d: %s reports from window %d on (each once, in order)",
			msg.Window, w.LeaseId, canonical, max(w.Observers[i].NextWindow, w.Decided))
	}
	if w.Ended {
		// ended early, its lease closed: the windows left are never decided
		return nil, errorsmod.Wrapf(types.ErrStaleReport, "window %d of lease %d: the watch ended after %d of its %d windows (the lease closed)",
			msg.Window, w.LeaseId, w.Decided, w.Windows)
	}
	start, end := w.WindowBounds(msg.Window)
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if h < end || h >= end+int64(p.SlaReportBlocks) {
		return nil, errorsmod.Wrapf(types.ErrStaleReport, "window %d of lease %d ([%d, %d)) takes reports at heights %d to %d, this is %d",
			msg.Window, w.LeaseId, start, end, end, end+int64(p.SlaReportBlocks)-1, h)
	}
	key := collections.Join(w.LeaseId, msg.Window)
	win, err := k.SlaWindows.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		win = types.SlaWindow{LeaseId: w.LeaseId, Window: msg.Window, Start: start, End: end, Cut: zeroOf(w.ReportFee.Denom)}
	} else if err != nil {
		return nil, err
	}
	win.Reports = append(win.Reports, types.SlaReport{
		Observer: canonical, ProbesSent: msg.ProbesSent, ProbesAnswered: msg.ProbesAnswered, P95LatencyMs: msg.P95LatencyMs, Height: h,
	})
	if err := k.SlaWindows.Set(ctx, key, win); err != nil {
		return nil, err
	}
	w.Observers[i].NextWindow = msg.Window + 1
	w.Observers[i].Reports++
	if err := k.Watches.Set(ctx, w.LeaseId, w); err != nil {
		return nil, err
	}
	return &types.MsgSubmitSlaReportResponse{}, sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventSlaReported{
		LeaseId: w.LeaseId, Window: msg.Window, Observer: canonical, ProbesSent: msg.ProbesSent, ProbesAnswered: msg.ProbesAnswered,
		P95LatencyMs: msg.P95LatencyMs,
	})
}

// uptimeBps is a report's answered share in basis points.
func uptimeBps(r types.SlaReport) uint32 {
	return uint32(uint64(r.ProbesAnswered) * types.MaxUptimeBps / uint64(r.ProbesSent))
}

// judge is the verdict of one report (or the median one) against the watch's bounds: breached when
// no probe was answered, when the p95 latency is above the bound, or, with at least min_probes
// probes sent, when the answered share is below the bound.
func judge(w types.Watch, sent, answered uint32, p95 uint64, uptime uint32) (types.SlaVerdict, bool) {
	judged := sent >= w.MinProbes
	switch {
	case answered == 0, p95 > w.MaxP95LatencyMs, judged && uptime < w.MinUptimeBps:
		return types.SlaBreached, judged
	}
	return types.SlaMet, judged
}

// lowerMedian is the ((n-1)/2)-th smallest of vs.
func lowerMedian[T uint32 | uint64](vs []T) T {
	s := slices.Clone(vs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// decideWindow decides the watch's next window: with at least 2f+1 reports on their medians, else
// NO_QUORUM. Observers whose own report agrees with the verdict are paid the report fee (with no
// quorum, every reporter is); the rest of the window's fees goes back to the payer. A breach
// withholds the window's pay (price × its blocks while the lease ran) and records an SLA violation.
// The watch ends after its last window, or after this one when the lease has closed (the fees of
// the windows left go back to the payer).
func (k Keeper) decideWindow(ctx context.Context, w types.Watch) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	key := collections.Join(w.LeaseId, w.Decided)
	start, end := w.WindowBounds(w.Decided)
	win, err := k.SlaWindows.Get(ctx, key)
	if errors.Is(err, collections.ErrNotFound) {
		win = types.SlaWindow{LeaseId: w.LeaseId, Window: w.Decided, Start: start, End: end, Cut: zeroOf(w.ReportFee.Denom)}
	} else if err != nil {
		return err
	}
	n := len(win.Reports)
	paid := zeroOf(w.ReportFee.Denom)
	leaseClosed := false
	pay := func(r types.SlaReport) error {
		addr, err := k.addressCodec.StringToBytes(r.Observer)
		if err != nil {
			return err
		}
		if err := k.payOut(ctx, addr, w.ReportFee); err != nil {
			return err
		}
		paid = paid.Add(w.ReportFee)
		if j := w.Observer(r.Observer); j >= 0 && w.Observers[j].Paid.Denom == w.ReportFee.Denom {
			w.Observers[j].Paid = w.Observers[j].Paid.Add(w.ReportFee)
		}
		return nil
	}
	m, err := k.market()
	if err != nil {
		return err
	}
	l, err := m.GetLease(ctx, w.LeaseId)
	if err != nil {
		return err
	}
	if uint32(n) < types.SlaQuorum(uint32(len(w.Observers))) {
		win.Verdict = types.SlaNoQuorum
		for _, r := range win.Reports {
			if err := pay(r); err != nil {
				return err
			}
		}
	} else {
		sent, answered, p95s, uptimes := make([]uint32, n), make([]uint32, n), make([]uint64, n), make([]uint32, n)
		for i, r := range win.Reports {
			sent[i], answered[i], p95s[i], uptimes[i] = r.ProbesSent, r.ProbesAnswered, r.P95LatencyMs, uptimeBps(r)
		}
		win.MedianP95LatencyMs, win.MedianUptimeBps, win.MedianProbesSent = lowerMedian(p95s), lowerMedian(uptimes), lowerMedian(sent)
		win.Verdict, win.AvailabilityJudged = judge(w, win.MedianProbesSent, lowerMedian(answered), win.MedianP95LatencyMs, win.MedianUptimeBps)
		for _, r := range win.Reports {
			if v, _ := judge(w, r.ProbesSent, r.ProbesAnswered, r.P95LatencyMs, uptimeBps(r)); v == win.Verdict {
				if err := pay(r); err != nil {
					return err
				}
			}
		}
		if win.Verdict == types.SlaBreached {
			w.Breached++
			// the window's pay: price × the blocks of [start, end) the lease ran
			from, to := max(start, l.StartHeight), min(end, l.EndHeight)
			if l.State == markettypes.LeaseActive && to > from {
				cut, err := m.WithholdPayout(ctx, l.Id, sdk.NewCoin(l.PricePerBlock.Denom, l.PricePerBlock.Amount.MulRaw(to-from)))
				if err != nil {
					return err
				}
				win.Cut = cut
			}
			providerAddr, err := k.addressCodec.StringToBytes(w.Provider)
			if err != nil {
				return err
			}
			if err := k.reputation.RecordOutcome(ctx, providerAddr, reputationtypes.OutcomeSLAViolation, math.LegacyOneDec()); err != nil {
				return err
			}
			// enough breaches end the lease at its provider's fault: its bond goes to the owner, and a
			// standby may take its place
			if p.SlaBreachesToClose > 0 && w.Breached >= p.SlaBreachesToClose && l.State == markettypes.LeaseActive {
				bond, err := m.SlashLeaseBond(ctx, l.Id, markettypes.CloseReasonSlaViolation, types.ModuleName)
				if err != nil {
					return err
				}
				owner, err := k.addressCodec.StringToBytes(l.Owner)
				if err != nil {
					return err
				}
				if err := k.payOut(ctx, owner, bond); err != nil {
					return err
				}
				w.BondSlashed, leaseClosed = bond, true
				l.State = markettypes.LeaseClosed
			}
		}
	}
	windowFees := sdk.NewCoin(w.ReportFee.Denom, w.ReportFee.Amount.MulRaw(int64(len(w.Observers))))
	refund := windowFees.Sub(paid)
	w.Escrow = w.Escrow.Sub(windowFees)
	w.Decided++
	win.DecidedHeight = sdkCtx.BlockHeight()
	if err := k.SlaWindows.Set(ctx, key, win); err != nil {
		return err
	}
	if w.Decided == w.Windows || l.State == markettypes.LeaseClosed {
		refund = refund.Add(w.Escrow)
		w.Escrow = zeroOf(w.Escrow.Denom)
		w.Ended = true
		for _, o := range w.Observers {
			if err := k.addDuty(ctx, o.Address, -1, w.FirstWindowStart-1); err != nil {
				return err
			}
		}
	}
	payer, err := k.addressCodec.StringToBytes(w.Payer)
	if err != nil {
		return err
	}
	if err := k.payOut(ctx, payer, refund); err != nil {
		return err
	}
	if err := k.Watches.Set(ctx, w.LeaseId, w); err != nil {
		return err
	}
	if !w.Ended {
		if err := k.WatchQueue.Set(ctx, collections.Join(k.decisionHeight(w, p), w.LeaseId)); err != nil {
			return err
		}
	}
	return sdkCtx.EventManager().EmitTypedEvent(&types.EventSlaWindowDecided{
		LeaseId: w.LeaseId, Window: win.Window, Provider: w.Provider, Verdict: win.Verdict, Reports: uint32(n),
		MedianP95LatencyMs: win.MedianP95LatencyMs, MedianUptimeBps: win.MedianUptimeBps, Cut: win.Cut, ObserversPaid: paid,
		LeaseClosed: leaseClosed, BondSlashed: w.BondSlashed,
	})
}

// EndBlocker decides the audits whose reveal deadline and the SLA windows whose report period end
// at or before this block: at most maxDecidedInBlock of each per block, oldest first; the rest wait
// for the next block.
func (k Keeper) EndBlocker(ctx context.Context) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	due := func(q collections.KeySet[collections.Pair[int64, uint64]]) ([]collections.Pair[int64, uint64], error) {
		it, err := q.Iterate(ctx, new(collections.Range[collections.Pair[int64, uint64]]).EndInclusive(collections.Join[int64, uint64](h, ^uint64(0))))
		if err != nil {
			return nil, err
		}
		defer it.Close()
		var out []collections.Pair[int64, uint64]
		for ; it.Valid() && len(out) < maxDecidedInBlock; it.Next() {
			key, err := it.Key()
			if err != nil {
				return nil, err
			}
			out = append(out, key)
		}
		return out, nil
	}
	audits, err := due(k.AuditQueue)
	if err != nil {
		return err
	}
	for _, key := range audits {
		if err := k.AuditQueue.Remove(ctx, key); err != nil {
			return err
		}
		a, err := k.Audits.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if !k.cached(ctx, func(ctx context.Context) error { return k.decideAudit(ctx, a) }) {
			k.cached(ctx, func(ctx context.Context) error { return k.abortAudit(ctx, a) })
		}
	}
	watches, err := due(k.WatchQueue)
	if err != nil {
		return err
	}
	for _, key := range watches {
		if err := k.WatchQueue.Remove(ctx, key); err != nil {
			return err
		}
		w, err := k.Watches.Get(ctx, key.K2())
		if err != nil {
			return err
		}
		if !k.cached(ctx, func(ctx context.Context) error { return k.decideWindow(ctx, w) }) {
			k.cached(ctx, func(ctx context.Context) error { return k.abortWatch(ctx, w) })
		}
	}
	return nil
}

// cached runs fn in a cache context and writes its changes only if it succeeds; it reports whether
// it did. A failure, error or panic, is logged and leaves the state as it was: EndBlock must never
// halt the chain.
func (k Keeper) cached(ctx context.Context, fn func(context.Context) error) (ok bool) {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	cacheCtx, write := sdkCtx.CacheContext()
	defer func() {
		if r := recover(); r != nil {
			k.Logger(ctx).Error("x/quorum: deciding panicked; the state is left as it was", "panic", r)
			ok = false
		}
	}()
	if err := fn(cacheCtx); err != nil {
		k.Logger(ctx).Error("x/quorum: deciding failed; the state is left as it was", "err", err)
		return false
	}
	write()
	return true
}

// abortAudit ends an audit that could not be decided (a bug, logged): INCONCLUSIVE, the fee back to
// the requester, every member's duty released, nobody slashed.
func (k Keeper) abortAudit(ctx context.Context, a types.Audit) error {
	requester, err := k.addressCodec.StringToBytes(a.Requester)
	if err != nil {
		return err
	}
	if err := k.payOut(ctx, requester, a.Fee); err != nil {
		return err
	}
	for _, v := range a.Committee {
		if err := k.addDuty(ctx, v.Auditor, -1, a.RequestHeight); err != nil {
			return err
		}
	}
	a.State, a.ToRequester, a.DecidedHeight = types.AuditInconclusive, a.Fee, sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Audits.Set(ctx, a.Id, a); err != nil {
		return err
	}
	if err := k.OpenAudits.Remove(ctx, collections.Join(a.LeaseId, a.TaskSeq)); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventAuditDecided{
		AuditId: a.Id, LeaseId: a.LeaseId, Provider: a.Provider, State: a.State, BondSlashed: a.BondSlashed, ToRequester: a.ToRequester,
	})
}

// abortWatch ends a watch whose window could not be decided (a bug, logged): its escrow back to the
// payer, the observers' duties released.
func (k Keeper) abortWatch(ctx context.Context, w types.Watch) error {
	payer, err := k.addressCodec.StringToBytes(w.Payer)
	if err != nil {
		return err
	}
	if err := k.payOut(ctx, payer, w.Escrow); err != nil {
		return err
	}
	for _, o := range w.Observers {
		if err := k.addDuty(ctx, o.Address, -1, w.FirstWindowStart-1); err != nil {
			return err
		}
	}
	w.Escrow, w.Ended = zeroOf(w.Escrow.Denom), true
	return k.Watches.Set(ctx, w.LeaseId, w)
}
