package shm

import (
	"fmt"
	"unsafe"
)

// This file holds every use of unsafe in package shm. Shared memory is a
// []byte returned by mmap; typed access to it goes through these helpers.
//
// The conversions are valid because:
//   - the memory is not Go heap memory: the garbage collector neither scans
//     nor moves it, so a pointer into it stays valid until munmap, which
//     happens only in Segment.Close (the caller's promise: no object of a
//     closed segment is used again);
//   - no Go pointer is ever stored into it: the types placed there
//     (header, entry, lockWord and the numeric element types) contain only
//     fixed-size integers and floats;
//   - every offset is checked against the length of the mapping and the
//     alignment of the type before the conversion.

// ptrAt returns a *T for the bytes mem[off:off+sizeof(T)], checking bounds
// and alignment.
func ptrAt[T any](mem []byte, off uint64) (*T, error) {
	var zero T
	size, align := uint64(unsafe.Sizeof(zero)), uint64(unsafe.Alignof(zero))
	if off > uint64(len(mem)) || size > uint64(len(mem))-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d outside a mapping of %d bytes", ErrCorrupt, size, off, len(mem))
	}
	p := unsafe.Pointer(unsafe.SliceData(mem[off:]))
	if uintptr(p)%uintptr(align) != 0 {
		return nil, fmt.Errorf("%w: offset %d not aligned to %d", ErrCorrupt, off, align)
	}
	return (*T)(p), nil
}

// sliceAt returns a []T of n elements over mem starting at off, checking
// bounds (with overflow) and alignment.
func sliceAt[T any](mem []byte, off, n uint64) ([]T, error) {
	var zero T
	size, align := uint64(unsafe.Sizeof(zero)), uint64(unsafe.Alignof(zero))
	if off > uint64(len(mem)) || (n != 0 && (uint64(len(mem))-off)/size < n) {
		return nil, fmt.Errorf("%w: %d elements of %d bytes at offset %d outside a mapping of %d bytes", ErrCorrupt, n, size, off, len(mem))
	}
	if n == 0 {
		return []T{}, nil
	}
	p := unsafe.Pointer(unsafe.SliceData(mem[off:]))
	if uintptr(p)%uintptr(align) != 0 {
		return nil, fmt.Errorf("%w: offset %d not aligned to %d", ErrCorrupt, off, align)
	}
	return unsafe.Slice((*T)(p), n), nil
}

// as reinterprets p as a *U. Callers guarantee that U has the same size and
// memory layout as T (T is a defined type whose underlying type is U, as
// checked by kindOf).
func as[U, T any](p *T) *U { return (*U)(unsafe.Pointer(p)) }

// word32 returns the naturally aligned 32-bit word that contains the byte at
// p, and the bit shift of that byte within the word as it is loaded on this
// machine. It lets 8- and 16-bit values be updated atomically by a CAS on
// their word.
func word32[T any](p *T) (w *uint32, shift uint) {
	byteOff := uintptr(unsafe.Pointer(p)) & 3
	w = (*uint32)(unsafe.Add(unsafe.Pointer(p), -int(byteOff)))
	if bigEndian {
		return w, uint(8 * (4 - byteOff - uintptr(unsafe.Sizeof(*p))))
	}
	return w, uint(8 * byteOff)
}

// bigEndian reports whether this machine stores the low byte of a word last.
var bigEndian = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 0
}()

// addrOf returns the address of p, to find which mapping holds it.
func addrOf[T any](p *T) uintptr { return uintptr(unsafe.Pointer(p)) }

// memAddr returns the address of the first byte of mem.
func memAddr(mem []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(mem))) }

// unsafeSizeof returns the size of a T.
func unsafeSizeof[T any](x T) uintptr { return unsafe.Sizeof(x) }
