package runtime

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// A workload's run is bounded in time by an interrupt flag that the runtime adds to its module
// before compiling it (instrument): a mutable i32 global, exported as interruptExport, that the
// runtime sets from another goroutine when the run's time limit passes (or its output limit, or the
// caller cancels, or the Runtime closes). The module's own code counts function entries down in a
// second global, its fuel, and the iterations of each function's loops up in an added local (a
// register, where a global is a memory access); every ticks of either it calls an added function,
// tick, which traps if the flag is set. Every way a wasm program can run for long goes through one
// of these counts: a backward branch is always to a loop header, and a long computation without
// loops is recursion.
//
// tick also leaves the machine code for Go once (a memory.grow by 0 pages, which wazero serves in
// Go): compiled wasm cannot be preempted by the Go scheduler, so without such exits a long run would
// hold up every stop-the-world of the garbage collector, and with it the goroutine that would set
// the flag.
//
// wazero can do this itself (RuntimeConfig.WithCloseOnContextDone), but it compiles the check at
// each loop header as an indirect call into Go, every iteration; the inline count here is a few
// instructions, and it also covers recursion, which wazero's does not. BENCHMARKS.md has the cost of
// both.

// interruptExport names the flag's export. A colon cannot occur in a C, Go or Rust identifier, so no
// toolchain exports this name of its own; a module that does is refused.
const interruptExport = "fog:interrupt"

// ticks is how many function entries and loop iterations run between two checks of the flag: a
// tight loop iteration takes about a nanosecond, so the flag is read every few microseconds, and
// the exit to Go (about 100 ns) costs a few percent at most.
const ticks = 4096

// Section ids of the wasm binary format, and their order in a module (custom sections, id 0, may
// appear anywhere).
const (
	sectionCustom    = 0
	sectionType      = 1
	sectionImport    = 2
	sectionFunction  = 3
	sectionTable     = 4
	sectionMemory    = 5
	sectionGlobal    = 6
	sectionExport    = 7
	sectionStart     = 8
	sectionElement   = 9
	sectionCode      = 10
	sectionData      = 11
	sectionDataCount = 12
	sectionTag       = 13
)

var sectionRank = map[byte]int{sectionType: 1, sectionImport: 2, sectionFunction: 3, sectionTable: 4, sectionMemory: 5, sectionTag: 6,
	sectionGlobal: 7, sectionExport: 8, sectionStart: 9, sectionElement: 10, sectionDataCount: 11, sectionCode: 12, sectionData: 13}

// errMalformed is a module refused before it is compiled (checkModuleShape, instrument).
var errMalformed = errors.New("malformed module")

// Opcodes the instrumentation writes.
const (
	opUnreachable = 0x00
	opIf          = 0x04
	opEnd         = 0x0b
	opCall        = 0x10
	opDrop        = 0x1a
	opLocalGet    = 0x20
	opLocalTee    = 0x22
	opGlobalGet   = 0x23
	opGlobalSet   = 0x24
	opMemoryGrow  = 0x40
	opI32Const    = 0x41
	opI32Eqz      = 0x45
	opI32Add      = 0x6a
	opI32Sub      = 0x6b
	opI32And      = 0x71
	blockEmpty    = 0x40
	typeI32       = 0x7f
)

