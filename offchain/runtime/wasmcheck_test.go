package runtime

import (
	"context"
	"errors"
	"testing"

	"github.com/fogchain/fog/offchain/runtime/wasmtest"
)

// module is a wasm binary of the given sections (id, payload).
func module(sections ...[]byte) []byte {
	out := []byte("\x00asm\x01\x00\x00\x00")
	for _, s := range sections {
		out = append(out, s[0])
		out = appendU32(out, uint32(len(s)-1))
		out = append(out, s[1:]...)
	}
	return out
}

func appendU32(b []byte, v uint32) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

func sec(id byte, payload ...byte) []byte { return append([]byte{id}, payload...) }

// A few bytes that declare billions of entries are refused before the compiler sizes a slice from
// them; before the check, each of these made the worker allocate gigabytes and die.
func TestModuleShapeRefusesCountsItsBytesCannotBack(t *testing.T) {
	huge := appendU32(nil, 0xfffffff0)
	cases := map[string][]byte{
		"imports":         module(sec(sectionImport, huge...)),
		"types":           module(sec(sectionType, huge...)),
		"function params": module(sec(sectionType, append([]byte{1, 0x60}, huge...)...)),
		"data bytes":      module(sec(sectionData, append([]byte{1, 1}, huge...)...)),
		"locals":          module(sec(sectionCode, append(append([]byte{1, 8, 1}, huge...), 0x7f, 0x0b)...)),
		"element indices": module(sec(sectionElement, append([]byte{1, 1, 0x00}, huge...)...)),
		"table entries":   module(sec(sectionTable, append([]byte{1, 0x70, 0x00}, appendU32(nil, maxTableEntries+1)...)...)),
		"section size":    module([]byte{sectionCustom, 1, 'x'})[:10],
		"export name":     module(sec(sectionExport, append([]byte{1}, huge...)...)),
	}
	r := newRuntime(t)
	for name, m := range cases {
		t.Run(name, func(t *testing.T) {
			err := checkModuleShape(m)
			if !errors.Is(err, errMalformed) {
				t.Fatalf("checkModuleShape = %v, want errMalformed", err)
			}
			res, err := r.Run(context.Background(), m, nil, testLimits())
			if err != nil || res.Status != StatusInvalidModule {
				t.Fatalf("Run = %+v, %v; want StatusInvalidModule", res, err)
			}
		})
	}
}

// Every test module passes the check, and so do the example workloads (examples/workloads runs them
// through Run).
func TestModuleShapeAcceptsValidModules(t *testing.T) {
	for name, m := range map[string][]byte{
		"echo": wasmtest.Echo(), "trap": wasmtest.Trap(), "spin": wasmtest.Spin(), "grow": wasmtest.Grow(2),
		"exit": wasmtest.Exit(1), "yes": wasmtest.Yes(), "no start": wasmtest.NoStart(),
		"custom section": wasmtest.Echo(wasmtest.CustomSection("note", []byte("hello"))),
	} {
		if err := checkModuleShape(m); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
