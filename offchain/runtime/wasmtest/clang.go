package wasmtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// ClangPackages are the Debian packages that build C for WASI preview 1: the compiler, the wasm
// linker, the C library and the compiler's wasm32 runtime library.
const ClangPackages = "clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32"

// Clang returns a clang that can build C into WASI commands (FindClang); the test is skipped,
// naming the packages it needs, if there is none.
func Clang(tb testing.TB) string {
	tb.Helper()
	clang, err := FindClang()
	if err != nil {
		tb.Skip(err)
	}
	return clang
}

// FindClang returns a clang that can build C into WASI commands, trying $CLANG, clang and clang-14
// in that order, or an error naming the packages it needs.
func FindClang() (string, error) {
	candidates := []string{"clang", "clang-14"}
	if c := os.Getenv("CLANG"); c != "" {
		candidates = []string{c}
	}
	dir, err := os.MkdirTemp("", "clang-probe")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "probe.c")
	if err := os.WriteFile(src, []byte("int main(void) { return 0; }\n"), 0o600); err != nil {
		return "", err
	}
	for _, c := range candidates {
		path, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		if exec.Command(path, "--target=wasm32-wasi", "-O2", "-o", filepath.Join(dir, "probe.wasm"), src).Run() == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("needs clang with wasi-libc to build C workloads (Debian: apt-get install %s)", ClangPackages)
}

// BuildC compiles C sources with clang -O2 into out: a WASI command if wasm, else a native program.
// For WASM it enables 128-bit SIMD (-msimd128), part of WebAssembly 2.0 and compiled by wazero, as
// native x86-64 code gets SSE2 by default: each build may vectorize with its target's baseline.
func BuildC(tb testing.TB, clang, out string, wasm bool, srcs ...string) {
	tb.Helper()
	args := []string{"-O2", "-o", out}
	if wasm {
		args = append(args, "--target=wasm32-wasi", "-msimd128")
	}
	if msg, err := exec.Command(clang, append(args, srcs...)...).CombinedOutput(); err != nil {
		tb.Fatalf("%s %v: %v\n%s", clang, args, err, msg)
	}
}
