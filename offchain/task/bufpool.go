package task

import (
	"bufio"
	"io"
	"sync"
)

// Buffered readers and writers of streams are pooled: a task's stream needs them for a few
// round trips, and allocating 4 KiB buffers for each task was a tenth of a tiny task's allocations.
var (
	readers = sync.Pool{New: func() any { return bufio.NewReader(nil) }}
	writers = sync.Pool{New: func() any { return bufio.NewWriter(nil) }}
)

func getReader(r io.Reader) *bufio.Reader {
	br := readers.Get().(*bufio.Reader)
	br.Reset(r)
	return br
}

// putReader returns br to the pool; nothing may use it afterwards.
func putReader(br *bufio.Reader) {
	br.Reset(nil)
	readers.Put(br)
}

func getWriter(w io.Writer) *bufio.Writer {
	bw := writers.Get().(*bufio.Writer)
	bw.Reset(w)
	return bw
}

// putWriter returns bw to the pool, unflushed bytes dropped; nothing may use it afterwards.
func putWriter(bw *bufio.Writer) {
	bw.Reset(nil)
	writers.Put(bw)
}
