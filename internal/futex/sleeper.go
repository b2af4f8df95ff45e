package futex

import (
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// Sleeper is the sleeps of one wait: a blocking call that may sleep on a
// word several times before it returns. Its zero value is ready for one
// wait; a new wait takes a new Sleeper.
//
// It exists because of how the Go runtime treats a goroutine asleep in a
// system call. The goroutine keeps its P (its right to run Go code) until
// the runtime's monitor, sysmon, takes it back, which it does after 10 ms
// when nothing else needs it. Taking a P back resets the monitor to
// looking every 20 µs, and so does the next system call once the monitor
// has gone to sleep for want of anything running: every sleep of over
// 10 ms is followed by some 50 wake-ups of the monitor within about a
// millisecond, each a context switch, ~20 µs of CPU on these VMs, taken
// from whatever ran on that CPU. Measured on a pool's parent waiting for
// the results of a map of 8 tasks of 30-50 ms on 2 CPUs: ~390 wake-ups of
// its monitor during the map, 10 ms of CPU, taken from the workers.
//
// During the first keepFor of a wait, a Sleeper sleeps at most keepSlice
// at a time and reschedules its goroutine in between, so the runtime never
// takes the P back and its monitor keeps its slow pace. It does so only
// where that costs nothing: with 2 Ps or more (with one, the monitor takes
// back a P in a system call at its next look whatever the sleep's length)
// and, after the first slice, while no other goroutine of the process
// waits for a P (the P kept would be denied to it; the first slice does
// not look, as most sleeps end within it and the look, a read of the
// runtime's metrics, costs more than they do). Past keepFor, a wait is
// long enough that one burst of the monitor is small beside it, and a
// waiter that woke every keepSlice would cost more. The portable waiter
// sleeps without a system call and never keeps.
//
// Measured: the factorial row of shmdemo bench (a map of 8 tasks of
// 30-55 ms on a pool of 2), 5 interleaved pairs of binaries with and
// without Sleeper: the pool's time over the same tasks on 2 goroutines
// went from 0.976-1.01 (median 0.979) to 0.995-1.03 (median 1.02), better
// in every pair.
type Sleeper struct {
	first time.Time // when the wait first slept, or zero
}

// How a Sleeper keeps its P: see Sleeper.
const (
	keepSlice = 4 * time.Millisecond   // under the monitor's 10 ms, with room for its lateness
	keepFor   = 100 * time.Millisecond // a map's next result, a stream's next message
)

// Wait is [Wait], with the same contract, for one sleep of the wait s
// stands for.
func (s *Sleeper) Wait(addr *uint32, val uint32, timeout time.Duration) {
	s.sleep(addr, val, timeout, s.keep(time.Now(), othersRunnable))
}

// sleep is Wait, keeping the P or not.
func (s *Sleeper) sleep(addr *uint32, val uint32, timeout time.Duration, keep bool) {
	if !keep {
		Wait(addr, val, timeout)
		return
	}
	if timeout < 0 || timeout > keepSlice {
		timeout = keepSlice
	}
	Wait(addr, val, timeout)
	if atomic.LoadUint32(addr) == val {
		// A slice ended, not the wait: a new scheduling round, so that
		// the monitor sees the goroutine running anew.
		runtime.Gosched()
	}
}

// keep reports whether a sleep beginning now should keep the P, given
// whether other goroutines wait for one: see Sleeper.
func (s *Sleeper) keep(now time.Time, othersRunnable func() bool) bool {
	if Portable || runtime.GOMAXPROCS(0) < 2 {
		return false
	}
	if s.first.IsZero() {
		// Most sleeps end within a slice: the first skips the look at the
		// others, which costs more than the wake-ups of a short sleep.
		s.first = now
		return true
	}
	return now.Sub(s.first) < keepFor && !othersRunnable()
}

// runnable is the runtime metric that othersRunnable reads, kept here so
// that reading it allocates nothing.
var runnable struct {
	sync.Mutex
	sample [1]metrics.Sample
}

const runnableMetric = "/sched/goroutines/runnable:goroutines"

// othersRunnable reports whether a goroutine of this process waits for a
// P, or whether that cannot be told (the metric is unknown to this Go).
func othersRunnable() bool {
	runnable.Lock()
	defer runnable.Unlock()
	s := &runnable.sample[0]
	s.Name = runnableMetric
	metrics.Read(runnable.sample[:])
	return s.Value.Kind() != metrics.KindUint64 || s.Value.Uint64() > 0
}
