package shm

import (
	"fmt"
	"sync/atomic"
)

// Value is one number in shared memory, with its own lock. Python:
// multiprocessing.Value (Value('i', 0) is NewValue[int32](0)), and
// RawValue, since the atomic methods need no lock.
//
// Value is a handle: copies refer to the same number, and a Value passed to
// a child process (see package ipc) is the same number there. The zero Value
// is not usable; get one from [NewValue] or [LookupValue].
//
// Load, Store, Swap, CompareAndSwap and Add are atomic, like sync/atomic's
// (Add on floats and on 8- and 16-bit integers is a compare-and-swap loop,
// and CompareAndSwap on floats compares bits). For a read-modify-write that
// is not one of those, use [Value.Update], or lock [Value.Mutex] yourself.
type Value[T Number] struct {
	p    *T
	u64  *uint64 // p, when T is a 64-bit integer (int64, uint64, or a type of either); else nil
	elem uint16
	mu   Mutex
}

// NewValue allocates a Value holding v, in the default arena or in the
// segment given with [In].
func NewValue[T Number](v T, opts ...Option) (*Value[T], error) {
	o, err := allocate(kindValue, elemOf[T](), 1, opts)
	if err != nil {
		return nil, err
	}
	val, err := valueOf[T](o)
	if err != nil {
		return nil, err
	}
	val.Store(v)
	return val, nil
}

// LookupValue returns the Value named name in seg (see [Named]). It fails
// with [ErrType] if that object is not a Value of T's element type.
func LookupValue[T Number](seg *Segment, name string) (*Value[T], error) {
	o, err := lookup(seg, name, kindValue, elemOf[T]())
	if err != nil {
		return nil, err
	}
	return valueOf[T](o)
}

func valueOf[T Number](o object) (*Value[T], error) {
	p, err := ptrAt[T](o.seg.mem, o.e.Off+valueOff)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	v := &Value[T]{p: p, elem: o.e.Elem, mu: *mu}
	if e := elemOf[T](); e == elemInt64 || e == elemUint64 {
		v.u64 = as[uint64](p)
	}
	return v, nil
}

// Load atomically loads and returns the number.
func (v *Value[T]) Load() T { return fromBits[T](loadBits(v.p, v.elem), v.elem) }

// Store atomically stores val.
func (v *Value[T]) Store(val T) { swapBits(v.p, v.elem, bitsOf(val, v.elem)) }

// Swap atomically stores new and returns the previous number.
func (v *Value[T]) Swap(new T) (old T) {
	return fromBits[T](swapBits(v.p, v.elem, bitsOf(new, v.elem)), v.elem)
}

// CompareAndSwap stores new if the number is old, and reports whether it
// did.
func (v *Value[T]) CompareAndSwap(old, new T) (swapped bool) {
	return casBits(v.p, v.elem, bitsOf(old, v.elem), bitsOf(new, v.elem))
}

// Add atomically adds delta and returns the new number. Integers wrap
// around on overflow, as in Go.
func (v *Value[T]) Add(delta T) (new T) {
	// A counter of 64 bits, the usual one, is added to here, where the
	// compiler can inline it into the caller's loop (Add's cost is 78 of
	// the inliner's budget of 80): through addNumber's call, two processes
	// adding to one counter made 61-67 M adds a second against 75-83 now,
	// as a process makes more adds in each turn it holds the cache line
	// when each takes fewer instructions.
	if v.u64 != nil {
		return T(atomic.AddUint64(v.u64, uint64(delta))) // T's bits are uint64's: both conversions keep them
	}
	return v.add(delta)
}

// add is Add for the other numbers, kept out of line so that Add stays
// small enough to be inlined.
//
//go:noinline
func (v *Value[T]) add(delta T) T { return addNumber(v.p, v.elem, delta) }

// Mutex returns the Value's own lock. Python: get_lock().
func (v *Value[T]) Mutex() *Mutex { return &v.mu }

// Update runs fn on the number under the Value's lock and stores what fn
// returns; it returns that new number. Python: with v.get_lock(): v.value =
// fn(v.value).
//
// Update is atomic also with respect to the lock-free methods: it stores
// with a compare-and-swap, and if an Add or Store of another process came
// in between, it runs fn again on the newer number. So fn may run more than
// once, and should only compute.
//
// If a process died holding the lock, Update recovers it: a Value's number
// is written by one atomic store, so the dead owner left either the old or
// the new number, never a mix, and Update marks the lock consistent and
// goes on. (If you guard other state with this lock, lock [Value.Mutex]
// yourself to handle [ErrOwnerDead].) It fails only with
// [ErrNotRecoverable].
func (v *Value[T]) Update(fn func(T) T) (T, error) {
	if err := v.mu.Lock(); err == ErrOwnerDead {
		v.mu.MarkConsistent()
	} else if err != nil {
		var zero T
		return zero, err
	}
	defer v.mu.Unlock()
	for {
		old := loadBits(v.p, v.elem)
		new := fn(fromBits[T](old, v.elem))
		if casBits(v.p, v.elem, old, bitsOf(new, v.elem)) {
			return new, nil
		}
	}
}

// String formats the number, as fmt prints it.
func (v *Value[T]) String() string { return fmt.Sprint(v.Load()) }

// MarshalBinary encodes v as a handle, so that v can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (v *Value[T]) MarshalBinary() ([]byte, error) { return v.mu.obj.marshal(kindValue) }

// UnmarshalBinary makes v the Value a handle from [Value.MarshalBinary]
// names. The segment must be mapped in this process, and the Value must
// have T's element type.
func (v *Value[T]) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindValue, elemOf[T]())
	if err != nil {
		return err
	}
	val, err := valueOf[T](o)
	if err != nil {
		return err
	}
	*v = *val
	return nil
}
