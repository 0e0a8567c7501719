// Package wasmtest hand-assembles small WASI command modules for tests of the runtime and of the
// task protocol: echo, trap, spin, memory growth, exit codes, endless output, entropy. It also
// finds a clang that builds C into WASI commands, for the tests of C workloads.
package wasmtest

// Hand-assembled WASI command modules for the tests. Every module shares one type section and one
// import section, so the function indices below hold in all of them:
//
//	func 0  wasi_snapshot_preview1.fd_read(fd, iovs, iovs_len, nread_ptr) -> errno
//	func 1  wasi_snapshot_preview1.fd_write(fd, iovs, iovs_len, nwritten_ptr) -> errno
//	func 2  wasi_snapshot_preview1.proc_exit(code)
//	func 3  wasi_snapshot_preview1.random_get(buf, len) -> errno
//	func 4  wasi_snapshot_preview1.clock_time_get(clock_id, precision i64, time_ptr) -> errno
//	func 5  _start, the body given to wasiCommand

import "encoding/binary"

// Section ids of the wasm binary format.
const (
	secCustom   = 0
	secType     = 1
	secImport   = 2
	secFunction = 3
	secMemory   = 5
	secExport   = 7
	secCode     = 10
	secData     = 11
)

// Opcodes used by the test modules.
const (
	opUnreachable = 0x00
	opBlock       = 0x02
	opLoop        = 0x03
	opIf          = 0x04
	opEnd         = 0x0b
	opBr          = 0x0c
	opBrIf        = 0x0d
	opCall        = 0x10
	opDrop        = 0x1a
	opI32Load     = 0x28
	opI32Store    = 0x36
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI64Const    = 0x42
	opI32Eqz      = 0x45
	opI32Eq       = 0x46
	opI32Add      = 0x6a

	blockVoid = 0x40 // block type of a block that yields nothing
	alignI32  = 2    // log2 of the natural alignment of an i32 access
)

const (
	fnFdRead = iota
	fnFdWrite
	fnProcExit
	fnRandomGet
	fnClockTimeGet
)

// Value types.
const (
	i32 = 0x7f
	i64 = 0x7e
)

