package shm

import (
	"context"
	"math"
	"runtime"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// The slow path shared by the synchronisation objects (RWMutex, Semaphore,
// Event, Condition, Barrier): spin briefly with the Mutex's tuning, then
// sleep on a futex word; a context ending wakes the sleepers; a waiter that
// must watch other processes' health looks at a pace that slows down.

// spinner counts a waiter's spinning before it sleeps, as Mutex.Lock does:
// reads with exponential backoff, then a few yields.
type spinner int

// spin pauses once and reports true while the waiter should look again
// rather than sleep.
func (s *spinner) spin() bool {
	switch n := int(*s); {
	case n < spinBusy:
		backoff(min(1<<n, spinCap))
	case n < spinBusy+spinYield:
		runtime.Gosched()
	default:
		return false
	}
	*s++
	return true
}

// wakeOnDone wakes every sleeper on a and b (b may be nil) when ctx is done,
// so that a sleeping waiter sees it; others woken take it as a spurious
// wake-up. The caller calls stop when its wait is over.
func wakeOnDone(ctx context.Context, a, b *uint32) (stop func() bool) {
	if ctx.Done() == nil {
		return func() bool { return false }
	}
	return context.AfterFunc(ctx, func() {
		futex.Wake(a, math.MaxInt32)
		if b != nil {
			futex.Wake(b, math.MaxInt32)
		}
	})
}

// sleepLimit returns how long one futex.Wait of a waiter may last. With a
// context that can end, it is bounded: the wake-up of wakeOnDone may come
// just before the waiter sleeps, and the portable waiter ignores wake-ups.
func sleepLimit(ctx context.Context) time.Duration {
	if ctx.Done() == nil {
		return -1
	}
	return checkMax
}

// pacer paces the health checks of a sleeping waiter as Mutex does: the
// first after checkEvery, then at intervals doubling up to checkMax.
type pacer struct {
	interval time.Duration
	last     time.Time
}

// due reports whether it is time for a check, starting the clock on the
// first call.
func (p *pacer) due() bool {
	now := time.Now()
	if p.interval == 0 {
		p.interval, p.last = checkEvery, now
		return false
	}
	if now.Sub(p.last) < p.interval {
		return false
	}
	p.last, p.interval = now, min(2*p.interval, checkMax)
	return true
}

// sleep is how long the next futex.Wait of a waiter that checks health may
// last.
func (p *pacer) sleep() time.Duration {
	if p.interval == 0 {
		return checkEvery
	}
	return p.interval
}
