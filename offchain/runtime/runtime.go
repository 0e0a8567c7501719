package runtime

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
	"github.com/tetratelabs/wazero/sys"
)

var (
	// ErrTooLarge: the module or the input is over its size limit; nothing was compiled or run.
	ErrTooLarge = errors.New("workload too large")
	// ErrInvalidLimits: the limits cannot bound a run (zero memory or time, negative sizes).
	ErrInvalidLimits = errors.New("invalid limits")
	// ErrClosed: the Runtime has been closed.
	ErrClosed = errors.New("runtime closed")
)

const (
	// programName is the only argument a workload sees; a fixed value keeps argv identical on
	// every machine.
	programName = "workload"
	// stderrLimit bounds the diagnostics kept from a run; the rest is dropped silently so that a
	// chatty workload is not stopped for it.
	stderrLimit = 4 << 10
	pageSize    = 64 << 10
	// maxPages is the whole wasm32 address space: a larger limit bounds nothing more.
	maxPages = 1 << 16
	// startFunction is the WASI command entry point.
	startFunction = "_start"
)

// The causes a run's context is cancelled with, so that the end of a run can tell which limit
// stopped it from a cancellation by the caller.
var (
	errTimeout     = errors.New("time limit")
	errOutputLimit = errors.New("output limit")
)

// Limits bound one run.
type Limits struct {
	MemoryMiB      uint64        // max linear memory of the instance (the order's memory_mib); 0 is refused
	Timeout        time.Duration // wall time limit of one run (instantiation and execution)
	MaxModuleBytes int           // a larger module is refused before compiling
	MaxInputBytes  int           // a larger input is refused
	MaxOutputBytes int           // stdout beyond this stops the run with StatusOutputLimit
}

// DefaultLimits are the limits a worker uses unless configured otherwise.
func DefaultLimits() Limits {
	return Limits{
		MemoryMiB:      512,
		Timeout:        10 * time.Second,
		MaxModuleBytes: 64 << 20,
		MaxInputBytes:  16 << 20,
		MaxOutputBytes: 16 << 20,
	}
}

func (l Limits) validate() error {
	switch {
	case l.MemoryMiB == 0:
		return fmt.Errorf("%w: memory limit is zero", ErrInvalidLimits)
	case l.Timeout <= 0:
		return fmt.Errorf("%w: timeout %s", ErrInvalidLimits, l.Timeout)
	case l.MaxModuleBytes <= 0:
		return fmt.Errorf("%w: module size limit %d", ErrInvalidLimits, l.MaxModuleBytes)
	case l.MaxInputBytes < 0, l.MaxOutputBytes < 0:
		return fmt.Errorf("%w: input limit %d, output limit %d", ErrInvalidLimits, l.MaxInputBytes, l.MaxOutputBytes)
	}
	return nil
}

func (l Limits) memoryPages() uint32 {
	if l.MemoryMiB >= maxPages*pageSize>>20 {
		return maxPages
	}
	return uint32(l.MemoryMiB << 20 / pageSize)
}

// Status is the outcome of a run. The values are written into signed receipts: never renumber them.
type Status int

const (
	StatusOK            Status = iota // the workload exited with code 0
	StatusExit                        // the workload exited with a non-zero code
	StatusTrap                        // the workload trapped (unreachable, out-of-bounds access, ...)
	StatusTimeout                     // the run exceeded Limits.Timeout
	StatusMemoryLimit                 // the workload needed more memory than Limits.MemoryMiB
	StatusOutputLimit                 // the workload wrote more than Limits.MaxOutputBytes to stdout
	StatusInvalidModule               // the module does not compile, link, or export _start
)

var statusNames = [...]string{
	StatusOK:            "ok",
	StatusExit:          "exit",
	StatusTrap:          "trap",
	StatusTimeout:       "timeout",
	StatusMemoryLimit:   "memory_limit",
	StatusOutputLimit:   "output_limit",
	StatusInvalidModule: "invalid_module",
}

