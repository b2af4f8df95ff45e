package ring

import (
	"fmt"
	"unsafe"
)

// This file holds every use of unsafe in package ring.
//
// The conversions are valid because:
//   - the memory of a ring is shared memory mapped by package shm (or, in
//     tests, a Go []byte kept alive by the Ring that holds it): it is never
//     moved, and a pointer into it stays valid while the Ring is in use;
//   - only the fixed-size integer structs header and slotHdr are placed
//     there, never a Go pointer;
//   - the header's offset and alignment are checked by ptrAt, and every
//     slot lies inside mem[HeaderSize:] at a multiple of 8 bytes, which
//     Attach checked against len(mem) once, with private copies of the
//     sizes; slot indexes mem, so even a wrong offset would panic on the
//     bounds check rather than touch memory outside mem.

// ptrAt returns a *T for mem[off:off+sizeof(T)], checking bounds and
// alignment.
func ptrAt[T any](mem []byte, off int) (*T, error) {
	var zero T
	size, align := int(unsafe.Sizeof(zero)), uintptr(unsafe.Alignof(zero))
	if off < 0 || off > len(mem) || size > len(mem)-off {
		return nil, fmt.Errorf("%w: %d bytes at offset %d outside %d bytes", ErrSize, size, off, len(mem))
	}
	p := unsafe.Pointer(unsafe.SliceData(mem[off:]))
	if uintptr(p)%align != 0 {
		return nil, fmt.Errorf("%w: memory at %#x not aligned to %d bytes", ErrSize, uintptr(p), align)
	}
	return (*T)(p), nil
}

// slot returns the header of the slot of position pos. The base of mem is
// 8-byte aligned (checked by ptrAt on the header) and so are HeaderSize and
// the stride, so the slotHdr is aligned.
func (r *Ring) slot(pos uint64) *slotHdr { return r.slotAt(r.index(pos)) }

// slotAt returns the header of the slot at index i (see slot).
func (r *Ring) slotAt(i uint64) *slotHdr {
	return (*slotHdr)(unsafe.Pointer(&r.mem[HeaderSize+i*r.stride]))
}

// BytesOf returns the memory of *p as a byte slice, for copying a value of
// a fixed-size type (no pointers) into and out of a slot without encoding
// it. The caller guarantees that T holds no pointers.
func BytesOf[T any](p *T) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), unsafe.Sizeof(*p))
}

// BytesOfSlice returns the memory of the elements of s as a byte slice; see
// [BytesOf].
func BytesOfSlice[T any](s []T) []byte {
	var zero T
	return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), uintptr(len(s))*unsafe.Sizeof(zero))
}

// sizeofHeader returns the size of the header struct, for a layout test.
func sizeofHeader() int { return int(unsafe.Sizeof(header{})) }

// Cast reinterprets p as a *U. The caller guarantees that T and U are the
// same type (package ipc uses it to see a generic T known to be []byte as
// a []byte without boxing it in an interface).
func Cast[U, T any](p *T) *U { return (*U)(unsafe.Pointer(p)) }
