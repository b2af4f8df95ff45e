package ipc_test

import (
	"bufio"
	"context"
	"io"
	"os"
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
	// benchWriter writes N+1 messages of 64 bytes to its standard output,
	// one write each, or through a bufio.Writer.
	benchWriter = ipc.Register("bench-pipe-writer", func(ctx context.Context, a BenchArgs) error {
		var msg [64]byte
		var w io.Writer = os.Stdout
		bw := bufio.NewWriterSize(os.Stdout, 64<<10)
		if a.Bufio {
			w = bw
		}
		for range a.N + 1 {
			if _, err := w.Write(msg[:]); err != nil {
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

func benchPipe(b *testing.B, buffered bool) {
	r, w, err := os.Pipe()
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	p := benchWriter.Command(BenchArgs{N: b.N, Bufio: buffered})
	p.Stdout = w
	start(b, p)
	w.Close()
	var rd io.Reader = r
	if buffered {
		rd = bufio.NewReaderSize(r, 64<<10)
	}
	var msg [64]byte
	if _, err := io.ReadFull(rd, msg[:]); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	t0 := time.Now()
	for range b.N {
		if _, err := io.ReadFull(rd, msg[:]); err != nil {
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
func BenchmarkPipe_OS64B(b *testing.B) { benchPipe(b, false) }

// BenchmarkPipe_Bufio64B is the same pipe with a bufio.Writer and
// bufio.Reader of 64 KiB on either side.
func BenchmarkPipe_Bufio64B(b *testing.B) { benchPipe(b, true) }
