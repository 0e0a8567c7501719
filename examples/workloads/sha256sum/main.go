// Command sha256sum prints the hex sha256 of its input, followed by a newline.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sha256sum:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	h := sha256.New()
	if _, err := io.Copy(h, in); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out, hex.EncodeToString(h.Sum(nil)))
	return err
}
