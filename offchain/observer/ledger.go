package observer

import (
	"sync"
	"time"

	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Windows are the SLA windows of one watch: window w covers blocks [First + w·Blocks, + Blocks), for
// w < Count (quorumtypes.Watch.WindowBounds).
type Windows struct {
	First  int64
	Blocks uint64
	Count  uint32
}

// Bounds are the blocks [start, end) of window w.
func (ws Windows) Bounds(w uint32) (start, end int64) {
	return quorumtypes.Watch{FirstWindowStart: ws.First, WindowBlocks: ws.Blocks}.WindowBounds(w)
}

// At is the window that height h falls in; false before the first window, after the last, or for a
// watch without windows.
func (ws Windows) At(h int64) (uint32, bool) {
	if ws.Blocks == 0 || ws.Count == 0 || h < ws.First {
		return 0, false
	}
	w := uint64(h-ws.First) / ws.Blocks
	if w >= uint64(ws.Count) {
		return 0, false
	}
	return uint32(w), true
}

// Report is one window's report: MsgSubmitSlaReport's fields.
type Report struct {
	Window   uint32
	Sent     uint32
	Answered uint32
	// P95Ms is the nearest-rank 95th percentile of the answered probes' round trips in whole
	// milliseconds (quorumtypes.P95); 0 when none was answered.
	P95Ms uint64
}

// Skip is a window that will not be reported, and why.
type Skip struct {
	Window uint32
	Reason string
}

// tally is what one window's probes gave so far.
type tally struct {
	sent, answered uint32
	inflight       int
	rttsMs         []uint64
}

// ledger is the probe accounting of one watch. Each probe is counted in the window of the chain
// height at which it was sent (the latest height the node reported then), whenever it is answered;
// a window is reported once the chain's height is past its end, windows in increasing order, each
// once. It has no clock and reads no chain: the caller tells it heights and outcomes. It is safe for
// concurrent use (probes end on their own goroutines).
type ledger struct {
	windows Windows

	mu sync.Mutex
	// next is the first window not reported yet: the ones before were reported, handed over for
	// reporting, or skipped.
	next    uint32
	tallies map[uint32]*tally
	// pending is a report handed over whose submission failed for a reason that may pass; it is
	// handed over again while its report period lasts.
	pending *Report
}

func newLedger(ws Windows, next uint32) *ledger {
	return &ledger{windows: ws, next: next, tallies: map[uint32]*tally{}}
}

// Next is the first window not reported, handed over or skipped.
func (l *ledger) Next() uint32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next
}

// Advance moves next up to at least next (the chain says the windows before were reported or let
// pass), dropping their samples.
func (l *ledger) Advance(next uint32) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for w := range l.tallies {
		if w < next {
			delete(l.tallies, w)
		}
	}
	if l.pending != nil && l.pending.Window < next {
		l.pending = nil
	}
	l.next = max(l.next, next)
}

// Sent counts a probe sent while the chain's height is h, in h's window, and returns that window.
// It counts none (false) when h is in no window, in a window already reported, or in a window that
// already sent maxProbes (params.max_probes_per_window: a report may claim no more).
func (l *ledger) Sent(h int64, maxProbes uint32) (uint32, bool) {
	w, ok := l.windows.At(h)
	if !ok {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if w < l.next {
		return 0, false
	}
	t := l.tallies[w]
	if t == nil {
		t = &tally{}
		l.tallies[w] = t
	}
	if t.sent >= maxProbes {
		return 0, false
	}
	t.sent++
	t.inflight++
	return w, true
}

// Done records the outcome of a probe counted in window w: answered after rtt, or not (a timeout, a
// refusal, a failed dial). An outcome that comes after its window was reported changes nothing.
func (l *ledger) Done(w uint32, answered bool, rtt time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.tallies[w]
	if t == nil || w < l.next {
		return
	}
	t.inflight--
	if answered {
		t.answered++
		t.rttsMs = append(t.rttsMs, uint64(rtt.Milliseconds()))
	}
}

// Due says what is due at chain height h, with reportBlocks the chain's sla_report_blocks: a report
// to submit (nil when none), and the windows given up. A report of window w is taken in blocks
// [end, end + reportBlocks) of w; a transaction sent at h lands in block h+1 at the earliest, so w
// is reported while end ≤ h and h+1 < end + reportBlocks, and skipped once that has passed.
//
// A window's report waits for its probes still in flight (each ends within the probe timeout),
// except at the last height it can be sent from, where they count as sent and not answered. A
// window in which no probe was sent (the watch was learnt of, or the worker restarted, after it) is
// skipped: a report of nothing says nothing. The report returned has been handed over: next has
// moved past it, so it is never returned again unless Retry puts it back.
func (l *ledger) Due(h int64, reportBlocks uint64) (*Report, []Skip) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var skipped []Skip
	period := int64(reportBlocks)
	if p := l.pending; p != nil {
		l.pending = nil
		if _, end := l.windows.Bounds(p.Window); h+1 < end+period {
			return p, nil
		}
		skipped = append(skipped, Skip{p.Window, "its report period passed before the report could be submitted"})
	}
	for l.next < l.windows.Count {
		w := l.next
		_, end := l.windows.Bounds(w)
		if h < end {
			break
		}
		t := l.tallies[w]
		switch {
		case h+1 >= end+period:
			skipped = append(skipped, Skip{w, "its report period passed"})
		case t == nil || t.sent == 0:
			skipped = append(skipped, Skip{w, "no probe was sent in it"})
		case t.inflight > 0 && h+2 < end+period:
			return nil, skipped // wait for the probes in flight
		default:
			delete(l.tallies, w)
			l.next++
			return &Report{Window: w, Sent: t.sent, Answered: t.answered, P95Ms: quorumtypes.P95(t.rttsMs)}, skipped
		}
		delete(l.tallies, w)
		l.next++
	}
	return nil, skipped
}

// Retry puts back a report handed over by Due whose submission failed for a reason that may pass:
// Due hands it over again while its report period lasts.
func (l *ledger) Retry(r Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = &r
}

// Finished tells whether every window was reported or skipped and no report waits for a retry.
func (l *ledger) Finished() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.next >= l.windows.Count && l.pending == nil
}
