package runtime

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// The shape limits a module must meet before it is handed to the compiler. wazero's decoder sizes
// its slices from the counts a module declares, so a few hundred bytes declaring 2^32 imports, data
// bytes or locals make it allocate gigabytes and the worker dies of it; a Go out-of-memory is
// fatal, not a panic that can be recovered. checkModuleShape walks the binary format first and
// refuses a module whose counts its own bytes cannot back. The per-function limits are those
// browsers' engines enforce (V8's), so a module that runs in a browser meets them.
const (
	maxFunctionLocals = 50_000     // locals of one function
	maxFunctionParams = 1_000      // params, and results, of one function type
	maxTableEntries   = 10_000_000 // a table's declared minimum: its entries are allocated at instantiation
)

// checkModuleShape refuses a module whose declared counts exceed what its bytes can hold, or the
// limits above. It does not validate the module: what it accepts the compiler still checks.
func checkModuleShape(module []byte) error {
	if len(module) < 8 || !bytes.Equal(module[:4], []byte("\x00asm")) {
		return fmt.Errorf("%w: no wasm magic number", errMalformed)
	}
	r := &shapeReader{b: module[8:]}
	for !r.done() {
		id, err := r.byte()
		if err != nil {
			return err
		}
		size, err := r.u32()
		if err != nil {
			return fmt.Errorf("section %d size: %w", id, err)
		}
		payload, err := r.take(uint64(size))
		if err != nil {
			return fmt.Errorf("section %d: %w", id, err)
		}
		s := &shapeReader{b: payload}
		if err := checkSection(id, s); err != nil {
			return fmt.Errorf("section %d: %w", id, err)
		}
	}
	return nil
}

func checkSection(id byte, s *shapeReader) error {
	switch id {
	case sectionCustom:
		_, err := s.name()
		return err // the rest of a custom section is opaque
	case sectionStart, sectionDataCount:
		_, err := s.u32()
		return err
	case sectionTag:
		_, err := s.vec() // a tag is an attribute byte and a type index; its bytes back the count
		return err
	}
	item, ok := sectionItems[id]
	if !ok {
		return fmt.Errorf("%w: unknown section id", errMalformed)
	}
	n, err := s.vec()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if err := item(s); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
	}
	return nil
}

// sectionItems reads one entry of each vector section.
var sectionItems = map[byte]func(*shapeReader) error{
	sectionType:     funcType,
	sectionImport:   importEntry,
	sectionFunction: func(s *shapeReader) error { _, err := s.u32(); return err },
	sectionTable:    tableType,
	sectionMemory:   func(s *shapeReader) error { _, err := s.limits(); return err },
	sectionGlobal: func(s *shapeReader) error {
		if err := s.globalType(); err != nil {
			return err
		}
		return s.constExpr()
	},
	sectionExport: func(s *shapeReader) error {
		if _, err := s.name(); err != nil {
			return err
		}
		if _, err := s.byte(); err != nil {
			return err
		}
		_, err := s.u32()
		return err
	},
	sectionElement: elementSegment,
	sectionCode:    codeEntry,
	sectionData:    dataSegment,
}

func funcType(s *shapeReader) error {
	form, err := s.byte()
	if err != nil {
		return err
	}
	if form != 0x60 {
		return fmt.Errorf("%w: type form %#x", errMalformed, form)
	}
	for _, what := range []string{"params", "results"} {
		n, err := s.vec()
		if err != nil {
			return err
		}
		if n > maxFunctionParams {
			return fmt.Errorf("%w: %d %s, limit %d", errMalformed, n, what, maxFunctionParams)
		}
		for i := uint32(0); i < n; i++ {
			if err := s.valType(); err != nil {
				return err
			}
		}
	}
	return nil
}

