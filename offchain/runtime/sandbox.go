package runtime

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/rand"
	"sync"

	"github.com/tetratelabs/wazero/experimental"
)

// memoryLimiter backs the linear memory of one instance and refuses to grow it past limit bytes.
// It records the refusal: the workload only sees memory.grow return -1 and then traps or exits in
// its own way (a Go program exits with code 2), and the run must still be reported as having hit
// the memory limit.
type memoryLimiter struct {
	limit uint64
	// exceeded is written by memory.grow, which runs on the goroutine that calls the workload, and
	// read by that goroutine once the call has returned.
	exceeded bool
	// pool gives and takes back the memory's first buffer (nil: none).
	pool *memoryPool
}

// Allocate implements experimental.MemoryAllocator.
func (l *memoryLimiter) Allocate(capacity, _ uint64) experimental.LinearMemory {
	return &linearMemory{limiter: l, buf: l.pool.get(min(capacity, l.limit))}
}

// maxPooledMemory bounds the buffers a memoryPool keeps: small memories are where allocating a
// fresh buffer per run costs most against the run itself.
const maxPooledMemory = 4 << 20

// memoryPool keeps the linear memories of finished runs, zeroed, for the next runs that ask for
// the same capacity: a tiny task otherwise allocates (and the garbage collector reclaims) a 64 KiB
// page or more per run. A buffer in the pool is zero up to its capacity, and is put back only once
// its instance is closed, when no workload can reach it any more.
type memoryPool struct {
	pools sync.Map // capacity in bytes -> *sync.Pool of []byte
}

// get returns a zeroed buffer of length 0 and capacity c.
func (p *memoryPool) get(c uint64) []byte {
	if p != nil && c%pageSize == 0 && c <= maxPooledMemory {
		if pool, ok := p.pools.Load(c); ok {
			if buf, ok := pool.(*sync.Pool).Get().([]byte); ok {
				return buf
			}
		}
	}
	return make([]byte, 0, c)
}

// put zeroes buf and keeps it for a later get. Only the first len(buf) bytes can have been written:
// the workload never sees past len(buf), and the bytes past it are zero as they came.
func (p *memoryPool) put(buf []byte) {
	c := uint64(cap(buf))
	if p == nil || c == 0 || c%pageSize != 0 || c > maxPooledMemory {
		return
	}
	clear(buf)
	pool, _ := p.pools.LoadOrStore(c, &sync.Pool{})
	pool.(*sync.Pool).Put(buf[:0])
}

type linearMemory struct {
	limiter *memoryLimiter
	buf     []byte
}

// Reallocate implements experimental.LinearMemory. Linear memory only grows, and the bytes past
// len(buf) were never visible to the workload, so they are still zero as wasm requires.
func (m *linearMemory) Reallocate(size uint64) []byte {
	if size > m.limiter.limit {
		m.limiter.exceeded = true
		return nil
	}
	if size <= uint64(cap(m.buf)) {
		m.buf = m.buf[:size]
	} else {
		m.buf = append(m.buf, make([]byte, size-uint64(len(m.buf)))...)
	}
	return m.buf
}

// Free implements experimental.LinearMemory. wazero calls it when the instance is closed: after
// the run returned, or by Runtime.Close once the running workloads have stopped.
func (m *linearMemory) Free() {
	m.limiter.pool.put(m.buf)
	m.buf = nil
}

// memorySectionID is the id of the wasm binary section that declares the module's own memory.
const memorySectionID = 5

// declaredMemoryPages returns the initial size, in pages, of the memory a valid module defines, or
// 0 if it defines none. A module whose initial memory is over the limit is refused before it is
// instantiated, because instantiation allocates that memory whatever the limit.
func declaredMemoryPages(module []byte) uint64 {
	r := bytes.NewReader(module[8:]) // past the magic number and the version
	for {
		id, err := r.ReadByte()
		if err != nil {
			return 0
		}
		size, err := binary.ReadUvarint(r) // wasm integers are LEB128, as uvarints are
		if err != nil {
			return 0
		}
		if id != memorySectionID {
			if _, err := r.Seek(int64(size), io.SeekCurrent); err != nil {
				return 0
			}
			continue
		}
		count, err := binary.ReadUvarint(r)
		if err != nil || count == 0 {
			return 0
		}
		if _, err := r.ReadByte(); err != nil { // limits flags: whether a maximum follows
			return 0
		}
		pages, err := binary.ReadUvarint(r)
		if err != nil {
			return 0
		}
		return pages
	}
}

// boundedBuffer keeps the first limit bytes written to it. Past the limit, it calls overflow and
// returns its error; without overflow, it drops the rest silently.
type boundedBuffer struct {
	buf      []byte
	limit    int
	overflow func() error
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	room := b.limit - len(b.buf)
	if len(p) <= room {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	b.buf = append(b.buf, p[:room]...)
	if b.overflow == nil {
		return len(p), nil
	}
	return room, b.overflow()
}

// randSeed is the seed of wazero's default random source (its NewFakeRandSource), whose stream
// workloads have always read from random_get: every run reads the same bytes, on every worker.
const randSeed = 42

// fixedRand is that same stream, seeded on the first read: seeding math/rand fills a 607-word
// table, which a workload that never asks for random bytes need not pay for.
type fixedRand struct{ r *rand.Rand }

func (f *fixedRand) Read(p []byte) (int, error) {
	if f.r == nil {
		f.r = rand.New(rand.NewSource(randSeed))
	}
	return f.r.Read(p)
}
