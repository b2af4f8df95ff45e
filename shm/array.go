package shm

import (
	"fmt"
	"math"
)

// Array is a fixed-length sequence of numbers in shared memory, with one
// lock for the whole array. Python: multiprocessing.Array (Array('i', [1, 2,
// 3]) is NewArray([]int32{1, 2, 3})), and RawArray, since the per-element
// atomic methods need no lock.
//
// Array is a handle: copies refer to the same numbers, and an Array passed
// to a child process (see package ipc) is the same array there. The zero
// Array is not usable; get one from [NewArray], [MakeArray] or
// [LookupArray]. Its elements start on a cache line.
//
// The per-element methods are atomic and panic, like a slice, for an index
// out of range. A change of several elements that others must see whole
// goes through [Array.Update], or under [Array.Mutex].
type Array[T Number] struct {
	s    []T
	elem uint16
	mu   Mutex
}

// NewArray allocates an Array holding a copy of values, in the default
// arena or in the segment given with [In].
func NewArray[T Number](values []T, opts ...Option) (*Array[T], error) {
	a, err := MakeArray[T](len(values), opts...)
	if err != nil {
		return nil, err
	}
	for i, x := range values {
		a.Store(i, x)
	}
	return a, nil
}

// MakeArray allocates an Array of n zeros, in the default arena or in the
// segment given with [In]. Python: Array('i', n).
func MakeArray[T Number](n int, opts ...Option) (*Array[T], error) {
	if n < 0 || uint64(n) > math.MaxInt32*uint64(64) {
		return nil, fmt.Errorf("%w: array of %d elements", ErrSize, n)
	}
	o, err := allocate(kindArray, elemOf[T](), uint64(n), opts)
	if err != nil {
		return nil, err
	}
	return arrayOf[T](o)
}

// LookupArray returns the Array named name in seg (see [Named]). It fails
// with [ErrType] if that object is not an Array of T's element type.
func LookupArray[T Number](seg *Segment, name string) (*Array[T], error) {
	o, err := lookup(seg, name, kindArray, elemOf[T]())
	if err != nil {
		return nil, err
	}
	return arrayOf[T](o)
}

func arrayOf[T Number](o object) (*Array[T], error) {
	s, err := sliceAt[T](o.seg.mem, o.e.Off+lineSize, o.e.Len)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &Array[T]{s: s, elem: o.e.Elem, mu: *mu}, nil
}

// Len returns the number of elements.
func (a *Array[T]) Len() int { return len(a.s) }

// Load atomically loads element i.
func (a *Array[T]) Load(i int) T { return fromBits[T](loadBits(&a.s[i], a.elem), a.elem) }

// Store atomically stores v in element i.
func (a *Array[T]) Store(i int, v T) { swapBits(&a.s[i], a.elem, bitsOf(v, a.elem)) }

// Swap atomically stores new in element i and returns the previous value.
func (a *Array[T]) Swap(i int, new T) (old T) {
	return fromBits[T](swapBits(&a.s[i], a.elem, bitsOf(new, a.elem)), a.elem)
}

// CompareAndSwap stores new in element i if it holds old, and reports
// whether it did.
func (a *Array[T]) CompareAndSwap(i int, old, new T) (swapped bool) {
	return casBits(&a.s[i], a.elem, bitsOf(old, a.elem), bitsOf(new, a.elem))
}

// Add atomically adds delta to element i and returns the new value.
func (a *Array[T]) Add(i int, delta T) (new T) { return addNumber(&a.s[i], a.elem, delta) }

// Slice returns a copy of the elements, each loaded atomically. Python:
// arr[:]. While other processes write, it is not a snapshot of one moment;
// take [Array.Mutex] around it for that (if the writers do too).
func (a *Array[T]) Slice() []T {
	out := make([]T, len(a.s))
	for i := range a.s {
		out[i] = a.Load(i)
	}
	return out
}

// Mutex returns the Array's own lock. Python: get_lock().
func (a *Array[T]) Mutex() *Mutex { return &a.mu }

// Update runs fn under the Array's lock, with the elements as a slice fn
// may read and write directly (it must not keep the slice after it
// returns). Python: with arr.get_lock(): ...
//
// If a process died holding the lock, the array may hold part of that
// process's update. Update still runs fn and marks the lock consistent, and
// then returns [ErrOwnerDead] so the caller learns of it. It fails without
// running fn only with [ErrNotRecoverable].
func (a *Array[T]) Update(fn func(s []T)) error {
	err := a.mu.Lock()
	if err != nil && err != ErrOwnerDead {
		return err
	}
	defer a.mu.Unlock()
	if err == ErrOwnerDead {
		a.mu.MarkConsistent()
	}
	fn(a.s)
	return err
}

// String formats the elements, as fmt prints a slice.
func (a *Array[T]) String() string { return fmt.Sprint(a.Slice()) }

// MarshalBinary encodes a as a handle, so that a can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (a *Array[T]) MarshalBinary() ([]byte, error) { return a.mu.obj.marshal(kindArray) }

// UnmarshalBinary makes a the Array a handle from [Array.MarshalBinary]
// names. The segment must be mapped in this process, and the Array must
// have T's element type.
func (a *Array[T]) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindArray, elemOf[T]())
	if err != nil {
		return err
	}
	arr, err := arrayOf[T](o)
	if err != nil {
		return err
	}
	*a = *arr
	return nil
}
