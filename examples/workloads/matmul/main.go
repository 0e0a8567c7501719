// Command matmul multiplies two square integer matrices. The input is n, then the n×n entries of A
// and of B, row by row, all separated by white space; the output is A×B, one row per line with
// entries separated by one space. Arithmetic is on int64 and wraps on overflow, as Go defines it,
// so that every platform prints the same product.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
)

// maxN bounds n so that a malformed size cannot make the program allocate without limit before it
// finds the input short.
const maxN = 4096

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "matmul:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Split(bufio.ScanWords)
	next := func() (int64, error) {
		if !sc.Scan() {
			if err := sc.Err(); err != nil {
				return 0, err
			}
			return 0, io.ErrUnexpectedEOF
		}
		return strconv.ParseInt(sc.Text(), 10, 64)
	}
	n64, err := next()
	if err != nil {
		return fmt.Errorf("reading n: %w", err)
	}
	if n64 < 1 || n64 > maxN {
		return fmt.Errorf("n = %d, want 1..%d", n64, maxN)
	}
	n := int(n64)
	a, b := make([]int64, n*n), make([]int64, n*n)
	for _, m := range [][]int64{a, b} {
		for i := range m {
			if m[i], err = next(); err != nil {
				return fmt.Errorf("reading entry %d: %w", i, err)
			}
		}
	}
	if sc.Scan() {
		return errors.New("input continues after the second matrix")
	}

	c := make([]int64, n*n)
	// i-k-j order walks B and C row by row, which keeps the inner loop in cache.
	for i := range n {
		ci := c[i*n : (i+1)*n]
		for k := range n {
			aik := a[i*n+k]
			bk := b[k*n : (k+1)*n]
			for j := range n {
				ci[j] += aik * bk[j]
			}
		}
	}

	bw := bufio.NewWriter(out)
	var num []byte
	for i := range n {
		for j := range n {
			if j > 0 {
				bw.WriteByte(' ')
			}
			num = strconv.AppendInt(num[:0], c[i*n+j], 10)
			bw.Write(num)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
