package shm

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// barrierState is the shared state of a Barrier, after its block's lock
// word (a Mutex that guards every change). Only parties is set when the
// barrier is made; zero in every other field is a fresh barrier.
//
// seq is the futex word: the generation number times 2, plus 1 while the
// barrier is broken. A generation ends when the last party arrives (seq
// grows by 2) or by Reset (seq grows to the next even number, and the
// generation's bit in aborted is set), so that a waiter that wakes late
// still learns how its generation ended. pids holds the pids of the first
// barrierPids distinct processes that arrived in this generation.
type barrierState struct {
	seq     uint32
	parties uint32
	count   uint32 // parties arrived in this generation
	aborted uint32 // bit g%32: generation g ended by Reset
	pids    [barrierPids]uint32
}

const barrierPids = 8

// Barrier is a barrier in shared memory for a fixed number of parties
// (processes or goroutines): each Wait blocks until parties calls of Wait
// are waiting, then they all return and the barrier serves the next
// generation. Python: multiprocessing.Barrier (without its action and
// default timeout: run the action where Wait returns index 0, and pass a
// context with a deadline).
//
// A Barrier is a handle: copies refer to the same barrier, and a Barrier
// passed to a child process (see package ipc) is the same barrier there.
// The zero Barrier is not usable; get one from [NewBarrier] or
// [LookupBarrier]. In shared memory it stores the number of parties; the
// rest of its state starts at zero.
//
// The barrier breaks, and every current and later Wait returns
// [ErrBrokenBarrier] until [Barrier.Reset], when: Abort is called; Reset is
// called while parties wait; the context of a waiting Wait ends (as
// Python's Barrier breaks when a wait times out: the others could not
// complete the generation without it); or a process that arrived dies
// before the generation completes. Waiters watch the processes that arrived
// (the first 8 distinct ones of a generation) and notice a death within
// milliseconds. A party that dies before it arrives cannot be told from one
// that is late: give Wait a context with a deadline where that can happen.
//
// Every Wait of a generation synchronizes before every Wait of that
// generation returns.
type Barrier struct {
	mu Mutex
	st *barrierState
}

// NewBarrier allocates a barrier for parties parties, in the default arena
// or in the segment given with [In]. It fails with [ErrCount] if parties is
// not positive or is larger than math.MaxInt32.
func NewBarrier(parties int, opts ...Option) (*Barrier, error) {
	if parties <= 0 || parties > math.MaxInt32 {
		return nil, fmt.Errorf("%w: barrier of %d parties", ErrCount, parties)
	}
	o, err := allocate(kindBarrier, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	b, err := barrierOf(o)
	if err != nil {
		return nil, err
	}
	atomic.StoreUint32(&b.st.parties, uint32(parties))
	return b, nil
}

// LookupBarrier returns the barrier named name in seg (see [Named]).
func LookupBarrier(seg *Segment, name string) (*Barrier, error) {
	o, err := lookup(seg, name, kindBarrier, 0)
	if err != nil {
		return nil, err
	}
	return barrierOf(o)
}

func barrierOf(o object) (*Barrier, error) {
	st, err := lineState[barrierState](o)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &Barrier{mu: *mu, st: st}, nil
}

// Parties returns the number of parties the barrier waits for.
func (b *Barrier) Parties() int { return int(atomic.LoadUint32(&b.st.parties)) }

// Waiting returns the number of parties waiting in the current generation
// (0 if the barrier is broken). It is a snapshot.
func (b *Barrier) Waiting() int {
	if b.Broken() {
		return 0
	}
	return int(atomic.LoadUint32(&b.st.count))
}

// Broken reports whether the barrier is broken.
func (b *Barrier) Broken() bool { return atomic.LoadUint32(&b.st.seq)&1 != 0 }

// lock takes the barrier's lock. If a process died holding it, the state
// it guards may be half-updated: the barrier is broken, and Reset makes it
// whole again.
func (b *Barrier) lock() error {
	err := b.mu.Lock()
	if err == ErrOwnerDead {
		b.breakLocked()
		b.mu.MarkConsistent()
		return nil
	}
	return err
}

// breakLocked breaks the barrier, holding its lock.
func (b *Barrier) breakLocked() {
	if atomic.LoadUint32(&b.st.seq)&1 == 0 {
		atomic.OrUint32(&b.st.seq, 1)
		futex.Wake(&b.st.seq, math.MaxInt32)
	}
}

// Wait waits until parties calls of Wait wait at the barrier, and returns
// this call's arrival index: 0 for the first, parties-1 for the last. It
// returns [ErrBrokenBarrier] if the barrier is or becomes broken, and
// ctx.Err() if ctx ends first, which breaks the barrier for the others
// (if ctx was done already, Wait returns at once and does not break it).
// It may also return [ErrNotRecoverable] from the barrier's lock.
func (b *Barrier) Wait(ctx context.Context) (index int, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := b.lock(); err != nil {
		return 0, err
	}
	s := atomic.LoadUint32(&b.st.seq)
	if s&1 != 0 {
		b.mu.Unlock()
		return 0, ErrBrokenBarrier
	}
	n := atomic.LoadUint32(&b.st.count)
	b.notePid()
	if n+1 >= atomic.LoadUint32(&b.st.parties) {
		b.completeLocked(s, n)
		b.mu.Unlock()
		return int(n), nil
	}
	atomic.StoreUint32(&b.st.count, n+1)
	b.mu.Unlock()
	return b.sleep(ctx, s, int(n))
}

// notePid records this process among those that arrived, if there is room.
func (b *Barrier) notePid() {
	me := uint32(self.pid)
	for i := range b.st.pids {
		switch atomic.LoadUint32(&b.st.pids[i]) {
		case me:
			return
		case 0:
			atomic.StoreUint32(&b.st.pids[i], me)
			return
		}
	}
}

// completeLocked ends generation s>>1, which n+1 arrivals completed,
// holding the lock.
func (b *Barrier) completeLocked(s, n uint32) {
	g := s >> 1
	atomic.AndUint32(&b.st.aborted, ^(uint32(1) << (g % 32)))
	b.newGenerationLocked(g)
	if n > 0 {
		futex.Wake(&b.st.seq, math.MaxInt32)
	}
}

// newGenerationLocked starts generation g+1, holding the lock.
func (b *Barrier) newGenerationLocked(g uint32) {
	atomic.StoreUint32(&b.st.count, 0)
	for i := range b.st.pids {
		atomic.StoreUint32(&b.st.pids[i], 0)
	}
	atomic.StoreUint32(&b.st.seq, (g+1)<<1)
}

// sleep waits for the end of the generation of s, which this waiter joined
// as index.
func (b *Barrier) sleep(ctx context.Context, s uint32, index int) (int, error) {
	defer wakeOnDone(ctx, &b.st.seq, nil)()
	var (
		pace  pacer
		sleep futex.Sleeper
	)
	for {
		cur := atomic.LoadUint32(&b.st.seq)
		if cur != s {
			return b.outcome(s, cur, index)
		}
		if ctx.Err() != nil || (pace.due() && b.partyDied()) {
			if err := b.lock(); err != nil {
				return 0, err
			}
			if atomic.LoadUint32(&b.st.seq) != s {
				b.mu.Unlock() // ended meanwhile: report how
				continue
			}
			b.breakLocked()
			b.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return 0, err
			}
			return 0, ErrBrokenBarrier
		}
		timeout := pace.sleep()
		if ctx.Done() != nil {
			timeout = min(timeout, sleepLimit(ctx))
		}
		sleep.Wait(&b.st.seq, s, timeout)
	}
}

