package runtime

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

// BenchmarkTinyTask is the per-task floor: a module that does nearly nothing (echo of 64 bytes),
// already compiled, so what is measured is instantiation, the WASI calls and teardown.
func BenchmarkTinyTask(b *testing.B) {
	r := newRuntime(b)
	module, input := wasmtest.Echo(), bytes.Repeat([]byte("x"), 64)
	ctx := context.Background()
	if _, err := r.Run(ctx, module, input, DefaultLimits()); err != nil { // compile before b.Loop starts the timer
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := r.Run(ctx, module, input, DefaultLimits())
		if err != nil || res.Status != StatusOK {
			b.Fatalf("%v %s %s", err, res.Status, res.Error)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkMatmulWasmVsNative runs the matmul example workload, written in Go (examples/workloads/matmul)
// and in C (examples/workloads/matmul-c), as native programs and as WASM under the Runtime, on the
// same input, in the same run. The native sides are processes because the workloads are programs;
// n=1 measures each side's fixed cost (process start, or instantiating the module and its language
// runtime) so that it can be subtracted from n=300. Each WASM side runs under the three ways of
// bounding a run's time: the runtime's own (instrumented modules, "wasm"), wazero's
// WithCloseOnContextDone ("wasm-wazero-checks"), and none at all ("wasm-unbounded", which could
// not stop a runaway workload and is there only to show what the others cost). The C side needs
// clang with wasi-libc and is skipped without it.
func BenchmarkMatmulWasmVsNative(b *testing.B) {
	dir := b.TempDir()
	type program struct{ native, wasm string }
	programs := map[string]program{}
	goNative, goWasm := filepath.Join(dir, "matmul"), filepath.Join(dir, "matmul.wasm")
	const pkg = "../../examples/workloads/matmul"
	for out, env := range map[string][]string{goNative: nil, goWasm: {"GOOS=wasip1", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Env = append(os.Environ(), env...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %v: %v\n%s", env, err, msg)
		}
	}
	programs["go"] = program{goNative, goWasm}
	toolchains := []string{"go"}
	if clang, err := wasmtest.FindClang(); err != nil {
		b.Logf("C workload skipped: %v", err)
	} else {
		src := "../../examples/workloads/matmul-c/matmul.c"
		p := program{filepath.Join(dir, "matmul-c"), filepath.Join(dir, "matmul-c.wasm")}
		wasmtest.BuildC(b, clang, p.native, false, src)
		wasmtest.BuildC(b, clang, p.wasm, true, src)
		programs["c"] = p
		toolchains = append(toolchains, "c")
	}

	ctx := context.Background()
	schemes := []struct {
		name   string
		scheme interruptScheme
	}{{"wasm", interruptFlag}, {"wasm-wazero-checks", interruptWazero}, {"wasm-unbounded", interruptNone}}
	runtimes := make([]*Runtime, len(schemes))
	for i, s := range schemes {
		r, err := newRuntimeWith(ctx, s.scheme)
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close(ctx)
		runtimes[i] = r
	}
	for _, n := range []int{1, 300} {
		input := matrices(n)
		for _, tc := range toolchains {
			p := programs[tc]
			module, err := os.ReadFile(p.wasm)
			if err != nil {
				b.Fatal(err)
			}
			want, err := runProcess(p.native, input)
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("%s/native/n=%d", tc, n), func(b *testing.B) {
				for b.Loop() {
					if _, err := runProcess(p.native, input); err != nil {
						b.Fatal(err)
					}
				}
			})
			for i, s := range schemes {
				r := runtimes[i]
				if _, err := r.Run(ctx, module, nil, DefaultLimits()); err != nil { // compile before timing
					b.Fatal(err)
				}
				b.Run(fmt.Sprintf("%s/%s/n=%d", tc, s.name, n), func(b *testing.B) {
					for b.Loop() {
						res, err := r.Run(ctx, module, input, DefaultLimits())
						if err != nil || res.Status != StatusOK || !bytes.Equal(res.Output, want) {
							b.Fatalf("%v %s %s: output differs from native", err, res.Status, res.Error)
						}
					}
				})
			}
		}
	}
}

func runProcess(path string, input []byte) ([]byte, error) {
	cmd := exec.Command(path)
	cmd.Stdin = bytes.NewReader(input)
	return cmd.Output()
}

// matrices is the matmul input for two n×n matrices with small, varied entries.
func matrices(n int) []byte {
	var b strings.Builder
	fmt.Fprintln(&b, n)
	for m := range 2 {
		for i := range n {
			for j := range n {
				fmt.Fprintf(&b, "%d ", (i*7+j*3+m*5)%19-9)
			}
			b.WriteByte('\n')
		}
	}
	return []byte(b.String())
}
