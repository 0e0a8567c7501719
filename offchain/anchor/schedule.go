package anchor

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxBatchLimit bounds max_batch: x/proofs' default max_leaf_count, so a full batch is never refused
// for its size on a chain with default params.
const MaxBatchLimit = 1 << 20

// Schedule says when waiting receipts are anchored: a lease's receipts go on chain as soon as
// MaxBatch of them wait, and the rest once the oldest of them is MaxAge old or the lease is closed.
// A long lease therefore gets its receipts anchored while it runs.
type Schedule struct {
	MaxBatch int `toml:"max_batch"`
	MaxAge   Age `toml:"max_age"`
}

// DefaultSchedule anchors every 16 receipts, and no receipt waits much more than 30 s.
func DefaultSchedule() Schedule {
	return Schedule{MaxBatch: 16, MaxAge: Age{Duration: 30 * time.Second}}
}

// Validate says what is wrong with a schedule.
func (s Schedule) Validate() error {
	var errs []error
	if s.MaxBatch < 1 || s.MaxBatch > MaxBatchLimit {
		errs = append(errs, fmt.Errorf("anchor.max_batch = %d: want 1 to %d receipts per batch", s.MaxBatch, MaxBatchLimit))
	}
	if s.MaxAge.Duration < 0 || s.MaxAge.Blocks < 0 || (s.MaxAge.Duration == 0 && s.MaxAge.Blocks == 0) {
		errs = append(errs, fmt.Errorf("anchor.max_age = %q: want a positive duration such as \"30s\" or a block count such as \"20 blocks\"", s.MaxAge.String()))
	}
	return errors.Join(errs...)
}

// Age is how long a receipt may wait: a wall-clock duration ("30s", "2m") or a number of blocks
// ("20 blocks").
type Age struct {
	Duration time.Duration
	Blocks   int64
}

func (a Age) String() string {
	switch {
	case a.Blocks == 1:
		return "1 block"
	case a.Blocks != 0:
		return strconv.FormatInt(a.Blocks, 10) + " blocks"
	default:
		return a.Duration.String()
	}
}

// MarshalText writes "30s" or "20 blocks".
func (a Age) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads a Go duration or "<n> blocks".
func (a *Age) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if n, ok := cutBlocks(s); ok {
		blocks, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return fmt.Errorf("max_age %q: the block count is not an integer", s)
		}
		*a = Age{Blocks: blocks}
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("max_age %q is neither a duration such as \"30s\" nor a block count such as \"20 blocks\"", s)
	}
	*a = Age{Duration: d}
	return nil
}

func cutBlocks(s string) (string, bool) {
	for _, unit := range []string{"blocks", "block"} {
		if n, ok := strings.CutSuffix(s, unit); ok {
			return strings.TrimSpace(n), true
		}
	}
	return "", false
}

// waiting is a receipt that is in no batch yet.
type waiting struct {
	seq uint64
	// ended is when the run ended (the receipt's end_unix_ms, the worker's clock): the age of a
	// duration max_age, which survives restarts.
	ended time.Time
	// seen is the height at which the anchorer first saw it waiting: the age of a block max_age,
	// counted again from a restart.
	seen int64
}

// plan is the batching policy for one lease: which of its waiting receipts, in sequence order, are
// anchored now and in which batches. Every full batch of MaxBatch goes at once; the rest goes when
// its oldest receipt has reached MaxAge at (now, height), or when the lease is closed, since no more
// receipts will join it. Nothing waiting, no batch: an anchor is never empty.
func (s Schedule) plan(w []waiting, now time.Time, height int64, closed bool) [][]uint64 {
	var out [][]uint64
	for len(w) >= s.MaxBatch {
		out = append(out, seqs(w[:s.MaxBatch]))
		w = w[s.MaxBatch:]
	}
	if len(w) == 0 {
		return out
	}
	old := closed
	for _, r := range w {
		if s.MaxAge.Blocks > 0 {
			old = old || height-r.seen >= s.MaxAge.Blocks
		} else {
			old = old || now.Sub(r.ended) >= s.MaxAge.Duration
		}
	}
	if old {
		out = append(out, seqs(w))
	}
	return out
}

func seqs(w []waiting) []uint64 {
	out := make([]uint64, len(w))
	for i, r := range w {
		out[i] = r.seq
	}
	return out
}
