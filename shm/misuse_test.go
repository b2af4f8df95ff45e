package shm_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

// misuse is one way of using package shm wrongly, and what it must give:
// an error that wraps a sentinel and says what was wrong, or, for a
// programmer's error, a panic with the documented message.
type misuse struct {
	name   string
	do     func(t *testing.T) error
	want   error  // the sentinel the error wraps
	says   string // part of the error's message that names what was wrong
	panics string // instead of an error: the panic's message, exactly
}

func TestMisuse_Shm(t *testing.T) {
	dir := segmentDir(t)
	seg := newSegmentT(t, 1<<16)
	i64, err := shm.NewValue[int64](7, shm.In(seg), shm.Named("i64"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shm.NewArray([]int32{1, 2, 3}, shm.In(seg), shm.Named("i32s")); err != nil {
		t.Fatal(err)
	}
	if _, err := shm.NewRegion(100, shm.In(seg), shm.Named("raw")); err != nil {
		t.Fatal(err)
	}
	handle, err := i64.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	tok, other := shm.NewToken(), shm.NewToken()
	tests := []misuse{
		// Attaching an object as another type or size.
		{name: "LookupValue of another element type",
			do:   func(t *testing.T) error { _, err := shm.LookupValue[int32](seg, "i64"); return err },
			want: shm.ErrType, says: `object "i64": shm: object has another type: it is a value of int64, not a value of int32`},
		{name: "LookupValue of another type of the same size",
			do:   func(t *testing.T) error { _, err := shm.LookupValue[float64](seg, "i64"); return err },
			want: shm.ErrType, says: "it is a value of int64, not a value of float64"},
		{name: "LookupArray of another element type",
			do:   func(t *testing.T) error { _, err := shm.LookupArray[uint32](seg, "i32s"); return err },
			want: shm.ErrType, says: "it is an array of int32, not an array of uint32"},
		{name: "LookupValue of an array",
			do:   func(t *testing.T) error { _, err := shm.LookupValue[int32](seg, "i32s"); return err },
			want: shm.ErrType, says: "it is an array of int32, not a value of int32"},
		{name: "LookupArray of a region",
			do:   func(t *testing.T) error { _, err := shm.LookupArray[uint8](seg, "raw"); return err },
			want: shm.ErrType, says: "it is a region, not an array of uint8"},
		{name: "handle decoded as another element type",
			do:   func(t *testing.T) error { var v shm.Value[uint64]; return v.UnmarshalBinary(handle) },
			want: shm.ErrType, says: "handle of a value of int64 decoded as a value of uint64"},
		{name: "handle decoded as another kind",
			do:   func(t *testing.T) error { var a shm.Array[int64]; return a.UnmarshalBinary(handle) },
			want: shm.ErrType, says: "handle of a value of int64 decoded as an array of int64"},
		{name: "segment shorter than its header says",
			do: func(t *testing.T) error {
				s := createT(t, "short", 8192)
				s.Close()
				if err := os.Truncate(filepath.Join(dir, "shmkit.short"), 4096); err != nil {
					t.Fatal(err)
				}
				return openErr("short")
			},
			want: shm.ErrTruncated, says: "header says 8192 bytes, the mapping has 4096"},

		// Negative sizes and counts.
		{name: "NewSegment of a negative size",
			do:   func(t *testing.T) error { _, err := shm.NewSegment(-1); return err },
			want: shm.ErrSize, says: "segment of -1 bytes (want 1 to "},
		{name: "Create of a negative size",
			do:   func(t *testing.T) error { s, err := shm.Create("neg", -4096); closeIf(s); return err },
			want: shm.ErrSize, says: "segment of -4096 bytes"},
		{name: "MakeArray of a negative length",
			do:   func(t *testing.T) error { _, err := shm.MakeArray[int64](-1, shm.In(seg)); return err },
			want: shm.ErrSize, says: "array of -1 elements"},
		{name: "NewRegion of a negative size",
			do:   func(t *testing.T) error { _, err := shm.NewRegion(-8, shm.In(seg)); return err },
			want: shm.ErrSize, says: "region of -8 bytes"},
		{name: "NewSemaphore of a negative count",
			do:   func(t *testing.T) error { _, err := shm.NewSemaphore(-1, shm.In(seg)); return err },
			want: shm.ErrCount, says: "semaphore value -1"},
		{name: "NewBarrier of no parties",
			do:   func(t *testing.T) error { _, err := shm.NewBarrier(0, shm.In(seg)); return err },
			want: shm.ErrCount, says: "barrier of 0 parties"},

		// Unlocking what one does not hold.
		{name: "Mutex.Unlock of an unlocked mutex",
			do:     func(t *testing.T) error { newMutex(t).Unlock(); return nil },
			panics: "shm: Unlock of unlocked Mutex"},
		{name: "Mutex.Unlock of a mutex another process holds",
			do:     func(t *testing.T) error { heldByInit(t).Unlock(); return nil },
			panics: "shm: Unlock of Mutex held by process 1"},
		{name: "Mutex.MarkConsistent of an unlocked mutex",
			do:     func(t *testing.T) error { newMutex(t).MarkConsistent(); return nil },
			panics: "shm: MarkConsistent of a Mutex not locked by this process"},
		{name: "RWMutex.Unlock of an unlocked RWMutex",
			do: func(t *testing.T) error {
				rw, err := shm.NewRWMutex(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				rw.Unlock()
				return nil
			},
			panics: "shm: Unlock of unlocked RWMutex"},
		{name: "RWMutex.RUnlock without a read lock",
			do: func(t *testing.T) error {
				rw, err := shm.NewRWMutex(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				rw.RUnlock()
				return nil
			},
			panics: "shm: RUnlock of RWMutex not locked for reading by this process"},
		{name: "RLock.Unlock of an unlocked RLock",
			do: func(t *testing.T) error {
				rl, err := shm.NewRLock(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				rl.Unlock(tok)
				return nil
			},
			panics: "shm: Unlock of unlocked RLock"},
		{name: "RLock.Unlock with another Token",
			do: func(t *testing.T) error {
				rl, err := shm.NewRLock(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				if err := rl.Lock(context.Background(), tok); err != nil {
					t.Fatal(err)
				}
				rl.Unlock(other)
				return nil
			},
			panics: "shm: Unlock of RLock held with another Token"},
		{name: "RLock.Lock with the zero Token",
			do: func(t *testing.T) error {
				rl, err := shm.NewRLock(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				return rl.Lock(context.Background(), 0)
			},
			panics: "shm: RLock.Lock with the zero Token"},
		{name: "Condition.Wait without its lock",
			do: func(t *testing.T) error {
				c, err := shm.NewCondition(shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				return c.Wait(context.Background())
			},
			panics: "shm: Condition.Wait without holding its lock"},
		{name: "bounded Semaphore released above its bound",
			do: func(t *testing.T) error {
				s, err := shm.NewBoundedSemaphore(1, shm.In(seg))
				if err != nil {
					t.Fatal(err)
				}
				return s.Release()
			},
			want: shm.ErrSemaphoreOverflow, says: "semaphore released too many times"},

		// Names with '/' or "..".
		{name: "Create with a slash",
			do:   func(t *testing.T) error { s, err := shm.Create("a/b", 4096); closeIf(s); return err },
			want: shm.ErrName, says: `want 1 to 30 letters, digits, '-' or '_'): "a/b"`},
		{name: "Create of dot-dot",
			do:   func(t *testing.T) error { s, err := shm.Create("..", 4096); closeIf(s); return err },
			want: shm.ErrName, says: `: ".."`},
		{name: "Open of a path out of the directory",
			do:   func(t *testing.T) error { return openErr("../../etc/passwd") },
			want: shm.ErrName, says: `"../../etc/passwd"`},
		{name: "Remove of a path out of the directory",
			do:   func(t *testing.T) error { return shm.Remove("../x") },
			want: shm.ErrName, says: `"../x"`},
		{name: "object Named with a slash",
			do:   func(t *testing.T) error { _, err := shm.NewValue[int8](0, shm.In(seg), shm.Named("x/y")); return err },
			want: shm.ErrName, says: `object name "x/y"`},

		// A segment of a newer layout.
		{name: "Open of a segment of a newer layout version",
			do: func(t *testing.T) error {
				s := createT(t, "newer", 4096)
				s.Close()
				writeAt(t, filepath.Join(dir, "shmkit.newer"), 8, 2) // header.Version
				return openErr("newer")
			},
			want: shm.ErrVersion, says: `segment "newer": shm: unsupported segment layout version: segment has version 2, this build reads 1`},

		// A closed segment.
		{name: "allocation in a closed segment",
			do: func(t *testing.T) error {
				s, err := shm.NewSegment(4096)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				_, err = shm.NewValue[int8](0, shm.In(s))
				return err
			},
			want: shm.ErrClosed, says: "shm: segment closed"},
		{name: "Close of a closed segment",
			do: func(t *testing.T) error {
				s, err := shm.NewSegment(4096)
				if err != nil {
					t.Fatal(err)
				}
				s.Close()
				return s.Close()
			},
			want: shm.ErrClosed, says: "shm: segment closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.check(t) })
	}
}

// check runs the misuse and checks what it gave.
func (tt misuse) check(t *testing.T) {
	t.Helper()
	var err error
	p := catchPanic(func() { err = tt.do(t) })
	switch {
	case tt.panics != "" && p == nil:
		t.Fatalf("got %v and no panic, want a panic %q", err, tt.panics)
	case tt.panics != "" && fmt.Sprint(p) != tt.panics:
		t.Fatalf("panicked with %q, want %q", fmt.Sprint(p), tt.panics)
	case tt.panics != "":
		t.Logf("panic: %v", p)
	case p != nil:
		t.Fatalf("panicked with %v, want an error wrapping %v", p, tt.want)
	case !errors.Is(err, tt.want):
		t.Fatalf("got %v, want an error wrapping %v", err, tt.want)
	case !strings.Contains(err.Error(), tt.says):
		t.Fatalf("got message %q, want it to say %q", err, tt.says)
	default:
		t.Logf("error: %v", err)
	}
}

// openErr opens the named segment and returns why it could not.
func openErr(name string) error {
	s, err := shm.Open(name)
	closeIf(s)
	return err
}

// writeAt writes v as a little-endian uint32 at off in the file at path.
func writeAt(t *testing.T, path string, off int64, v uint32) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(binary.LittleEndian.AppendUint32(nil, v), off); err != nil {
		t.Fatal(err)
	}
}

// heldByInit returns a mutex of a named segment whose lock word says that
// process 1 holds it, as if init had locked it: a holder that is alive and
// not this process.
func heldByInit(t *testing.T) *shm.Mutex {
	t.Helper()
	s := createT(t, "held", 4096)
	m, err := shm.NewMutex(shm.In(s), shm.Named("m"))
	if err != nil {
		t.Fatal(err)
	}
	objs, err := s.Objects()
	if err != nil || len(objs) != 1 {
		t.Fatalf("Objects: got %v, %v, want the mutex", objs, err)
	}
	writeAt(t, filepath.Join(shm.Dir(), "shmkit.held"), int64(objs[0].Offset), 1) // the lock word's owner
	if got := m.Owner(); got != 1 {
		t.Fatalf("Owner: got %d, want 1", got)
	}
	return m
}
