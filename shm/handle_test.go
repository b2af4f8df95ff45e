package shm_test

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

// shared is what a program sends to another process: handles inside a
// struct, encoded with gob.
type shared struct {
	Count *shm.Value[int64]
	Bytes *shm.Array[uint16]
	Lock  *shm.Mutex
	Note  string
}

// gobRoundTrip encodes in with gob and decodes it into out.
func gobRoundTrip(in, out any) error {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(in); err != nil {
		return err
	}
	return gob.NewDecoder(&buf).Decode(out)
}

func TestHandle_Gob_RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		opts func(t *testing.T) []shm.Option
	}{
		{"arena", func(t *testing.T) []shm.Option { return nil }},
		{"segment", func(t *testing.T) []shm.Option { return []shm.Option{shm.In(newSegmentT(t, 8192))} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts(t)
			v, err := shm.NewValue[int64](1, opts...)
			if err != nil {
				t.Fatal(err)
			}
			a, err := shm.NewArray([]uint16{1, 2, 3}, opts...)
			if err != nil {
				t.Fatal(err)
			}
			m, err := shm.NewMutex(opts...)
			if err != nil {
				t.Fatal(err)
			}
			var got shared
			if err := gobRoundTrip(shared{Count: v, Bytes: a, Lock: m, Note: "hi"}, &got); err != nil {
				t.Fatal(err)
			}
			if got.Note != "hi" || got.Count == nil || got.Bytes == nil || got.Lock == nil {
				t.Fatalf("got %+v, want every field", got)
			}
			got.Count.Store(99)
			if v.Load() != 99 {
				t.Fatalf("Value: got %d, want 99 (same memory)", v.Load())
			}
			v.Add(1)
			if got.Count.Load() != 100 {
				t.Fatalf("decoded Value: got %d, want 100", got.Count.Load())
			}
			got.Bytes.Store(2, 30)
			if a.Load(2) != 30 || got.Bytes.Len() != 3 {
				t.Fatalf("Array: got %v (len %d), want [1 2 30]", a.Slice(), got.Bytes.Len())
			}
			if err := got.Lock.Lock(); err != nil {
				t.Fatal(err)
			}
			if m.TryLock() {
				t.Fatalf("TryLock of the original while the decoded one is held: got true, want false")
			}
			got.Lock.Unlock()
			if !m.TryLock() {
				t.Fatalf("TryLock of the original after Unlock: got false, want true")
			}
			m.Unlock()
			// The decoded Value's own lock is the original's.
			if !got.Count.Mutex().TryLock() {
				t.Fatal("TryLock of the decoded Value's lock: got false, want true")
			}
			if v.Mutex().TryLock() {
				t.Fatal("TryLock of the Value's lock while the decoded one holds it: got true, want false")
			}
			got.Count.Mutex().Unlock()
		})
	}
}

func TestHandle_Mutex_OfValue(t *testing.T) {
	v, err := shm.NewValue[float32](1.5)
	if err != nil {
		t.Fatal(err)
	}
	a, err := shm.MakeArray[int8](3)
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]*shm.Mutex{"value": v.Mutex(), "array": a.Mutex()} {
		t.Run(name, func(t *testing.T) {
			b, err := m.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			var m2 shm.Mutex
			if err := m2.UnmarshalBinary(b); err != nil {
				t.Fatal(err)
			}
			if err := m.Lock(); err != nil {
				t.Fatal(err)
			}
			if m2.TryLock() {
				t.Fatalf("TryLock of the decoded lock while the original is held: got true, want false")
			}
			m.Unlock()
			if !m2.TryLock() {
				t.Fatalf("TryLock of the decoded lock after Unlock: got false, want true")
			}
			if m.TryLock() {
				t.Fatalf("TryLock of the original while the decoded one is held: got true, want false")
			}
			m2.Unlock()
		})
	}
	// Update takes the same lock.
	if _, err := v.Update(func(x float32) float32 { return x * 2 }); err != nil || v.Load() != 3 {
		t.Fatalf("Update: got %v, %v, want 3", v.Load(), err)
	}
}

