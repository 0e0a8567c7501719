package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	mrand "math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

func newRuntime(t testing.TB) *Runtime {
	t.Helper()
	r, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

// testLimits are small so that the limit tests are quick.
func testLimits() Limits {
	return Limits{
		MemoryMiB:      1, // 16 pages
		Timeout:        5 * time.Second,
		MaxModuleBytes: 1 << 20,
		MaxInputBytes:  1 << 20,
		MaxOutputBytes: 1 << 20,
	}
}

func run(t *testing.T, r *Runtime, module, input []byte, lim Limits) Result {
	t.Helper()
	res, err := r.Run(context.Background(), module, input, lim)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

func TestRunOutcomes(t *testing.T) {
	r := newRuntime(t)
	input := bytes.Repeat([]byte("fog compute "), 1000) // more than one 4 KiB read
	short := testLimits()
	short.Timeout = 200 * time.Millisecond
	tinyOutput := testLimits()
	tinyOutput.MaxOutputBytes = 1000

	cases := []struct {
		name     string
		module   []byte
		input    []byte
		lim      Limits
		status   Status
		exitCode uint32
		output   []byte
		errorHas string
	}{
		{name: "echo", module: wasmtest.Echo(), input: input, lim: testLimits(), status: StatusOK, output: input},
		{name: "echo empty input", module: wasmtest.Echo(), lim: testLimits(), status: StatusOK},
		{name: "unreachable traps", module: wasmtest.Trap(), lim: testLimits(), status: StatusTrap, errorHas: "unreachable"},
		{name: "endless loop times out", module: wasmtest.Spin(), lim: short, status: StatusTimeout},
		{name: "grow to the limit", module: wasmtest.Grow(15), lim: testLimits(), status: StatusOK},
		{name: "grow past the limit", module: wasmtest.Grow(16), lim: testLimits(), status: StatusMemoryLimit},
		{name: "declared memory over the limit", module: wasmtest.WasiCommand(17, nil, nil), lim: testLimits(), status: StatusMemoryLimit},
		{name: "non-zero exit", module: wasmtest.Exit(3), lim: testLimits(), status: StatusExit, exitCode: 3, errorHas: "exit code 3"},
		{name: "zero exit", module: wasmtest.Exit(0), lim: testLimits(), status: StatusOK},
		{name: "endless output", module: wasmtest.Yes(), lim: tinyOutput, status: StatusOutputLimit,
			output: bytes.Repeat([]byte("y\n"), 500)},
		{name: "not wasm", module: []byte("#!/bin/sh\necho hi\n"), lim: testLimits(), status: StatusInvalidModule, errorHas: "compile"},
		{name: "no _start", module: wasmtest.NoStart(), lim: testLimits(), status: StatusInvalidModule, errorHas: "_start"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, r, tc.module, tc.input, tc.lim)
			if res.Status != tc.status {
				t.Fatalf("status %s (%s), want %s", res.Status, res.Error, tc.status)
			}
			if res.ExitCode != tc.exitCode {
				t.Errorf("exit code %d, want %d", res.ExitCode, tc.exitCode)
			}
			if !bytes.Equal(res.Output, tc.output) {
				t.Errorf("output %d bytes %.40q, want %d bytes %.40q", len(res.Output), res.Output, len(tc.output), tc.output)
			}
			if !strings.Contains(res.Error, tc.errorHas) {
				t.Errorf("error %q does not mention %q", res.Error, tc.errorHas)
			}
			if (res.Status == StatusOK) != (res.Error == "") {
				t.Errorf("status %s with error %q", res.Status, res.Error)
			}
			if res.ModuleHash == ([32]byte{}) {
				t.Error("module hash not set")
			}
		})
	}
}

func TestTimeoutIsBoundedAndRuntimeRecovers(t *testing.T) {
	r := newRuntime(t)
	lim := testLimits()
	lim.Timeout = 100 * time.Millisecond
	res := run(t, r, wasmtest.Spin(), nil, lim)
	if res.Status != StatusTimeout {
		t.Fatalf("status %s, want timeout", res.Status)
	}
	// The deadline is set just before the clock of Duration starts.
	if res.Duration < lim.Timeout*9/10 || res.Duration > lim.Timeout+2*time.Second {
		t.Errorf("timed out after %s with a limit of %s", res.Duration, lim.Timeout)
	}
	// The same module, a trapping one and a well-behaved one all still run.
	if res := run(t, r, wasmtest.Spin(), nil, lim); res.Status != StatusTimeout {
		t.Errorf("second spin: status %s", res.Status)
	}
	if res := run(t, r, wasmtest.Grow(16), nil, lim); res.Status != StatusMemoryLimit {
		t.Errorf("grow: status %s", res.Status)
	}
	if res := run(t, r, wasmtest.Echo(), []byte("still here"), lim); res.Status != StatusOK || string(res.Output) != "still here" {
		t.Errorf("echo after failures: %s %q", res.Status, res.Output)
	}
}

