package ring_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

func TestLayout_Sizes(t *testing.T) {
	if ring.HeaderStructSize != ring.HeaderSize || ring.HeaderSize%ring.LineSize != 0 {
		t.Fatalf("header struct of %d bytes, HeaderSize %d, want equal and a multiple of %d", ring.HeaderStructSize, ring.HeaderSize, ring.LineSize)
	}
	for _, c := range []struct{ slots, size, stride int }{
		{3, 10, 64},        // 16+10 bytes: one line
		{3, 48, 64},        // 16+48: exactly one
		{4, 49, 128},       // one byte more: two
		{2, 64, 128},       // a 64-byte message: two
		{1, 8, 64},         // a ring of capacity 1 has two slots
		{5, 4096, 65 * 64}, // 16+4096 bytes: 65 lines
	} {
		if got, want := ring.Size(c.slots, c.size), ring.HeaderSize+max(c.slots, 2)*c.stride; got != want {
			t.Fatalf("Size(%d, %d) = %d, want %d (slots of 16+%d bytes rounded up to lines of %d)", c.slots, c.size, got, want, c.size, ring.LineSize)
		}
	}
}

// Init and InitZeroed make rings that work alike: here through five laps,
// on slot counts that are and are not powers of 2.
func TestRing_TryPutTryGet_WrapAround(t *testing.T) {
	inits := map[string]func([]byte, int, int) (*ring.Ring, error){
		"Init": ring.Init,
		"InitZeroed": func(mem []byte, slots, size int) (*ring.Ring, error) {
			return ring.InitZeroed(mem, slots, size, 0)
		},
	}
	for name, init := range inits {
		for _, slots := range []int{1, 3, 4, 5} {
			t.Run(fmt.Sprint(name, "/", slots, "slots"), func(t *testing.T) {
				reg, err := shm.NewRegion(ring.Size(slots, 8))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := init(reg.Bytes(), slots, 8); err != nil {
					t.Fatal(err)
				}
				wrapAround(t, attach(t, reg), slots)
			})
		}
	}
}

// The word of every slot free for its first position is 0, so that
// InitZeroed need not write it: Init, which writes it, leaves zeroed
// memory all zero after the header; on memory that held anything, it
// leaves every slot's header (word and size) zero.
func TestInit_FreeSlotsAreZero(t *testing.T) {
	for _, slots := range []int{2, 3, 4, 5, 64} {
		const size = 24
		stride := (ring.Size(slots, size) - ring.HeaderSize) / slots
		for _, fill := range []byte{0, 0xff} {
			mem := bytes.Repeat([]byte{fill}, ring.Size(slots, size))
			if _, err := ring.Init(mem, slots, size); err != nil {
				t.Fatal(err)
			}
			for i := range slots {
				hdr := mem[ring.HeaderSize+i*stride:][:12] // the word, and the size (then 4 bytes of padding)
				if !bytes.Equal(hdr, make([]byte, 12)) {
					t.Fatalf("%d slots, memory of %#x: slot %d's header after Init is % x, want zeros", slots, fill, i, hdr)
				}
			}
			if fill == 0 && !bytes.Equal(mem[ring.HeaderSize:], make([]byte, len(mem)-ring.HeaderSize)) {
				t.Fatalf("%d slots: Init wrote something other than zeros after the header of zeroed memory", slots)
			}
		}
	}
}

// wrapAround puts and gets slots messages at a time on r, a ring of that
// capacity, through five laps, checking each and that it is then full or
// empty.
func wrapAround(t *testing.T, r *ring.Ring, slots int) {
	var buf []byte
	seq := 0
	for lap := range 5 {
		for i := range slots {
			if ok, err := r.TryPut([]byte(fmt.Sprint(seq + i))); !ok || err != nil {
				t.Fatalf("lap %d: TryPut %d: got %v, %v, want true", lap, i, ok, err)
			}
		}
		if ok, err := r.TryPut([]byte("x")); ok || err != nil {
			t.Fatalf("lap %d: TryPut on a full ring: got %v, %v, want false, nil", lap, ok, err)
		}
		if r.Len() != slots {
			t.Fatalf("Len %d, want %d", r.Len(), slots)
		}
		for i := range slots {
			var ok bool
			var err error
			buf, ok, err = r.TryGet(buf)
			if want := fmt.Sprint(seq + i); !ok || err != nil || string(buf) != want {
				t.Fatalf("lap %d: TryGet: got %q, %v, %v, want %q", lap, buf, ok, err, want)
			}
		}
		if _, ok, err := r.TryGet(buf); ok || err != nil {
			t.Fatalf("lap %d: TryGet on an empty ring: got %v, %v, want false, nil", lap, ok, err)
		}
		seq += slots
	}
}

