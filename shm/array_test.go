package shm_test

import (
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

func TestArray_NewArray_Copies(t *testing.T) {
	src := []int32{1, -2, 3, math.MaxInt32, math.MinInt32}
	a, err := shm.NewArray(src)
	if err != nil {
		t.Fatal(err)
	}
	want := slices.Clone(src)
	src[0] = 99 // the array holds a copy
	if a.Len() != len(want) {
		t.Fatalf("Len: got %d, want %d", a.Len(), len(want))
	}
	if got := a.Slice(); !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got, want := a.String(), "[1 -2 3 2147483647 -2147483648]"; got != want {
		t.Fatalf("String: got %q, want %q", got, want)
	}
}

func TestArray_MakeArray_Zeros(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"int8", func(t *testing.T) { checkZeros[int8](t, 1000) }},
		{"uint16", func(t *testing.T) { checkZeros[uint16](t, 333) }},
		{"float32", func(t *testing.T) { checkZeros[float32](t, 17) }},
		{"float64", func(t *testing.T) { checkZeros[float64](t, 64) }},
		{"Cents", func(t *testing.T) { checkZeros[Cents](t, 5) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func checkZeros[T shm.Number](t *testing.T, n int) {
	// Dirty a block first, so that a recycled block would show.
	if _, err := shm.NewArray(slices.Repeat([]T{7}, n)); err != nil {
		t.Fatal(err)
	}
	a, err := shm.MakeArray[T](n)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != n {
		t.Fatalf("Len: got %d, want %d", a.Len(), n)
	}
	for i, x := range a.Slice() {
		if x != 0 {
			t.Fatalf("element %d: got %v, want 0", i, x)
		}
	}
}

func TestArray_Methods_PerIndex(t *testing.T) {
	a, err := shm.NewArray([]int16{10, 20, 30, 40, 50})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func() int16 // returns what the method returned
		ret  int16
		want []int16
	}{
		{"Load", func() int16 { return a.Load(2) }, 30, []int16{10, 20, 30, 40, 50}},
		{"Store", func() int16 { a.Store(0, -1); return 0 }, 0, []int16{-1, 20, 30, 40, 50}},
		{"Swap", func() int16 { return a.Swap(4, 5) }, 50, []int16{-1, 20, 30, 40, 5}},
		{"CompareAndSwap ok", func() int16 {
			if a.CompareAndSwap(1, 20, 21) {
				return 1
			}
			return 0
		}, 1, []int16{-1, 21, 30, 40, 5}},
		{"CompareAndSwap fails", func() int16 {
			if a.CompareAndSwap(1, 20, 22) {
				return 1
			}
			return 0
		}, 0, []int16{-1, 21, 30, 40, 5}},
		{"Add", func() int16 { return a.Add(3, -41) }, -1, []int16{-1, 21, 30, -1, 5}},
		{"Add wraps", func() int16 { a.Store(2, math.MaxInt16); return a.Add(2, 1) }, math.MinInt16, []int16{-1, 21, math.MinInt16, -1, 5}},
	}
	for _, tt := range tests { // in order: each case starts where the last ended
		if got := tt.op(); got != tt.ret {
			t.Fatalf("%s: got %v, want %v", tt.name, got, tt.ret)
		}
		if got := a.Slice(); !slices.Equal(got, tt.want) {
			t.Fatalf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestArray_Methods_OutOfRangePanics(t *testing.T) {
	a, err := shm.NewArray([]uint64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	empty, err := shm.MakeArray[int8](0)
	if err != nil {
		t.Fatal(err)
	}
	ops := []struct {
		name string
		n    int // length of the array fn works on
		fn   func(i int)
	}{
		{"Load", 3, func(i int) { a.Load(i) }},
		{"Store", 3, func(i int) { a.Store(i, 1) }},
		{"Swap", 3, func(i int) { a.Swap(i, 1) }},
		{"CompareAndSwap", 3, func(i int) { a.CompareAndSwap(i, 0, 1) }},
		{"Add", 3, func(i int) { a.Add(i, 1) }},
		{"empty Load", 0, func(i int) { empty.Load(i) }},
		{"empty Store", 0, func(i int) { empty.Store(i, 1) }},
		{"empty Add", 0, func(i int) { empty.Add(i, 1) }},
	}
	for _, op := range ops {
		for _, i := range []int{-1, op.n, op.n + 1, math.MaxInt, math.MinInt} {
			p := catchPanic(func() { op.fn(i) })
			re, ok := p.(runtime.Error)
			if !ok || !strings.Contains(re.Error(), "index out of range") {
				t.Errorf("%s(%d): got panic %v, want an index out of range runtime error", op.name, i, p)
			}
		}
	}
	if got, want := a.Slice(), []uint64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("after the panics: got %v, want %v", got, want)
	}
}

// catchPanic runs fn and returns what it panicked with, or nil.
func catchPanic(fn func()) (p any) {
	defer func() { p = recover() }()
	fn()
	return nil
}

func TestArray_Slice_IsCopy(t *testing.T) {
	a, err := shm.NewArray([]float64{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Slice()
	s[0] = 100
	if got := a.Load(0); got != 1 {
		t.Fatalf("got %v, want 1 (Slice must be a copy)", got)
	}
	a.Store(1, 20)
	if s[1] != 2 {
		t.Fatalf("got %v, want 2 (a later Store must not show in the copy)", s[1])
	}
}

func TestArray_Update_SeesAndChanges(t *testing.T) {
	a, err := shm.NewArray([]uint32{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	var seen []uint32
	err = a.Update(func(s []uint32) {
		seen = slices.Clone(s)
		for i := range s {
			s[i] *= 10
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []uint32{1, 2, 3, 4}; !slices.Equal(seen, want) {
		t.Fatalf("fn saw %v, want %v", seen, want)
	}
	if got, want := a.Slice(), []uint32{10, 20, 30, 40}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if !a.Mutex().TryLock() {
		t.Fatalf("TryLock after Update: got false, want true")
	}
	a.Mutex().Unlock()
	// A panicking fn leaves the lock free.
	catchPanic(func() { a.Update(func([]uint32) { panic("boom") }) })
	if !a.Mutex().TryLock() {
		t.Fatalf("TryLock after a panicking Update: got false, want true")
	}
	a.Mutex().Unlock()
}

func TestArray_MakeArray_Large(t *testing.T) {
	n := 10_000_000 // 80 MB: more than an arena segment
	if testing.Short() {
		n = 1_000_000
	}
	small1, err := shm.NewValue[int64](1)
	if err != nil {
		t.Fatal(err)
	}
	a, err := shm.MakeArray[int64](n)
	if err != nil {
		t.Fatal(err)
	}
	small2, err := shm.NewValue[int64](2)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != n {
		t.Fatalf("Len: got %d, want %d", a.Len(), n)
	}
	for _, i := range []int{0, 1, n / 2, n - 2, n - 1} {
		if got := a.Load(i); got != 0 {
			t.Fatalf("element %d: got %d, want 0", i, got)
		}
		a.Store(i, int64(i)+1)
	}
	if got := a.Add(n-1, 1); got != int64(n)+1 {
		t.Fatalf("Add at the last index: got %d, want %d", got, n+1)
	}
	if s := a.Slice(); len(s) != n || s[n/2] != int64(n/2)+1 || s[n-1] != int64(n)+1 {
		t.Fatalf("Slice: got len %d, [n/2] %d, [n-1] %d", len(s), s[n/2], s[n-1])
	}
	// The big array has a segment of its own; the small objects around it
	// share the arena's current segment.
	idA, idV1, idV2 := segmentIDOf(t, a), segmentIDOf(t, small1), segmentIDOf(t, small2)
	if idA == idV1 || idA == idV2 {
		t.Fatalf("got the large array in segment %x with the small values (%x, %x), want its own", idA, idV1, idV2)
	}
	if idV1 != idV2 {
		t.Fatalf("got small values in segments %x and %x, want the large array not to displace the arena's segment", idV1, idV2)
	}
}

// segmentIDOf returns the segment id that o's handle names (bytes 8 to 16).
func segmentIDOf(t *testing.T, o interface{ MarshalBinary() ([]byte, error) }) uint64 {
	t.Helper()
	b, err := o.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	return binary.LittleEndian.Uint64(b[8:16])
}

func TestArray_MakeArray_Empty(t *testing.T) {
	for _, mk := range []func() (*shm.Array[int64], error){
		func() (*shm.Array[int64], error) { return shm.MakeArray[int64](0) },
		func() (*shm.Array[int64], error) { return shm.NewArray[int64](nil) },
	} {
		a, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		if a.Len() != 0 || len(a.Slice()) != 0 || a.String() != "[]" {
			t.Fatalf("got Len %d, Slice %v, String %q, want an empty array", a.Len(), a.Slice(), a.String())
		}
		called := false
		if err := a.Update(func(s []int64) { called = len(s) == 0 }); err != nil || !called {
			t.Fatalf("Update: got %v (called with an empty slice: %v), want nil, true", err, called)
		}
	}
}

func TestArray_MakeArray_BadSize(t *testing.T) {
	for _, n := range []int{-1, -4096, math.MinInt, math.MaxInt} {
		if _, err := shm.MakeArray[int32](n); !errors.Is(err, shm.ErrSize) {
			t.Errorf("MakeArray(%d): got %v, want %v", n, err, shm.ErrSize)
		}
	}
	seg, err := shm.NewSegment(4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	if _, err := shm.MakeArray[int32](-1, shm.In(seg)); !errors.Is(err, shm.ErrSize) {
		t.Fatalf("MakeArray(-1, In(seg)): got %v, want %v", err, shm.ErrSize)
	}
}

func TestArray_Lookup(t *testing.T) {
	seg, err := shm.NewSegment(8192)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	a, err := shm.NewArray([]uint8{1, 2, 3}, shm.In(seg), shm.Named("bytes"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := shm.LookupArray[uint8](seg, "bytes")
	if err != nil {
		t.Fatal(err)
	}
	b.Store(1, 200)
	if got := a.Load(1); got != 200 {
		t.Fatalf("got %v, want 200 (same memory)", got)
	}
	if _, err := shm.LookupArray[int8](seg, "bytes"); !errors.Is(err, shm.ErrType) {
		t.Fatalf("LookupArray[int8] of a []uint8: got %v, want %v", err, shm.ErrType)
	}
	if _, err := shm.LookupValue[uint8](seg, "bytes"); !errors.Is(err, shm.ErrType) {
		t.Fatalf("LookupValue of an array: got %v, want %v", err, shm.ErrType)
	}
	if _, err := shm.LookupArray[uint8](seg, "nope"); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("LookupArray of a missing name: got %v, want %v", err, shm.ErrNotExist)
	}
}