func TestHandle_Unmarshal_Type(t *testing.T) {
	v64, err := shm.NewValue[int64](1)
	if err != nil {
		t.Fatal(err)
	}
	arr, err := shm.MakeArray[int64](2)
	if err != nil {
		t.Fatal(err)
	}
	m, err := shm.NewMutex()
	if err != nil {
		t.Fatal(err)
	}
	vb, _ := v64.MarshalBinary()
	ab, _ := arr.MarshalBinary()
	mb, _ := m.MarshalBinary()
	tests := []struct {
		name   string
		decode func() error
		want   error
	}{
		{"Value[int64] as Value[int64]", func() error { return new(shm.Value[int64]).UnmarshalBinary(vb) }, nil},
		{"Value[int64] as Value[Cents]", func() error { return new(shm.Value[Cents]).UnmarshalBinary(vb) }, nil},
		{"Value[int64] as Value[int]", func() error { return new(shm.Value[int]).UnmarshalBinary(vb) }, nil},
		{"Value[int64] as Value[int32]", func() error { return new(shm.Value[int32]).UnmarshalBinary(vb) }, shm.ErrType},
		{"Value[int64] as Value[uint64]", func() error { return new(shm.Value[uint64]).UnmarshalBinary(vb) }, shm.ErrType},
		{"Value[int64] as Value[float64]", func() error { return new(shm.Value[float64]).UnmarshalBinary(vb) }, shm.ErrType},
		{"Value as Array", func() error { return new(shm.Array[int64]).UnmarshalBinary(vb) }, shm.ErrType},
		{"Value as Mutex", func() error { return new(shm.Mutex).UnmarshalBinary(vb) }, shm.ErrType},
		{"Array as Value", func() error { return new(shm.Value[int64]).UnmarshalBinary(ab) }, shm.ErrType},
		{"Array[int64] as Array[uint8]", func() error { return new(shm.Array[uint8]).UnmarshalBinary(ab) }, shm.ErrType},
		{"Mutex as Value", func() error { return new(shm.Value[int64]).UnmarshalBinary(mb) }, shm.ErrType},
		{"Mutex as Array", func() error { return new(shm.Array[int64]).UnmarshalBinary(mb) }, shm.ErrType},
		{"Mutex as Mutex", func() error { return new(shm.Mutex).UnmarshalBinary(mb) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.decode(); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	// Through gob, the error is the same.
	var wrong struct{ Count *shm.Value[int32] }
	if err := gobRoundTrip(struct{ Count *shm.Value[int64] }{v64}, &wrong); !errors.Is(err, shm.ErrType) {
		t.Fatalf("gob, Value[int64] as Value[int32]: got %v, want %v", err, shm.ErrType)
	}
}

func TestHandle_Unmarshal_UnknownSegment(t *testing.T) {
	seg, err := shm.NewSegment(4096)
	if err != nil {
		t.Fatal(err)
	}
	v, err := shm.NewValue[int64](1, shm.In(seg))
	if err != nil {
		t.Fatal(err)
	}
	b, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	other := append([]byte(nil), b...)
	binary.LittleEndian.PutUint64(other[8:], binary.LittleEndian.Uint64(b[8:])^0x5a5a5a5a)
	if err := new(shm.Value[int64]).UnmarshalBinary(other); !errors.Is(err, shm.ErrUnknownSegment) {
		t.Fatalf("another segment id: got %v, want %v", err, shm.ErrUnknownSegment)
	}
	if err := seg.Close(); err != nil {
		t.Fatal(err)
	}
	if err := new(shm.Value[int64]).UnmarshalBinary(b); !errors.Is(err, shm.ErrUnknownSegment) {
		t.Fatalf("closed segment: got %v, want %v", err, shm.ErrUnknownSegment)
	}
}

func TestHandle_Unmarshal_Bad(t *testing.T) {
	seg := newSegmentT(t, 8192)
	v, err := shm.NewValue[int64](1, shm.In(seg))
	if err != nil {
		t.Fatal(err)
	}
	good, err := v.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(fn func(b []byte)) []byte {
		b := append([]byte(nil), good...)
		fn(b)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"nil", nil, shm.ErrHandle},
		{"empty", []byte{}, shm.ErrHandle},
		{"truncated", good[:len(good)-1], shm.ErrHandle},
		{"header only", good[:8], shm.ErrHandle},
		{"too long", append(append([]byte(nil), good...), 0), shm.ErrHandle},
		{"garbage", bytes.Repeat([]byte{0xff}, len(good)), shm.ErrHandle},
		{"bad magic", edit(func(b []byte) { b[0] ^= 1 }), shm.ErrHandle},
		{"bad version", edit(func(b []byte) { b[4] = 2 }), shm.ErrHandle},
		{"offset of no object", edit(func(b []byte) { b[16] += 8 }), shm.ErrHandle},
		{"offset past the end", edit(func(b []byte) { binary.LittleEndian.PutUint64(b[16:], 1<<62) }), shm.ErrHandle},
		{"offset in the header", edit(func(b []byte) { binary.LittleEndian.PutUint64(b[16:], 0) }), shm.ErrHandle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got shm.Value[int64]
			if err := got.UnmarshalBinary(tt.b); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			var m shm.Mutex
			if err := m.UnmarshalBinary(tt.b); err == nil {
				t.Fatalf("as a Mutex: got nil error, want one")
			}
		})
	}
}

func TestHandle_Marshal_Zero(t *testing.T) {
	tests := []struct {
		name string
		m    interface{ MarshalBinary() ([]byte, error) }
	}{
		{"Value", &shm.Value[int64]{}},
		{"Array", &shm.Array[float32]{}},
		{"Mutex", &shm.Mutex{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b []byte
			var err error
			if p := catchPanic(func() { b, err = tt.m.MarshalBinary() }); p != nil {
				t.Fatalf("got panic %v, want an error", p)
			}
			if !errors.Is(err, shm.ErrHandle) || b != nil {
				t.Fatalf("got %v, %v, want nil, %v", b, err, shm.ErrHandle)
			}
		})
	}
	if err := gobRoundTrip(shared{Count: &shm.Value[int64]{}}, new(shared)); !errors.Is(err, shm.ErrHandle) {
		t.Fatalf("gob of a zero Value: got %v, want %v", err, shm.ErrHandle)
	}
}