func uleb(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func sleb(v int64) []byte {
	var out []byte
	for {
		b := byte(v & 0x7f)
		v >>= 7
		if v == 0 && b&0x40 == 0 || v == -1 && b&0x40 != 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// vec is a wasm vector: the count, then the items.
func vec(items ...[]byte) []byte { return cat(uleb(uint64(len(items))), cat(items...)) }

func name(s string) []byte { return cat(uleb(uint64(len(s))), []byte(s)) }

func section(id byte, content []byte) []byte {
	return cat([]byte{id}, uleb(uint64(len(content))), content)
}

func wasmModule(sections ...[]byte) []byte {
	return cat([]byte("\x00asm"), []byte{1, 0, 0, 0}, cat(sections...))
}

func funcType(params, results []byte) []byte {
	return cat([]byte{0x60}, vec(bytesOf(params)...), vec(bytesOf(results)...))
}

func bytesOf(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

// Instructions with immediates.
func i32Const(v int32) []byte    { return cat([]byte{opI32Const}, sleb(int64(v))) }
func i64Const(v int64) []byte    { return cat([]byte{opI64Const}, sleb(v)) }
func call(fn uint32) []byte      { return cat([]byte{opCall}, uleb(uint64(fn))) }
func i32Load(off uint32) []byte  { return cat([]byte{opI32Load, alignI32}, uleb(uint64(off))) }
func i32Store(off uint32) []byte { return cat([]byte{opI32Store, alignI32}, uleb(uint64(off))) }

// dataSegment is bytes placed in memory at offset when the module is instantiated.
type dataSegment struct {
	offset int32
	bytes  []byte
}

// WasiCommand assembles a module with the shared imports, a memory of memPages pages exported as
// "memory", the data segments, and _start running body. extra sections (custom ones) are
// appended, which changes the module hash and nothing else.
func WasiCommand(memPages uint32, body []byte, data []dataSegment, extra ...[]byte) []byte {
	types := section(secType, vec(
		funcType(nil, nil), // 0: _start
		funcType([]byte{i32, i32, i32, i32}, []byte{i32}), // 1: fd_read, fd_write
		funcType([]byte{i32}, nil),                        // 2: proc_exit
		funcType([]byte{i32, i32}, []byte{i32}),           // 3: random_get
		funcType([]byte{i32, i64, i32}, []byte{i32}),      // 4: clock_time_get
	))
	wasi := func(fn string, typ uint32) []byte {
		return cat(name("wasi_snapshot_preview1"), name(fn), []byte{0x00}, uleb(uint64(typ))) // 0x00: a function
	}
	imports := section(secImport, vec(
		wasi("fd_read", 1), wasi("fd_write", 1), wasi("proc_exit", 2), wasi("random_get", 3), wasi("clock_time_get", 4),
	))
	functions := section(secFunction, vec(uleb(0)))                              // _start has type 0
	memory := section(secMemory, vec(cat([]byte{0x00}, uleb(uint64(memPages))))) // 0x00: no maximum
	exports := section(secExport, vec(
		cat(name("memory"), []byte{0x02, 0x00}), // memory 0
		cat(name("_start"), []byte{0x00, 0x05}), // function 5
	))
	fn := cat(vec(), body, []byte{opEnd}) // no locals
	code := section(secCode, vec(cat(uleb(uint64(len(fn))), fn)))
	var segments [][]byte
	for _, d := range data {
		// 0x00: active segment of memory 0, placed at a constant offset expression.
		// The bytes are a vector, encoded as a name is.
		segments = append(segments, cat([]byte{0x00}, i32Const(d.offset), []byte{opEnd}, name(string(d.bytes))))
	}
	sections := [][]byte{types, imports, functions, memory, exports, code}
	if len(segments) > 0 {
		sections = append(sections, section(secData, vec(segments...)))
	}
	return wasmModule(append(sections, extra...)...)
}

// CustomSection is ignored by the runtime; tests use it to make distinct modules.
func CustomSection(label string, content []byte) []byte {
	return section(secCustom, cat(name(label), content))
}

// le32 lays out vs as consecutive i32 values in memory (little endian).
func le32(vs ...uint32) []byte {
	var out []byte
	for _, v := range vs {
		out = binary.LittleEndian.AppendUint32(out, v)
	}
	return out
}

// Echo copies stdin to stdout, 4 KiB at a time.
//
// Memory: iovec {buf, len} at 0, nread at 8, nwritten at 12, buffer at 16.
func Echo(extra ...[]byte) []byte { return WasiCommand(1, echoBody(), nil, extra...) }

// echoBody is Echo's code.
func echoBody() []byte {
	const buf, bufLen = 16, 4096
	return cat(
		[]byte{opBlock, blockVoid},
		[]byte{opLoop, blockVoid},
		// iovec = {buf, bufLen}
		i32Const(0), i32Const(buf), i32Store(0),
		i32Const(0), i32Const(bufLen), i32Store(4),
		// fd_read(stdin, iovec, 1, &nread); leave on error
		i32Const(0), i32Const(0), i32Const(1), i32Const(8), call(fnFdRead),
		[]byte{opBrIf, 1},
		// leave at end of input
		i32Const(8), i32Load(0), []byte{opI32Eqz, opBrIf, 1},
		// iovec.len = nread
		i32Const(0), i32Const(8), i32Load(0), i32Store(4),
		// fd_write(stdout, iovec, 1, &nwritten); leave on error
		i32Const(1), i32Const(0), i32Const(1), i32Const(12), call(fnFdWrite),
		[]byte{opBrIf, 1},
		[]byte{opBr, 0},
		[]byte{opEnd}, // loop
		[]byte{opEnd}, // block
	)
}

// Busy counts a cell of memory down from iterations to zero (a load, an add and a store per
// iteration, a workload of chosen length), then copies stdin to stdout as Echo does.
func Busy(iterations int32) []byte {
	const counter = 4096 + 16 // past Echo's iovec, counters and buffer
	body := cat(
		i32Const(counter), i32Const(iterations), i32Store(0),
		[]byte{opBlock, blockVoid},
		[]byte{opLoop, blockVoid},
		i32Const(counter), i32Load(0), []byte{opI32Eqz, opBrIf, 1},
		i32Const(counter), i32Const(counter), i32Load(0), i32Const(-1), []byte{opI32Add}, i32Store(0),
		[]byte{opBr, 0},
		[]byte{opEnd}, // loop
		[]byte{opEnd}, // block
		echoBody(),
	)
	return WasiCommand(1, body, nil)
}

// Trap executes unreachable.
func Trap() []byte { return WasiCommand(1, []byte{opUnreachable}, nil) }

// Spin loops forever without calling the host.
func Spin() []byte {
	return WasiCommand(1, []byte{opLoop, blockVoid, opBr, 0, opEnd}, nil)
}

// Grow grows its 1-page memory by delta pages and traps if memory.grow refuses.
func Grow(delta int32) []byte {
	body := cat(
		i32Const(delta), []byte{opMemoryGrow, 0x00}, // memory 0
		i32Const(-1), []byte{opI32Eq},
		[]byte{opIf, blockVoid, opUnreachable, opEnd},
	)
	return WasiCommand(1, body, nil)
}

// Exit calls proc_exit(code).
func Exit(code int32) []byte {
	return WasiCommand(1, cat(i32Const(code), call(fnProcExit)), nil)
}

// Yes writes "y\n" to stdout forever and ignores write errors, like yes(1) with its errors
// unchecked.
func Yes() []byte {
	body := cat(
		[]byte{opLoop, blockVoid},
		i32Const(1), i32Const(0), i32Const(1), i32Const(8), call(fnFdWrite), []byte{opDrop},
		[]byte{opBr, 0},
		[]byte{opEnd},
	)
	// iovec {16, 2} at 0, "y\n" at 16.
	return WasiCommand(1, body, []dataSegment{{0, le32(16, 2)}, {16, []byte("y\n")}})
}

// Entropy writes what the sandbox gives for randomness and time: 16 bytes of random_get,
// then the realtime and the monotonic clock (8 bytes each).
//
// Memory: iovec {16, 32} at 0, nwritten at 8, the 32 output bytes at 16.
func Entropy() []byte {
	body := cat(
		i32Const(16), i32Const(16), call(fnRandomGet), []byte{opDrop},
		i32Const(0), i64Const(1), i32Const(32), call(fnClockTimeGet), []byte{opDrop}, // clock 0: realtime
		i32Const(1), i64Const(1), i32Const(40), call(fnClockTimeGet), []byte{opDrop}, // clock 1: monotonic
		i32Const(1), i32Const(0), i32Const(1), i32Const(8), call(fnFdWrite), []byte{opDrop},
	)
	return WasiCommand(1, body, []dataSegment{{0, le32(16, 32)}})
}

// Peek writes n bytes of its memory from offset (at least 16) to stdout, as it finds them: zeros
// unless something else wrote them.
//
// Memory: iovec {offset, n} at 0, nwritten at 8.
func Peek(offset, n uint32) []byte {
	body := cat(i32Const(1), i32Const(0), i32Const(1), i32Const(8), call(fnFdWrite), []byte{opDrop})
	return WasiCommand(1, body, []dataSegment{{0, le32(offset, n)}})
}

// NoStart is a valid module with nothing to run.
func NoStart() []byte {
	return wasmModule(section(secType, vec(funcType(nil, nil))))
}
