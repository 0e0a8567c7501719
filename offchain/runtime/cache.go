package runtime

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/tetratelabs/wazero"
)

// cacheSize bounds the compiled modules kept: a provider serves a few leases at a time, and a
// compiled module holds its machine code.
const cacheSize = 32

// cachedModule is one module, compiled once and shared by the runs that use it.
type cachedModule struct {
	hash [32]byte
	elem *list.Element
	// ready is closed once compiled, minPages and invalid are set.
	ready    chan struct{}
	compiled wazero.CompiledModule
	minPages uint64 // memory the module declares, checked against each run's limit
	invalid  error  // why the module cannot run; such a module is not kept
	// refs counts the runs using the module: an evicted module is closed only when the last one
	// is done, so that no run uses a module wazero has been told to forget.
	refs    int
	evicted bool
}

// moduleCache holds compiled modules by sha256 of their bytes, least recently used evicted first.
type moduleCache struct {
	wasm wazero.Runtime
	size int
	// instrument: modules get the interrupt flag and its checks before they are compiled.
	instrument bool

	mu      sync.Mutex
	modules map[[32]byte]*cachedModule
	lru     *list.List // front: most recently used
	closed  bool

	compiles atomic.Uint64 // how many modules were compiled; tests read it to see cache hits
}

func newModuleCache(w wazero.Runtime, size int, instrument bool) *moduleCache {
	return &moduleCache{wasm: w, size: size, instrument: instrument, modules: map[[32]byte]*cachedModule{}, lru: list.New()}
}

// acquire returns the module for hash, compiling it unless it is cached or being compiled by
// another run. The caller releases it. A module that cannot run comes back with invalid set.
func (c *moduleCache) acquire(ctx context.Context, hash [32]byte, module []byte) (*cachedModule, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, ErrClosed
	}
	if m, ok := c.modules[hash]; ok {
		m.refs++
		c.lru.MoveToFront(m.elem)
		c.mu.Unlock()
		select {
		case <-m.ready:
			return m, nil
		case <-ctx.Done():
			c.release(m)
			return nil, fmt.Errorf("waiting for compilation: %w", context.Cause(ctx))
		}
	}
	m := &cachedModule{hash: hash, ready: make(chan struct{}), refs: 1}
	m.elem = c.lru.PushFront(m)
	c.modules[hash] = m
	c.evictLocked()
	c.mu.Unlock()

	c.compile(ctx, m, module)
	if m.invalid != nil {
		c.mu.Lock()
		c.removeLocked(m)
		c.mu.Unlock()
	}
	close(m.ready)
	return m, nil
}

func (c *moduleCache) compile(ctx context.Context, m *cachedModule, module []byte) {
	c.compiles.Add(1)
	// The shape check comes first: wazero (also when it only explains a refusal below) sizes its
	// slices from the counts a module declares.
	if err := checkModuleShape(module); err != nil {
		m.invalid = fmt.Errorf("compile: %w", err)
		return
	}
	code := module
	if c.instrument {
		var err error
		if code, err = instrument(module); errors.Is(err, errMalformed) {
			// Not compiled as it is: instrument refuses some modules that would make wazero
			// allocate without bound.
			m.invalid = fmt.Errorf("compile: %w", err)
			return
		} else if err != nil {
			// Say why wazero refuses the module, or why it is no command, if it is: those are the
			// more useful messages.
			compiled, cerr := c.wasm.CompileModule(ctx, module)
			if cerr != nil {
				m.invalid = fmt.Errorf("compile: %w", cerr)
				return
			}
			defer compiled.Close(ctx)
			if m.invalid = checkCommand(compiled); m.invalid == nil {
				m.invalid = fmt.Errorf("compile: the runtime cannot bound its run time: %w", err)
			}
			return
		}
	}
	compiled, err := c.wasm.CompileModule(ctx, code)
	if err != nil {
		m.invalid = fmt.Errorf("compile: %w", err)
		return
	}
	if err := checkCommand(compiled); err != nil {
		_ = compiled.Close(ctx)
		m.invalid = err
		return
	}
	m.compiled = compiled
	// wazero has validated the module, so its memory section can be trusted to be well formed.
	m.minPages = declaredMemoryPages(module)
}

// release ends a run's use of m.
func (c *moduleCache) release(m *cachedModule) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m.refs--
	c.closeIfUnusedLocked(m)
}

func (c *moduleCache) evictLocked() {
	for c.lru.Len() > c.size {
		c.removeLocked(c.lru.Back().Value.(*cachedModule))
	}
}

func (c *moduleCache) removeLocked(m *cachedModule) {
	if m.evicted {
		return
	}
	m.evicted = true
	c.lru.Remove(m.elem)
	delete(c.modules, m.hash)
	c.closeIfUnusedLocked(m)
}

func (c *moduleCache) closeIfUnusedLocked(m *cachedModule) {
	if m.evicted && m.refs == 0 && m.compiled != nil {
		// Closing a compiled module only drops wazero's reference to its code.
		_ = m.compiled.Close(context.Background())
		m.compiled = nil
	}
}

func (c *moduleCache) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// close evicts every module and refuses new ones.
func (c *moduleCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for c.lru.Len() > 0 {
		c.removeLocked(c.lru.Back().Value.(*cachedModule))
	}
}
