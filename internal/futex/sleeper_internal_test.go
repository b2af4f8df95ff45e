package futex

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func never() bool  { return false }
func always() bool { return true }

// withProcs runs the test with GOMAXPROCS n, restored after.
func withProcs(t *testing.T, n int) {
	prev := runtime.GOMAXPROCS(n)
	t.Cleanup(func() { runtime.GOMAXPROCS(prev) })
}

func TestSleeper_Keep(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name     string
		procs    int
		since    time.Duration // how long ago the wait first slept; 0: this is its first sleep
		runnable func() bool
		want     bool
	}{
		{"first sleep, 2 Ps", 2, 0, always, !Portable},
		{"later sleep, nothing runnable", 2, keepFor - time.Millisecond, never, !Portable},
		{"later sleep, others wait for a P", 2, time.Millisecond, always, false},
		{"past the window", 2, keepFor, never, false},
		{"first sleep, one P", 1, 0, never, false},
		{"later sleep, one P", 1, time.Millisecond, never, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withProcs(t, c.procs)
			var s Sleeper
			if c.since > 0 {
				s.first = now.Add(-c.since)
			}
			if got := s.keep(now, c.runnable); got != c.want {
				t.Fatalf("keep = %v, want %v", got, c.want)
			}
		})
	}
}

func TestSleeper_Keep_WindowFromFirstSleep(t *testing.T) {
	withProcs(t, 2)
	if Portable {
		t.Skip("the portable waiter never keeps")
	}
	var s Sleeper
	t0 := time.Now()
	if !s.keep(t0, never) {
		t.Fatal("first sleep not kept")
	}
	if !s.keep(t0.Add(keepFor/2), never) {
		t.Fatal("a sleep half-way through the window not kept")
	}
	if s.keep(t0.Add(keepFor), never) {
		t.Fatal("a sleep a window after the first kept")
	}
}

// A kept sleep ends after a slice even with no timeout: the caller loops,
// as the contract says it must.
func TestSleeper_KeptSleep_EndsAfterSlice(t *testing.T) {
	var (
		w    uint32
		s    Sleeper
		done = make(chan struct{})
	)
	go func() {
		s.sleep(&w, 0, -1, true)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		atomic.StoreUint32(&w, 1)
		Wake(&w, 1)
		<-done
		t.Fatalf("a kept sleep with no timeout lasted 5 s; a slice is %v", keepSlice)
	}
}

// othersRunnable reads a metric this Go has, and sees goroutines that
// wait for a P.
func TestOthersRunnable(t *testing.T) {
	s := []metrics.Sample{{Name: runnableMetric}}
	metrics.Read(s)
	if k := s[0].Value.Kind(); k != metrics.KindUint64 {
		t.Fatalf("metric %s: kind %v, want uint64 (renamed in this Go?)", runnableMetric, k)
	}

	withProcs(t, 2)
	var (
		stop    atomic.Bool
		started sync.WaitGroup
		wg      sync.WaitGroup
	)
	const spinners = 4 // with this goroutine, 5 for 2 Ps: 3 wait at any time
	started.Add(spinners)
	for range spinners {
		wg.Go(func() {
			started.Done()
			for !stop.Load() {
			}
		})
	}
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	started.Wait()
	for i := range 20 {
		if !othersRunnable() {
			t.Fatalf("read %d: no goroutine waits for a P while %d spin on 2", i, spinners)
		}
	}
}