func importEntry(s *shapeReader) error {
	for i := 0; i < 2; i++ {
		if _, err := s.name(); err != nil {
			return err
		}
	}
	kind, err := s.byte()
	if err != nil {
		return err
	}
	switch kind {
	case 0x00: // function: a type index
		_, err = s.u32()
	case 0x01:
		err = tableType(s)
	case 0x02:
		_, err = s.limits()
	case 0x03:
		err = s.globalType()
	case 0x04: // tag: an attribute and a type index
		if _, err = s.byte(); err == nil {
			_, err = s.u32()
		}
	default:
		err = fmt.Errorf("%w: import kind %#x", errMalformed, kind)
	}
	return err
}

func tableType(s *shapeReader) error {
	b, err := s.peek()
	if err != nil {
		return err
	}
	withInit := b == 0x40
	if withInit { // 0x40 0x00 tabletype expr
		if _, err := s.take(2); err != nil {
			return err
		}
	}
	if err := s.refType(); err != nil {
		return err
	}
	min, err := s.limits()
	if err != nil {
		return err
	}
	if min > maxTableEntries {
		return fmt.Errorf("%w: table of %d entries, limit %d", errMalformed, min, maxTableEntries)
	}
	if withInit {
		return s.constExpr()
	}
	return nil
}

