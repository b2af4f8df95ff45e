package ring

import (
	"context"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// Tuning of waiting. A message every 100 ns is the pace we aim for, a
// futex sleep and wake-up costs 10-20 µs here: a waiter first spins, reading
// the ring with exponential backoff (spinBusy reads, about 30 µs in all),
// then yields the processor a few times, then sleeps on the ring's futex
// word, where it is woken by the next claim of the other side, and in any
// case after idleSleep, so that it looks again at processes that may have
// died; it sleeps only stuckSleep while the slot it waits for is held by
// another process, since letting go of a slot wakes nobody. The sleeps of
// one call go through a futex.Sleeper, which sleeps in slices at first so
// that the Go runtime leaves the process's P alone (see there). A sleep
// that ends with the word unchanged (a timeout) is followed by another
// sleep, not by spinning again: only a wake-up says the other side moved.
const (
	spinBusy   = 14
	spinCap    = 4096
	spinYield  = 8
	idleSleep  = 50 * time.Millisecond
	stuckSleep = checkEvery
)

// checkEvery is how often, at most, a Ring examines the processes holding
// the slots it waits for, to take back those of the dead.
const checkEvery = time.Millisecond

// waiter is the state of one blocking call between its attempts.
type waiter struct {
	spins int
	stop  func() bool   // unregisters the context's wake-up
	sleep futex.Sleeper // the call's sleeps
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
		// A sleeper cannot see ctx end; wake the word's sleepers when it does.
		// Others take it as a spurious wake-up.
		w.stop = context.AfterFunc(ctx, func() { bump(word) })
	}
	// Dekker's handshake with wake: the sleeper sets sleepBit (or finds it
	// set) before it looks at the ring again; the other side claims a slot
	// (a compare-and-swap) before it looks at the bit; all of these are
	// sequentially consistent atomics, so one of them sees the other. What
	// is looked at is the claim, not the publication (a plain release
	// store, see storeRel), hence the wake-up before the message is written.
	v := atomic.LoadUint32(word)
	if v&sleepBit == 0 {
		if !atomic.CompareAndSwapUint32(word, v, v|sleepBit) {
			return nil // woken meanwhile: look again
		}
		v |= sleepBit
	}
	atomic.AddUint32(sleepers, 1)
	defer atomic.AddUint32(sleepers, ^uint32(0))
	timeout := idleSleep
	switch r.waitFor(consumer) {
	case ready:
		return nil
	case held:
		timeout = stuckSleep
	}
	if r.checkStuck() {
		timeout = stuckSleep
	}
	w.sleep.Wait(word, v, timeout)
	if atomic.LoadUint32(word) != v {
		w.spins = 0 // woken by a claim, most likely: spin for what follows
	}
	return nil
}

// end unregisters the context's wake-up. (Every wake-up wakes every
// sleeper, so a call that gives up has none to pass on.)
func (w *waiter) end() {
	if w.stop != nil {
		w.stop()
	}
}

// readiness is what a waiter about to sleep finds.
type readiness int

const (
	idle  readiness = iota // nothing to do until the other side claims a slot, which wakes the sleepers
	held                   // the slot waited for is held by another process, which wakes nobody when done
	ready                  // a call would make progress, or fail: look again
)

// waitFor tells a Get (consumer) or Put about to sleep what it waits for.
func (r *Ring) waitFor(consumer bool) readiness {
	if consumer {
		h := atomic.LoadUint64(&r.h.head)
		w := atomic.LoadUint64(&r.slot(h).word)
		st, d := wordState(w), r.dist(w, h)
		switch {
		case d == 0 && (st == stFull || st == stSkip || st == stGet) || d == int64(r.n):
			return ready
		case r.closedAt(h):
			return ready
		case d == 0 && st == stPut:
			return held
		}
		return idle
	}
	t := atomic.LoadUint64(&r.h.tail)
	if t&closedBit != 0 {
		return ready
	}
	if r.fullByCap(t) {
		return idle
	}
	w := atomic.LoadUint64(&r.slot(t).word)
	switch st, d := wordState(w), r.dist(w, t); {
	case d == -int64(r.n) && st == stGet:
		return held
	case d == -int64(r.n) && st != stFree:
		return idle
	}
	return ready
}

// closedAt reports whether the ring is closed with nothing left to come
// at or after position h. It reads the tail only once the closed flag is
// set (see layout.go), which Close sets after the tail's closedBit: a
// flag seen set means a frozen tail.
func (r *Ring) closedAt(h uint64) bool {
	if atomic.LoadUint32(&r.h.closed) == 0 {
		return false
	}
	t := atomic.LoadUint64(&r.h.tail)
	return t&closedBit != 0 && t&^closedBit <= h
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
