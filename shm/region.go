package shm

import "fmt"

// Region is a block of raw bytes in shared memory, with its own lock.
// Python: shared_memory.SharedMemory(size=n).buf. Higher-level structures
// are built on it (package ipc keeps its queues' rings in Regions).
//
// Region is a handle: copies refer to the same bytes, and a Region passed to
// a child process (see package ipc) is the same memory there. The zero
// Region is not usable; get one from [NewRegion] or [LookupRegion]. Its
// bytes start on a cache line and are zero when it is made.
type Region struct {
	b  []byte
	mu Mutex
}

// NewRegion allocates a Region of n bytes, in the default arena or in the
// segment given with [In].
func NewRegion(n int, opts ...Option) (*Region, error) {
	if n < 0 {
		return nil, fmt.Errorf("%w: region of %d bytes", ErrSize, n)
	}
	o, err := allocate(kindRegion, 0, uint64(n), opts)
	if err != nil {
		return nil, err
	}
	return regionOf(o)
}

// LookupRegion returns the Region named name in seg (see [Named]).
func LookupRegion(seg *Segment, name string) (*Region, error) {
	o, err := lookup(seg, name, kindRegion, 0)
	if err != nil {
		return nil, err
	}
	return regionOf(o)
}

func regionOf(o object) (*Region, error) {
	b, err := sliceAt[byte](o.seg.mem, o.e.Off+lineSize, o.e.Len)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &Region{b: b[:len(b):len(b)], mu: *mu}, nil
}

// Bytes returns the Region's memory itself, not a copy: what one process
// writes there, the others read. Reads and writes through it are plain;
// order them with the Region's lock or with atomic operations on its words.
// The slice must not be used after the Region's segment is closed.
func (r *Region) Bytes() []byte { return r.b }

// Len returns the size of the Region in bytes.
func (r *Region) Len() int { return len(r.b) }

// Mutex returns the Region's own lock.
func (r *Region) Mutex() *Mutex { return &r.mu }

// MarshalBinary encodes r as a handle, so that r can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (r *Region) MarshalBinary() ([]byte, error) { return r.mu.obj.marshal(kindRegion) }

// UnmarshalBinary makes r the Region a handle from [Region.MarshalBinary]
// names. The segment must be mapped in this process.
func (r *Region) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindRegion, 0)
	if err != nil {
		return err
	}
	reg, err := regionOf(o)
	if err != nil {
		return err
	}
	*r = *reg
	return nil
}
