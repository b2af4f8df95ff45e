package shm_test

import (
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// Benchmarks come in pairs, so a ratio comes out of one run: ours against
// sync.Mutex, and one process against two.

func BenchmarkMutex_Uncontended(b *testing.B) {
	m, err := shm.NewMutex()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func BenchmarkSyncMutex_Uncontended(b *testing.B) {
	var m sync.Mutex
	b.ReportAllocs()
	for b.Loop() {
		m.Lock()
		m.Unlock()
	}
}

func BenchmarkValue_Add_Uncontended(b *testing.B) {
	v, err := shm.NewValue[int64](0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v.Add(1)
	}
}

func BenchmarkValue_Update_Uncontended(b *testing.B) {
	v, err := shm.NewValue[int64](0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v.Update(func(x int64) int64 { return x + 1 })
	}
}

// benchSegment holds what the two-process benchmarks share: the counter
// "n" (whose lock is the contended one), the last holder "last", the
// hand-over count "handovers", and the start barrier "ready"/"go".
func benchSegment(b *testing.B) *shm.Segment {
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { seg.Close() })
	for _, name := range []string{"n", "last", "handovers", "ready", "go"} {
		if _, err := shm.NewValue[int64](0, shm.In(seg), shm.Named(name)); err != nil {
			b.Fatal(err)
		}
	}
	return seg
}

func lookup(seg *shm.Segment, name string) *shm.Value[int64] {
	v, err := shm.LookupValue[int64](seg, name)
	if err != nil {
		panic(err)
	}
	return v
}

// awaitStart counts this process as ready and waits for "go".
func awaitStart(seg *shm.Segment) error {
	lookup(seg, "ready").Add(1)
	g := lookup(seg, "go")
	for g.Load() == 0 {
		runtime.Gosched()
	}
	return nil
}

// startAll waits until n processes are ready, then lets them go.
func startAll(seg *shm.Segment, n int) {
	r := lookup(seg, "ready")
	deadline := time.Now().Add(30 * time.Second)
	for r.Load() < int64(n) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Microsecond)
	}
	lookup(seg, "go").Store(1)
}

func benchLockLoop(seg *shm.Segment, k int) error {
	n, last, handovers := lookup(seg, "n"), lookup(seg, "last"), lookup(seg, "handovers")
	m := n.Mutex()
	me := int64(os.Getpid())
	if err := awaitStart(seg); err != nil {
		return err
	}
	for range k {
		if err := m.Lock(); err != nil {
			return err
		}
		n.Store(n.Load() + 1)
		if last.Load() != me {
			last.Store(me)
			handovers.Store(handovers.Load() + 1)
		}
		m.Unlock()
	}
	return nil
}

// Two processes (a child and this one) take one lock b.N times each.
// Reports ops/s over both and hand-overs between processes per op.
func BenchmarkMutex_Contended2Proc(b *testing.B) {
	seg := benchSegment(b)
	c := startRole(b, seg, "bench-lock", strconv.Itoa(b.N))
	startAll(seg, 1) // the child is ready; this process starts too
	lookup(seg, "ready").Add(1)
	b.ResetTimer()
	if err := benchLockLoop(seg, b.N); err != nil {
		b.Fatal(err)
	}
	if err := c.wait(b); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if got, want := lookup(seg, "n").Load(), int64(2*b.N); got != want {
		b.Fatalf("counter: got %d, want %d", got, want)
	}
	ops := float64(2 * b.N)
	b.ReportMetric(ops/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(lookup(seg, "handovers").Load())/ops, "handovers/op")
}

// Two processes add to one counter b.N times each.
func BenchmarkValue_Add2Proc(b *testing.B) {
	seg := benchSegment(b)
	n := lookup(seg, "n")
	c := startRole(b, seg, "bench-add", strconv.Itoa(b.N))
	startAll(seg, 1)
	b.ResetTimer()
	for range b.N {
		n.Add(1)
	}
	if err := c.wait(b); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if got, want := n.Load(), int64(2*b.N); got != want {
		b.Fatalf("counter: got %d, want %d", got, want)
	}
	b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "ops/s")
}
