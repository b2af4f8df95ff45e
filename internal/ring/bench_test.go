package ring_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/internal/ring"
)

// The benchmarks below run both sides in one process, on two goroutines
// (so on two cores when GOMAXPROCS allows): the cache traffic between the
// sides is that of two processes, without starting any. ipc's benchmarks
// measure the same between processes, against a pipe.

func benchRing(b *testing.B) *ring.Ring {
	b.Helper()
	const slots = 1024
	mem := make([]byte, ring.Size(slots, 64))
	r, err := ring.Init(mem, slots, 64)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	return r
}

// BenchmarkRing_PutGet_Uncontended: one goroutine puts 1024 messages of
// 64 bytes, then gets them; ns/op is one Put plus one Get.
func BenchmarkRing_PutGet_Uncontended(b *testing.B) {
	r := benchRing(b)
	ctx := context.Background()
	msg := make([]byte, 64)
	buf := make([]byte, 64)
	for i := 0; i < b.N; i += r.Cap() {
		k := min(r.Cap(), b.N-i)
		for range k {
			if err := r.Put(ctx, msg); err != nil {
				b.Fatal(err)
			}
		}
		for range k {
			buf, _ = r.Get(ctx, buf)
		}
	}
}

// BenchmarkRing_SPSC64B: a producer goroutine and this one, one message at
// a time.
func BenchmarkRing_SPSC64B(b *testing.B) {
	r := benchRing(b)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		msg := make([]byte, 64)
		for i := range b.N {
			msg[0] = byte(i)
			if err := r.Put(ctx, msg); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 64)
	for i := range b.N {
		var err error
		if buf, err = r.Get(ctx, buf); err != nil || buf[0] != byte(i) {
			b.Fatalf("Get %d: got %d, %v", i, buf[0], err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkRing_SPSC64B_Batch: the same with PutFixed and GetFunc of up to
// 64 messages.
func BenchmarkRing_SPSC64B_Batch(b *testing.B) {
	r := benchRing(b)
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		data := make([]byte, 64*64)
		for i := 0; i < b.N; i += 64 {
			if _, err := r.PutFixed(ctx, data[:64*min(64, b.N-i)], 64); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	buf := make([]byte, 64)
	for got := 0; got < b.N; {
		k, err := r.GetFunc(ctx, 64, func(m []byte) { copy(buf, m) })
		if err != nil {
			b.Fatal(err)
		}
		got += k
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkChan_SPSC64B is the in-process baseline: a Go channel of 1024
// [64]byte between two goroutines.
func BenchmarkChan_SPSC64B(b *testing.B) {
	b.ReportAllocs()
	ch := make(chan [64]byte, 1024)
	go func() {
		var msg [64]byte
		for i := range b.N {
			msg[0] = byte(i)
			ch <- msg
		}
	}()
	for i := range b.N {
		if m := <-ch; m[0] != byte(i) {
			b.Fatalf("message %d: got %d", i, m[0])
		}
	}
}

// BenchmarkRing_PutGetFixed_Uncontended: one goroutine puts 1024 messages
// of 64 bytes in batches of 64 (PutFixed), then gets them in batches of
// 64: with GetFixed, and with GetFunc and a copy a message (what a
// caller without GetFixed does). ns/op is one message put and got.
func BenchmarkRing_PutGetFixed_Uncontended(b *testing.B) {
	for _, fixed := range []bool{true, false} {
		name := "GetFunc"
		if fixed {
			name = "GetFixed"
		}
		b.Run(name, func(b *testing.B) {
			r := benchRing(b)
			ctx := context.Background()
			const batch = 64
			src := make([]byte, batch*64)
			dst := make([]byte, batch*64)
			for i := 0; i < b.N; i += r.Cap() {
				k := min(r.Cap(), b.N-i)
				for put := 0; put < k; {
					n, err := r.PutFixed(ctx, src[:min(batch, k-put)*64], 64)
					if err != nil {
						b.Fatal(err)
					}
					put += n
				}
				for got := 0; got < k; {
					var n int
					var err error
					if fixed {
						n, err = r.GetFixed(ctx, dst[:min(batch, k-got)*64], 64)
					} else {
						j := 0
						n, err = r.GetFunc(ctx, min(batch, k-got), func(msg []byte) {
							copy(dst[j*64:(j+1)*64], msg)
							j++
						})
					}
					if err != nil {
						b.Fatal(err)
					}
					got += n
				}
			}
		})
	}
}
