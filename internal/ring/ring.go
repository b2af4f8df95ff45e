package ring

import (
	"fmt"
	"math"
	"os"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// Ring is a bounded multi-producer multi-consumer queue of byte messages in
// memory shared between processes. Get one from [Init] or [Attach]; a Ring
// is a view of the memory, and several views, in one process or many, may
// be used at once. Its methods are safe for concurrent use. A Ring must
// not be copied.
//
// Publishing a message (the end of a Put) synchronizes before the Get that
// receives it, in this or any other process.
type Ring struct {
	h      *header
	mem    []byte // the whole ring: header and slots
	n      uint64 // slots
	cap    uint64 // n, or 1 in a ring of 2 slots
	mask   uint64 // n-1 when n is a power of two
	pow2   bool
	stride uint64
	max    int // the largest message
	pid    uint32
	flags  uint32
	stuck  stuckState
}

// self is this process's pid, recorded in the slots it claims. Go cannot
// fork, so it never changes.
var self = uint32(os.Getpid())

// maxBatch bounds the slots one claim takes, and so the messages a process
// that dies in the middle of a batch can take with it.
const maxBatch = 64

// hookClaimed, when set (by tests only), runs after a process has claimed
// slots (recording its pid in them) and moved the tail or head past them,
// before it fills or reads them.
var hookClaimed func(consumer bool)

func (r *Ring) index(pos uint64) uint64 {
	if r.pow2 {
		return pos & r.mask
	}
	return pos % r.n
}

// word returns the word of the slot of pos in state s, held by pid: it
// stores pos as its key, pos less the slot's index (see word.go).
func (r *Ring) word(pos uint64, s state, pid uint32) uint64 {
	return mkword(pos-r.index(pos), s, pid)
}

// dist returns how far the position in w, a word of the slot of pos, is
// from pos (see keyDist).
func (r *Ring) dist(w, pos uint64) int64 { return keyDist(w, pos-r.index(pos)) }

// payloadAt returns the bytes of the slot at index i that can hold a
// message.
func (r *Ring) payloadAt(i uint64) []byte {
	off := HeaderSize + i*r.stride + slotHdrSize
	return r.mem[off : off+uint64(r.max) : off+uint64(r.max)]
}

// cursor walks the slots of consecutive positions: the index of a
// position's slot and its key (the position less the index, see word.go),
// computed once for the first and stepped from there, where index would
// divide for each (in a ring of other than 2^k slots).
type cursor struct{ i, key uint64 }

// cursorAt returns the cursor of pos.
func (r *Ring) cursorAt(pos uint64) cursor {
	i := r.index(pos)
	return cursor{i, pos - i}
}

// next returns the cursor of the position after c's.
func (r *Ring) next(c cursor) cursor {
	if c.i++; c.i == r.n {
		c.i, c.key = 0, c.key+r.n
	}
	return c
}

// Cap returns the number of messages the ring holds at most.
func (r *Ring) Cap() int { return int(r.cap) }

// MaxMessage returns the size of the largest message a slot holds.
func (r *Ring) MaxMessage() int { return r.max }

// Flags returns the flags the ring was initialized with.
func (r *Ring) Flags() uint32 { return r.flags }

// Len returns the number of messages put and not yet taken, counting those
// being written or read. It is a snapshot.
func (r *Ring) Len() int {
	t := atomic.LoadUint64(&r.h.tail) &^ closedBit
	h := atomic.LoadUint64(&r.h.head)
	if t <= h {
		return 0
	}
	return int(min(t-h, r.cap))
}

// Closed reports whether Close was called.
func (r *Ring) Closed() bool { return atomic.LoadUint64(&r.h.tail)&closedBit != 0 }

// Recovered returns how many slots were taken back from processes that
// died while holding them, counted across all processes.
func (r *Ring) Recovered() int { return int(atomic.LoadUint64(&r.h.recovered)) }

// Close closes the ring: Put functions fail with [ErrClosed] from now on,
// Get functions deliver the messages already put and then fail with
// [ErrClosed], and every process waiting in a Put or Get wakes up. Close
// may be called more than once, by any process.
func (r *Ring) Close() {
	atomic.OrUint64(&r.h.tail, closedBit)
	atomic.StoreUint32(&r.h.closed, 1) // after the bit: see closedAt
	bump(&r.h.notEmpty)
	bump(&r.h.notFull)
}

func (r *Ring) tooLarge(n int) error {
	return fmt.Errorf("%w: message of %d bytes, slots hold %d", ErrTooLarge, n, r.max)
}

// fullByCap reports whether a ring whose capacity is below its slot count
// (a ring of capacity 1) holds as many messages as it may, with tail t.
func (r *Ring) fullByCap(t uint64) bool {
	if r.cap == r.n {
		return false
	}
	h := atomic.LoadUint64(&r.h.head)
	return h <= t && t-h >= r.cap
}

// claimPut claims up to k (1 <= k <= maxBatch) consecutive free slots at
// the tail, each with a compare-and-swap of its word that records this
// process as its holder, moves the tail past them, and returns the first
// position and how many it claimed: 0 if the ring is full (or closed, with
// ErrClosed).
func (r *Ring) claimPut(k int) (pos uint64, m int, err error) {
	k = min(k, int(r.cap), maxBatch)
	t := atomic.LoadUint64(&r.h.tail)
	for {
		if t&closedBit != 0 {
			return 0, 0, ErrClosed
		}
		if r.fullByCap(t) {
			return t, 0, nil
		}
		s := r.slot(t)
		w := atomic.LoadUint64(&s.word)
		switch d := r.dist(w, t); {
		case d == 0 && wordState(w) == stFree:
			if !atomic.CompareAndSwapUint64(&s.word, w, r.word(t, stPut, r.pid)) {
				continue // another producer claimed t: help it next time round
			}
			m = 1
			for c := r.next(r.cursorAt(t)); m < k; c = r.next(c) {
				if !atomic.CompareAndSwapUint64(&r.slotAt(c.i).word, mkword(c.key, stFree, 0), mkword(c.key, stPut, r.pid)) {
					break
				}
				m++
			}
			m = r.advanceTail(t, m)
			if m == 0 {
				return 0, 0, ErrClosed
			}
			return t, m, nil
		case d == 0 || d == int64(r.n):
			// Another producer claimed t and has not moved the tail yet: move
			// it for them (or the tail read is stale, and the CAS fails).
			atomic.CompareAndSwapUint64(&r.h.tail, t, t+1)
			t = atomic.LoadUint64(&r.h.tail)
		case d == -int64(r.n) && wordState(w) != stFree:
			return t, 0, nil // the slot still serves the previous lap: full
		default:
			// The tail moved on while the slot was read, unless the memory is
			// corrupt: no other word is reachable for the slot of the tail.
			nt := atomic.LoadUint64(&r.h.tail)
			if nt == t {
				return 0, 0, fmt.Errorf("%w: slot of position %d has word %#x", ErrCorrupt, t, w)
			}
			t = nt
		}
	}
}

// advanceTail moves the tail to t+m, past the positions t to t+m-1 this
// process claimed, unless others moved it further already, and returns how
// many of them it keeps: all of them, or, if the ring was closed at a tail
// c < t+m meanwhile, those before c; it gives the others back.
func (r *Ring) advanceTail(t uint64, m int) int {
	end := t + uint64(m)
	for {
		cur := atomic.LoadUint64(&r.h.tail)
		if cur&closedBit != 0 {
			c := max(cur&^closedBit, t) // the tail never moves back, so c >= t
			for p := c; p < end; p++ {
				storeRel(&r.slot(p).word, r.word(p, stFree, 0))
			}
			return int(min(c, end) - t)
		}
		if cur >= end || atomic.CompareAndSwapUint64(&r.h.tail, cur, end) {
			return m
		}
	}
}

// claimGet claims up to k consecutive full (or skipped) slots at the head,
// each with a compare-and-swap of its word that records this process as
// its holder, moves the head past them, and returns the first position,
// how many it claimed, and which of them were skipped slots (bit i for
// pos+i), which hold no message: 0 slots if none is ready (with ErrClosed
// if the ring is closed and nothing remains to come).
func (r *Ring) claimGet(k int) (pos uint64, m int, skipped uint64, err error) {
	k = min(k, int(r.n), maxBatch)
	h := atomic.LoadUint64(&r.h.head)
	for {
		s := r.slot(h)
		w := atomic.LoadUint64(&s.word)
		st := wordState(w)
		switch d := r.dist(w, h); {
		case d == 0 && (st == stFull || st == stSkip):
			if !atomic.CompareAndSwapUint64(&s.word, w, r.word(h, stGet, r.pid)) {
				continue
			}
			if st == stSkip {
				skipped = 1
			}
			m = 1
			for c := r.next(r.cursorAt(h)); m < k; c = r.next(c) {
				// The next slots are most likely full too: claim each with a
				// compare-and-swap straight away, and, if that fails, with
				// one from the word of a skipped slot. The producer wrote
				// the word last; reading it first would get its cache line
				// shared and the compare-and-swap would then have to take
				// it: two transfers between the CPUs where this makes one
				// (batches of 64-byte messages between two processes: 63-66
				// -> 56-59 ns a message). Not for the first slot: a Get
				// polling an empty ring would take the line from the
				// producer at each look (one at a time: 290-410 -> 455-520
				// ns); reading it only shares it.
				sp := r.slotAt(c.i)
				if !atomic.CompareAndSwapUint64(&sp.word, mkword(c.key, stFull, 0), mkword(c.key, stGet, r.pid)) {
					if !atomic.CompareAndSwapUint64(&sp.word, mkword(c.key, stSkip, 0), mkword(c.key, stGet, r.pid)) {
						break
					}
					skipped |= 1 << m
				}
				m++
			}
			r.advanceHead(h, m)
			return h, m, skipped, nil
		case d == 0 && st == stGet || d == int64(r.n):
			// Another consumer claimed h and has not moved the head yet.
			atomic.CompareAndSwapUint64(&r.h.head, h, h+1)
			h = atomic.LoadUint64(&r.h.head)
		case d == 0 || d == -int64(r.n) && st == stGet:
			// Not published yet (free, or being written), or the slot is still
			// being read for the previous lap.
			if r.closedAt(h) {
				return 0, 0, 0, ErrClosed
			}
			return h, 0, 0, nil
		default:
			nh := atomic.LoadUint64(&r.h.head)
			if nh == h {
				return 0, 0, 0, fmt.Errorf("%w: slot of position %d has word %#x", ErrCorrupt, h, w)
			}
			h = nh
		}
	}
}

// advanceHead moves the head to h+m, past the positions this process
// claimed, unless others moved it further already.
func (r *Ring) advanceHead(h uint64, m int) {
	end := h + uint64(m)
	for {
		cur := atomic.LoadUint64(&r.h.head)
		if cur >= end || atomic.CompareAndSwapUint64(&r.h.head, cur, end) {
			return
		}
	}
}

// publish makes the message in slot s, which this process claimed for
// the position of key, visible to the consumer of that position.
func publish(s *slotHdr, key uint64) { storeRel(&s.word, mkword(key, stFull, 0)) }

// release frees slot s, which this process claimed, for the producer of
// the position of key (a lap after the one it held).
func release(s *slotHdr, key uint64) { storeRel(&s.word, mkword(key, stFree, 0)) }

// storeRun publishes (st stFull, lap 0) or releases (stFree, r.n) the m
// slots from cursor c on, which this process claimed, as publish and
// release do one slot: the positions of one lap share their key (see
// word.go), so the slots up to the end of the ring take one word, stored
// by one call, and the rest (after a wrap) another. A lone slot, the
// common case, is left to publish and release, which are inlined.
func (r *Ring) storeRun(c cursor, m int, st state, lap uint64) {
	for left := uint64(m); left > 0; {
		k := min(left, r.n-c.i)
		storeRelStrided(&r.slotAt(c.i).word, r.stride, k, mkword(c.key+lap, st, 0))
		left -= k
		c = cursor{0, c.key + r.n}
	}
}

// A futex word on which waiters sleep holds sleepBit, set by the first
// waiter to sleep on it, and a count in the other bits, raised by every
// wake-up: a waiter sleeps only while the word is what it was when it
// decided to sleep.
const sleepBit = 1

// wake wakes every process asleep on word, if any: only the first waker
// after a waiter set sleepBit makes the system call, and clears the bit.
// The look at the bit is inlined into every Put and Get; the rest is not.
func wake(word *uint32) {
	if atomic.LoadUint32(word)&sleepBit != 0 {
		wakeSleepers(word)
	}
}

// wakeSleepers is wake once the bit was seen set.
func wakeSleepers(word *uint32) {
	for {
		v := atomic.LoadUint32(word)
		if v&sleepBit == 0 {
			return
		}
		if atomic.CompareAndSwapUint32(word, v, (v+2)&^sleepBit) {
			futex.Wake(word, math.MaxInt32)
			return
		}
	}
}

// bump wakes every process asleep on word, and makes those about to sleep
// look again, whether or not the bit says someone sleeps.
func bump(word *uint32) {
	atomic.AddUint32(word, 2)
	futex.Wake(word, math.MaxInt32)
}

// wakeConsumers wakes the consumers asleep, if any.
func (r *Ring) wakeConsumers() { wake(&r.h.notEmpty) }

// wakeProducers wakes the producers asleep, if any.
func (r *Ring) wakeProducers() { wake(&r.h.notFull) }
