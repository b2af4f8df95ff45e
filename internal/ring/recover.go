package ring

import (
	"sync/atomic"
	"time"
)

// stuckState is the process-local part of recovery: the time before which
// no examination of the slots is due.
type stuckState struct {
	next atomic.Int64 // unix nanoseconds
}

// checkStuck reports whether the slot at the head is held by a producer or
// consumer that has not finished with it, or the slot at the tail is still
// held for the previous lap; if so, and an examination is due (one every
// checkEvery per Ring), it takes back the slots of a holder that died.
func (r *Ring) checkStuck() bool {
	h := atomic.LoadUint64(&r.h.head)
	t := atomic.LoadUint64(&r.h.tail) &^ closedBit
	headHeld := r.heldFor(atomic.LoadUint64(&r.slot(h).word), h)
	q := t - r.n // the position the slot of the tail served on the previous lap
	tailHeld := t >= r.n && r.heldFor(atomic.LoadUint64(&r.slot(t).word), q)
	if !headHeld && !tailHeld {
		return false
	}
	now := time.Now().UnixNano()
	next := r.stuck.next.Load()
	if now < next || !r.stuck.next.CompareAndSwap(next, now+int64(checkEvery)) {
		return true
	}
	if headHeld {
		r.recoverFrom(h)
	}
	if tailHeld {
		r.recoverFrom(q)
	}
	return true
}

// heldFor reports whether the slot word w says a process holds the slot
// for position pos.
func (r *Ring) heldFor(w, pos uint64) bool {
	s := wordState(w)
	return r.dist(w, pos) == 0 && (s == stPut || s == stGet)
}

// recoverFrom takes back the slot of pos, and the slots after it that the
// same process holds (the rest of its batch), if that process is dead: a
// producer's slot becomes skipped (its message was never published), a
// consumer's is freed for the next lap (its message is lost with it). Each
// slot is taken with a compare-and-swap of its word, so two processes
// recovering at once take each slot once; its dead holder cannot race them.
func (r *Ring) recoverFrom(pos uint64) {
	pid := wordPid(atomic.LoadUint64(&r.slot(pos).word))
	if pid == r.pid || !procDead(pid) {
		return // held by this process, alive; or by another, alive
	}
	taken := 0
	for i := range uint64(maxBatch) {
		p := pos + i
		s := r.slot(p)
		w := atomic.LoadUint64(&s.word)
		if !r.heldFor(w, p) || wordPid(w) != pid {
			break
		}
		nw := r.word(p, stSkip, 0)
		if wordState(w) == stGet {
			nw = r.word(p+r.n, stFree, 0)
		}
		if atomic.CompareAndSwapUint64(&s.word, w, nw) {
			atomic.AddUint64(&r.h.recovered, 1)
			taken++
		}
	}
	if taken > 0 {
		r.wakeProducers()
		r.wakeConsumers()
	}
}
