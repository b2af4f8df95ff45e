package perf

import (
	"runtime"
	"sync/atomic"
	"time"
)

// cacheLineTrips is how many round trips cacheLineRTT makes: 2 ms when a
// trip takes 100 ns, 20 ms at 1 µs.
const cacheLineTrips = 20000

// paddedCounter is a counter alone on its cache line.
type paddedCounter struct {
	_ [64]byte
	v atomic.Uint64
	_ [56]byte
}

// cacheLineRTT returns the mean time a cache line takes to go from one CPU
// to another and back: two goroutines, each on a thread of its own, hand a
// counter to and fro through two lines, trips times. Every message between
// two processes pays it at least once, so it is the floor of the queue
// rows; on the project's VMs it swings between 100-250 ns and about 1 µs
// with where the host runs the two virtual CPUs, and the queue rows swing
// with it. It returns 0 when fewer than 2 CPUs may run goroutines at once
// (the two would take turns instead of spinning side by side).
func cacheLineRTT(trips int) time.Duration {
	if runtime.GOMAXPROCS(0) < 2 || trips <= 0 {
		return 0
	}
	var ping, pong paddedCounter
	done := make(chan struct{})
	go func() {
		defer close(done)
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for i := uint64(1); i <= uint64(trips); i++ {
			for ping.v.Load() != i {
			}
			pong.v.Store(i)
		}
	}()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	t0 := time.Now()
	for i := uint64(1); i <= uint64(trips); i++ {
		ping.v.Store(i)
		for pong.v.Load() != i {
		}
	}
	d := time.Since(t0)
	<-done
	return d / time.Duration(trips)
}
