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

// BenchmarkMatmulWasmVsNative runs the matmul example workload as its native binary and as WASM
// under the Runtime, on the same input. The native side is a process because the workload is a
// main package, which cannot be linked into this test; n=1 measures each side's fixed cost (process
// start, or instantiation of the Go runtime in wasm) so that it can be subtracted from n=100.
func BenchmarkMatmulWasmVsNative(b *testing.B) {
	dir := b.TempDir()
	native, wasm := filepath.Join(dir, "matmul"), filepath.Join(dir, "matmul.wasm")
	const pkg = "../../examples/workloads/matmul"
	for out, env := range map[string][]string{native: nil, wasm: {"GOOS=wasip1", "GOARCH=wasm"}} {
		cmd := exec.Command("go", "build", "-o", out, pkg)
		cmd.Env = append(os.Environ(), env...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("go build %v: %v\n%s", env, err, msg)
		}
	}
	module, err := os.ReadFile(wasm)
	if err != nil {
		b.Fatal(err)
	}
	r := newRuntime(b)
	ctx := context.Background()
	if _, err := r.Run(ctx, module, nil, DefaultLimits()); err != nil { // compile before timing
		b.Fatal(err)
	}

	for _, n := range []int{1, 100} {
		input := matrices(n)
		want, err := runProcess(native, input)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("native/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := runProcess(native, input); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("wasm/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				res, err := r.Run(ctx, module, input, DefaultLimits())
				if err != nil || res.Status != StatusOK || !bytes.Equal(res.Output, want) {
					b.Fatalf("%v %s %s: output differs from native", err, res.Status, res.Error)
				}
			}
		})
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