// instrument returns module with the interrupt flag, the fuel, tick and the checks added. It
// changes no function, type or existing global index, so calls, exports, tables and names stay
// valid: it only appends globals, a type, a function, an export and checks. It reads the whole
// instruction set wazero compiles by default (WebAssembly 2.0: bulk memory, reference types, SIMD,
// ...) and refuses anything else, and modules without a memory (tick needs one to leave for Go; a
// WASI command without memory can do no I/O).
func instrument(module []byte) (_ []byte, err error) {
	// The module is a customer's bytes: whatever a reading mistake here would do, it refuses the
	// module rather than take the worker down.
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: the instrumentation could not read it: %v", errMalformed, p)
		}
	}()
	sections, err := splitSections(module)
	if err != nil {
		return nil, err
	}

	var imports importCounts
	var types, definedFuncs, definedGlobals, memories uint32
	var params []uint32                    // by type index
	var funcTypes []byte                   // the function section's content
	count := func(content []byte) uint32 { // splitSections has read every count once
		return (&reader{b: content}).u32()
	}
	for _, s := range sections {
		switch s.id {
		case sectionStart:
			// A start function runs while the module is instantiated, before the runtime can
			// reach the flag; WASI commands start with _start instead, which toolchains export.
			return nil, errors.New("module has a start section, which runs before its time can be bounded")
		case sectionType:
			if params, err = paramCounts(s.content); err != nil {
				return nil, err
			}
			types = uint32(len(params))
		case sectionImport:
			if imports, err = countImports(s.content); err != nil {
				return nil, err
			}
		case sectionFunction:
			definedFuncs = count(s.content)
			funcTypes = s.content
		case sectionMemory:
			memories = count(s.content)
		case sectionGlobal:
			definedGlobals = count(s.content)
		}
	}
	if memories+imports.memories == 0 {
		return nil, errors.New("module has no memory")
	}
	fuel := imports.globals + definedGlobals
	flag := fuel + 1
	tickType := types
	tick := imports.funcs + definedFuncs

	// At a function's entry: fuel -= 1; if fuel == 0 { tick() }.
	entryCheck := binary.AppendUvarint([]byte{opGlobalGet}, uint64(fuel))
	entryCheck = append(entryCheck, opI32Const, 1, opI32Sub, opGlobalSet)
	entryCheck = binary.AppendUvarint(entryCheck, uint64(fuel))
	entryCheck = binary.AppendUvarint(append(entryCheck, opGlobalGet), uint64(fuel))
	entryCheck = append(entryCheck, opI32Eqz, opIf, blockEmpty, opCall)
	entryCheck = binary.AppendUvarint(entryCheck, uint64(tick))
	entryCheck = append(entryCheck, opEnd)
	// At a loop's head, with the function's added local: local += 1; if local % ticks == 0 { tick() }.
	loopCheck := func(local uint32) []byte {
		c := binary.AppendUvarint([]byte{opLocalGet}, uint64(local))
		c = append(c, opI32Const, 1, opI32Add, opLocalTee)
		c = binary.AppendUvarint(c, uint64(local))
		c = appendSleb(append(c, opI32Const), ticks-1)
		c = append(c, opI32And, opI32Eqz, opIf, blockEmpty, opCall)
		c = binary.AppendUvarint(c, uint64(tick))
		return append(c, opEnd)
	}
	// The parameters of each defined function, which come before its locals.
	funcParams := make([]uint32, definedFuncs)
	fr := &reader{b: funcTypes}
	if funcTypes != nil {
		fr.u32()
	}
	for i := range funcParams {
		if t := fr.u32(); fr.err == nil && t < uint32(len(params)) {
			funcParams[i] = params[t]
		} else {
			fr.fail("function %d has type %d of %d", i, t, len(params))
		}
	}
	if err := fr.end(); err != nil {
		return nil, err
	}

	tickBody := []byte{0, opI32Const, 0, opMemoryGrow, 0, opDrop, opGlobalGet} // no locals; memory.grow 0
	tickBody = binary.AppendUvarint(tickBody, uint64(flag))
	tickBody = append(tickBody, opIf, blockEmpty, opUnreachable, opEnd, opI32Const)
	tickBody = appendSleb(tickBody, ticks)
	tickBody = binary.AppendUvarint(append(tickBody, opGlobalSet), uint64(fuel))
	tickBody = append(tickBody, opEnd)
	tickCode := binary.AppendUvarint(nil, uint64(len(tickBody)))
	tickCode = append(tickCode, tickBody...)

	// Mutable i32 globals: the fuel, starting full, and the flag, starting clear.
	newGlobals := appendSleb([]byte{0x7f, 0x01, opI32Const}, ticks)
	newGlobals = append(newGlobals, opEnd, 0x7f, 0x01, opI32Const, 0, opEnd)
	newExport := appendName(nil, interruptExport)
	newExport = append(newExport, 0x03) // export kind: global
	newExport = binary.AppendUvarint(newExport, uint64(flag))
	emptyFuncType := []byte{0x60, 0, 0}

	out := append([]byte(nil), module[:8]...)
	emit := func(id byte, content []byte) {
		out = append(out, id)
		out = binary.AppendUvarint(out, uint64(len(content)))
		out = append(out, content...)
	}
	// added appends items to a section whose content starts with their count, n.
	added := func(content []byte, n, more uint32, items ...byte) []byte {
		c := binary.AppendUvarint(nil, uint64(n)+uint64(more))
		c = append(c, content[uvarintSize(content):]...)
		return append(c, items...)
	}
	emitted := map[byte]bool{}
	// missing writes the sections the module lacks, before the first one that must follow them.
	missing := func(before int) {
		for _, m := range []struct {
			id      byte
			content []byte
		}{
			{sectionType, append([]byte{1}, emptyFuncType...)},
			{sectionFunction, binary.AppendUvarint([]byte{1}, uint64(tickType))},
			{sectionGlobal, append([]byte{2}, newGlobals...)},
			{sectionExport, append([]byte{1}, newExport...)},
			{sectionCode, append([]byte{1}, tickCode...)},
		} {
			if !emitted[m.id] && sectionRank[m.id] < before {
				emit(m.id, m.content)
				emitted[m.id] = true
			}
		}
	}
	for _, s := range sections {
		if s.id != sectionCustom {
			missing(sectionRank[s.id])
		}
		emitted[s.id] = true
		switch s.id {
		case sectionType:
			emit(s.id, added(s.content, types, 1, emptyFuncType...))
		case sectionFunction:
			emit(s.id, added(s.content, definedFuncs, 1, binary.AppendUvarint(nil, uint64(tickType))...))
		case sectionGlobal:
			emit(s.id, added(s.content, definedGlobals, 2, newGlobals...))
		case sectionExport:
			if err := checkExports(s.content); err != nil {
				return nil, err
			}
			emit(s.id, added(s.content, count(s.content), 1, newExport...))
		case sectionCode:
			c, err := instrumentCode(s.content, funcParams, entryCheck, loopCheck)
			if err != nil {
				return nil, err
			}
			emit(s.id, added(c, definedFuncs, 1, tickCode...))
		default:
			emit(s.id, s.content)
		}
	}
	missing(len(sectionRank) + 1)
	return out, nil
}