func (s Status) String() string {
	if s >= 0 && int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is what a run produced.
type Result struct {
	Status   Status
	ExitCode uint32 // the WASI exit code when Status is StatusOK or StatusExit
	// Output is what the workload wrote to stdout, cut at Limits.MaxOutputBytes; kept also when the
	// run failed.
	Output     []byte
	Stderr     []byte        // the first 4 KiB of stderr
	Error      string        // why the run failed, when Status != StatusOK
	Duration   time.Duration // wall time of instantiation and execution, compilation excluded
	ModuleHash [32]byte      // sha256 of the module bytes
}

// Runtime runs workloads; it is safe for concurrent use. Compiled modules are kept, up to
// cacheSize of them, so that the tasks of a lease compile their module once.
type Runtime struct {
	wasm      wazero.Runtime
	cache     *moduleCache
	interrupt interruptScheme

	// closing is cancelled by Close, which interrupts the runs still going and waits for them
	// (running) before it releases their compiled code.
	closing context.Context
	kill    context.CancelFunc
	mu      sync.Mutex
	closed  bool
	running sync.WaitGroup
	// memory keeps the linear memories of finished runs for the next ones
	memory memoryPool
}

// interruptScheme is how a run that passes its time limit is stopped. Only interruptFlag is used
// outside benchmarks; the others are there to measure what it costs.
type interruptScheme int

const (
	// interruptFlag: the module is instrumented with an inline check of a flag the runtime sets
	// (interrupt.go).
	interruptFlag interruptScheme = iota
	// interruptWazero: wazero's WithCloseOnContextDone, a call into the engine at every loop header.
	interruptWazero
	// interruptNone: no check at all; a workload that never returns cannot be stopped.
	interruptNone
)

// New starts a Runtime. Close releases it.
func New(ctx context.Context) (*Runtime, error) { return newRuntimeWith(ctx, interruptFlag) }

func newRuntimeWith(ctx context.Context, scheme interruptScheme) (*Runtime, error) {
	// The memory limit differs per order, so it is enforced per instance by a memoryLimiter rather
	// than by RuntimeConfig.WithMemoryLimitPages: that would need a runtime, and a compilation, per
	// limit, and it refuses a memory.grow without a trace that the limit was the reason.
	cfg := wazero.NewRuntimeConfig().WithCloseOnContextDone(scheme == interruptWazero)
	w := wazero.NewRuntimeWithConfig(ctx, cfg)
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, w); err != nil {
		_ = w.Close(ctx)
		return nil, fmt.Errorf("instantiate WASI: %w", err)
	}
	closing, kill := context.WithCancel(context.Background())
	return &Runtime{wasm: w, cache: newModuleCache(w, cacheSize, scheme == interruptFlag), interrupt: scheme,
		closing: closing, kill: kill}, nil
}

// Close releases the compiled modules; runs still going are interrupted and return ErrClosed.
func (r *Runtime) Close(ctx context.Context) error {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.cache.close()
	if r.interrupt == interruptFlag {
		r.kill()
		r.running.Wait()
	}
	err := r.wasm.Close(ctx)
	r.kill()
	return err
}

// enter counts a run in, unless the Runtime is closed.
func (r *Runtime) enter() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.running.Add(1)
	return true
}

// Run executes module with input as stdin, within lim. A workload failure (trap, timeout, memory,
// non-zero exit, invalid module, output limit) is a Result with that Status and a nil error. The
// error is for a run that could not be attempted: limits that are invalid, a module or input over
// its size limit (ErrTooLarge, checked before anything is compiled), a closed Runtime, or ctx
// ending before the run did.
func (r *Runtime) Run(ctx context.Context, module, input []byte, lim Limits) (Result, error) {
	if err := lim.validate(); err != nil {
		return Result{}, err
	}
	if len(module) > lim.MaxModuleBytes {
		return Result{}, fmt.Errorf("%w: module is %d bytes, limit %d", ErrTooLarge, len(module), lim.MaxModuleBytes)
	}
	if len(input) > lim.MaxInputBytes {
		return Result{}, fmt.Errorf("%w: input is %d bytes, limit %d", ErrTooLarge, len(input), lim.MaxInputBytes)
	}
	if !r.enter() {
		return Result{}, ErrClosed
	}
	defer r.running.Done()
	res := Result{ModuleHash: sha256.Sum256(module)}

	m, err := r.cache.acquire(ctx, res.ModuleHash, module)
	if err != nil {
		return Result{}, err
	}
	defer r.cache.release(m)
	if m.invalid != nil {
		return res.fail(StatusInvalidModule, m.invalid.Error()), nil
	}
	if pages := lim.memoryPages(); m.minPages > uint64(pages) {
		return res.fail(StatusMemoryLimit, fmt.Sprintf("module declares %d pages of memory, limit is %d", m.minPages, pages)), nil
	}
	return r.execute(ctx, m.compiled, input, lim, res)
}

