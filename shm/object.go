package shm

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// object is a reference to one allocated block: its segment and its
// validated table entry.
type object struct {
	seg *Segment
	e   entry
}

// lineState returns the state of a one-line object: the lineStateSize
// bytes after its lock word, as an S (which must fit and be made of
// fixed-size numbers only, like every type placed in shared memory).
func lineState[S any](o object) (*S, error) {
	var zero S
	if unsafeSizeof(zero) > lineStateSize {
		panic("shm: state type larger than a line")
	}
	return ptrAt[S](o.seg.mem, o.e.Off+valueOff)
}

// lockWord returns the lock at the start of the object's block.
func (o object) lockWord() (*lockWord, error) { return ptrAt[lockWord](o.seg.mem, o.e.Off) }

func (o object) mutex() (*Mutex, error) {
	w, err := o.lockWord()
	if err != nil {
		return nil, err
	}
	return &Mutex{w: w, obj: o}, nil
}

// Option configures where and how a shared object is allocated.
type Option func(*allocOptions)

type allocOptions struct {
	seg   *Segment
	name  string
	named bool // Named was given, even with ""
}

// In allocates the object in seg instead of the default arena.
func In(seg *Segment) Option { return func(o *allocOptions) { o.seg = seg } }

// Named gives the object a name (1 to 30 letters, digits, '-' or '_'),
// unique in its segment, by which another process that opened the segment
// finds it with the Lookup functions. Names matter only with [In] and a
// named segment.
func Named(name string) Option {
	return func(o *allocOptions) { o.name, o.named = name, true }
}

// allocate reserves a zero block for an object in the segment the options
// name, or in the default arena.
func allocate(kind, elem uint16, n uint64, opts []Option) (object, error) {
	var o allocOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.named && !validName(o.name) {
		return object{}, fmt.Errorf("%w: object name %q", ErrName, o.name)
	}
	if _, ok := blockSize(kind, elem, n); !ok {
		return object{}, fmt.Errorf("%w: %d elements", ErrSize, n)
	}
	if o.seg != nil {
		return o.seg.alloc(kind, elem, n, o.name)
	}
	return arenaAlloc(kind, elem, n, o.name)
}

// lookup finds the object named name in seg and checks its kind, element
// type and, for arrays, that it has elements.
func lookup(seg *Segment, name string, kind, elem uint16) (object, error) {
	if !validName(name) {
		return object{}, fmt.Errorf("%w: object name %q", ErrName, name)
	}
	seg.mu.Lock()
	defer seg.mu.Unlock()
	if seg.closed {
		return object{}, ErrClosed
	}
	e, err := seg.lookupName(name)
	if err != nil {
		return object{}, err
	}
	if err := checkType(e, kind, elem); err != nil {
		return object{}, fmt.Errorf("object %q: %w", name, err)
	}
	return object{seg: seg, e: e}, nil
}

// checkType reports whether entry e holds what a handle of kind and elem
// expects. Every object starts with its lock, so a Mutex may name any.
func checkType(e entry, kind, elem uint16) error {
	if kind == kindMutex {
		return nil
	}
	if e.Kind != kind || e.Elem != elem {
		return fmt.Errorf("%w: it is %s, not %s", ErrType, describe(e.Kind, e.Elem), describe(kind, elem))
	}
	return nil
}

// describe names an object of kind and elem in messages: "a value of
// int64", "an array of float32", "a mutex".
func describe(kind, elem uint16) string {
	k := kindName(kind)
	a := "a "
	if strings.ContainsRune("aeiou", rune(k[0])) {
		a = "an "
	}
	if name := elemName(elem); name != "" {
		return a + k + " of " + name
	}
	return a + k
}

// A handle is what a shared object becomes when it is passed to another
// process: which segment, which block, and what the sender took it for.
//
//	0  4  magic "shmH"
//	4  1  handle version
//	5  1  kind (of the handle, not of the block: a Mutex may name any block)
//	6  2  element type
//	8  8  segment id
//	16 8  block offset
const handleLen = 24

var handleMagic = [4]byte{'s', 'h', 'm', 'H'}

func (o object) marshal(kind uint16) ([]byte, error) {
	if o.seg == nil {
		return nil, fmt.Errorf("%w: zero %s (not allocated)", ErrHandle, kindName(kind))
	}
	b := make([]byte, handleLen)
	copy(b, handleMagic[:])
	b[4] = 1
	b[5] = byte(kind)
	binary.LittleEndian.PutUint16(b[6:], o.e.Elem)
	if kind == kindMutex {
		binary.LittleEndian.PutUint16(b[6:], 0)
	}
	binary.LittleEndian.PutUint64(b[8:], o.seg.id)
	binary.LittleEndian.PutUint64(b[16:], o.e.Off)
	return b, nil
}

// unmarshalObject decodes a handle of the given kind and element type and
// finds its object among the segments this process has mapped.
func unmarshalObject(b []byte, kind, elem uint16) (object, error) {
	if len(b) != handleLen || [4]byte(b[:4]) != handleMagic || b[4] != 1 {
		return object{}, fmt.Errorf("%w: not a shmkit handle (%d bytes)", ErrHandle, len(b))
	}
	if hk, he := uint16(b[5]), binary.LittleEndian.Uint16(b[6:]); hk != kind || he != elem {
		return object{}, fmt.Errorf("%w: handle of %s decoded as %s", ErrType, describe(hk, he), describe(kind, elem))
	}
	id, off := binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
	seg := segmentByID(id)
	if seg == nil {
		return object{}, fmt.Errorf("%w: segment %016x", ErrUnknownSegment, id)
	}
	seg.mu.Lock()
	defer seg.mu.Unlock()
	if seg.closed { // closed since segmentByID found it
		return object{}, fmt.Errorf("%w: segment %016x", ErrUnknownSegment, id)
	}
	e, err := seg.entryAt(off)
	if err != nil {
		return object{}, err
	}
	if err := checkType(e, kind, elem); err != nil {
		return object{}, err
	}
	return object{seg: seg, e: e}, nil
}

// MarshalBinary encodes m as a handle, so that m can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (m *Mutex) MarshalBinary() ([]byte, error) { return m.obj.marshal(kindMutex) }

// UnmarshalBinary makes m the mutex a handle from [Mutex.MarshalBinary]
// names. The segment must be mapped in this process (package ipc hands a
// child every segment of its parent).
func (m *Mutex) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindMutex, 0)
	if err != nil {
		return err
	}
	mu, err := o.mutex()
	if err != nil {
		return err
	}
	*m = *mu
	return nil
}

// LookupMutex returns the lock of the object named name in seg: a mutex
// allocated with [Named], or the lock of a named Value or Array.
func LookupMutex(seg *Segment, name string) (*Mutex, error) {
	o, err := lookup(seg, name, kindMutex, 0)
	if err != nil {
		return nil, err
	}
	return o.mutex()
}
