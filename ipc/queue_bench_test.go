package ipc_test

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

// BenchArgs is the argument of the benchmark producers: N messages after
// one to start the clock with, one at a time or Batch at a time.
type BenchArgs struct {
	Q     *ipc.Queue[[64]byte]
	N     int
	Batch int
	Bufio bool
	Size  int // bytes a message of the pipe writer; 0 means 64
}

var (
	benchProducer = ipc.Register("bench-queue-producer", func(ctx context.Context, a BenchArgs) error {
		total := a.N + 1
		if a.Batch <= 1 {
			var v [64]byte
			for i := range total {
				v[0] = byte(i)
				if err := a.Q.Put(ctx, v); err != nil {
					return err
				}
			}
			return nil
		}
		vs := make([][64]byte, a.Batch)
		for sent := 0; sent < total; {
			k := min(a.Batch, total-sent)
			n, err := a.Q.PutMany(ctx, vs[:k])
			if err != nil {
				return err
			}
			sent += n
		}
		return nil
	})
	// benchWriter writes N+1 messages of Size bytes to its standard output,
	// one write each, or through a bufio.Writer.
	benchWriter = ipc.Register("bench-pipe-writer", func(ctx context.Context, a BenchArgs) error {
		msg := make([]byte, cmp.Or(a.Size, 64))
		var w io.Writer = os.Stdout
		bw := bufio.NewWriterSize(os.Stdout, 64<<10)
		if a.Bufio {
			w = bw
		}
		for range a.N + 1 {
			if _, err := w.Write(msg); err != nil {
				return err
			}
		}
		return bw.Flush()
	})
)

