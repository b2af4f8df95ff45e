//go:build darwin || (linux && shmkit_portable)

package futex

import (
	"runtime"
	"sync/atomic"
	"time"
)

const portable = true

// Wait polls *addr until it differs from val or timeout (< 0: none) elapses.
// It yields the processor a few times first, then sleeps with pauses that
// double from 5µs up to maxPoll, so a waiter costs little CPU and notices a
// change within about a millisecond.
func Wait(addr *uint32, val uint32, timeout time.Duration) {
	var deadline time.Time
	if timeout >= 0 {
		deadline = time.Now().Add(timeout)
	}
	pause := 5 * time.Microsecond
	for i := 0; atomic.LoadUint32(addr) == val; i++ {
		if i < 4 {
			runtime.Gosched()
			continue
		}
		d := pause
		if timeout >= 0 {
			left := time.Until(deadline)
			if left <= 0 {
				return
			}
			d = min(d, left)
		}
		time.Sleep(d)
		pause = min(2*pause, maxPoll)
	}
}

// Wake has nothing to do for the polling waiter: sleepers notice the change
// of the word by themselves. It reports 0.
func Wake(addr *uint32, n int) int { return 0 }
