package workloads_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fogchain/fog/offchain/runtime"
	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

// TestMatmulCMatchesGo builds matmul-c natively and for WASI with clang, and checks that both
// print what the Go matmul prints, with the same exit code, under the runtime too. It is skipped,
// naming the Debian packages, where clang with wasi-libc is missing.
func TestMatmulCMatchesGo(t *testing.T) {
	clang := wasmtest.Clang(t)
	dir := t.TempDir()
	native, wasm := filepath.Join(dir, "matmul-c"), filepath.Join(dir, "matmul-c.wasm")
	wasmtest.BuildC(t, clang, native, false, "matmul-c/matmul.c")
	wasmtest.BuildC(t, clang, wasm, true, "matmul-c/matmul.c")
	module, err := os.ReadFile(wasm)
	if err != nil {
		t.Fatal(err)
	}
	r, err := runtime.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())

	big := fmt.Sprintf("2\n%d %d\n-1 +2\n%d 3\n4 %d\n", int64(1)<<62, -(int64(1) << 62), int64(1)<<62, -(int64(1) << 62))
	for i, input := range []string{
		"2\n1 2\n3 4\n5 6\n7 8\n",
		string(sampleMatrices(40)),
		big,                          // wraps on overflow
		"1\t-9223372036854775808\n1", // the smallest int64
		"2\n1 2 3\n",                 // short
		"1\n1\n1\n1\n",               // continues
		"0\n",                        // n out of range
		"1\n9223372036854775808\n1",  // entry out of range
		"1\n1x\n1",                   // not a number
		"",
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			want, wantExit := runNative(t, "matmul", []byte(input))
			got, gotExit := runProgram(t, native, []byte(input))
			if gotExit != wantExit || !bytes.Equal(got, want) {
				t.Fatalf("native C: exit %d, output %.200q; Go: exit %d, output %.200q", gotExit, got, wantExit, want)
			}
			res, err := r.Run(context.Background(), module, []byte(input), runtime.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			if int(res.ExitCode) != wantExit || !bytes.Equal(res.Output, want) {
				t.Fatalf("wasm C: status %s, exit %d, output %.200q; Go: exit %d, output %.200q", res.Status, res.ExitCode, res.Output, wantExit, want)
			}
		})
	}
}