type section struct {
	id      byte
	content []byte
}

// splitSections checks a module's header and splits it into its sections. wazero allocates a
// section's items by the count it declares before it reads them, so that a module of a few bytes
// declaring a huge count would take the worker's memory: a section whose count is more than its
// size (every item takes at least one byte), or that runs past the end, is refused here.
func splitSections(module []byte) ([]section, error) {
	if len(module) < 8 || !bytes.Equal(module[:8], []byte{0, 'a', 's', 'm', 1, 0, 0, 0}) {
		return nil, fmt.Errorf("%w: not a wasm 1.0 binary", errMalformed)
	}
	var sections []section
	r := &reader{b: module, off: 8}
	for r.off < len(module) && r.err == nil {
		id := r.byte()
		size := r.u32()
		content := r.bytes(int(size))
		if _, known := sectionRank[id]; !known && id != sectionCustom {
			r.fail("unknown section %d", id)
		}
		if id != sectionCustom && id != sectionStart && id != sectionDataCount && r.err == nil {
			if sr := (&reader{b: content}); sr.u32() > uint32(len(content)) || sr.err != nil {
				r.fail("section %d declares more items than it has bytes", id)
			}
		}
		sections = append(sections, section{id, content})
	}
	return sections, r.err
}

func appendName(b []byte, name string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(name))), name...)
}

func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 && c&0x40 == 0 || v == -1 && c&0x40 != 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// uvarintSize is the length of the LEB128 number at the start of b (already read once, so valid).
func uvarintSize(b []byte) int {
	_, n := binary.Uvarint(b)
	return n
}

type importCounts struct{ funcs, memories, globals uint32 }

func countImports(content []byte) (importCounts, error) {
	r := &reader{b: content}
	var c importCounts
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		r.name() // module
		r.name() // field
		switch kind := r.byte(); kind {
		case 0x00: // function: type index
			r.u32()
			c.funcs++
		case 0x01: // table: reference type, limits
			r.byte()
			r.limits()
		case 0x02: // memory: limits
			r.limits()
			c.memories++
		case 0x03: // global: value type, mutability
			r.byte()
			r.byte()
			c.globals++
		default:
			r.fail("import kind %d", kind)
		}
	}
	return c, r.end()
}