// outcome reports how the generation of s ended, seen from seq value cur.
func (b *Barrier) outcome(s, cur uint32, index int) (int, error) {
	g := s >> 1
	if cur>>1 == g { // same generation, broken
		return 0, ErrBrokenBarrier
	}
	aborted := atomic.LoadUint32(&b.st.aborted)&(1<<(g%32)) != 0
	// The bit is g's only if fewer than 32 generations have ended since.
	if aborted || atomic.LoadUint32(&b.st.seq)>>1-g >= 32 {
		return 0, ErrBrokenBarrier
	}
	return index, nil
}

// partyDied reports whether a process that arrived in this generation is
// gone.
func (b *Barrier) partyDied() bool {
	for i := range b.st.pids {
		pid := atomic.LoadUint32(&b.st.pids[i])
		if pid == 0 {
			return false
		}
		if pid != uint32(self.pid) {
			if gone, _ := procGone(pid, 0); gone {
				return true
			}
		}
	}
	return false
}

// Abort breaks the barrier: every current and later Wait returns
// [ErrBrokenBarrier] until Reset.
func (b *Barrier) Abort() {
	if b.lock() != nil {
		return // unrecoverable: Wait reports it
	}
	b.breakLocked()
	b.mu.Unlock()
}

// Reset returns the barrier to its initial state, not broken and with no
// party waiting: parties waiting now get [ErrBrokenBarrier].
func (b *Barrier) Reset() {
	if b.lock() != nil {
		return
	}
	s := atomic.LoadUint32(&b.st.seq)
	if s&1 != 0 || atomic.LoadUint32(&b.st.count) != 0 {
		g := s >> 1
		atomic.OrUint32(&b.st.aborted, 1<<(g%32))
		b.newGenerationLocked(g)
		futex.Wake(&b.st.seq, math.MaxInt32)
	}
	b.mu.Unlock()
}

// MarshalBinary encodes b as a handle, so that b can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (b *Barrier) MarshalBinary() ([]byte, error) { return b.mu.obj.marshal(kindBarrier) }

// UnmarshalBinary makes b the barrier a handle from [Barrier.MarshalBinary]
// names. The segment must be mapped in this process.
func (b *Barrier) UnmarshalBinary(data []byte) error {
	o, err := unmarshalObject(data, kindBarrier, 0)
	if err != nil {
		return err
	}
	bar, err := barrierOf(o)
	if err != nil {
		return err
	}
	*b = *bar
	return nil
}