func TestRefusedBeforeCompiling(t *testing.T) {
	r := newRuntime(t)
	lim := testLimits()
	big := wasmtest.Echo(wasmtest.CustomSection("padding", make([]byte, lim.MaxModuleBytes)))
	cases := []struct {
		name          string
		module, input []byte
		lim           Limits
		want          error
	}{
		{name: "module too large", module: big, lim: lim, want: ErrTooLarge},
		{name: "input too large", module: wasmtest.Echo(), input: make([]byte, lim.MaxInputBytes+1), lim: lim, want: ErrTooLarge},
		{name: "no memory", module: wasmtest.Echo(), lim: Limits{Timeout: time.Second, MaxModuleBytes: 1 << 20}, want: ErrInvalidLimits},
		{name: "no time", module: wasmtest.Echo(), lim: Limits{MemoryMiB: 1, MaxModuleBytes: 1 << 20}, want: ErrInvalidLimits},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Run(context.Background(), tc.module, tc.input, tc.lim)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if n := r.cache.compiles.Load(); n != 0 {
				t.Errorf("%d compilations, want none", n)
			}
		})
	}
}

func TestCallerCancellationIsAnError(t *testing.T) {
	r := newRuntime(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := r.Run(ctx, wasmtest.Spin(), nil, testLimits())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the caller's deadline", err)
	}
}

func TestClosedRuntimeRefuses(t *testing.T) {
	r, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(context.Background(), wasmtest.Echo(), nil, testLimits()); !errors.Is(err, ErrClosed) {
		t.Fatalf("error %v, want ErrClosed", err)
	}
}

func TestCloseEndsRunningWorkloads(t *testing.T) {
	r, err := New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(context.Background(), wasmtest.Spin(), nil, testLimits())
		done <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the run start spinning
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("error %v, want ErrClosed", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("run still going after Close")
	}
}

func TestSecondRunHitsCache(t *testing.T) {
	r := newRuntime(t)
	for i := range 3 {
		if res := run(t, r, wasmtest.Echo(), []byte("x"), testLimits()); res.Status != StatusOK {
			t.Fatalf("run %d: %s", i, res.Status)
		}
	}
	if n := r.cache.compiles.Load(); n != 1 {
		t.Fatalf("%d compilations for three runs of one module, want 1", n)
	}
	// A different memory limit does not need a new compilation either.
	lim := testLimits()
	lim.MemoryMiB = 2
	run(t, r, wasmtest.Echo(), []byte("x"), lim)
	if n := r.cache.compiles.Load(); n != 1 {
		t.Fatalf("%d compilations after changing the memory limit, want 1", n)
	}
}

func TestCacheIsBounded(t *testing.T) {
	r := newRuntime(t)
	module := func(i int) []byte { return wasmtest.Echo(wasmtest.CustomSection("variant", []byte(fmt.Sprint(i)))) }
	for i := range cacheSize + 1 {
		run(t, r, module(i), nil, testLimits())
	}
	if n := r.cache.compiles.Load(); n != cacheSize+1 {
		t.Fatalf("%d compilations, want %d", n, cacheSize+1)
	}
	if n := len(r.cache.modules); n != cacheSize {
		t.Fatalf("%d modules cached, want %d", n, cacheSize)
	}
	run(t, r, module(cacheSize), nil, testLimits()) // the most recent: still cached
	if n := r.cache.compiles.Load(); n != cacheSize+1 {
		t.Fatalf("most recent module recompiled")
	}
	run(t, r, module(0), nil, testLimits()) // the least recent: evicted
	if n := r.cache.compiles.Load(); n != cacheSize+2 {
		t.Fatalf("evicted module not recompiled")
	}
}

