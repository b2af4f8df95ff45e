package shm_test

import (
	"errors"
	"io"
	"math"
	"os"
	"reflect"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/shm"
)

// newSegmentT returns a fresh anonymous segment, closed when the test ends.
func newSegmentT(t *testing.T, size int) *shm.Segment {
	t.Helper()
	seg, err := shm.NewSegment(size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	return seg
}

func TestSegment_NewSegment_Size(t *testing.T) {
	page := os.Getpagesize()
	tests := []struct {
		name string
		size int
		want int
	}{
		{"one byte", 1, page},
		{"one page", page, page},
		{"page and a byte", page + 1, 2 * page},
		{"100000", 100000, (100000 + page - 1) / page * page},
		{"1 MiB", 1 << 20, 1 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seg := newSegmentT(t, tt.size)
			if got := seg.Size(); got != tt.want {
				t.Fatalf("Size: got %d, want %d", got, tt.want)
			}
			if got := seg.Name(); got != "" {
				t.Fatalf("Name: got %q, want \"\"", got)
			}
			free := seg.Free()
			if free <= 0 || free >= tt.want || free%64 != 0 {
				t.Fatalf("Free: got %d, want a positive multiple of 64 below %d", free, tt.want)
			}
			if _, err := shm.NewValue[int8](1, shm.In(seg)); err != nil {
				t.Fatal(err)
			}
			if got := seg.Free(); got != free-64 {
				t.Fatalf("Free after a Value: got %d, want %d", got, free-64)
			}
		})
	}
}

func TestSegment_NewSegment_BadSize(t *testing.T) {
	for _, size := range []int{0, -1, math.MinInt, 1<<40 + 1, math.MaxInt} {
		seg, err := shm.NewSegment(size)
		if !errors.Is(err, shm.ErrSize) {
			if err == nil {
				seg.Close()
			}
			t.Errorf("NewSegment(%d): got %v, want %v", size, err, shm.ErrSize)
		}
	}
}

func TestSegment_Alloc_Full(t *testing.T) {
	t.Run("table", func(t *testing.T) {
		seg := newSegmentT(t, 4096) // a table of 16 entries
		n := 0
		for ; n < 100; n++ {
			if _, err := shm.NewValue[int64](int64(n), shm.In(seg)); err != nil {
				if !errors.Is(err, shm.ErrFull) {
					t.Fatalf("value %d: got %v, want %v", n, err, shm.ErrFull)
				}
				break
			}
		}
		if n != 16 {
			t.Fatalf("got %d values in a one-page segment, want 16 (its table)", n)
		}
		objs, err := seg.Objects()
		if err != nil || len(objs) != 16 {
			t.Fatalf("Objects: got %d, %v, want 16", len(objs), err)
		}
	})
	t.Run("space", func(t *testing.T) {
		seg := newSegmentT(t, 4096)
		free := seg.Free()
		if _, err := shm.MakeArray[int8](free-64+1, shm.In(seg)); !errors.Is(err, shm.ErrFull) {
			t.Fatalf("array one byte too big: got %v, want %v", err, shm.ErrFull)
		}
		if got := seg.Free(); got != free {
			t.Fatalf("Free after ErrFull: got %d, want %d (unchanged)", got, free)
		}
		if _, err := shm.MakeArray[int8](free-64-64, shm.In(seg)); err != nil {
			t.Fatalf("array that leaves a line: %v", err)
		}
		if _, err := shm.NewMutex(shm.In(seg)); err != nil {
			t.Fatalf("mutex in the last line: %v", err)
		}
		if got := seg.Free(); got != 0 {
			t.Fatalf("Free: got %d, want 0", got)
		}
		for _, alloc := range []func() error{
			func() error { _, err := shm.NewValue[int8](0, shm.In(seg)); return err },
			func() error { _, err := shm.NewMutex(shm.In(seg)); return err },
			func() error { _, err := shm.MakeArray[int8](0, shm.In(seg)); return err },
		} {
			if err := alloc(); !errors.Is(err, shm.ErrFull) {
				t.Fatalf("in a full segment: got %v, want %v", err, shm.ErrFull)
			}
		}
	})
}