func elementSegment(s *shapeReader) error {
	prefix, err := s.u32()
	if err != nil {
		return err
	}
	if prefix > 7 {
		return fmt.Errorf("%w: element segment prefix %d", errMalformed, prefix)
	}
	if prefix == 2 || prefix == 6 { // an explicit table index
		if _, err := s.u32(); err != nil {
			return err
		}
	}
	if prefix&1 == 0 { // active: an offset expression
		if err := s.constExpr(); err != nil {
			return err
		}
	}
	exprs := prefix&4 != 0
	if prefix&3 != 0 { // an element kind (indices) or a reference type (expressions)
		if exprs {
			err = s.refType()
		} else {
			_, err = s.byte()
		}
		if err != nil {
			return err
		}
	}
	n, err := s.vec()
	if err != nil {
		return err
	}
	for i := uint32(0); i < n; i++ {
		if exprs {
			err = s.constExpr()
		} else {
			_, err = s.u32()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func codeEntry(s *shapeReader) error {
	size, err := s.u32()
	if err != nil {
		return err
	}
	body, err := s.take(uint64(size))
	if err != nil {
		return err
	}
	b := &shapeReader{b: body}
	groups, err := b.vec()
	if err != nil {
		return err
	}
	var locals uint64
	for i := uint32(0); i < groups; i++ {
		n, err := b.u32()
		if err != nil {
			return err
		}
		if locals += uint64(n); locals > maxFunctionLocals {
			return fmt.Errorf("%w: over %d locals in a function", errMalformed, maxFunctionLocals)
		}
		if err := b.valType(); err != nil {
			return err
		}
	}
	return nil // the instructions are the compiler's to check
}

func dataSegment(s *shapeReader) error {
	flag, err := s.u32()
	if err != nil {
		return err
	}
	switch flag {
	case 0:
		err = s.constExpr()
	case 1:
	case 2:
		if _, err = s.u32(); err == nil {
			err = s.constExpr()
		}
	default:
		err = fmt.Errorf("%w: data segment flag %d", errMalformed, flag)
	}
	if err != nil {
		return err
	}
	_, err = s.bytesVec()
	return err
}

// shapeReader reads the binary format from a byte slice, refusing any count its rest cannot back.
type shapeReader struct{ b []byte }

var errTruncated = fmt.Errorf("%w: truncated", errMalformed)

func (s *shapeReader) done() bool { return len(s.b) == 0 }

func (s *shapeReader) peek() (byte, error) {
	if len(s.b) == 0 {
		return 0, errTruncated
	}
	return s.b[0], nil
}

func (s *shapeReader) byte() (byte, error) {
	b, err := s.peek()
	if err == nil {
		s.b = s.b[1:]
	}
	return b, err
}

func (s *shapeReader) take(n uint64) ([]byte, error) {
	if n > uint64(len(s.b)) {
		return nil, fmt.Errorf("%w: %d bytes declared, %d left", errMalformed, n, len(s.b))
	}
	out := s.b[:n]
	s.b = s.b[n:]
	return out, nil
}

// leb reads an unsigned LEB128 of at most maxBytes bytes.
func (s *shapeReader) leb(maxBytes int) (uint64, error) {
	v, n := binary.Uvarint(s.b)
	if n <= 0 || n > maxBytes {
		return 0, fmt.Errorf("%w: bad LEB128 integer", errMalformed)
	}
	s.b = s.b[n:]
	return v, nil
}

func (s *shapeReader) u32() (uint32, error) {
	v, err := s.leb(5)
	if err == nil && v > 1<<32-1 {
		err = fmt.Errorf("%w: integer over 32 bits", errMalformed)
	}
	return uint32(v), err
}

// signed skips a signed LEB128 of at most maxBytes bytes (its value is not needed).
func (s *shapeReader) signed(maxBytes int) error {
	for i := 0; i < maxBytes; i++ {
		b, err := s.byte()
		if err != nil {
			return err
		}
		if b&0x80 == 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: bad LEB128 integer", errMalformed)
}

// vec reads a vector's length: every entry takes at least one byte, so more entries than bytes
// left is a lie.
func (s *shapeReader) vec() (uint32, error) {
	n, err := s.u32()
	if err == nil && uint64(n) > uint64(len(s.b)) {
		err = fmt.Errorf("%w: %d entries declared, %d bytes left", errMalformed, n, len(s.b))
	}
	return n, err
}

func (s *shapeReader) bytesVec() ([]byte, error) {
	n, err := s.u32()
	if err != nil {
		return nil, err
	}
	return s.take(uint64(n))
}

func (s *shapeReader) name() ([]byte, error) { return s.bytesVec() }

func (s *shapeReader) limits() (min uint32, err error) {
	flag, err := s.byte()
	if err != nil {
		return 0, err
	}
	if flag > 0x07 {
		return 0, fmt.Errorf("%w: limits flag %#x", errMalformed, flag)
	}
	if flag&0x04 != 0 { // memory64: 64-bit bounds
		v, err := s.leb(10)
		if err == nil && flag&1 != 0 {
			_, err = s.leb(10)
		}
		if v > 1<<32-1 {
			v = 1<<32 - 1
		}
		return uint32(v), err
	}
	if min, err = s.u32(); err == nil && flag&1 != 0 {
		_, err = s.u32()
	}
	return min, err
}

// valType reads a value type: one byte, or a reference prefix and a heap type.
func (s *shapeReader) valType() error {
	b, err := s.byte()
	if err != nil {
		return err
	}
	if b == 0x63 || b == 0x64 { // (ref null ht), (ref ht)
		return s.signed(5)
	}
	return nil
}

func (s *shapeReader) refType() error { return s.valType() }

func (s *shapeReader) globalType() error {
	if err := s.valType(); err != nil {
		return err
	}
	_, err := s.byte() // mutability
	return err
}

// constExpr skips a constant expression up to its end opcode.
func (s *shapeReader) constExpr() error {
	for {
		op, err := s.byte()
		if err != nil {
			return err
		}
		switch op {
		case 0x0b: // end
			return nil
		case 0x41: // i32.const
			err = s.signed(5)
		case 0x42: // i64.const
			err = s.signed(10)
		case 0x43: // f32.const
			_, err = s.take(4)
		case 0x44: // f64.const
			_, err = s.take(8)
		case 0x23, 0xd2: // global.get, ref.func
			_, err = s.u32()
		case 0xd0: // ref.null heaptype
			err = s.signed(5)
		case 0x6a, 0x6b, 0x6c, 0x7c, 0x7d, 0x7e: // extended constant arithmetic
		case 0xfd: // v128.const
			var sub uint32
			if sub, err = s.u32(); err == nil {
				if sub != 12 {
					return fmt.Errorf("%w: vector opcode %d in a constant expression", errMalformed, sub)
				}
				_, err = s.take(16)
			}
		default:
			return fmt.Errorf("%w: opcode %#x in a constant expression", errMalformed, op)
		}
		if err != nil {
			return err
		}
	}
}