func TestInvalidModuleIsNotCached(t *testing.T) {
	r := newRuntime(t)
	for range 2 {
		if res := run(t, r, wasmtest.NoStart(), nil, testLimits()); res.Status != StatusInvalidModule {
			t.Fatalf("status %s", res.Status)
		}
	}
	if n := len(r.cache.modules); n != 0 {
		t.Fatalf("%d modules cached, want none", n)
	}
}

func TestDeterministic(t *testing.T) {
	// The entropy module prints what a workload could use to behave differently between runs.
	var outputs [][]byte
	for range 2 {
		r := newRuntime(t)
		for range 2 {
			res := run(t, r, wasmtest.Entropy(), nil, testLimits())
			if res.Status != StatusOK || len(res.Output) != 32 {
				t.Fatalf("status %s (%s), %d bytes of output", res.Status, res.Error, len(res.Output))
			}
			outputs = append(outputs, res.Output)
		}
	}
	for i, out := range outputs[1:] {
		if !bytes.Equal(out, outputs[0]) {
			t.Fatalf("run %d printed %x, run 0 printed %x", i+1, out, outputs[0])
		}
	}
	// random_get reads the stream of wazero's default source (math/rand seeded with 42), as it
	// always has: a workload's output does not depend on which version of the worker ran it.
	want := make([]byte, 16)
	_, _ = mrand.New(mrand.NewSource(42)).Read(want)
	if !bytes.Equal(outputs[0][:16], want) {
		t.Fatalf("random_get gave %x, wazero's default source gives %x", outputs[0][:16], want)
	}
}

// A run's linear memory is zero when it starts, also when its buffer served an earlier run.
func TestMemoryStartsZero(t *testing.T) {
	r := newRuntime(t)
	ones := bytes.Repeat([]byte{0xff}, 4096)
	for i := range 4 {
		if res := run(t, r, wasmtest.Echo(), ones, testLimits()); res.Status != StatusOK || !bytes.Equal(res.Output, ones) {
			t.Fatalf("echo: status %s, %d bytes", res.Status, len(res.Output))
		}
		res := run(t, r, wasmtest.Peek(16, 4096), nil, testLimits())
		if res.Status != StatusOK || len(res.Output) != 4096 {
			t.Fatalf("peek: status %s (%s), %d bytes", res.Status, res.Error, len(res.Output))
		}
		if !bytes.Equal(res.Output, make([]byte, 4096)) {
			t.Fatalf("run %d: memory holds %x... from the run before", i, res.Output[:16])
		}
	}
}

func TestConcurrentRuns(t *testing.T) {
	r := newRuntime(t)
	lim := testLimits()
	lim.Timeout = 200 * time.Millisecond
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := range 16 {
		wg.Go(func() {
			input := []byte(fmt.Sprintf("task %d", i))
			module, want := wasmtest.Echo(), StatusOK
			switch i % 4 {
			case 1:
				module, want = wasmtest.Trap(), StatusTrap
			case 2:
				module, want = wasmtest.Spin(), StatusTimeout
			case 3:
				module, want = wasmtest.Grow(64), StatusMemoryLimit
			}
			res, err := r.Run(context.Background(), module, input, lim)
			switch {
			case err != nil:
				errs <- err
			case res.Status != want:
				errs <- fmt.Errorf("task %d: status %s, want %s", i, res.Status, want)
			case want == StatusOK && !bytes.Equal(res.Output, input):
				errs <- fmt.Errorf("task %d: output %q", i, res.Output)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := r.cache.compiles.Load(); n != 4 {
		t.Errorf("%d compilations of 4 modules", n)
	}
}

func TestStatusString(t *testing.T) {
	if s := StatusMemoryLimit.String(); s != "memory_limit" {
		t.Errorf("got %q", s)
	}
	if s := Status(99).String(); s != "Status(99)" {
		t.Errorf("got %q", s)
	}
}

// The customer's check before it pays for an order: a WASI command passes, anything the runtime
// would refuse to run is named.
func TestCheckModule(t *testing.T) {
	ctx := context.Background()
	if err := CheckModule(ctx, wasmtest.Echo()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		module []byte
		want   string
	}{{[]byte("not wasm at all"), "compile"}, {wasmtest.NoStart(), "_start"}} {
		if err := CheckModule(ctx, c.module); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Fatalf("CheckModule: %v, want an error about %s", err, c.want)
		}
	}
}
