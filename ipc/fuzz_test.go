package ipc

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// Fuzz targets for the bytes a child reads from its parent and processes
// read from each other through queues, beyond the frames (FuzzReadFrame)
// and the pool's messages (FuzzPoolMsg): the argument of a child's
// function, with shared objects inside as handles; a queue's messages as
// its codec decodes them; and the chunks of arguments and results a pool
// sends. Whatever the bytes, decoding gives a value or an error of the
// package, never a panic.

// fuzzArg is an argument with a bit of everything a child may receive.
type fuzzArg struct {
	Name  string
	Nums  []int64
	Tags  map[string]int
	Next  *fuzzArg
	Val   *shm.Value[int64]
	Arr   *shm.Array[float64]
	Mu    *shm.Mutex
	Reg   *shm.Region
	Ev    *shm.Event
	Q     *Queue[string]
	Raw   *Queue[int32]
	J     *JoinableQueue[fuzzPoint]
	Conn  *Conn
	Point fuzzPoint
}

type fuzzPoint struct {
	X, Y float64
	N    [3]int32
}

type fuzzRecord struct {
	Name string
	Tags []string
	Kids map[string]*fuzzRecord
}

var fuzzFunc = Register("ipc.fuzz", func(ctx context.Context, a fuzzArg) error { return nil })

// fuzzObjects returns an argument whose shared objects are live in this
// process, as a child's are once it has attached its parent's segments.
func fuzzObjects(tb testing.TB) fuzzArg {
	tb.Helper()
	must := func(err error) {
		if err != nil {
			tb.Fatal(err)
		}
	}
	var a fuzzArg
	var err error
	a.Val, err = shm.NewValue[int64](7)
	must(err)
	a.Arr, err = shm.NewArray([]float64{1, 2, 3})
	must(err)
	a.Mu, err = shm.NewMutex()
	must(err)
	a.Reg, err = shm.NewRegion(64)
	must(err)
	a.Ev, err = shm.NewEvent()
	must(err)
	a.Q, err = NewQueue[string](2, MaxMessage(64))
	must(err)
	a.Raw, err = NewQueue[int32](2)
	must(err)
	a.J, err = NewJoinableQueue[fuzzPoint](2)
	must(err)
	a.Conn, _, err = Pipe(false)
	must(err)
	return a
}

// FuzzBindArg decodes the argument of a child's function, as Main does
// with the start frame's payload: a gob stream in which shared objects are
// handles, decoded against the segments this process has mapped.
func FuzzBindArg(f *testing.F) {
	full := fuzzObjects(f)
	full.Name, full.Nums, full.Tags = "full", []int64{1, -2, 3}, map[string]int{"a": 1}
	full.Next = &fuzzArg{Name: "next", Point: fuzzPoint{X: 1, N: [3]int32{4, 5, 6}}}
	for _, a := range []fuzzArg{full, {}, {Name: "plain", Nums: []int64{}}} {
		b, err := encodeArg(a)
		if err != nil {
			f.Fatal(err)
		}
		if _, err := fuzzFunc.bind(b); err != nil {
			f.Fatalf("seed argument: got %v, want it to decode", err)
		}
		f.Add(b)
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		fn, err := fuzzFunc.bind(b)
		if err != nil {
			if fn != nil || !errors.Is(err, ErrArgs) {
				t.Fatalf("got %v (function %v), want an error wrapping ErrArgs alone", err, fn != nil)
			}
			return
		}
		if err := fn(context.Background()); err != nil {
			t.Fatalf("the bound function: %v", err)
		}
	})
}

// queueView returns a queue of T over the ring of q, as a process that
// holds a handle of another type (or a peer that writes anything) sees it.
func queueView[T any](q *Queue[[]byte]) *Queue[T] {
	v := &Queue[T]{reg: q.reg, r: q.r, name: "gob", codec: gobCodec{}}
	v.enc, v.size = encodingOf[T]()
	return v
}

// FuzzQueueDecode puts any bytes in a queue's slot, as a faulty peer
// could, and takes them as values of a codec type (gob), of a fixed-size
// type and of a string: each Get gives a value, ErrCodec or
// ErrCorruptQueue.
func FuzzQueueDecode(f *testing.F) {
	const slot = 4096
	raw, err := NewQueue[[]byte](2, MaxMessage(slot))
	if err != nil {
		f.Fatal(err)
	}
	gets := []func() (bool, error){
		func() (bool, error) { _, ok, err := queueView[fuzzRecord](raw).TryGet(); return ok, err },
		func() (bool, error) { _, ok, err := queueView[string](raw).TryGet(); return ok, err },
		func() (bool, error) { _, ok, err := queueView[fuzzPoint](raw).TryGet(); return ok, err },
		func() (bool, error) { _, ok, err := queueView[map[string][]int](raw).TryGet(); return ok, err },
	}
	rec := fuzzRecord{Name: "a", Tags: []string{"x", "y"}, Kids: map[string]*fuzzRecord{"b": {Name: "b"}}}
	for _, v := range []any{rec, "hello", map[string][]int{"k": {1, 2}}} {
		b, err := gobCodec{}.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	point, err := encodeChunk([]fuzzPoint{{X: 1, Y: 2, N: [3]int32{3, 4, 5}}}) // raw: an encoding byte, then the value's
	if err != nil || point[0] != encodedRaw {
		f.Fatalf("encoding a fuzzPoint: got %v, %v, want it raw", point, err)
	}
	f.Add(point[1:])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > slot {
			return
		}
		for i, get := range gets {
			if ok, err := raw.TryPut(b); !ok || err != nil {
				t.Fatalf("TryPut: got %v, %v", ok, err)
			}
			ok, err := get()
			switch {
			case err != nil && !errors.Is(err, ErrCodec) && !errors.Is(err, ErrCorruptQueue):
				t.Fatalf("view %d: got %v, want ErrCodec or ErrCorruptQueue", i, err)
			case err == nil && !ok:
				t.Fatalf("view %d: took nothing from a queue holding a message", i)
			}
			if raw.Len() != 0 {
				t.Fatalf("view %d: %d messages left after a Get, want the slot released", i, raw.Len())
			}
		}
	})
}