// reportRate reports b.N messages over the time since start as msgs/s.
func reportRate(b *testing.B, start time.Time) {
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

func benchQueue(b *testing.B, batch int) {
	q, err := ipc.NewQueue[[64]byte](1024)
	if err != nil {
		b.Fatal(err)
	}
	p := benchProducer.Command(BenchArgs{Q: q, N: b.N, Batch: batch})
	start(b, p)
	ctx := context.Background()
	if _, err := q.Get(ctx); err != nil { // the producer is running
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	if batch <= 1 {
		for range b.N {
			if _, err := q.Get(ctx); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		dst := make([][64]byte, batch)
		for got := 0; got < b.N; {
			n, err := q.GetMany(ctx, dst[:min(batch, b.N-got)])
			if err != nil {
				b.Fatal(err)
			}
			got += n
		}
	}
	reportRate(b, t0)
	b.StopTimer()
	if err := wait(b, p); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueue_SPSC64B: one producer process, this process consuming,
// 64-byte messages one Put and one Get at a time.
func BenchmarkQueue_SPSC64B(b *testing.B) { benchQueue(b, 1) }

// BenchmarkQueue_SPSC64B_Batch: the same with PutMany and GetMany of up to
// 64 messages.
func BenchmarkQueue_SPSC64B_Batch(b *testing.B) { benchQueue(b, 64) }

func benchPipe(b *testing.B, buffered bool, size int) {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	p := benchWriter.Command(BenchArgs{N: b.N, Bufio: buffered, Size: size})
	p.Stdout = w
	start(b, p)
	w.Close()
	var rd io.Reader = r
	if buffered {
		rd = bufio.NewReaderSize(r, 64<<10)
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(rd, msg); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		if _, err := io.ReadFull(rd, msg); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, t0)
	b.StopTimer()
	if err := wait(b, p); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkPipe_OS64B is the baseline: an os.Pipe between two processes,
// one write and one read of 64 bytes per message.
func BenchmarkPipe_OS64B(b *testing.B) { benchPipe(b, false, 64) }

// BenchmarkPipe_Bufio64B is the same pipe with a bufio.Writer and
// bufio.Reader of 64 KiB on either side.
func BenchmarkPipe_Bufio64B(b *testing.B) { benchPipe(b, true, 64) }

// BenchmarkPipe_OS4KiB is the baseline of BenchmarkQueue_SPSC4KiB: one
// write and one read of 4 KiB per message.
func BenchmarkPipe_OS4KiB(b *testing.B) { benchPipe(b, false, 4096) }

// Bench4KArgs is the argument of the 4 KiB producer: N messages after one
// to start the clock with.
type Bench4KArgs struct {
	Q *ipc.Queue[[4096]byte]
	N int
}

var benchProducer4K = ipc.Register("bench-queue-producer-4k", func(ctx context.Context, a Bench4KArgs) error {
	var v [4096]byte
	for i := range a.N + 1 {
		v[0] = byte(i)
		if err := a.Q.Put(ctx, v); err != nil {
			return err
		}
	}
	return nil
})

// BenchmarkQueue_SPSC4KiB: one producer process, this process consuming,
// 4 KiB messages one Put and one Get at a time, on a queue of 256 slots
// (1 MiB). Compare with BenchmarkPipe_OS4KiB.
func BenchmarkQueue_SPSC4KiB(b *testing.B) {
	q, err := ipc.NewQueue[[4096]byte](256)
	if err != nil {
		b.Fatal(err)
	}
	p := benchProducer4K.Command(Bench4KArgs{Q: q, N: b.N})
	start(b, p)
	ctx := context.Background()
	if _, err := q.Get(ctx); err != nil { // the producer is running
		b.Fatal(err)
	}
	b.SetBytes(4096)
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		if _, err := q.Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, t0)
	b.StopTimer()
	if err := wait(b, p); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueue_MPMC64B: many to many, two producer processes and two
// consuming goroutines in this process, 64-byte messages one Put and one
// Get at a time on one queue.
func BenchmarkQueue_MPMC64B(b *testing.B) {
	q, err := ipc.NewQueue[[64]byte](1024)
	if err != nil {
		b.Fatal(err)
	}
	half := b.N / 2
	var ps []*ipc.Process
	for _, n := range []int{half, b.N - half} {
		p := benchProducer.Command(BenchArgs{Q: q, N: n})
		start(b, p)
		ps = append(ps, p)
	}
	ctx := context.Background()
	for range ps { // a producer is running (both, most likely)
		if _, err := q.Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
	var (
		left atomic.Int64 // messages not yet claimed by a consumer
		wg   sync.WaitGroup
	)
	left.Store(int64(b.N))
	errs := make(chan error, 2)
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range 2 {
		wg.Go(func() {
			for left.Add(-1) >= 0 { // one more message for this consumer
				if _, err := q.Get(ctx); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	reportRate(b, t0)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for _, p := range ps {
		if err := wait(b, p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchRTTArgs is the argument of the echoing process of the round-trip
// benchmark: it sends back on Pong what it gets on Ping, until Ping is
// closed.
type BenchRTTArgs struct {
	Ping, Pong *ipc.Queue[[64]byte]
}

var benchEcho = ipc.Register("bench-queue-echo", func(ctx context.Context, a BenchRTTArgs) error {
	for {
		v, err := a.Ping.Get(ctx)
		if errors.Is(err, ipc.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := a.Pong.Put(ctx, v); err != nil {
			return err
		}
	}
})

// BenchmarkQueue_RoundTrip: a 64-byte message to a child process through
// one queue and back through another, an op a round trip. Both sides use
// the blocking Get, which spins briefly before it sleeps (shmdemo bench's
// round-trip row spins with TryGet instead). Compare with
// BenchmarkPipe_RoundTrip.
func BenchmarkQueue_RoundTrip(b *testing.B) {
	ping, err := ipc.NewQueue[[64]byte](16)
	if err != nil {
		b.Fatal(err)
	}
	pong, err := ipc.NewQueue[[64]byte](16)
	if err != nil {
		b.Fatal(err)
	}
	p := benchEcho.Command(BenchRTTArgs{Ping: ping, Pong: pong})
	start(b, p)
	ctx := context.Background()
	var v [64]byte
	roundTrip := func() {
		if err := ping.Put(ctx, v); err != nil {
			b.Fatal(err)
		}
		if _, err := pong.Get(ctx); err != nil {
			b.Fatal(err)
		}
	}
	roundTrip() // the child is running
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
	b.StopTimer()
	ping.Close()
	if err := wait(b, p); err != nil {
		b.Fatal(err)
	}
}

// benchPipeEcho copies 64-byte messages from the named pipe FIFO to its
// standard output until the pipe ends.
var benchPipeEcho = ipc.Register("bench-pipe-echo", func(ctx context.Context, fifo string) error {
	in, err := os.Open(fifo)
	if err != nil {
		return err
	}
	defer in.Close()
	var msg [64]byte
	for {
		if _, err := io.ReadFull(in, msg[:]); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		if _, err := os.Stdout.Write(msg[:]); err != nil {
			return err
		}
	}
})

// BenchmarkPipe_RoundTrip is the baseline of BenchmarkQueue_RoundTrip: a
// named pipe (FIFO) to the child (a child reads no pipe of its parent's
// but its standard output's) and an os.Pipe back, one write and one read
// a message each way.
func BenchmarkPipe_RoundTrip(b *testing.B) {
	fifo := filepath.Join(b.TempDir(), "ping")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		b.Fatal(err)
	}
	// Opened for reading and writing, the FIFO's open waits for no reader.
	out, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	in, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	p := benchPipeEcho.Command(fifo)
	p.Stdout = w
	start(b, p)
	w.Close()
	in.SetReadDeadline(time.Now().Add(time.Minute))
	var msg [64]byte
	roundTrip := func() {
		if _, err := out.Write(msg[:]); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(in, msg[:]); err != nil {
			b.Fatal(err)
		}
	}
	roundTrip()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		roundTrip()
	}
	b.StopTimer()
	out.Close() // the child's end of file
	if err := wait(b, p); err != nil {
		b.Fatal(err)
	}
}
