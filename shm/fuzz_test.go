package shm

import (
	"errors"
	"testing"
)

// Fuzz targets for what another process wrote: a segment image and a
// handle. Either must be refused with an error or give something that lies
// inside this process's mapping; never a panic.

// fuzzObjects allocates a few objects of every kind and several element
// types in s.
func fuzzObjects(tb testing.TB, s *Segment) {
	tb.Helper()
	steps := []struct {
		kind, elem uint16
		n          uint64
		name       string
	}{
		{kindValue, elemInt64, 1, "count"},
		{kindValue, elemInt8, 1, ""},
		{kindMutex, 0, 0, "lock"},
		{kindArray, elemUint16, 7, "u16s"},
		{kindValue, elemFloat32, 1, ""},
		{kindArray, elemFloat64, 0, "empty"},
		{kindArray, elemInt8, 3, ""},
	}
	for _, st := range steps {
		if _, err := s.alloc(st.kind, st.elem, st.n, st.name); err != nil {
			tb.Fatal(err)
		}
	}
}

// compactImage returns a small segment image (2 KiB, made without a file)
// holding fuzzObjects, so that the fuzzer works on few bytes.
func compactImage(tb testing.TB) []byte {
	const size = 2048
	mem := alignedBuf(size)
	h, err := ptrAt[header](mem, 0)
	if err != nil {
		tb.Fatal(err)
	}
	initHeader(h, size, 0x5eed, "compact")
	s := &Segment{mem: mem, hdr: h, id: h.ID, size: h.Size, tableCap: h.TableCap, dataOff: h.DataOff}
	fuzzObjects(tb, s)
	return mem
}

// realImage returns a copy of a segment made by NewSegment and holding
// fuzzObjects.
func realImage(tb testing.TB) []byte {
	s, err := NewSegment(4096)
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	fuzzObjects(tb, s)
	return append([]byte(nil), s.mem...)
}

func FuzzValidate(f *testing.F) {
	real, compact := realImage(f), compactImage(f)
	for _, img := range [][]byte{real, compact} {
		if _, err := validate(img); err != nil {
			f.Fatalf("seed image: got %v, want a valid segment", err)
		}
	}
	f.Add(real)
	f.Add(compact)
	f.Add(real[:len(real)/2]) // truncated
	f.Add(compact[:headerSize])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		mem := alignedBuf(len(b)) // a mapping is page-aligned
		copy(mem, b)
		h, err := validate(mem)
		if err != nil {
			if h != nil {
				t.Fatalf("got a header and %v, want one of them", err)
			}
			for _, want := range []error{ErrTruncated, ErrBadMagic, ErrVersion, ErrCorrupt} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("got %v, want one of the named validation errors", err)
		}
		checkValidated(t, mem, h)
	})
}

// checkValidated checks what validate accepted: the header's geometry and
// every published entry lie inside mem, in order, without overlap, each big
// enough for its elements.
func checkValidated(t *testing.T, mem []byte, h *header) {
	size := uint64(len(mem))
	if h.Size != size || h.DataOff > size || h.Alloc < h.DataOff || h.Alloc > size {
		t.Fatalf("accepted size %d dataOff %d alloc %d for %d bytes", h.Size, h.DataOff, h.Alloc, size)
	}
	if h.Count > h.TableCap || headerSize+h.TableCap*entrySize > h.DataOff {
		t.Fatalf("accepted %d entries in a table of %d ending at %d", h.Count, h.TableCap, h.DataOff)
	}
	end := h.DataOff
	for i := range h.Count {
		e, err := readEntry(mem, i)
		if err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		if e.Off < end || e.Off > size || e.Size > size-e.Off || e.Off+e.Size > h.Alloc {
			t.Fatalf("entry %d: block [%d, +%d) outside [%d, %d)", i, e.Off, e.Size, end, h.Alloc)
		}
		need := uint64(lineSize)
		switch e.Kind {
		case kindValue:
			need = valueOff + elemSize(e.Elem)
		case kindArray:
			need = lineSize + e.Len*elemSize(e.Elem)
		}
		if e.Size < need || e.Off%lineSize != 0 {
			t.Fatalf("entry %d: block of %d bytes at %d for kind %d, %d elements of type %d", i, e.Size, e.Off, e.Kind, e.Len, e.Elem)
		}
		end = e.Off + e.Size
	}
}