func TestRing_Put_TooLarge(t *testing.T) {
	r, _ := newRing(t, 4, 8)
	if ok, err := r.TryPut(make([]byte, 9)); ok || !errors.Is(err, ring.ErrTooLarge) {
		t.Fatalf("TryPut of 9 bytes: got %v, %v, want ErrTooLarge", ok, err)
	}
	err := r.Put(ctxT(t), make([]byte, 9))
	if !errors.Is(err, ring.ErrTooLarge) || !bytes.Contains([]byte(err.Error()), []byte("9 bytes, slots hold 8")) {
		t.Fatalf("Put of 9 bytes: got %v, want ErrTooLarge naming 9 and 8", err)
	}
	if n, err := r.PutMany(ctxT(t), [][]byte{{1}, make([]byte, 9)}); n != 0 || !errors.Is(err, ring.ErrTooLarge) || r.Len() != 0 {
		t.Fatalf("PutMany with one too large: got %d, %v, Len %d, want 0, ErrTooLarge, 0", n, err, r.Len())
	}
	if ok, err := r.TryPut(make([]byte, 8)); !ok || err != nil {
		t.Fatalf("TryPut of 8 bytes: got %v, %v", ok, err)
	}
	if ok, err := r.TryPut(nil); !ok || err != nil {
		t.Fatalf("TryPut of an empty message: got %v, %v", ok, err)
	}
	b, _, _ := r.TryGet(nil)
	if len(b) != 8 {
		t.Fatalf("got %d bytes, want 8", len(b))
	}
	b, ok, err := r.TryGet(b)
	if !ok || err != nil || len(b) != 0 {
		t.Fatalf("TryGet of an empty message: got %q, %v, %v", b, ok, err)
	}
}

func TestRing_PutManyGetMany_Batches(t *testing.T) {
	r, _ := newRing(t, 8, 16)
	ctx := ctxT(t)
	var msgs [][]byte
	for i := range 5 {
		msgs = append(msgs, msg(1, i))
	}
	for round := range 10 {
		if n, err := r.PutMany(ctx, msgs); n != 5 || err != nil {
			t.Fatalf("round %d: PutMany: got %d, %v", round, n, err)
		}
		dst := make([][]byte, 3)
		next := 0
		for next < 5 {
			n, err := r.GetMany(ctx, dst)
			if err != nil || n < 1 || n > 3 {
				t.Fatalf("GetMany: got %d, %v", n, err)
			}
			for _, b := range dst[:n] {
				if id, seq := parse(b); id != 1 || seq != next {
					t.Fatalf("got message %d/%d, want 1/%d", id, seq, next)
				}
				next++
			}
		}
	}
	// More messages than slots: PutMany waits for a consumer.
	var many [][]byte
	for i := range 50 {
		many = append(many, msg(2, i))
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.PutMany(ctx, many)
		done <- err
	}()
	for i := range 50 {
		b, err := r.Get(ctx, nil)
		if id, seq := parse(b); err != nil || id != 2 || seq != i {
			t.Fatalf("Get: got %d/%d, %v, want 2/%d", id, seq, err, i)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("PutMany: %v", err)
	}
}

func TestRing_Put_BlocksUntilGet(t *testing.T) {
	r, _ := newRing(t, 1, 8)
	ctx := ctxT(t)
	if err := r.Put(ctx, []byte("a")); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- r.Put(ctx, []byte("b")) }()
	assertBlocked(t, done)
	if b, err := r.Get(ctx, nil); err != nil || string(b) != "a" {
		t.Fatalf("Get: got %q, %v", b, err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Put: %v", err)
	}
	if b, err := r.Get(ctx, nil); err != nil || string(b) != "b" {
		t.Fatalf("Get: got %q, %v", b, err)
	}
}

func TestRing_Get_CancelLeavesRingUnchanged(t *testing.T) {
	r, _ := newRing(t, 2, 8)
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() {
		_, err := r.Get(ctx, nil)
		done <- err
	}()
	assertBlocked(t, done)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Get: got %v, want context.Canceled", err)
	}
	// The ring still works, and nothing was consumed or skipped.
	if err := r.Put(ctxT(t), []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, ok, err := r.TryGet(nil); !ok || err != nil || string(b) != "x" {
		t.Fatalf("TryGet after a canceled Get: got %q, %v, %v", b, ok, err)
	}
	// A blocked Put: cancel it, and the ring holds what it held.
	r.TryPut([]byte("1"))
	r.TryPut([]byte("2"))
	ctx, cancel = context.WithCancel(ctxT(t))
	go func() { done <- r.Put(ctx, []byte("3")) }()
	assertBlocked(t, done)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Put: got %v, want context.Canceled", err)
	}
	for _, want := range []string{"1", "2"} {
		if b, ok, err := r.TryGet(nil); !ok || err != nil || string(b) != want {
			t.Fatalf("TryGet after a canceled Put: got %q, %v, %v, want %q", b, ok, err, want)
		}
	}
	if _, ok, _ := r.TryGet(nil); ok || r.Len() != 0 {
		t.Fatalf("the canceled Put left a message (Len %d)", r.Len())
	}
	// An already-canceled context fails before doing anything, even if the
	// call would not wait.
	if err := r.Put(ctx, []byte("4")); err == nil {
		if r.Len() != 1 {
			t.Fatalf("Len %d after a Put", r.Len())
		}
	}
}

