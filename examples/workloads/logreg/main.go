// Command logreg runs logistic-regression inference. The first input line holds the weights,
// separated by spaces, the last one being the bias; every further non-empty line is a feature
// vector with one value per weight. For each vector it prints sigmoid(w·x + bias) with 6 decimals.
//
// Only +, -, *, / and math.Exp are used, which give the same bits on every platform. Under
// GOOS=wasip1 math.Exp is the portable Go implementation, so auditors re-executing the module agree
// to the bit; a native build may use an assembly math.Exp whose last bit can differ, far below the
// printed precision.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "logreg:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(nil, 16<<20) // a line is one vector: allow wide ones
	if !sc.Scan() {
		if err := sc.Err(); err != nil {
			return err
		}
		return errors.New("no weights line")
	}
	weights, err := parseFloats(sc.Text())
	if err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	if len(weights) == 0 {
		return errors.New("no weights")
	}
	w, bias := weights[:len(weights)-1], weights[len(weights)-1]

	bw := bufio.NewWriter(out)
	for line := 2; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		x, err := parseFloats(sc.Text())
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		if len(x) != len(w) {
			return fmt.Errorf("line %d: %d features, want %d", line, len(x), len(w))
		}
		z := bias
		for i := range w {
			// The explicit conversion forbids fusing the multiply and the add into an FMA, which
			// some targets do and others do not.
			z += float64(w[i] * x[i])
		}
		p := 1 / (1 + math.Exp(-z))
		bw.WriteString(strconv.FormatFloat(p, 'f', 6, 64))
		bw.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return bw.Flush()
}

func parseFloats(line string) ([]float64, error) {
	fields := strings.Fields(line)
	vs := make([]float64, len(fields))
	for i, f := range fields {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, err
		}
		vs[i] = v
	}
	return vs, nil
}
