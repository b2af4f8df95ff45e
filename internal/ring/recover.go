package ring

import (
	"sync"
	"sync/atomic"
	"time"
)

// watch remembers, per Ring and per end, the slot a waiter found held
// without a recorded pid, and since when.
type watch struct {
	owner uint64 // the slot's owner word then (it holds the position)
	since time.Time
}

// stuckState is the process-local part of recovery: when the slots were
// last examined, and the watches of both ends.
type stuckState struct {
	next atomic.Int64 // unix nanoseconds before which no examination is due
	mu   sync.Mutex
	head watch // the head slot, claimed by a producer and not published
	tail watch // the tail slot, claimed by a consumer and not released
}

// checkStuck reports whether the slot at the head is held by a producer
// that has not published it while later positions are claimed, or the slot
// at the tail is held by a consumer that has not released it while the
// ring is full; if so, and an examination is due, it takes back the slot of
// a holder that died (see checkEvery and zeroGrace in wait.go).
func (r *Ring) checkStuck() bool {
	t := atomic.LoadUint64(&r.h.tail) &^ closedBit
	h := atomic.LoadUint64(&r.h.head)
	headStuck := t > h && atomic.LoadUint64(&r.slot(h).seq) == h
	q := t - r.n // the position the tail's slot held on the previous lap
	tailStuck := t >= r.n && h > q && atomic.LoadUint64(&r.slot(t).seq) == q+1
	if !headStuck && !tailStuck {
		return false
	}
	now := time.Now()
	next := r.stuck.next.Load()
	if now.UnixNano() < next || !r.stuck.next.CompareAndSwap(next, now.Add(checkEvery).UnixNano()) {
		return true
	}
	r.stuck.mu.Lock()
	defer r.stuck.mu.Unlock()
	if headStuck {
		r.recoverAt(h, false, &r.stuck.head, now)
	}
	if tailStuck {
		r.recoverAt(q, true, &r.stuck.tail, now)
	}
	return true
}

// recoverAt takes back the slot of pos if its holder is dead: a producer's
// claim (byConsumer false: the slot is skipped, its message was never
// published) or a consumer's (the slot is freed, its message is lost with
// the consumer).
func (r *Ring) recoverAt(pos uint64, byConsumer bool, w *watch, now time.Time) {
	s := r.slot(pos)
	ow := atomic.LoadUint64(&s.owner)
	if uint32(ow>>32) != uint32(pos) {
		return // the slot moved on meanwhile, or is not what it seems
	}
	switch pid := uint32(ow); pid {
	case stolen, r.pid:
		return // being recovered by someone else; or held by this process, alive
	case 0:
		if w.owner != ow || w.since.IsZero() {
			w.owner, w.since = ow, now
			return
		}
		if now.Sub(w.since) < zeroGrace {
			return
		}
	default:
		if !procDead(pid) {
			return
		}
	}
	w.since = time.Time{}
	if !atomic.CompareAndSwapUint64(&s.owner, ow, ownerWord(pos, stolen)) {
		return
	}
	if !byConsumer {
		// Nobody else can move the head past an unpublished slot.
		if !atomic.CompareAndSwapUint64(&r.h.head, pos, pos+1) {
			atomic.CompareAndSwapUint64(&s.owner, ownerWord(pos, stolen), ow)
			return
		}
	}
	r.release(pos)
	atomic.AddUint64(&r.h.recovered, 1)
	r.wakeProducers(1)
	r.wakeConsumers(1) // the head moved, or waiting consumers may now follow
}
