package shm

import (
	"errors"
	"os"
	"reflect"
	"testing"
	"unsafe"
)

// The segment layout is shared between processes and between builds: these
// tests pin every size and offset, so that a change of a field is a change
// of layoutVersion, never an accident.

func TestLayout_Sizes(t *testing.T) {
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"header", unsafe.Sizeof(header{}), headerSize},
		{"entry", unsafe.Sizeof(entry{}), entrySize},
		{"lockWord", unsafe.Sizeof(lockWord{}), 16},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got %d bytes, want %d", tt.got, tt.want)
			}
		})
	}
}

func TestLayout_Offsets(t *testing.T) {
	var h header
	var e entry
	var w lockWord
	tests := []struct {
		name      string
		got, want uintptr
	}{
		{"header.Magic", unsafe.Offsetof(h.Magic), 0},
		{"header.Version", unsafe.Offsetof(h.Version), 8},
		{"header.LineSize", unsafe.Offsetof(h.LineSize), 12},
		{"header.Size", unsafe.Offsetof(h.Size), 16},
		{"header.ID", unsafe.Offsetof(h.ID), 24},
		{"header.TableOff", unsafe.Offsetof(h.TableOff), 32},
		{"header.TableCap", unsafe.Offsetof(h.TableCap), 40},
		{"header.DataOff", unsafe.Offsetof(h.DataOff), 48},
		{"header.allocMu", unsafe.Offsetof(h.allocMu), 64}, // second cache line
		{"header.Count", unsafe.Offsetof(h.Count), 80},
		{"header.Alloc", unsafe.Offsetof(h.Alloc), 88},
		{"header.CreatorPid", unsafe.Offsetof(h.CreatorPid), 128}, // third line
		{"header.CreatorTag", unsafe.Offsetof(h.CreatorTag), 136},
		{"header.Created", unsafe.Offsetof(h.Created), 144},
		{"header.Name", unsafe.Offsetof(h.Name), 152},
		{"entry.Off", unsafe.Offsetof(e.Off), 0},
		{"entry.Size", unsafe.Offsetof(e.Size), 8},
		{"entry.Len", unsafe.Offsetof(e.Len), 16},
		{"entry.Kind", unsafe.Offsetof(e.Kind), 24},
		{"entry.Elem", unsafe.Offsetof(e.Elem), 26},
		{"entry.Name", unsafe.Offsetof(e.Name), 32},
		{"lockWord.state", unsafe.Offsetof(w.state), 0},
		{"lockWord.recoveries", unsafe.Offsetof(w.recoveries), 4},
		{"lockWord.owner", unsafe.Offsetof(w.owner), 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Fatalf("got offset %d, want %d", tt.got, tt.want)
			}
		})
	}
}

// TestLayout_Alignment checks every field of the shared structs: 64-bit
// fields (and the lock word) on 8 bytes, 32-bit ones on 4, so that atomics
// work on every platform and the layout does not depend on the compiler's
// padding.
func TestLayout_Alignment(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeFor[header](), reflect.TypeFor[entry](), reflect.TypeFor[lockWord]()} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			var align uintptr
			switch f.Type.Kind() {
			case reflect.Uint64, reflect.Int64, reflect.Struct:
				align = 8
			case reflect.Uint32, reflect.Int32:
				align = 4
			case reflect.Uint16:
				align = 2
			default:
				continue
			}
			if f.Offset%align != 0 {
				t.Errorf("%s.%s: got offset %d, want a multiple of %d", typ.Name(), f.Name, f.Offset, align)
			}
		}
	}
	if a := unsafe.Alignof(header{}); a != 8 {
		t.Fatalf("header: got alignment %d, want 8", a)
	}
	if valueOff%8 != 0 || valueOff < unsafe.Sizeof(lockWord{}) {
		t.Fatalf("valueOff %d: want 8-aligned and after the lock word", valueOff)
	}
}

