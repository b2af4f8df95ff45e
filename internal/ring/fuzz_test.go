package ring_test

import (
	"bytes"
	"testing"

	"github.com/shmkit/shmkit/internal/ring"
)

// FuzzRingAttach attaches rings whose header and first slots are random
// bytes: each must be refused with an error, or give a ring whose
// operations return (with errors, maybe) without panicking or touching
// memory outside it.
func FuzzRingAttach(f *testing.F) {
	seed := func(slots, size int, fill func(r *ring.Ring)) []byte {
		mem := make([]byte, ring.Size(slots, size))
		r, err := ring.Init(mem, slots, size)
		if err != nil {
			f.Fatal(err)
		}
		fill(r)
		return mem
	}
	f.Add(seed(4, 16, func(r *ring.Ring) {}))
	f.Add(seed(4, 16, func(r *ring.Ring) { r.TryPut([]byte("hello")); r.TryPut([]byte("world")) }))
	f.Add(seed(1, 8, func(r *ring.Ring) { r.TryPut([]byte("x")); r.Close() }))
	f.Add(seed(3, 0, func(r *ring.Ring) { r.TryPut(nil); r.TryGet(nil) }))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Copy into 8-byte aligned memory, with a guard after it.
		const guard = 64
		words := make([]uint64, (len(data)+guard)/8+1)
		all := ring.BytesOfSlice(words)
		mem := all[:len(data):len(data)]
		copy(mem, data)
		r, err := ring.Attach(mem)
		if err != nil {
			return
		}
		if r.Cap() < 1 || ring.Size(r.Cap(), r.MaxMessage()) > len(mem) {
			t.Fatalf("attached a ring of %d slots of %d bytes in %d bytes", r.Cap(), r.MaxMessage(), len(mem))
		}
		payload := bytes.Repeat([]byte{0xAB}, min(r.MaxMessage(), 100))
		var buf []byte
		for range 8 {
			r.TryPut(payload)
			r.TryGet(buf)
			r.TryGetFunc(3, func([]byte) {})
			r.Len()
		}
		r.TaskDone()
		r.Close()
		r.TryGet(buf)
		if !bytes.Equal(all[len(mem):], make([]byte, len(all)-len(mem))) {
			t.Fatal("an operation wrote past the ring's memory")
		}
	})
}