// checkExports refuses a module that already exports the flag's name.
func checkExports(content []byte) error {
	r := &reader{b: content}
	for n := r.u32(); n > 0 && r.err == nil; n-- {
		if r.name() == interruptExport {
			return fmt.Errorf("module exports %q, a name the runtime reserves", interruptExport)
		}
		r.byte()
		r.u32()
	}
	return r.end()
}

// instrumentCode adds a local to every function body, inserts entryCheck at its start and
// loopCheck(local) after every loop's block type.
func instrumentCode(content []byte, funcParams []uint32, entryCheck []byte, loopCheck func(uint32) []byte) ([]byte, error) {
	r := &reader{b: content}
	n := r.u32()
	if r.err == nil && n != uint32(len(funcParams)) {
		return nil, fmt.Errorf("%w: %d function bodies for %d functions", errMalformed, n, len(funcParams))
	}
	out := binary.AppendUvarint(make([]byte, 0, len(content)+len(content)/4), uint64(n))
	var body []byte
	for i := uint32(0); i < n && r.err == nil; i++ {
		size := r.u32()
		fn := &reader{b: r.bytes(int(size))}
		if r.err != nil {
			break
		}
		entries := fn.u32()
		locals := uint64(funcParams[i])
		for e := entries; e > 0 && fn.err == nil; e-- {
			locals += uint64(fn.u32())
			fn.byte() // their type
		}
		if locals >= 1<<32-1 {
			fn.fail("%d locals", locals)
		}
		if fn.err != nil { // before slicing at fn.off: a failed read leaves it anywhere
			return nil, fmt.Errorf("function %d: %w", i, fn.err)
		}
		counter := uint32(locals)
		check := loopCheck(counter)
		body = binary.AppendUvarint(body[:0], uint64(entries)+1)
		body = append(body, fn.b[uvarintSize(fn.b):fn.off]...)
		body = append(body, 1, typeI32) // the loop counter
		body = append(body, entryCheck...)
		last := fn.off
		for fn.off < len(fn.b) && fn.err == nil {
			if fn.instruction() {
				body = append(body, fn.b[last:fn.off]...)
				body = append(body, check...)
				last = fn.off
			}
		}
		if fn.err != nil {
			return nil, fmt.Errorf("function %d: %w", i, fn.err)
		}
		body = append(body, fn.b[last:]...)
		out = binary.AppendUvarint(out, uint64(len(body)))
		out = append(out, body...)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	return out, nil
}

// paramCounts reads the type section: how many parameters each function type has.
func paramCounts(content []byte) ([]uint32, error) {
	r := &reader{b: content}
	n := r.u32()
	var out []uint32
	for i := uint32(0); i < n && r.err == nil; i++ {
		if form := r.byte(); form != 0x60 {
			r.fail("type form 0x%02x", form)
		}
		p := r.u32()
		r.bytes(int(p))
		r.bytes(int(r.u32()))
		out = append(out, p)
	}
	return out, r.end()
}

// reader decodes the wasm binary format; the first error sticks and stops every later read.
type reader struct {
	b   []byte
	off int
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w at byte %d: %s", errMalformed, r.off, fmt.Sprintf(format, args...))
	}
	r.off = len(r.b)
}

// end checks that everything was read.
func (r *reader) end() error {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d trailing bytes", len(r.b)-r.off)
	}
	return r.err
}

func (r *reader) byte() byte {
	if r.off >= len(r.b) {
		r.fail("unexpected end")
		return 0
	}
	r.off++
	return r.b[r.off-1]
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b)-r.off {
		r.fail("length %d past the end", n)
		return nil
	}
	r.off += n
	return r.b[r.off-n : r.off]
}

// leb skips a LEB128 number of at most maxBytes bytes (signed or not) and returns its value's low
// 64 bits as unsigned.
func (r *reader) leb(maxBytes int) uint64 {
	var v uint64
	for i := 0; i < maxBytes; i++ {
		c := r.byte()
		if r.err != nil {
			return 0
		}
		if i < 10 {
			v |= uint64(c&0x7f) << (7 * i)
		}
		if c&0x80 == 0 {
			return v
		}
	}
	r.fail("integer longer than %d bytes", maxBytes)
	return 0
}

