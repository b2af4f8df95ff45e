package ipc_test

import (
	"context"
	"testing"

	"github.com/shmkit/shmkit/ipc"
)

var trivial = ipc.RegisterTask("bench.trivial", func(ctx context.Context, n int) (int, error) { return n + 1, nil })

func benchMap(b *testing.B, opts ...ipc.MapOption) {
	p, err := ipc.NewPool(2)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Terminate()
	args := ints(b.N)
	b.ResetTimer()
	out, err := ipc.Map(context.Background(), p, trivial, args, opts...)
	b.StopTimer()
	if err != nil || len(out) != b.N || (b.N > 0 && out[b.N-1] != b.N) {
		b.Fatalf("Map: %v (len %d)", err, len(out))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}

// BenchmarkPool_Map_Auto maps a trivial function with Python's automatic
// chunk size over 2 workers.
func BenchmarkPool_Map_Auto(b *testing.B) { benchMap(b) }

// BenchmarkPool_Map_Chunk1 sends one task a message.
func BenchmarkPool_Map_Chunk1(b *testing.B) { benchMap(b, ipc.ChunkSize(1)) }

// BenchmarkExecutor_Submit submits b.N trivial tasks and waits for all.
func BenchmarkExecutor_Submit(b *testing.B) {
	e, err := ipc.NewExecutor(2)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Shutdown(context.Background(), false, true)
	fs := make([]*ipc.Future[int], b.N)
	b.ResetTimer()
	for i := range b.N {
		if fs[i], err = ipc.Submit(e, trivial, i); err != nil {
			b.Fatal(err)
		}
	}
	for i, f := range fs {
		if v, err := f.Result(context.Background()); err != nil || v != i+1 {
			b.Fatalf("future %d: %d, %v", i, v, err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tasks/s")
}

// BenchmarkPool_StartFirstResult starts a pool of 2 and waits for its
// first result.
func BenchmarkPool_StartFirstResult(b *testing.B) {
	for range b.N {
		p, err := ipc.NewPool(2)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ipc.Apply(context.Background(), p, trivial, 1); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		p.Terminate()
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/first-result")
}
