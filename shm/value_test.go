package shm_test

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

// Cents is a defined type over a Number: it must work like its underlying
// type.
type Cents int64

// checkIntValue runs every method of a Value[T] for an integer type whose
// limits are lo and hi.
func checkIntValue[T shm.Number](t *testing.T, lo, hi T) {
	t.Helper()
	v, err := shm.NewValue(T(5))
	if err != nil {
		t.Fatal(err)
	}
	expect := func(op string, got, want T) {
		t.Helper()
		if got != want {
			t.Fatalf("%s: got %v, want %v", op, got, want)
		}
	}
	expect("NewValue", v.Load(), 5)
	v.Store(hi)
	expect("Store(hi)", v.Load(), hi)
	v.Store(lo)
	expect("Store(lo)", v.Load(), lo)
	expect("Swap", v.Swap(7), lo)
	expect("after Swap", v.Load(), 7)
	if !v.CompareAndSwap(7, 9) {
		t.Fatalf("CompareAndSwap(7, 9) on 7: got false, want true")
	}
	expect("after CompareAndSwap", v.Load(), 9)
	if v.CompareAndSwap(7, 11) {
		t.Fatalf("CompareAndSwap(7, 11) on 9: got true, want false")
	}
	expect("after failed CompareAndSwap", v.Load(), 9)
	expect("Add(3)", v.Add(3), 12)
	expect("after Add", v.Load(), 12)

	// Wrap-around at the limits, as Go's arithmetic does.
	v.Store(hi)
	expect("Add(1) at hi", v.Add(1), lo)
	expect("after wrap", v.Load(), lo)
	v.Store(hi - 1)
	expect("Add(3) near hi", v.Add(3), lo+1)
	if lo < 0 {
		var neg T
		neg-- // -1, written so that it compiles for unsigned T too
		v.Store(lo)
		expect("Add(-1) at lo", v.Add(neg), hi)
		v.Store(0)
		expect("Add(-3) at 0", v.Add(3*neg), 3*neg)
		expect("load negative", v.Load(), 3*neg)
		expect("Swap negative", v.Swap(lo), 3*neg)
		if !v.CompareAndSwap(lo, 3*neg) {
			t.Fatalf("CompareAndSwap(lo, -3) on lo: got false, want true")
		}
		expect("after CompareAndSwap negative", v.Load(), 3*neg)
	} else {
		// For unsigned T, adding hi is subtracting 1.
		v.Store(5)
		expect("Add(hi) at 5", v.Add(hi), 4)
		v.Store(0)
		expect("Add(hi) at 0", v.Add(hi), hi)
	}

	v.Store(6)
	got, err := v.Update(func(x T) T { return x*2 + 1 })
	if err != nil {
		t.Fatal(err)
	}
	expect("Update result", got, 13)
	expect("after Update", v.Load(), 13)
	v.Store(lo)
	if s, want := v.String(), fmt.Sprint(lo); s != want {
		t.Fatalf("String: got %q, want %q", s, want)
	}
}