func (r *Runtime) execute(ctx context.Context, compiled wazero.CompiledModule, input []byte, lim Limits, res Result) (Result, error) {
	runCtx, cancelTimeout := context.WithTimeoutCause(ctx, lim.Timeout, errTimeout)
	defer cancelTimeout()
	runCtx, stop := context.WithCancelCause(runCtx)
	defer stop(nil)
	mem := &memoryLimiter{limit: uint64(lim.memoryPages()) * pageSize, pool: &r.memory}
	runCtx = experimental.WithMemoryAllocator(runCtx, mem)

	// A workload may ignore the write error and keep writing, so the limit also ends the run.
	stdout := &boundedBuffer{limit: lim.MaxOutputBytes, overflow: func() error {
		stop(errOutputLimit)
		return errOutputLimit
	}}
	stderr := &boundedBuffer{limit: stderrLimit}
	cfg := wazero.NewModuleConfig().
		WithName(""). // anonymous, so that one module can run concurrently
		WithArgs(programName).
		WithStdin(bytes.NewReader(input)).
		WithStdout(stdout).
		WithStderr(stderr).
		WithRandSource(&fixedRand{}).
		// _start is called below rather than by instantiation, so that a failure to link is told
		// apart from a failure of the workload.
		WithStartFunctions()

	start := time.Now()
	mod, err := r.wasm.InstantiateModule(runCtx, compiled, cfg)
	instantiated := err == nil
	if instantiated {
		stopInterrupts := r.armInterrupt(runCtx, mod)
		_, err = mod.ExportedFunction(startFunction).Call(runCtx)
		stopInterrupts()
		_ = mod.Close(context.WithoutCancel(ctx))
	}
	res.Duration = time.Since(start)
	res.Output, res.Stderr = stdout.buf, stderr.buf

	var exit *sys.ExitError
	isExit := errors.As(err, &exit)
	cause := context.Cause(runCtx)
	switch {
	case r.cache.isClosed():
		// Close ends running instances as if they exited with code 0: the output may be cut short.
		return Result{}, ErrClosed
	case cause == errOutputLimit:
		return res.fail(StatusOutputLimit, fmt.Sprintf("stdout exceeds %d bytes", lim.MaxOutputBytes)), nil
	case err == nil || isExit && exit.ExitCode() == 0:
		return res, nil
	case mem.exceeded:
		return res.fail(StatusMemoryLimit, fmt.Sprintf("memory exceeds %d MiB: %v", lim.MemoryMiB, err)), nil
	case cause == errTimeout:
		return res.fail(StatusTimeout, fmt.Sprintf("run exceeds %s", lim.Timeout)), nil
	case ctx.Err() != nil:
		return Result{}, fmt.Errorf("run interrupted: %w", context.Cause(ctx))
	case isExit:
		res = res.fail(StatusExit, fmt.Sprintf("exit code %d", exit.ExitCode()))
		res.ExitCode = exit.ExitCode()
		return res, nil
	case !instantiated:
		return res.fail(StatusInvalidModule, fmt.Sprintf("instantiate: %v", err)), nil
	default:
		return res.fail(StatusTrap, err.Error()), nil
	}
}

// armInterrupt makes the end of runCtx, or the closing of the Runtime, set the interrupt flag of an
// instrumented instance. The returned function disarms it, waiting for a flag being set, so that
// nothing touches the instance once it is closed.
func (r *Runtime) armInterrupt(runCtx context.Context, mod api.Module) (disarm func()) {
	if r.interrupt != interruptFlag {
		return func() {}
	}
	flag := mod.ExportedGlobal(interruptExport).(api.MutableGlobal)
	var mu sync.Mutex
	done := false
	set := func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			flag.Set(1)
		}
	}
	stopRun := context.AfterFunc(runCtx, set)
	stopClose := context.AfterFunc(r.closing, set)
	return func() {
		stopRun()
		stopClose()
		mu.Lock()
		done = true
		mu.Unlock()
	}
}

func (res Result) fail(s Status, reason string) Result {
	res.Status, res.Error = s, reason
	return res
}

// checkCommand tells why a compiled module cannot run as a WASI command.
// CheckModule tells whether module is a WASI command the runtime can run: it compiles and exports
// a _start that takes and returns nothing. The customer checks its workload with it before paying
// for an order.
func CheckModule(ctx context.Context, module []byte) error {
	w := wazero.NewRuntime(ctx)
	defer w.Close(ctx)
	compiled, err := w.CompileModule(ctx, module)
	if err != nil {
		return fmt.Errorf("compile: %w", err)
	}
	return checkCommand(compiled)
}

func checkCommand(compiled wazero.CompiledModule) error {
	start, ok := compiled.ExportedFunctions()[startFunction]
	if !ok {
		return fmt.Errorf("module does not export %s", startFunction)
	}
	if len(start.ParamTypes()) != 0 || len(start.ResultTypes()) != 0 {
		return fmt.Errorf("%s must take no parameters and return no results", startFunction)
	}
	return nil
}
