// Package fogdbin builds the fogd binary once for a test package that drives it as a process (the
// e2e suite, the multi-validator fault suite, the load generator's test).
package fogdbin

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Main builds fogd into a temporary directory, stores its path in bin, lets prepare build anything
// else the package needs into that directory (nil: nothing), runs the package's tests and removes the
// directory. TestMain calls os.Exit(fogdbin.Main(m, &fogdBin, nil)).
func Main(m *testing.M, bin *string, prepare func(dir string) error) int {
	dir, err := os.MkdirTemp("", "fogd-test-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, "fogd test binary:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	*bin = filepath.Join(dir, "fogd")
	build := exec.Command("go", "build", "-o", *bin, "github.com/fogchain/fog/cmd/fogd")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building fogd:", err)
		return 1
	}
	if prepare != nil {
		if err := prepare(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}