// fuzzID is the id of the segment FuzzHandle decodes handles into: fixed, so
// that seeds made in one process name the segment in the fuzzing workers.
const fuzzID = 0xf022_5eed_0000_0001

func FuzzHandle(f *testing.F) {
	s, err := NewSegment(8192)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { s.Close() })
	unregister(s)
	s.id, s.hdr.ID = fuzzID, fuzzID
	register(s)
	fuzzObjects(f, s)
	for i := range s.count() {
		e, _ := readEntry(s.mem, i)
		o := object{seg: s, e: e}
		for _, kind := range []uint16{e.Kind, kindMutex} {
			b, err := o.marshal(kind)
			if err != nil {
				f.Fatal(err)
			}
			if _, err := unmarshalObject(b, kind, uint16(b[6])); err != nil {
				f.Fatalf("seed handle of object %d: got %v, want it to decode", i, err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("shmH"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for kind := range uint16(kindMutex + 2) {
			for elem := range uint16(len(elemSizes) + 1) {
				o, err := unmarshalObject(b, kind, elem)
				if err != nil {
					if !errors.Is(err, ErrHandle) && !errors.Is(err, ErrType) &&
						!errors.Is(err, ErrUnknownSegment) && !errors.Is(err, ErrCorrupt) {
						t.Fatalf("kind %d elem %d: got %v, want a handle error", kind, elem, err)
					}
					continue
				}
				checkObject(t, o, kind)
			}
		}
		// The exported decoders, which build pointers from the object.
		var v64 Value[int64]
		if v64.UnmarshalBinary(b) == nil {
			checkPtr(t, v64.mu.obj.seg, addrOf(v64.p), 8)
			v64.Load()
		}
		var v8 Value[int8]
		if v8.UnmarshalBinary(b) == nil {
			checkPtr(t, v8.mu.obj.seg, addrOf(v8.p), 1)
			v8.Load()
		}
		var a16 Array[uint16]
		if a16.UnmarshalBinary(b) == nil {
			if len(a16.s) > 0 {
				checkPtr(t, a16.mu.obj.seg, addrOf(&a16.s[0]), uint64(2*len(a16.s)))
			}
			a16.Slice()
		}
		var af Array[float64]
		if af.UnmarshalBinary(b) == nil && len(af.s) > 0 {
			checkPtr(t, af.mu.obj.seg, addrOf(&af.s[0]), uint64(8*len(af.s)))
		}
		var m Mutex
		if m.UnmarshalBinary(b) == nil {
			checkPtr(t, m.obj.seg, addrOf(m.w), 16)
			if m.TryLock() {
				m.Unlock()
			}
		}
	})
}

// checkObject checks that a decoded object's block lies in its segment's
// object area and is what the handle asked for.
func checkObject(t *testing.T, o object, kind uint16) {
	if o.seg == nil {
		t.Fatalf("decoded an object without a segment")
	}
	mem := o.seg.mem
	if o.e.Off < o.seg.dataOff || o.e.Off > uint64(len(mem)) || o.e.Size > uint64(len(mem))-o.e.Off {
		t.Fatalf("decoded block [%d, +%d) outside the object area [%d, %d)", o.e.Off, o.e.Size, o.seg.dataOff, len(mem))
	}
	if kind != kindMutex && o.e.Kind != kind {
		t.Fatalf("decoded a block of kind %d for a handle of kind %d", o.e.Kind, kind)
	}
	if _, err := o.lockWord(); err != nil {
		t.Fatalf("lock word: %v", err)
	}
}

// checkPtr checks that n bytes at p lie inside seg's mapping.
func checkPtr(t *testing.T, seg *Segment, p uintptr, n uint64) {
	lo := memAddr(seg.mem)
	if p < lo || uint64(p-lo) > uint64(len(seg.mem)) || n > uint64(len(seg.mem))-uint64(p-lo) {
		t.Fatalf("%d bytes at %#x outside the mapping [%#x, +%d)", n, p, lo, len(seg.mem))
	}
}