func TestAttach_Validation(t *testing.T) {
	r, reg := newRing(t, 4, 32)
	_ = r
	mem := reg.Bytes()
	good := append([]byte(nil), mem[:ring.HeaderSize]...)
	restore := func() { copy(mem, good) }
	put32 := func(off int, v uint32) {
		mem[off], mem[off+1], mem[off+2], mem[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
	for _, tc := range []struct {
		name string
		edit func()
		mem  func() []byte
		want error
	}{
		{"short", func() {}, func() []byte { return mem[:ring.HeaderSize-1] }, ring.ErrCorrupt},
		{"magic", func() { put32(0, 1) }, nil, ring.ErrBadMagic},
		{"version", func() { put32(4, 9) }, nil, ring.ErrVersion},
		{"no slots", func() { put32(8, 0) }, nil, ring.ErrCorrupt},
		{"capacity", func() { put32(20, 3) }, nil, ring.ErrCorrupt},
		{"huge slots", func() { put32(8, 1<<31) }, nil, ring.ErrCorrupt},
		{"huge slot size", func() { put32(12, 1<<31) }, nil, ring.ErrCorrupt},
		{"flags", func() { put32(16, 1<<7) }, nil, ring.ErrCorrupt},
		{"truncated", func() {}, func() []byte { return mem[:ring.Size(4, 32)-1] }, ring.ErrCorrupt},
		{"more slots than memory", func() { put32(8, 5) }, func() []byte { return mem[:ring.Size(4, 32)] }, ring.ErrCorrupt},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer restore()
			tc.edit()
			m := mem
			if tc.mem != nil {
				m = tc.mem()
			}
			if _, err := ring.Attach(m); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	a, err := ring.Attach(mem)
	if err != nil || a.Cap() != 4 || a.MaxMessage() != 32 {
		t.Fatalf("Attach of a good ring: got %v, %v", a, err)
	}
}

func TestInit_BadSize(t *testing.T) {
	mem := make([]byte, 1024)
	for _, tc := range []struct{ slots, size int }{{0, 8}, {-1, 8}, {4, -1}, {100, 8}} {
		if _, err := ring.Init(mem, tc.slots, tc.size); !errors.Is(err, ring.ErrSize) {
			t.Fatalf("Init(%d slots of %d): got %v, want ErrSize", tc.slots, tc.size, err)
		}
	}
}

func TestRing_Get_CorruptSize(t *testing.T) {
	r, reg := newRing(t, 2, 8)
	r.TryPut([]byte("ab"))
	r.TryPut([]byte("cd"))
	// The size field of the first slot: after the slot's word.
	mem := reg.Bytes()
	mem[ring.HeaderSize+8] = 200
	if _, _, err := r.TryGet(nil); !errors.Is(err, ring.ErrCorrupt) {
		t.Fatalf("TryGet of a slot claiming 200 bytes: got %v, want ErrCorrupt", err)
	}
	if b, ok, err := r.TryGet(nil); !ok || err != nil || string(b) != "cd" {
		t.Fatalf("TryGet after a corrupt slot: got %q, %v, %v, want cd", b, ok, err)
	}
}

// assertBlocked fails the test if done delivers within a short while: the
// call it reports on should be blocked. It proves blocking only in one
// direction (a slow machine can hide a bug, never invent one).
func assertBlocked(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("the call returned %v, want it blocked", err)
	case <-after(50):
	}
}

// PutFixed and GetFixed move batches in order, lap after lap, on slot
// counts that are and are not powers of 2; batches of 4 and 3 on rings
// of 3 to 8 slots wrap around the end of the ring, where the words a batch
// stores take two values.
func TestRing_PutFixedGetFixed_WrapAround(t *testing.T) {
	const size = 8
	for _, slots := range []int{3, 4, 5, 8} {
		t.Run(fmt.Sprint(slots, "slots"), func(t *testing.T) {
			r, _ := newRing(t, slots, size)
			ctx := ctxT(t)
			put, got := uint64(0), uint64(0)
			src, dst := make([]byte, 4*size), make([]byte, 3*size)
			for round := range 40 {
				k := min(1+round%4, r.Cap()-r.Len()) // never more than fits: PutFixed must not wait
				for i := range k {
					binary.LittleEndian.PutUint64(src[i*size:], put+uint64(i))
				}
				if n, err := r.PutFixed(ctx, src[:k*size], size); n != k || err != nil {
					t.Fatalf("round %d: PutFixed of %d: got %d, %v", round, k, n, err)
				}
				put += uint64(k)
				for got < put {
					n, err := r.GetFixed(ctx, dst, size)
					if err != nil || n < 1 || n > 3 {
						t.Fatalf("round %d: GetFixed: got %d, %v", round, n, err)
					}
					for i := range n {
						if seq := binary.LittleEndian.Uint64(dst[i*size:]); seq != got {
							t.Fatalf("round %d: got message %d, want %d", round, seq, got)
						}
						got++
					}
				}
			}
			if put < uint64(5*slots) {
				t.Fatalf("%d messages went through %d slots: fewer than 5 laps", put, slots)
			}
		})
	}
}

// GetFixed delivers the messages before one of another size, counted, and
// fails on it with ErrCorrupt; the messages claimed with it are dropped.
func TestRing_GetFixed_WrongSize(t *testing.T) {
	r, _ := newRing(t, 4, 8)
	for _, m := range []string{"aaaaaaaa", "bb", "cccccccc"} {
		if ok, err := r.TryPut([]byte(m)); !ok || err != nil {
			t.Fatalf("TryPut %q: got %v, %v", m, ok, err)
		}
	}
	dst := make([]byte, 3*8)
	n, err := r.GetFixed(ctxT(t), dst, 8)
	if n != 1 || !errors.Is(err, ring.ErrCorrupt) || string(dst[:8]) != "aaaaaaaa" {
		t.Fatalf("GetFixed: got %d, %v, %q, want 1, ErrCorrupt, the first message", n, err, dst[:8])
	}
	if _, ok, err := r.TryGet(nil); ok || err != nil {
		t.Fatalf("TryGet after: got %v, %v, want an empty ring", ok, err)
	}
	// The same with room for one message, which a Get of one takes: the
	// wrong-size message is not copied.
	for _, m := range []string{"dd", "eeeeeeee"} {
		if ok, err := r.TryPut([]byte(m)); !ok || err != nil {
			t.Fatalf("TryPut %q: got %v, %v", m, ok, err)
		}
	}
	clear(dst)
	if n, err := r.GetFixed(ctxT(t), dst[:8], 8); n != 0 || !errors.Is(err, ring.ErrCorrupt) || string(dst[:8]) != string(make([]byte, 8)) {
		t.Fatalf("GetFixed of one: got %d, %v, %q, want 0, ErrCorrupt, nothing copied", n, err, dst[:8])
	}
	if n, err := r.GetFixed(ctxT(t), dst[:8], 8); n != 1 || err != nil || string(dst[:8]) != "eeeeeeee" {
		t.Fatalf("GetFixed of one after: got %d, %v, %q, want the next message", n, err, dst[:8])
	}
	if n, err := r.GetFixed(ctxT(t), dst, 0); n != 0 || err != nil {
		t.Fatalf("GetFixed of size 0: got %d, %v, want 0, nil", n, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("GetFixed with a size that does not divide the buffer did not panic")
		}
	}()
	r.GetFixed(ctxT(t), dst[:10], 8)
}