// FuzzTaskChunk decodes chunks of arguments, as a pool worker does, and
// parts of results, as the pool does, of a raw type, a string and a
// struct that goes through gob.
func FuzzTaskChunk(f *testing.F) {
	add := func(b []byte, err error) {
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(0), uint8(3))
	}
	add(encodeChunk([]int{1, 2, 3}))
	add(encodeChunk([]string{"a", "", "c"}))
	add(encodeChunk([]fuzzRecord{{Name: "r", Tags: []string{"t"}}}))
	add(encodePart(part[int]{Results: []int{1, 4, 9}}))
	add(encodePart(part[string]{Results: []string{"a", "", ""}, Failures: []itemFailure{{Index: 1, Message: "boom", Panicked: true, Stack: "stack"}}}))
	f.Add([]byte{}, uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, b []byte, first, count uint8) {
		chunkErr := func(err error) {
			if err != nil && !errors.Is(err, ErrArgs) {
				t.Fatalf("decodeChunk: got %v, want ErrArgs", err)
			}
		}
		_, err := decodeChunk[int](b)
		chunkErr(err)
		_, err = decodeChunk[string](b)
		chunkErr(err)
		_, err = decodeChunk[fuzzRecord](b)
		chunkErr(err)
		checkPart(t, b, int(first), int(count), make([]int, 8))
		checkPart(t, b, int(first), int(count), make([]string, 8))
	})
}

func checkPart[R any](t *testing.T, b []byte, first, count int, out []R) {
	fails, err := decodePart(b, first, count, out)
	if err != nil {
		if !errors.Is(err, ErrArgs) && !errors.Is(err, ErrFrame) {
			t.Fatalf("decodePart: got %v, want ErrArgs or ErrFrame", err)
		}
		return
	}
	for _, fl := range fails {
		if fl.Index < first || fl.Index >= first+count {
			t.Fatalf("decodePart: failure of item %d outside [%d, %d)", fl.Index, first, first+count)
		}
	}
}

// FuzzParseMarker parses the marker variable a child finds in its
// environment: a valid one round-trips, and its segment count is in
// range.
func FuzzParseMarker(f *testing.F) {
	f.Add(newMarker(0).String())
	f.Add(newMarker(3).String())
	f.Add("1:" + "00112233445566778899aabbccddeeff" + ":1024")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := parseMarker(s)
		if err != nil {
			return
		}
		if m.segments < 0 || m.segments > maxSegments {
			t.Fatalf("parsed %d segments from %q", m.segments, s)
		}
		if again, err := parseMarker(m.String()); err != nil || again != m {
			t.Fatalf("round trip of %q: got %+v, %v, want %+v", s, again, err, m)
		}
	})
}

// TestQueue_Get_WrongSize: a message of another size than a fixed-size
// value's, as a faulty peer could put, fails every way of taking one with
// ErrCorruptQueue and is dropped; the message after it comes out whole.
func TestQueue_Get_WrongSize(t *testing.T) {
	raw, err := NewQueue[[]byte](4, MaxMessage(16))
	if err != nil {
		t.Fatal(err)
	}
	v := queueView[int64](raw)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gets := map[string]func() (int64, error){
		"Get": func() (int64, error) { return v.Get(ctx) },
		"TryGet": func() (int64, error) {
			x, ok, err := v.TryGet()
			if !ok && err == nil {
				return x, errors.New("TryGet took nothing")
			}
			return x, err
		},
		"GetMany": func() (int64, error) {
			var dst [1]int64
			_, err := v.GetMany(ctx, dst[:])
			return dst[0], err
		},
	}
	for name, get := range gets {
		for _, m := range [][]byte{{1, 2, 3}, {8, 0, 0, 0, 0, 0, 0, 0}} {
			if ok, err := raw.TryPut(m); !ok || err != nil {
				t.Fatalf("TryPut: got %v, %v", ok, err)
			}
		}
		if x, err := get(); !errors.Is(err, ErrCorruptQueue) {
			t.Fatalf("%s of a 3-byte message as an int64: got %d, %v, want ErrCorruptQueue", name, x, err)
		}
		if x, err := get(); x != 8 || err != nil {
			t.Fatalf("%s after: got %d, %v, want 8", name, x, err)
		}
		if n := raw.Len(); n != 0 {
			t.Fatalf("%s: %d messages left, want none", name, n)
		}
	}
}
