package observer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	quorumtypes "github.com/fogchain/fog/x/quorum/types"
)

// Windows of 10 blocks from height 100: window 0 is [100, 110), window 2 [120, 130).
var tenBlocks = Windows{First: 100, Blocks: 10, Count: 3}

func TestWindowsAt(t *testing.T) {
	for h, want := range map[int64]int64{99: -1, 100: 0, 109: 0, 110: 1, 119: 1, 120: 2, 129: 2, 130: -1, 0: -1} {
		w, ok := tenBlocks.At(h)
		if want < 0 {
			require.False(t, ok, "height %d", h)
			continue
		}
		require.True(t, ok, "height %d", h)
		require.Equal(t, uint32(want), w, "height %d", h)
		start, end := tenBlocks.Bounds(w)
		require.True(t, start <= h && h < end)
	}
	// the chain's own arithmetic
	start, end := tenBlocks.Bounds(2)
	ws, we := quorumtypes.Watch{FirstWindowStart: 100, WindowBlocks: 10}.WindowBounds(2)
	require.Equal(t, [2]int64{ws, we}, [2]int64{start, end})
	_, ok := Windows{First: 1, Blocks: 0, Count: 3}.At(5)
	require.False(t, ok)
}

// send counts n probes sent at height h and ends them: answered after rtt, or not when rtt < 0.
func send(t *testing.T, l *ledger, h int64, n int, rtt time.Duration) {
	t.Helper()
	for range n {
		w, ok := l.Sent(h, 1000)
		require.True(t, ok, "probe at height %d", h)
		l.Done(w, rtt >= 0, rtt)
	}
}

// A probe counts in the window of the height it was sent at, whenever its answer comes.
func TestLedgerCountsProbesInTheWindowOfTheirHeight(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	_, ok := l.Sent(99, 1000)
	require.False(t, ok, "before the first window")

	send(t, l, 100, 3, 5*time.Millisecond)
	w, ok := l.Sent(109, 1000) // the window's last height; answered when the chain is at 110
	require.True(t, ok)
	require.Equal(t, uint32(0), w)
	send(t, l, 110, 2, 40*time.Millisecond)
	l.Done(w, true, 9*time.Millisecond)

	rep, skipped := l.Due(110, 5)
	require.Empty(t, skipped)
	require.Equal(t, &Report{Window: 0, Sent: 4, Answered: 4, P95Ms: 9}, rep)

	rep, _ = l.Due(120, 5)
	require.Equal(t, &Report{Window: 1, Sent: 2, Answered: 2, P95Ms: 40}, rep)
}

func TestLedgerReportsAfterTheWindowAndWithinItsPeriod(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	send(t, l, 105, 20, 3*time.Millisecond)
	send(t, l, 106, 1, -1)

	for h := int64(100); h < 110; h++ {
		rep, skipped := l.Due(h, 5)
		require.Nil(t, rep, "height %d is inside the window", h)
		require.Empty(t, skipped)
	}
	rep, skipped := l.Due(110, 5)
	require.Empty(t, skipped)
	require.Equal(t, &Report{Window: 0, Sent: 21, Answered: 20, P95Ms: 3}, rep)
	require.Equal(t, uint32(1), l.Next())

	// each window once
	rep, skipped = l.Due(111, 5)
	require.Nil(t, rep)
	require.Empty(t, skipped)
	_, ok := l.Sent(109, 1000)
	require.False(t, ok, "no probe counts in a window handed over")
}

// The nearest-rank p95 of the answered round trips in whole milliseconds, as x/quorum computes it.
func TestLedgerP95(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	var ms []uint64
	for i := range 40 {
		rtt := time.Duration(i+1)*time.Millisecond + 700*time.Microsecond
		send(t, l, 101, 1, rtt)
		ms = append(ms, uint64(i+1))
	}
	send(t, l, 101, 5, -1)
	rep, _ := l.Due(110, 5)
	require.Equal(t, uint32(45), rep.Sent)
	require.Equal(t, uint32(40), rep.Answered)
	require.Equal(t, quorumtypes.P95(ms), rep.P95Ms)
	require.Equal(t, uint64(38), rep.P95Ms) // rank ceil(0.95·40) = 38

	// no answer at all: p95 0
	send(t, l, 111, 3, -1)
	rep, _ = l.Due(120, 5)
	require.Equal(t, &Report{Window: 1, Sent: 3}, rep)
}

