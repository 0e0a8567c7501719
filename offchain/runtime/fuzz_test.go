package runtime

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

// A workload module is untrusted bytes: any customer who won a lease uploads one. Whatever the bytes,
// Run refuses an oversized module or input with ErrTooLarge before compiling, and otherwise ends
// with a Result inside the limits: a known status, output within MaxOutputBytes, stderr within its
// cap, a failure that says why, and the module's hash — never a panic, a hang past the time limit,
// or an error for a run it attempted.
func FuzzRunModule(f *testing.F) {
	for _, m := range [][]byte{
		wasmtest.Echo(), wasmtest.Trap(), wasmtest.Spin(), wasmtest.Grow(3), wasmtest.Exit(2),
		wasmtest.Yes(), wasmtest.NoStart(), wasmtest.WasiCommand(2, nil, nil), {}, []byte("\x00asm"),
	} {
		f.Add(m, []byte("input"))
	}

	r, err := New(context.Background())
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = r.Close(context.Background()) })
	lim := Limits{MemoryMiB: 1, Timeout: 200 * time.Millisecond, MaxModuleBytes: 64 << 10, MaxInputBytes: 1 << 10, MaxOutputBytes: 4 << 10}

	f.Fuzz(func(t *testing.T, module, input []byte) {
		start := time.Now()
		res, err := r.Run(context.Background(), module, input, lim)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Run refused an attempted run: %v", err)
			}
			if len(module) <= lim.MaxModuleBytes && len(input) <= lim.MaxInputBytes {
				t.Fatalf("ErrTooLarge for a module of %d and an input of %d bytes: %v", len(module), len(input), err)
			}
			return
		}
		if took := time.Since(start); took > lim.Timeout+10*time.Second {
			t.Fatalf("a run with a %s limit took %s", lim.Timeout, took)
		}
		if res.Status < StatusOK || res.Status > StatusInvalidModule {
			t.Fatalf("unknown status %d", res.Status)
		}
		if (res.Status == StatusOK) != (res.Error == "") {
			t.Fatalf("status %s with error %q", res.Status, res.Error)
		}
		if len(res.Output) > lim.MaxOutputBytes || len(res.Stderr) > stderrLimit {
			t.Fatalf("output %d bytes, stderr %d bytes: over the limits", len(res.Output), len(res.Stderr))
		}
	})
}
