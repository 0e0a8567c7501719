package runtime

import (
	"context"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/tetratelabs/wazero"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

// TestRunawayCWorkloadsAreStopped builds C workloads that never end, one looping and one
// recursing without a loop in its source, with clang for WASI, and checks that the task's time
// limit stops each of them promptly, and that the runtime then still runs other workloads.
func TestRunawayCWorkloadsAreStopped(t *testing.T) {
	clang := wasmtest.Clang(t)
	r := newRuntime(t)
	lim := testLimits()
	lim.Timeout = 300 * time.Millisecond
	for _, name := range []string{"runaway-loop", "runaway-recursion"} {
		t.Run(name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), name+".wasm")
			wasmtest.BuildC(t, clang, out, true, filepath.Join("testdata", name+".c"))
			module, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			res := run(t, r, module, nil, lim)
			if res.Status != StatusTimeout {
				t.Fatalf("status %s (%s), want timeout", res.Status, res.Error)
			}
			if took := time.Since(start); took > lim.Timeout+2*time.Second {
				t.Errorf("stopped after %s with a limit of %s", took, lim.Timeout)
			}
		})
	}
	if res := run(t, r, wasmtest.Echo(), []byte("still here"), lim); res.Status != StatusOK || string(res.Output) != "still here" {
		t.Errorf("echo after runaways: %s %q", res.Status, res.Output)
	}
}

// TestInstrumentKeepsModulesValid instruments every hand-assembled test module and checks that
// wazero accepts the result with the flag exported, and refuses what instrument must refuse.
func TestInstrumentKeepsModulesValid(t *testing.T) {
	ctx := context.Background()
	w := wazero.NewRuntime(ctx)
	defer w.Close(ctx)
	for name, module := range map[string][]byte{
		"echo": wasmtest.Echo(), "trap": wasmtest.Trap(), "spin": wasmtest.Spin(), "grow": wasmtest.Grow(1),
		"exit": wasmtest.Exit(1), "yes": wasmtest.Yes(), "entropy": wasmtest.Entropy(),
		"custom section": wasmtest.Echo(wasmtest.CustomSection("fog-test", []byte{1, 2, 3})),
	} {
		out, err := instrument(module)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		compiled, err := w.CompileModule(ctx, out)
		if err != nil {
			t.Errorf("%s: instrumented module does not compile: %v", name, err)
			continue
		}
		if _, ok := compiled.ExportedFunctions()[startFunction]; !ok {
			t.Errorf("%s: lost _start", name)
		}
		_ = compiled.Close(ctx)
	}
	if _, err := instrument([]byte("\x00asm\x01\x00\x00\x00")); err == nil {
		t.Error("a module without memory was instrumented")
	}
	if _, err := instrument(wasmtest.Echo([]byte{8, 1, 5})); err == nil || !strings.Contains(err.Error(), "start section") {
		t.Errorf("a module with a start section: %v", err)
	}
	if _, err := instrument([]byte("#!/bin/sh")); err == nil {
		t.Error("a file that is not wasm was instrumented")
	}
}

// FuzzInstrument: instrument never panics, and whatever wazero compiles, instrument accepts
// (unless it has no memory) and turns into a module wazero compiles too.
func FuzzInstrument(f *testing.F) {
	for _, m := range [][]byte{wasmtest.Echo(), wasmtest.Spin(), wasmtest.Yes(), wasmtest.Grow(2), wasmtest.Entropy()} {
		f.Add(m)
	}
	ctx := context.Background()
	w := wazero.NewRuntime(ctx)
	defer w.Close(ctx)
	f.Fuzz(func(t *testing.T, module []byte) {
		out, err := instrument(module)
		if _, serr := splitSections(module); serr != nil {
			if err == nil {
				t.Fatalf("instrumented a module whose sections are malformed: %v", serr)
			}
			return // wazero could allocate without bound (see splitSections)
		}
		if checkModuleShape(module) != nil {
			// The runtime refuses it before instrumenting or compiling; wazero would size slices from
			// its counts (a type of 2^32 params made this test allocate 32 GiB).
			return
		}
		compiled, cerr := w.CompileModule(ctx, module)
		if cerr != nil {
			return
		}
		_ = compiled.Close(ctx)
		if err != nil {
			if strings.Contains(err.Error(), "no memory") || strings.Contains(err.Error(), "start section") {
				return
			}
			t.Fatalf("wazero compiles the module, instrument refuses it: %v", err)
		}
		compiled, err = w.CompileModule(ctx, out)
		if err != nil {
			t.Fatalf("instrumented module does not compile: %v", err)
		}
		_ = compiled.Close(ctx)
	})
}

// A workload in a loop with no host call leaves for Go often enough that the garbage collector's
// stops of the world, which wait for every goroutine, still complete while it runs (compiled wasm
// cannot be preempted: without those exits a collection would wait for the run to end).
func TestRunawayWorkloadDoesNotHoldUpTheCollector(t *testing.T) {
	r := newRuntime(t)
	lim := testLimits()
	lim.Timeout = 3 * time.Second
	done := make(chan Result, 1)
	go func() {
		res, _ := r.Run(context.Background(), wasmtest.Spin(), nil, lim)
		done <- res
	}()
	for i := 0; i < 5; i++ {
		start := time.Now()
		goruntime.GC()
		if took := time.Since(start); took > lim.Timeout/3 {
			t.Fatalf("a collection took %s while a workload spun", took)
		}
	}
	select {
	case res := <-done:
		t.Fatalf("the spinning workload ended (%s) before the collections were checked", res.Status)
	default:
	}
	if res := <-done; res.Status != StatusTimeout {
		t.Fatalf("status %s, want timeout", res.Status)
	}
}
