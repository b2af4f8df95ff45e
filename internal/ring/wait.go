package ring

import (
	"context"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// Tuning of waiting. A message every 100 ns is the pace we aim for, a
// futex sleep and wake-up costs 10-20 µs here: a waiter first spins, reading
// the ring with exponential backoff (spinBusy reads, about 30 µs in all),
// then yields the processor a few times, then sleeps on the ring's futex
// word, where it is woken by the next publish (or release), and in any case
// after idleSleep, so that it looks again at processes that may have died
// (stuckSleep while the slot it waits for is held by another process).
const (
	spinBusy   = 14
	spinCap    = 4096
	spinYield  = 8
	idleSleep  = 50 * time.Millisecond
	stuckSleep = checkEvery
)

// Recovery from dead processes. A slot held for a while by another process
// is examined at most every checkEvery per Ring: if the holder recorded its
// pid and that process is dead (or a zombie), the slot is taken back at
// once. If the holder died between claiming the slot and recording its pid
// (a window of one instruction), the slot is taken back after it has stayed
// so for zeroGrace; a live process that stalls that long in that window
// finds its claim void and claims again (a producer) or loses the message
// (a consumer), but no message is ever delivered twice or torn.
const (
	checkEvery = time.Millisecond
	zeroGrace  = 2 * time.Second
)

// waiter is the state of one blocking call between its attempts.
type waiter struct {
	spins int
	stop  func() bool // unregisters the context's wake-up
	word  *uint32
}

// reset makes the next pause spin again, after progress.
func (w *waiter) reset() { w.spins = 0 }

// pause waits a little before the caller tries again: it spins, then
// yields, then sleeps on the futex word of its side until woken, unless the
// ring became ready meanwhile. It returns ctx.Err() once ctx is done.
func (w *waiter) pause(ctx context.Context, r *Ring, consumer bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch {
	case w.spins < spinBusy:
		backoff(min(1<<w.spins, spinCap))
		w.spins++
		return nil
	case w.spins < spinBusy+spinYield:
		runtime.Gosched()
		w.spins++
		return nil
	}
	word, sleepers := &r.h.notFull, &r.h.fullSleepers
	if consumer {
		word, sleepers = &r.h.notEmpty, &r.h.emptySleepers
	}
	if w.stop == nil && ctx.Done() != nil {
		// A sleeper cannot see ctx end; wake the word's sleepers when it does
		// (bumping the word, for the polling waiter). Others take it as a
		// spurious wake-up.
		w.word = word
		w.stop = context.AfterFunc(ctx, func() {
			atomic.AddUint32(word, 1)
			futex.Wake(word, math.MaxInt32)
		})
	}
	// Dekker's handshake with wakeConsumers/wakeProducers: the sleeper count
	// is raised before the ring is looked at again, the waker looks at the
	// count after it changed the ring, so one of them sees the other.
	v := atomic.LoadUint32(word)
	atomic.AddUint32(sleepers, 1)
	defer atomic.AddUint32(sleepers, ^uint32(0))
	if r.ready(consumer) {
		return nil
	}
	timeout := idleSleep
	if r.checkStuck() {
		timeout = stuckSleep
	}
	futex.Wait(word, v, timeout)
	return nil
}

// end unregisters the context's wake-up. If the call gives up because ctx
// is done while the ring is ready, it passes on the wake-up it may have
// consumed, so that no other sleeper misses it.
func (w *waiter) end(ctx context.Context) {
	if w.stop == nil {
		return
	}
	w.stop()
	if ctx.Err() != nil {
		atomic.AddUint32(w.word, 1)
		futex.Wake(w.word, 1)
	}
}

// ready reports whether a Get (consumer) or Put would find the ring ready
// or closed.
func (r *Ring) ready(consumer bool) bool {
	if consumer {
		h := atomic.LoadUint64(&r.h.head)
		if atomic.LoadUint64(&r.slot(h).seq) == h+1 {
			return true
		}
		t := atomic.LoadUint64(&r.h.tail)
		return t&closedBit != 0 && t&^closedBit <= h
	}
	t := atomic.LoadUint64(&r.h.tail)
	if t&closedBit != 0 {
		return true
	}
	if r.fullByCap(t) {
		return false
	}
	return atomic.LoadUint64(&r.slot(t).seq) == t
}

// backoff waits about n steps of a few cycles each without touching shared
// memory, leaving the ring's cache lines to the other side. It returns a
// value derived from the loop so that the compiler cannot drop it.
//
//go:noinline
func backoff(n int) uint32 {
	x := uint32(n)
	for i := 0; i < n; i++ {
		x = x*1664525 + 1013904223
	}
	return x
}