func TestLedgerSkipsWindows(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	send(t, l, 100, 2, time.Millisecond)
	send(t, l, 125, 2, time.Millisecond)

	// window 0's period is blocks [110, 115): a transaction sent at 114 lands at 115 at the earliest
	rep, skipped := l.Due(114, 5)
	require.Nil(t, rep)
	require.Equal(t, []Skip{{0, "its report period passed"}}, skipped)

	// window 1 had no probe; window 2 is still running
	rep, skipped = l.Due(120, 5)
	require.Nil(t, rep)
	require.Equal(t, []Skip{{1, "no probe was sent in it"}}, skipped)
	require.Equal(t, uint32(2), l.Next())
	require.False(t, l.Finished())

	rep, _ = l.Due(130, 5)
	require.Equal(t, uint32(2), rep.Window)
	require.True(t, l.Finished())
}

// A report waits for the probes still in flight, except at the last height it can be sent from.
func TestLedgerWaitsForProbesInFlight(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	send(t, l, 101, 2, time.Millisecond)
	w, ok := l.Sent(109, 1000)
	require.True(t, ok)

	rep, _ := l.Due(110, 5)
	require.Nil(t, rep, "a probe is in flight")
	l.Done(w, true, 2*time.Millisecond)
	rep, _ = l.Due(111, 5)
	require.Equal(t, &Report{Window: 0, Sent: 3, Answered: 3, P95Ms: 2}, rep)

	send(t, l, 111, 1, time.Millisecond)
	w, _ = l.Sent(119, 1000)
	rep, _ = l.Due(122, 5)
	require.Nil(t, rep)
	// 123 is the last height: the report lands at 124, the period's last block
	rep, _ = l.Due(123, 5)
	require.Equal(t, &Report{Window: 1, Sent: 2, Answered: 1, P95Ms: 1}, rep)
	l.Done(w, true, time.Millisecond) // too late: changes nothing
	require.Equal(t, uint32(2), l.Next())
}

func TestLedgerCapsProbesPerWindow(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	for range 3 {
		_, ok := l.Sent(100, 3)
		require.True(t, ok)
	}
	_, ok := l.Sent(105, 3)
	require.False(t, ok, "max_probes_per_window reached")
	_, ok = l.Sent(110, 3)
	require.True(t, ok, "the next window counts afresh")
}

func TestLedgerRetry(t *testing.T) {
	l := newLedger(tenBlocks, 0)
	send(t, l, 100, 1, time.Millisecond)
	rep, _ := l.Due(110, 5)
	require.NotNil(t, rep)
	require.False(t, l.Finished())

	l.Retry(*rep)
	again, _ := l.Due(112, 5)
	require.Equal(t, rep, again, "handed over again within its period")

	l.Retry(*rep)
	again, skipped := l.Due(114, 5)
	require.Nil(t, again)
	require.Equal(t, []Skip{{0, "its report period passed before the report could be submitted"}}, skipped)
}

// A ledger resumed at next_window never hands over the windows before it, and Advance (the chain's
// next_window) only moves it forward.
func TestLedgerResumes(t *testing.T) {
	l := newLedger(tenBlocks, 1)
	_, ok := l.Sent(105, 1000)
	require.False(t, ok)
	rep, skipped := l.Due(110, 5)
	require.Nil(t, rep)
	require.Empty(t, skipped)

	send(t, l, 115, 2, time.Millisecond)
	l.Advance(0)
	require.Equal(t, uint32(1), l.Next())
	l.Advance(2)
	require.Equal(t, uint32(2), l.Next())
	rep, skipped = l.Due(121, 5)
	require.Nil(t, rep, "window 1 was reported by an earlier run")
	require.Empty(t, skipped)
}