func TestLayout_BlockSize(t *testing.T) {
	tests := []struct {
		name string
		kind uint16
		elem uint16
		n    uint64
		want uint64
		ok   bool
	}{
		{"value int8", kindValue, elemInt8, 1, 64, true},
		{"value float64", kindValue, elemFloat64, 1, 64, true},
		{"mutex", kindMutex, 0, 0, 64, true},
		{"array empty", kindArray, elemInt64, 0, 64, true},
		{"array 1 int8", kindArray, elemInt8, 1, 128, true},
		{"array 64 int8", kindArray, elemInt8, 64, 128, true},
		{"array 65 int8", kindArray, elemInt8, 65, 192, true},
		{"array 8 int64", kindArray, elemInt64, 8, 128, true},
		{"array 9 int64", kindArray, elemInt64, 9, 192, true},
		{"array 3 uint16", kindArray, elemUint16, 3, 128, true},
		{"array 16 float32", kindArray, elemFloat32, 16, 128, true},
		{"array 1e6 uint32", kindArray, elemUint32, 1e6, 64 + 4e6, true},
		{"array largest", kindArray, elemInt8, 1 << 62, 1<<62 + 64, true},
		{"array too long", kindArray, elemInt64, 1<<62/8 + 1, 0, false},
		{"array max uint64", kindArray, elemInt8, 1<<64 - 1, 0, false},
		{"array elem 0", kindArray, 0, 1, 0, false},
		{"array elem 11", kindArray, 11, 1, 0, false},
		{"array elem 65535", kindArray, 65535, 1, 0, false},
		{"kind 0", 0, elemInt64, 1, 0, false},
		{"kind 11", 11, elemInt64, 1, 0, false},
		{"semaphore", kindSemaphore, 0, 0, 64, true},
		{"barrier", kindBarrier, 0, 0, 64, true},
		{"region empty", kindRegion, 0, 0, 64, true},
		{"region 1", kindRegion, 0, 1, 128, true},
		{"region 4096", kindRegion, 0, 4096, 64 + 4096, true},
		{"region too long", kindRegion, 0, 1<<62 + 1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := blockSize(tt.kind, tt.elem, tt.n)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("got (%d, %v), want (%d, %v)", got, ok, tt.want, tt.ok)
			}
			if ok && got%lineSize != 0 {
				t.Fatalf("got %d, want a multiple of %d", got, lineSize)
			}
		})
	}
}

func TestLayout_TableCapFor(t *testing.T) {
	tests := []struct {
		size, want uint64
	}{
		{0, minTableCap},
		{4096, minTableCap},
		{8192, minTableCap},
		{16384, 32},
		{1 << 20, 2048},
		{2 << 20, maxTableCap},
		{1 << 30, maxTableCap},
		{1 << 40, maxTableCap},
		{1<<64 - 1, maxTableCap},
	}
	for _, tt := range tests {
		if got := tableCapFor(tt.size); got != tt.want {
			t.Errorf("tableCapFor(%d): got %d, want %d", tt.size, got, tt.want)
		}
	}
	// The table must always leave room for objects in a segment of one
	// page, the smallest NewSegment makes.
	page := uint64(os.Getpagesize())
	if dataOff := roundUp(headerSize+tableCapFor(page)*entrySize, lineSize); dataOff >= page {
		t.Fatalf("one page: object area at %d, want below %d", dataOff, page)
	}
}

// alignedBuf returns n zero bytes that start on an 8-byte boundary, as a
// mapping does.
func alignedBuf(n int) []byte {
	w := make([]uint64, (n+7)/8)
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(w))), len(w)*8)[:n]
}

func TestLayout_InitHeaderValidates(t *testing.T) {
	for _, size := range []uint64{4096, 8192, 1 << 20, 3 << 20} {
		mem := alignedBuf(int(size))
		h, err := ptrAt[header](mem, 0)
		if err != nil {
			t.Fatal(err)
		}
		initHeader(h, size, 42, "seg_1")
		got, err := validate(mem)
		if err != nil {
			t.Fatalf("size %d: got %v, want a valid header", size, err)
		}
		if got.Count != 0 || got.Alloc != got.DataOff || got.DataOff%lineSize != 0 || got.TableCap != tableCapFor(size) {
			t.Fatalf("size %d: got count %d alloc %d dataOff %d cap %d", size, got.Count, got.Alloc, got.DataOff, got.TableCap)
		}
		if name := trimName(got.Name[:]); name != "seg_1" {
			t.Fatalf("got name %q, want %q", name, "seg_1")
		}
	}
}