func TestSegment_Objects_List(t *testing.T) {
	seg := newSegmentT(t, 1<<16)
	if objs, err := seg.Objects(); err != nil || len(objs) != 0 {
		t.Fatalf("fresh segment: got %v, %v, want no objects", objs, err)
	}
	mustOK := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustOK(shm.NewValue[int64](1, shm.In(seg), shm.Named("count")))
	mustOK(shm.NewArray([]uint16{1, 2, 3, 4, 5}, shm.In(seg)))
	mustOK(shm.NewMutex(shm.In(seg), shm.Named("lock")))
	mustOK(shm.MakeArray[float64](100, shm.In(seg), shm.Named("xs")))
	mustOK(shm.NewValue[Cents](1, shm.In(seg)))
	mustOK(shm.MakeArray[int8](0, shm.In(seg), shm.Named("none")))
	mustOK(shm.NewValue[float32](1, shm.In(seg), shm.Named("f")))
	got, err := seg.Objects()
	if err != nil {
		t.Fatal(err)
	}
	want := []shm.ObjectInfo{
		{Name: "count", Kind: "value", Type: "int64", Len: 1},
		{Name: "", Kind: "array", Type: "uint16", Len: 5},
		{Name: "lock", Kind: "mutex", Type: "", Len: 0},
		{Name: "xs", Kind: "array", Type: "float64", Len: 100},
		{Name: "", Kind: "value", Type: "int64", Len: 1},
		{Name: "none", Kind: "array", Type: "int8", Len: 0},
		{Name: "f", Kind: "value", Type: "float32", Len: 1},
	}
	blocks := []int{64, 128, 64, 64 + 832, 64, 64, 64}
	if len(got) != len(want) {
		t.Fatalf("got %d objects, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		if i > 0 && got[i].Offset != got[i-1].Offset+blocks[i-1] {
			t.Errorf("object %d: got offset %d, want %d", i, got[i].Offset, got[i-1].Offset+blocks[i-1])
		}
		want[i].Offset = got[i].Offset
		if got[i] != want[i] {
			t.Errorf("object %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if got[0].Offset%64 != 0 || got[0].Offset+seg.Free() != seg.Size()-sum(blocks) {
		t.Fatalf("first object at %d with %d free: not where the blocks add up", got[0].Offset, seg.Free())
	}
}

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}

func TestSegment_Named_Duplicate(t *testing.T) {
	seg := newSegmentT(t, 8192)
	v, err := shm.NewValue[int32](5, shm.In(seg), shm.Named("x"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		alloc func() error
	}{
		{"value", func() error { _, err := shm.NewValue[int32](6, shm.In(seg), shm.Named("x")); return err }},
		{"other type", func() error { _, err := shm.NewValue[float64](6, shm.In(seg), shm.Named("x")); return err }},
		{"array", func() error { _, err := shm.MakeArray[int32](3, shm.In(seg), shm.Named("x")); return err }},
		{"mutex", func() error { _, err := shm.NewMutex(shm.In(seg), shm.Named("x")); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.alloc(); !errors.Is(err, shm.ErrExists) {
				t.Fatalf("got %v, want %v", err, shm.ErrExists)
			}
		})
	}
	if got := v.Load(); got != 5 {
		t.Fatalf("first object: got %v, want 5 untouched", got)
	}
	if objs, _ := seg.Objects(); len(objs) != 1 {
		t.Fatalf("got %d objects, want 1", len(objs))
	}
	// The same name in another segment is fine.
	if _, err := shm.NewValue[int32](1, shm.In(newSegmentT(t, 4096)), shm.Named("x")); err != nil {
		t.Fatalf("same name in another segment: %v", err)
	}
}

func TestSegment_Named_BadName(t *testing.T) {
	seg := newSegmentT(t, 8192)
	for _, name := range []string{"abcdefghijklmnopqrstuvwxyz01234", "a/b", "..", "a.b", "ü", "a b", "a\x00b"} {
		for kind, alloc := range map[string]func() error{
			"value": func() error { _, err := shm.NewValue[int32](6, shm.In(seg), shm.Named(name)); return err },
			"array": func() error { _, err := shm.MakeArray[int32](3, shm.In(seg), shm.Named(name)); return err },
			"mutex": func() error { _, err := shm.NewMutex(shm.In(seg), shm.Named(name)); return err },
			"arena": func() error { _, err := shm.NewValue[int32](6, shm.Named(name)); return err },
		} {
			if err := alloc(); !errors.Is(err, shm.ErrName) {
				t.Errorf("%s named %q: got %v, want %v", kind, name, err, shm.ErrName)
			}
		}
	}
	if objs, _ := seg.Objects(); len(objs) != 0 {
		t.Fatalf("got %d objects, want none", len(objs))
	}
	if _, err := shm.NewValue[int32](1, shm.In(seg), shm.Named("abcdefghijklmnopqrstuvwxyz0123")); err != nil {
		t.Fatalf("30-character name: %v", err)
	}
}

func TestSegment_Close(t *testing.T) {
	seg, err := shm.NewSegment(4096)
	if err != nil {
		t.Fatal(err)
	}
	if err := seg.Close(); err != nil {
		t.Fatalf("Close: got %v, want nil", err)
	}
	for kind, alloc := range map[string]func() error{
		"value": func() error { _, err := shm.NewValue[int32](6, shm.In(seg)); return err },
		"array": func() error { _, err := shm.MakeArray[int32](3, shm.In(seg)); return err },
		"mutex": func() error { _, err := shm.NewMutex(shm.In(seg)); return err },
	} {
		if err := alloc(); !errors.Is(err, shm.ErrClosed) {
			t.Errorf("%s after Close: got %v, want %v", kind, err, shm.ErrClosed)
		}
	}
	if err := seg.Close(); !errors.Is(err, shm.ErrClosed) {
		t.Fatalf("second Close: got %v, want %v", err, shm.ErrClosed)
	}
	if _, err := seg.File(); err == nil {
		t.Fatalf("File after Close: got nil error, want one")
	}
}

// TestSegment_Close_ThenInspect calls the Segment's own methods after
// Close. Objects must not be used after Close, but the Segment itself is
// still a value the program holds: its methods must answer (Objects with
// ErrClosed), not read the unmapped header and fault.
func TestSegment_Close_ThenInspect(t *testing.T) {
	seg, err := shm.NewSegment(4096)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shm.NewValue[int64](1, shm.In(seg)); err != nil {
		t.Fatal(err)
	}
	size := seg.Size()
	if err := seg.Close(); err != nil {
		t.Fatal(err)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true)) // a fault becomes a panic we can report
	if p := catchPanic(func() { seg.Free() }); p != nil {
		t.Errorf("Free after Close: got panic %v, want a number", p)
	}
	var objErr error
	if p := catchPanic(func() { _, objErr = seg.Objects() }); p != nil {
		t.Errorf("Objects after Close: got panic %v, want %v", p, shm.ErrClosed)
	} else if !errors.Is(objErr, shm.ErrClosed) {
		t.Errorf("Objects after Close: got %v, want %v", objErr, shm.ErrClosed)
	}
	if got := seg.Size(); got != size {
		t.Errorf("Size after Close: got %d, want %d", got, size)
	}
}

func TestSegment_Attach_SameMemory(t *testing.T) {
	seg := newSegmentT(t, 1<<16)
	v, err := shm.NewValue[int64](1, shm.In(seg), shm.Named("n"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	view, err := shm.Attach(f)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { view.Close() })
	if view.Size() != seg.Size() || view.Free() != seg.Free() {
		t.Fatalf("got size %d free %d, want %d %d", view.Size(), view.Free(), seg.Size(), seg.Free())
	}
	v2, err := shm.LookupValue[int64](view, "n")
	if err != nil {
		t.Fatal(err)
	}
	v.Store(42)
	if got := v2.Load(); got != 42 {
		t.Fatalf("attached view: got %d, want 42", got)
	}
	v2.Add(1)
	if got := v.Load(); got != 43 {
		t.Fatalf("original: got %d, want 43", got)
	}
	// Allocation state is shared too: an object allocated through the view
	// is found through the original, and does not overlap.
	a, err := shm.NewArray([]int32{7, 8}, shm.In(view), shm.Named("arr"))
	if err != nil {
		t.Fatal(err)
	}
	a2, err := shm.LookupArray[int32](seg, "arr")
	if err != nil {
		t.Fatal(err)
	}
	a2.Store(0, -7)
	if got := a.Load(0); got != -7 || v.Load() != 43 {
		t.Fatalf("got %d (value %d), want -7 (43)", got, v.Load())
	}
	o1, err1 := seg.Objects()
	o2, err2 := view.Objects()
	if err1 != nil || err2 != nil || !reflect.DeepEqual(o1, o2) || len(o1) != 2 {
		t.Fatalf("Objects: got %v (%v) and %v (%v), want the same two", o1, err1, o2, err2)
	}
	// Closing the view leaves the original usable.
	if err := view.Close(); err != nil {
		t.Fatal(err)
	}
	if got := v.Add(1); got != 44 {
		t.Fatalf("after closing the view: got %d, want 44", got)
	}
}

// segmentImage returns the bytes of seg, read through a new descriptor.
func segmentImage(t *testing.T, seg *shm.Segment) []byte {
	t.Helper()
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := make([]byte, seg.Size())
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return b
}

// TestSegment_Attach_PeerRewritesHeader plays a hostile peer that keeps
// flipping the header's Size and Alloc between their true values and bogus
// ones while this process attaches. Attach must refuse the segment or map
// it with the size it validated, and never panic: the Segment must be built
// from the values validate checked, not from a second read of shared
// memory.
func TestSegment_Attach_PeerRewritesHeader(t *testing.T) {
	seg := newSegmentT(t, 1<<20)
	for range 1000 { // a long table makes validate take a while
		if _, err := shm.NewMutex(shm.In(seg)); err != nil {
			t.Fatal(err)
		}
	}
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, seg.Size(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	sizeWord := (*uint64)(unsafe.Pointer(&mem[16]))  // header.Size
	allocWord := (*uint64)(unsafe.Pointer(&mem[88])) // header.Alloc
	size, alloc := atomic.LoadUint64(sizeWord), atomic.LoadUint64(allocWord)

	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; !stop.Load(); i++ {
			if i%2 == 0 {
				atomic.StoreUint64(sizeWord, size)
				atomic.StoreUint64(allocWord, alloc)
			} else {
				atomic.StoreUint64(sizeWord, 1<<30)
				atomic.StoreUint64(allocWord, size+1<<20)
			}
		}
	})
	defer func() {
		stop.Store(true)
		wg.Wait()
		atomic.StoreUint64(sizeWord, size)
		atomic.StoreUint64(allocWord, alloc)
	}()

	tries := 2000
	if testing.Short() {
		tries = 300
	}
	for i := range tries {
		f, err := seg.File()
		if err != nil {
			t.Fatal(err)
		}
		var view *shm.Segment
		if p := catchPanic(func() { view, err = shm.Attach(f) }); p != nil {
			t.Fatalf("attempt %d: Attach panicked: %v", i, p)
		}
		if err != nil {
			continue
		}
		got := view.Size()
		view.Close()
		if got != int(size) {
			t.Fatalf("attempt %d: got a segment of size %d, want the validated %d", i, got, size)
		}
	}
}
