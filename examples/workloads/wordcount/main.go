// Command wordcount counts the words of its input: one "word count" line per distinct word, sorted
// by word, then a "total N" line. Words are maximal runs of non-space characters, compared exactly
// (case and punctuation included).
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wordcount:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out io.Writer) error {
	text, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	counts := map[string]int{}
	total := 0
	for _, w := range strings.Fields(string(text)) {
		counts[w]++
		total++
	}
	// Map order differs between runs: print in word order so that the output is reproducible.
	words := make([]string, 0, len(counts))
	for w := range counts {
		words = append(words, w)
	}
	slices.Sort(words)
	bw := bufio.NewWriter(out)
	for _, w := range words {
		fmt.Fprintf(bw, "%s %d\n", w, counts[w])
	}
	fmt.Fprintf(bw, "total %d\n", total)
	return bw.Flush()
}
