package observer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/fogchain/fog/internal/atomicfile"
)

// watchState is what the observer keeps on disk of a watch it serves, one file per lease: what the
// watch event said, and next_window, the first window it has not reported (the ones before were
// reported, handed over for reporting, or given up). The file is written before a report is
// broadcast, so a restarted worker never reports a window twice (it may lose one whose broadcast
// was cut short). Probe samples are not kept: a restart loses the current window's.
type watchState struct {
	LeaseID          uint64 `json:"lease_id"`
	Provider         string `json:"provider"`
	FirstWindowStart int64  `json:"first_window_start"`
	WindowBlocks     uint64 `json:"window_blocks"`
	Windows          uint32 `json:"windows"`
	NextWindow       uint32 `json:"next_window"`
}

func (s watchState) windows() Windows {
	return Windows{First: s.FirstWindowStart, Blocks: s.WindowBlocks, Count: s.Windows}
}

// store keeps the watch states in a directory: lease-<id>.json.
type store struct{ dir string }

func (s store) path(lease uint64) string {
	return filepath.Join(s.dir, "lease-"+strconv.FormatUint(lease, 10)+".json")
}

// save writes a watch's state atomically (internal/atomicfile: whole or not at all, synced).
func (s store) save(st watchState) error {
	bz, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.Write(s.path(st.LeaseID), bz, 0o600)
}

// remove forgets a watch that is over.
func (s store) remove(lease uint64) error {
	if err := os.Remove(s.path(lease)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// load reads every saved watch, creating the directory on first use. Leftover temporary files of a
// write cut short are ignored (the file they were to replace is whole).
func (s store) load() ([]watchState, error) {
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, err
	}
	var out []watchState
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, "lease-") || !strings.HasSuffix(name, ".json") {
			continue
		}
		bz, err := os.ReadFile(filepath.Join(s.dir, name))
		if err != nil {
			return nil, err
		}
		var st watchState
		if err := json.Unmarshal(bz, &st); err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(s.dir, name), err)
		}
		if name != filepath.Base(s.path(st.LeaseID)) {
			return nil, fmt.Errorf("%s holds lease %d", filepath.Join(s.dir, name), st.LeaseID)
		}
		out = append(out, st)
	}
	return out, nil
}
