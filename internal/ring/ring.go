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

// stolen is the pid recorded in a slot taken back from a process thought
// dead; no process has this pid.
const stolen = math.MaxUint32

// maxBatch bounds the slots one claim takes, and so the messages a process
// that dies in the middle of a batch can take with it.
const maxBatch = 64

// hookClaimed, when set (by tests only), runs after a process has claimed
// slots and recorded its pid in them, before it fills or reads them.
var hookClaimed func(consumer bool)

// ownerWord returns the owner word of a slot held for pos by pid.
func ownerWord(pos uint64, pid uint32) uint64 { return uint64(uint32(pos))<<32 | uint64(pid) }

func (r *Ring) index(pos uint64) uint64 {
	if r.pow2 {
		return pos & r.mask
	}
	return pos % r.n
}

// payload returns the bytes of the slot of pos that can hold a message.
func (r *Ring) payload(pos uint64) []byte {
	off := HeaderSize + r.index(pos)*r.stride + slotHdrSize
	return r.mem[off : off+uint64(r.max) : off+uint64(r.max)]
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
	atomic.AddUint32(&r.h.notEmpty, 1)
	atomic.AddUint32(&r.h.notFull, 1)
	futex.Wake(&r.h.notEmpty, math.MaxInt32)
	futex.Wake(&r.h.notFull, math.MaxInt32)
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

// claimPut claims up to k (1 <= k <= maxBatch) consecutive free slots with
// one compare-and-swap of the tail, and returns the first position and how
// many it claimed: 0 if the ring is full (or closed, with ErrClosed).
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
		seq := atomic.LoadUint64(&r.slot(t).seq)
		switch d := int64(seq - t); {
		case d == 0:
			// Slots are freed in any order, so each one of the batch is checked.
			m = 1
			for m < k && atomic.LoadUint64(&r.slot(t+uint64(m)).seq) == t+uint64(m) {
				m++
			}
			if atomic.CompareAndSwapUint64(&r.h.tail, t, t+uint64(m)) {
				return t, m, nil
			}
			t = atomic.LoadUint64(&r.h.tail)
		case d < 0:
			return t, 0, nil // the slot still holds the message of the previous lap
		default:
			// Another producer claimed t, so the tail has moved on, unless the
			// memory is corrupt: seq > t is reachable only through a claim of t.
			nt := atomic.LoadUint64(&r.h.tail)
			if nt == t {
				return 0, 0, fmt.Errorf("%w: slot of position %d has sequence %d", ErrCorrupt, t, seq)
			}
			t = nt
		}
	}
}

// claimGet claims up to k consecutive published messages with one
// compare-and-swap of the head, and returns the first position and how
// many it claimed: 0 if none is ready (with ErrClosed if the ring is closed
// and nothing remains to come).
func (r *Ring) claimGet(k int) (pos uint64, m int, err error) {
	k = min(k, int(r.n), maxBatch)
	h := atomic.LoadUint64(&r.h.head)
	for {
		seq := atomic.LoadUint64(&r.slot(h).seq)
		switch d := int64(seq - (h + 1)); {
		case d == 0:
			m = 1
			for m < k && atomic.LoadUint64(&r.slot(h+uint64(m)).seq) == h+uint64(m)+1 {
				m++
			}
			if atomic.CompareAndSwapUint64(&r.h.head, h, h+uint64(m)) {
				return h, m, nil
			}
			h = atomic.LoadUint64(&r.h.head)
		case d < 0:
			if t := atomic.LoadUint64(&r.h.tail); t&closedBit != 0 && t&^closedBit <= h {
				return 0, 0, ErrClosed
			}
			return h, 0, nil
		default:
			nh := atomic.LoadUint64(&r.h.head)
			if nh == h {
				return 0, 0, fmt.Errorf("%w: slot of position %d has sequence %d", ErrCorrupt, h, seq)
			}
			h = nh
		}
	}
}

// claimOwner records this process as the holder of the slot of pos, which
// it claimed by moving the head or tail. It fails only if another process
// took the slot back in the meantime, having waited long for the pid (see
// recoverAt): the claim is then void.
func (r *Ring) claimOwner(pos uint64) bool {
	return atomic.CompareAndSwapUint64(&r.slot(pos).owner, ownerWord(pos, 0), ownerWord(pos, r.pid))
}

// publish makes the message in the slot of pos visible to the consumer of
// pos. The slot's owner word says from now on that nobody holds it for pos.
func (r *Ring) publish(pos uint64) {
	s := r.slot(pos)
	atomic.StoreUint64(&s.owner, ownerWord(pos, 0))
	atomic.StoreUint64(&s.seq, pos+1)
}

// release frees the slot of pos for the producer of pos+n.
func (r *Ring) release(pos uint64) {
	s := r.slot(pos)
	atomic.StoreUint64(&s.owner, ownerWord(pos+r.n, 0))
	atomic.StoreUint64(&s.seq, pos+r.n)
}

// wakeConsumers wakes up to m consumers if any sleeps.
func (r *Ring) wakeConsumers(m int) {
	if atomic.LoadUint32(&r.h.emptySleepers) != 0 {
		atomic.AddUint32(&r.h.notEmpty, 1)
		futex.Wake(&r.h.notEmpty, m)
	}
}

// wakeProducers wakes up to m producers if any sleeps.
func (r *Ring) wakeProducers(m int) {
	if atomic.LoadUint32(&r.h.fullSleepers) != 0 {
		atomic.AddUint32(&r.h.notFull, 1)
		futex.Wake(&r.h.notFull, m)
	}
}
