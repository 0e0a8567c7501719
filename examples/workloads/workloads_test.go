package workloads_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fogchain/fog/offchain/runtime"
)

var workloads = []string{"wordcount", "sha256sum", "matmul", "logreg"}

// binDir holds <name> (native) and <name>.wasm for every workload, built once by TestMain.
var binDir string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "workloads")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	for _, name := range workloads {
		if err := build(filepath.Join(dir, name+".wasm"), name, "GOOS=wasip1", "GOARCH=wasm"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		if err := build(filepath.Join(dir, name), name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	binDir = dir
	return m.Run()
}

func build(out, name string, env ...string) error {
	cmd := exec.Command("go", "build", "-o", out, "./"+name)
	cmd.Env = append(os.Environ(), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s %v: %v\n%s", name, env, err, msg)
	}
	return nil
}

// runNative runs the natively built workload; exit reports its exit code.
func runNative(t *testing.T, name string, input []byte) (out []byte, exit int) {
	t.Helper()
	return runProgram(t, filepath.Join(binDir, name), input)
}

// runProgram runs a native program; exit reports its exit code.
func runProgram(t *testing.T, path string, input []byte) (out []byte, exit int) {
	t.Helper()
	cmd := exec.Command(path)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	var exitErr *exec.ExitError
	switch {
	case errors.As(err, &exitErr):
		return out, exitErr.ExitCode()
	case err != nil:
		t.Fatalf("native %s: %v", path, err)
	}
	return out, 0
}

func runWasm(t *testing.T, r *runtime.Runtime, name string, input []byte) runtime.Result {
	t.Helper()
	module, err := os.ReadFile(filepath.Join(binDir, name+".wasm"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(context.Background(), module, input, runtime.DefaultLimits())
	if err != nil {
		t.Fatalf("wasm %s: %v", name, err)
	}
	return res
}

// sampleMatrices is the matmul input for two n×n matrices with small, varied entries.
func sampleMatrices(n int) []byte {
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

func TestWasmMatchesNative(t *testing.T) {
	r, err := runtime.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())

	cases := []struct {
		workload string
		input    string
		want     string // checked when set; the native output is always checked
		exitCode int
	}{
		{workload: "wordcount", input: "the fog and the cloud\nthe  edge\n",
			want: "and 1\ncloud 1\nedge 1\nfog 1\nthe 3\ntotal 7\n"},
		{workload: "wordcount", input: "", want: "total 0\n"},
		{workload: "sha256sum", input: "hello world\n",
			want: "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447\n"},
		{workload: "sha256sum", input: "",
			want: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"},
		{workload: "sha256sum", input: strings.Repeat("0123456789abcdef", 1<<16)}, // 1 MiB
		{workload: "matmul", input: "2\n1 2\n3 4\n5 6\n7 8\n", want: "19 22\n43 50\n"},
		{workload: "matmul", input: string(sampleMatrices(40))},
		{workload: "matmul", input: "2\n1 2 3\n", exitCode: 1},
		{workload: "logreg", input: "1 0\n0\n2\n-1.5\n\n", want: "0.500000\n0.880797\n0.182426\n"},
		{workload: "logreg", input: "0.5 -0.25 0.1\n1 2\n", want: "0.524979\n"},
		{workload: "logreg", input: "1 2 3\n1\n", exitCode: 1},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/%d", tc.workload, i), func(t *testing.T) {
			input := []byte(tc.input)
			native, nativeExit := runNative(t, tc.workload, input)
			if nativeExit != tc.exitCode {
				t.Fatalf("native exit code %d, want %d", nativeExit, tc.exitCode)
			}
			res := runWasm(t, r, tc.workload, input)
			wantStatus := runtime.StatusOK
			if tc.exitCode != 0 {
				wantStatus = runtime.StatusExit
			}
			if res.Status != wantStatus || res.ExitCode != uint32(tc.exitCode) {
				t.Fatalf("wasm: status %s, exit code %d (%s), want %s, exit code %d; stderr %q",
					res.Status, res.ExitCode, res.Error, wantStatus, tc.exitCode, res.Stderr)
			}
			if !bytes.Equal(res.Output, native) {
				t.Errorf("wasm output differs from native:\nwasm   %.200q\nnative %.200q", res.Output, native)
			}
			if tc.want != "" && string(res.Output) != tc.want {
				t.Errorf("output %q, want %q", res.Output, tc.want)
			}
			if again := runWasm(t, r, tc.workload, input); !bytes.Equal(again.Output, res.Output) {
				t.Errorf("second wasm run printed %.200q, first %.200q", again.Output, res.Output)
			}
		})
	}
}