func TestValue_Methods_Int(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"int8", func(t *testing.T) { checkIntValue[int8](t, math.MinInt8, math.MaxInt8) }},
		{"int16", func(t *testing.T) { checkIntValue[int16](t, math.MinInt16, math.MaxInt16) }},
		{"int32", func(t *testing.T) { checkIntValue[int32](t, math.MinInt32, math.MaxInt32) }},
		{"int64", func(t *testing.T) { checkIntValue[int64](t, math.MinInt64, math.MaxInt64) }},
		{"int", func(t *testing.T) { checkIntValue[int](t, math.MinInt, math.MaxInt) }},
		{"uint8", func(t *testing.T) { checkIntValue[uint8](t, 0, math.MaxUint8) }},
		{"uint16", func(t *testing.T) { checkIntValue[uint16](t, 0, math.MaxUint16) }},
		{"uint32", func(t *testing.T) { checkIntValue[uint32](t, 0, math.MaxUint32) }},
		{"uint64", func(t *testing.T) { checkIntValue[uint64](t, 0, math.MaxUint64) }},
		{"uint", func(t *testing.T) { checkIntValue[uint](t, 0, math.MaxUint) }},
		{"Cents", func(t *testing.T) { checkIntValue[Cents](t, math.MinInt64, math.MaxInt64) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func checkFloatValue[T float32 | float64](t *testing.T) {
	t.Helper()
	v, err := shm.NewValue(T(1.5))
	if err != nil {
		t.Fatal(err)
	}
	expect := func(op string, got, want T) {
		t.Helper()
		if got != want && !(got != got && want != want) { // NaN == NaN here
			t.Fatalf("%s: got %v, want %v", op, got, want)
		}
	}
	expect("NewValue", v.Load(), 1.5)
	expect("Add(2.25)", v.Add(2.25), 3.75)
	expect("Add(-4)", v.Add(-4), -0.25)
	expect("Swap", v.Swap(T(math.MaxFloat32)), -0.25)
	expect("after Swap", v.Load(), T(math.MaxFloat32))
	v.Store(T(math.Inf(-1)))
	expect("Store(-Inf)", v.Load(), T(math.Inf(-1)))
	v.Store(2)
	if !v.CompareAndSwap(2, 3) || v.Load() != 3 {
		t.Fatalf("CompareAndSwap(2, 3) on 2: got %v, want 3", v.Load())
	}
	if v.CompareAndSwap(2, 4) || v.Load() != 3 {
		t.Fatalf("CompareAndSwap(2, 4) on 3: got %v, want 3 unchanged", v.Load())
	}
	// CompareAndSwap compares bits: -0 is not +0, and NaN is itself.
	v.Store(0)
	if v.CompareAndSwap(T(math.Copysign(0, -1)), 1) {
		t.Fatalf("CompareAndSwap(-0, 1) on +0: got true, want false")
	}
	nan := T(math.NaN())
	v.Store(nan)
	if !v.CompareAndSwap(nan, 1) || v.Load() != 1 {
		t.Fatalf("CompareAndSwap(NaN, 1) on the same NaN: got %v, want 1", v.Load())
	}
	got, err := v.Update(func(x T) T { return x / 4 })
	if err != nil || got != 0.25 || v.Load() != 0.25 {
		t.Fatalf("Update(x/4) on 1: got %v, %v (load %v), want 0.25", got, err, v.Load())
	}
	if s := v.String(); s != "0.25" {
		t.Fatalf("String: got %q, want %q", s, "0.25")
	}
}

func TestValue_Methods_Float(t *testing.T) {
	t.Run("float32", checkFloatValue[float32])
	t.Run("float64", checkFloatValue[float64])
}

func TestValue_NewValue_Options(t *testing.T) {
	seg, err := shm.NewSegment(4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	v, err := shm.NewValue[int16](-7, shm.In(seg), shm.Named("v"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := shm.LookupValue[int16](seg, "v")
	if err != nil {
		t.Fatal(err)
	}
	if got.Load() != -7 {
		t.Fatalf("got %v, want -7", got.Load())
	}
	v.Store(3)
	if got.Load() != 3 {
		t.Fatalf("got %v, want 3", got.Load())
	}
}

// hammerN and hammerK size the hammer tests: N workers × K operations.
func hammerK() int {
	if testing.Short() {
		return 2000
	}
	return 50000
}

const hammerN = 8

// hammerValue has hammerN goroutines do K operations each on one Value:
// atomic Adds of 1, Updates adding 1, or both (a quarter of them Updates).
// The total must be exact (modulo T's range).
func hammerValue[T shm.Number](t *testing.T, add, update bool) {
	v, err := shm.NewValue[T](0)
	if err != nil {
		t.Fatal(err)
	}
	k := hammerK()
	if update {
		k /= 4 // Updates take a lock: fewer of them
	}
	var wg sync.WaitGroup
	errs := make(chan error, hammerN)
	for range hammerN {
		wg.Go(func() {
			for range k {
				if add {
					v.Add(1)
				}
				if update {
					if _, err := v.Update(func(x T) T { return x + 1 }); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	ops := 0
	if add {
		ops += hammerN * k
	}
	if update {
		ops += hammerN * k
	}
	var want T
	for range ops {
		want++
	}
	if got := v.Load(); got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestValue_Add_Hammer(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, add, update bool)
	}{
		{"int64", hammerValue[int64]},
		{"uint32", hammerValue[uint32]},
		{"int16", hammerValue[int16]},
		{"uint8", hammerValue[uint8]},
		{"float64", hammerValue[float64]},
		{"float32", hammerValue[float32]},
		{"Cents", hammerValue[Cents]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, true, false) })
	}
}

func TestValue_Update_Hammer(t *testing.T) {
	t.Run("int64", func(t *testing.T) { hammerValue[int64](t, false, true) })
	t.Run("int8", func(t *testing.T) { hammerValue[int8](t, false, true) })
	t.Run("float32", func(t *testing.T) { hammerValue[float32](t, false, true) })
}

// TestValue_Update_AddDuringFn scripts the interleaving the hammer below
// hits by chance: another goroutine (or process) Adds while Update's fn
// runs, between Update's load and its store. Add takes no lock, so Update
// must not overwrite it.
func TestValue_Update_AddDuringFn(t *testing.T) {
	v, err := shm.NewValue[int64](0)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	got, err := v.Update(func(x int64) int64 {
		if calls++; calls == 1 { // a fixed Update may call fn again
			done := make(chan struct{})
			go func() { v.Add(5); close(done) }()
			<-done
		}
		return x + 1
	})
	if err != nil {
		t.Fatal(err)
	}
	if load := v.Load(); load != 6 {
		t.Fatalf("got %d (Update returned %d), want 6: the concurrent Add(5) was lost", load, got)
	}
}

// TestValue_Update_HammerWithAdd mixes Update with the lock-free Add on one
// Value: an Add that lands between Update's load and store is lost.
func TestValue_Update_HammerWithAdd(t *testing.T) {
	t.Run("int64", func(t *testing.T) { hammerValue[int64](t, true, true) })
	t.Run("uint16", func(t *testing.T) { hammerValue[uint16](t, true, true) })
}

// hammerNeighbours has one goroutine per element of an Array of a sub-word
// type, each incrementing only its own element with Add and with a
// CompareAndSwap loop, and occasionally Swapping it for itself. An 8- or
// 16-bit atomic that wrote its whole word would lose the neighbours'
// increments.
func hammerNeighbours[T shm.Number](t *testing.T, n int) {
	a, err := shm.MakeArray[T](n)
	if err != nil {
		t.Fatal(err)
	}
	k := hammerK()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			for j := range k {
				a.Add(i, 1)
				for {
					old := a.Load(i)
					if a.CompareAndSwap(i, old, old+1) {
						break
					}
				}
				if j%16 == 0 {
					a.Store(i, a.Swap(i, 0)) // only this goroutine writes i
				}
			}
		})
	}
	wg.Wait()
	var want T
	for range 2 * k {
		want++
	}
	for i, got := range a.Slice() {
		if got != want {
			t.Errorf("element %d: got %v, want %v", i, got, want)
		}
	}
}

func TestArray_Add_NeighboursHammer(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"int8 x8", func(t *testing.T) { hammerNeighbours[int8](t, 8) }},
		{"int8 x7", func(t *testing.T) { hammerNeighbours[int8](t, 7) }},
		{"uint8 x5", func(t *testing.T) { hammerNeighbours[uint8](t, 5) }},
		{"uint16 x6", func(t *testing.T) { hammerNeighbours[uint16](t, 6) }},
		{"int16 x3", func(t *testing.T) { hammerNeighbours[int16](t, 3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestValue_Update_PanicReleasesLock(t *testing.T) {
	v, err := shm.NewValue[int64](1)
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() { recover() }()
		v.Update(func(int64) int64 { panic("boom") })
	}()
	// Update must not leave the lock held when fn panics (Array.Update does
	// not): otherwise the next Update of any goroutine waits forever.
	if !v.Mutex().TryLock() {
		t.Fatalf("TryLock after a panicking Update: got false, want true (lock left held)")
	}
	v.Mutex().Unlock()
	if got := v.Load(); got != 1 {
		t.Fatalf("got %v, want 1 (fn panicked: nothing stored)", got)
	}
}