// TestLayout_ValidateErrors breaks one thing at a time in a valid image and
// checks that validate names it with the right error.
func TestLayout_ValidateErrors(t *testing.T) {
	const size = 8192
	fresh := func() ([]byte, *header) {
		mem := alignedBuf(size)
		h, _ := ptrAt[header](mem, 0)
		initHeader(h, size, 7, "")
		// One value entry, so that the entry checks run.
		e, _ := ptrAt[entry](mem, headerSize)
		*e = entry{Off: h.DataOff, Size: lineSize, Len: 1, Kind: kindValue, Elem: elemInt64}
		h.Alloc = h.DataOff + lineSize
		h.Count = 1
		return mem, h
	}
	entryOf := func(mem []byte) *entry { e, _ := ptrAt[entry](mem, headerSize); return e }
	tests := []struct {
		name   string
		mutate func(mem []byte, h *header) []byte
		want   error
	}{
		{"valid", func(mem []byte, h *header) []byte { return mem }, nil},
		{"empty", func(mem []byte, h *header) []byte { return mem[:0] }, ErrTruncated},
		{"short of a header", func(mem []byte, h *header) []byte { return mem[:headerSize-1] }, ErrTruncated},
		{"shorter than its size", func(mem []byte, h *header) []byte { return mem[:size-8] }, ErrTruncated},
		{"longer than its size", func(mem []byte, h *header) []byte { h.Size = size - 64; return mem }, ErrCorrupt},
		{"magic", func(mem []byte, h *header) []byte { h.Magic[0] = 'S'; return mem }, ErrBadMagic},
		{"version", func(mem []byte, h *header) []byte { h.Version = 2; return mem }, ErrVersion},
		{"line size", func(mem []byte, h *header) []byte { h.LineSize = 128; return mem }, ErrCorrupt},
		{"zero id", func(mem []byte, h *header) []byte { h.ID = 0; return mem }, ErrCorrupt},
		{"table offset", func(mem []byte, h *header) []byte { h.TableOff = 0; return mem }, ErrCorrupt},
		{"table cap small", func(mem []byte, h *header) []byte { h.TableCap = minTableCap - 1; return mem }, ErrCorrupt},
		{"table cap large", func(mem []byte, h *header) []byte { h.TableCap = maxTableCap + 1; return mem }, ErrCorrupt},
		{"table beyond end", func(mem []byte, h *header) []byte {
			h.TableCap = 1024
			h.DataOff = headerSize + 1024*entrySize
			h.Alloc = h.DataOff
			return mem
		}, ErrCorrupt},
		{"data offset", func(mem []byte, h *header) []byte { h.DataOff += lineSize; return mem }, ErrCorrupt},
		{"segment name", func(mem []byte, h *header) []byte { copy(h.Name[:], "a/b"); return mem }, ErrCorrupt},
		{"alloc below data", func(mem []byte, h *header) []byte { h.Alloc = h.DataOff - 1; return mem }, ErrCorrupt},
		{"alloc beyond end", func(mem []byte, h *header) []byte { h.Alloc = size + 1; return mem }, ErrCorrupt},
		{"count beyond table", func(mem []byte, h *header) []byte { h.Count = h.TableCap + 1; return mem }, ErrCorrupt},
		{"entry beyond alloc", func(mem []byte, h *header) []byte { h.Alloc = h.DataOff; return mem }, ErrCorrupt},
		{"entry kind", func(mem []byte, h *header) []byte { entryOf(mem).Kind = 9; return mem }, ErrCorrupt},
		{"entry elem", func(mem []byte, h *header) []byte { entryOf(mem).Elem = 0; return mem }, ErrCorrupt},
		{"entry len", func(mem []byte, h *header) []byte { entryOf(mem).Len = 2; return mem }, ErrCorrupt},
		{"entry size", func(mem []byte, h *header) []byte { entryOf(mem).Size = 128; return mem }, ErrCorrupt},
		{"entry unaligned", func(mem []byte, h *header) []byte { entryOf(mem).Off += 8; return mem }, ErrCorrupt},
		{"entry in table", func(mem []byte, h *header) []byte { entryOf(mem).Off = headerSize; return mem }, ErrCorrupt},
		{"entry name", func(mem []byte, h *header) []byte { copy(entryOf(mem).Name[:], "a b"); return mem }, ErrCorrupt},
		{"mutex with elem", func(mem []byte, h *header) []byte {
			e := entryOf(mem)
			e.Kind, e.Len = kindMutex, 0
			return mem
		}, ErrCorrupt},
		{"array past alloc", func(mem []byte, h *header) []byte {
			e := entryOf(mem)
			e.Kind, e.Len, e.Size = kindArray, 100, roundUp(lineSize+800, lineSize)
			return mem
		}, ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mem, h := fresh()
			_, err := validate(tt.mutate(mem, h))
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestLayout_ValidateUnaligned(t *testing.T) {
	mem := alignedBuf(4096 + 8)
	h, _ := ptrAt[header](mem, 0)
	initHeader(h, 4096, 1, "")
	img := make([]byte, 4096)
	copy(img, mem)
	shifted := mem[1 : 1+4096]
	copy(shifted, img)
	if _, err := validate(shifted); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want %v", err, ErrCorrupt)
	}
}

func TestLayout_ValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"a", true},
		{"A-z_09", true},
		{"abcdefghijklmnopqrstuvwxyz0123", true}, // 30
		{"", false},
		{"abcdefghijklmnopqrstuvwxyz01234", false}, // 31
		{"a/b", false},
		{"..", false},
		{"a.b", false},
		{"ü", false},
		{"a b", false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		if got := validName(tt.name); got != tt.ok {
			t.Errorf("validName(%q): got %v, want %v", tt.name, got, tt.ok)
		}
	}
}