func (r *reader) u32() uint32 {
	v := r.leb(5)
	if v > 1<<32-1 {
		r.fail("u32 out of range")
	}
	return uint32(v)
}

func (r *reader) name() string { return string(r.bytes(int(r.u32()))) }

func (r *reader) limits() {
	if flags := r.byte(); flags > 1 {
		r.fail("limits flags %d", flags)
		return
	} else if r.u32(); flags == 1 {
		r.u32()
	}
}

func (r *reader) memarg() {
	r.u32() // alignment
	r.u32() // offset
}

func (r *reader) blockType() {
	if r.off >= len(r.b) {
		r.fail("unexpected end")
		return
	}
	if c := r.b[r.off]; c == 0x40 || c >= 0x6f && c <= 0x7f { // empty, or one value type
		r.off++
		return
	}
	r.leb(5) // a type index, as a signed 33-bit number
}

// instruction skips one instruction and tells whether it was a loop (then the reader stands after
// its block type, where the loop's body begins).
func (r *reader) instruction() (loop bool) {
	op := r.byte()
	switch {
	case op == 0x02 || op == 0x04: // block, if
		r.blockType()
	case op == 0x03: // loop
		r.blockType()
		return true
	case op == 0x0c || op == 0x0d: // br, br_if
		r.u32()
	case op == 0x0e: // br_table
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.u32()
		}
		r.u32()
	case op == 0x10: // call
		r.u32()
	case op == 0x11: // call_indirect: type, table
		r.u32()
		r.u32()
	case op == 0x1c: // select with types
		for n := r.u32(); n > 0 && r.err == nil; n-- {
			r.byte()
		}
	case op >= 0x20 && op <= 0x26: // local.get/set/tee, global.get/set, table.get/set
		r.u32()
	case op >= 0x28 && op <= 0x3e: // loads and stores
		r.memarg()
	case op == 0x3f || op == 0x40: // memory.size, memory.grow: memory index
		r.u32()
	case op == 0x41: // i32.const
		r.leb(5)
	case op == 0x42: // i64.const
		r.leb(10)
	case op == 0x43:
		r.bytes(4)
	case op == 0x44:
		r.bytes(8)
	case op == 0xd0: // ref.null: reference type
		r.byte()
	case op == 0xd2: // ref.func
		r.u32()
	case op == 0xfc:
		r.prefixedFC()
	case op == 0xfd:
		r.prefixedSIMD()
	case op <= 0x01, op == 0x05, op == 0x0b, op == 0x0f, op == 0x1a, op == 0x1b,
		op >= 0x45 && op <= 0xc4, op == 0xd1:
		// no immediates: unreachable, nop, else, end, return, drop, select, numeric, ref.is_null
	default:
		r.fail("opcode 0x%02x", op)
	}
	return false
}

// prefixedFC skips the immediates of the 0xfc instructions: saturating truncations, bulk memory and
// table instructions.
func (r *reader) prefixedFC() {
	switch sub := r.u32(); {
	case sub <= 7: // trunc_sat
	case sub == 8: // memory.init: data index, memory
		r.u32()
		r.u32()
	case sub == 9, sub == 11, sub == 13, sub >= 15 && sub <= 17: // data.drop, memory.fill, elem.drop, table.grow/size/fill
		r.u32()
	case sub == 10, sub == 12, sub == 14: // memory.copy, table.init, table.copy: two indices
		r.u32()
		r.u32()
	default:
		r.fail("opcode 0xfc %d", sub)
	}
}

// prefixedSIMD skips the immediates of the 0xfd (128-bit SIMD) instructions.
func (r *reader) prefixedSIMD() {
	switch sub := r.u32(); {
	case sub <= 11, sub == 92, sub == 93: // loads and stores
		r.memarg()
	case sub == 12, sub == 13: // v128.const, i8x16.shuffle
		r.bytes(16)
	case sub >= 21 && sub <= 34: // extract and replace lane
		r.byte()
	case sub >= 84 && sub <= 91: // load and store lane
		r.memarg()
		r.byte()
	case sub <= 0xff: // the rest take no immediates; wazero validates the opcode
	default:
		r.fail("opcode 0xfd %d", sub)
	}
}
