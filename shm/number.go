package shm

import (
	"math"
	"reflect"
	"sync/atomic"
)

// Number is the set of element types of [Value] and [Array]: the fixed-size
// numbers of Python's typecodes ('b' int8 ... 'Q' uint64, 'f' float32, 'd'
// float64), and int and uint, which are stored as their fixed-size
// equivalent (int64 and uint64 on 64-bit platforms). Defined types over
// them, such as type Cents int64, are numbers too.
type Number interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~int |
		~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint |
		~float32 | ~float64
}

// Element types, as stored in a table entry.
const (
	elemInt8 = 1 + iota
	elemInt16
	elemInt32
	elemInt64
	elemUint8
	elemUint16
	elemUint32
	elemUint64
	elemFloat32
	elemFloat64
)

var elemNames = [...]string{"", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64", "float32", "float64"}
var elemSizes = [...]uint64{0, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8}

func elemSize(e uint16) uint64 {
	if int(e) < len(elemSizes) {
		return elemSizes[e]
	}
	return 0
}

func elemName(e uint16) string {
	if int(e) < len(elemNames) {
		return elemNames[e]
	}
	return ""
}

// elemOf returns the element type that stores T.
func elemOf[T Number]() uint16 {
	t := reflect.TypeFor[T]()
	switch t.Kind() {
	case reflect.Int8:
		return elemInt8
	case reflect.Int16:
		return elemInt16
	case reflect.Int32:
		return elemInt32
	case reflect.Int64:
		return elemInt64
	case reflect.Uint8:
		return elemUint8
	case reflect.Uint16:
		return elemUint16
	case reflect.Uint32:
		return elemUint32
	case reflect.Uint64:
		return elemUint64
	case reflect.Float32:
		return elemFloat32
	case reflect.Float64:
		return elemFloat64
	case reflect.Int:
		if t.Size() == 4 {
			return elemInt32
		}
		return elemInt64
	case reflect.Uint:
		if t.Size() == 4 {
			return elemUint32
		}
		return elemUint64
	}
	panic("shm: unreachable: Number of kind " + t.Kind().String())
}

// The atomic operations on one element at p of element type e. Sizes 4 and
// 8 use sync/atomic directly; sizes 1 and 2 use a compare-and-swap on the
// aligned 32-bit word that contains them; floats work on their bits.

// bitsOf returns the bits of v as stored for element type e.
func bitsOf[T Number](v T, e uint16) uint64 {
	switch e {
	case elemFloat32:
		return uint64(math.Float32bits(float32(v)))
	case elemFloat64:
		return math.Float64bits(float64(v))
	case elemInt8, elemInt16, elemInt32, elemInt64:
		return uint64(int64(v)) & sizeMask(e)
	}
	return uint64(v) & sizeMask(e)
}

// fromBits returns the value of element type e whose bits are b.
func fromBits[T Number](b uint64, e uint16) T {
	switch e {
	case elemInt8:
		return T(int8(b))
	case elemInt16:
		return T(int16(b))
	case elemInt32:
		return T(int32(b))
	case elemInt64:
		return T(int64(b))
	case elemFloat32:
		return T(math.Float32frombits(uint32(b)))
	case elemFloat64:
		return T(math.Float64frombits(b))
	}
	return T(b)
}

// sizeMask returns the mask of the bits of element type e (the shift by 64
// of a uint64 is 0 in Go, so size 8 gives all ones).
func sizeMask(e uint16) uint64 { return uint64(1)<<(8*elemSizes[e]) - 1 }

func loadBits[T Number](p *T, e uint16) uint64 {
	switch elemSizes[e] {
	case 8:
		return atomic.LoadUint64(as[uint64](p))
	case 4:
		return uint64(atomic.LoadUint32(as[uint32](p)))
	}
	w, sh := word32(p)
	return uint64(atomic.LoadUint32(w)>>sh) & sizeMask(e)
}

// casBits sets the element to new if it holds old, reporting whether it did.
func casBits[T Number](p *T, e uint16, old, new uint64) bool {
	switch elemSizes[e] {
	case 8:
		return atomic.CompareAndSwapUint64(as[uint64](p), old, new)
	case 4:
		return atomic.CompareAndSwapUint32(as[uint32](p), uint32(old), uint32(new))
	}
	w, sh := word32(p)
	m := uint32(sizeMask(e)) << sh
	for {
		cur := atomic.LoadUint32(w)
		if uint64(cur&m>>sh) != old {
			return false
		}
		if atomic.CompareAndSwapUint32(w, cur, cur&^m|uint32(new)<<sh) {
			return true
		}
	}
}

// swapBits stores new and returns the previous bits.
func swapBits[T Number](p *T, e uint16, new uint64) uint64 {
	switch elemSizes[e] {
	case 8:
		return atomic.SwapUint64(as[uint64](p), new)
	case 4:
		return uint64(atomic.SwapUint32(as[uint32](p), uint32(new)))
	}
	for {
		old := loadBits(p, e)
		if casBits(p, e, old, new) {
			return old
		}
	}
}

// addNumber adds delta and returns the new value.
func addNumber[T Number](p *T, e uint16, delta T) T {
	switch e {
	case elemInt64, elemUint64:
		return T(atomic.AddUint64(as[uint64](p), bitsOf(delta, e)))
	case elemInt32, elemUint32:
		return fromBits[T](uint64(atomic.AddUint32(as[uint32](p), uint32(bitsOf(delta, e)))), e)
	}
	for { // floats, and 8- and 16-bit integers
		old := loadBits(p, e)
		new := fromBits[T](old, e) + delta
		if casBits(p, e, old, bitsOf(new, e)) {
			return new
		}
	}
}
