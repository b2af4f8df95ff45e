package shm

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// rwState is the shared state of an RWMutex, after its block's lock word
// (the Mutex that writers take). Its zero value goes with an unlocked
// RWMutex.
//
// word is a futex word of flags (rwWriter, rwReadWait, rwSlotWait,
// rwReaderTurn). drain is a futex word that readers bump when they leave
// while a writer or a reader waits for them. Each slot counts the read
// locks one process holds: pid<<32 | hash<<16 | count, 0 when free, where
// hash is 16 bits of the process's start time, so that a writer can tell a
// dead reader from a new process reusing its pid.
type rwState struct {
	word  uint32
	drain uint32
	slots [rwSlots]uint64
}

const (
	rwSlots = 5 // processes that can hold read locks at once

	rwWriter     = 1 << 0 // a writer holds the lock or waits for readers to leave
	rwReadWait   = 1 << 1 // readers may sleep on word
	rwSlotWait   = 1 << 2 // readers may sleep on drain for a free slot
	rwReaderTurn = 1 << 3 // the last writer left with readers waiting

	slotCount = 1<<16 - 1 // count field of a slot

	// turnWait bounds how long a writer lets readers in after another
	// writer left with readers waiting.
	turnWait = time.Millisecond
)

// RWMutex is a reader/writer mutual exclusion lock in shared memory: any
// number of readers, or one writer. Python has none; it is Go's
// sync.RWMutex between processes.
//
// An RWMutex is a handle: copies refer to the same lock, and an RWMutex
// passed to a child process (see package ipc) is the same lock there. The
// zero RWMutex is not usable; get one from [NewRWMutex] or
// [LookupRWMutex]. In shared memory it is one line: all-zero bytes are an
// unlocked RWMutex. Like sync.RWMutex it is not tied to a goroutine, but
// it is tied to a process: Unlock and RUnlock by a process that does not
// hold the lock panic.
//
// Writers first take a [Mutex] (the object's own lock word), so they queue
// as Mutex waiters do, then shut the readers out and wait for those inside
// to leave. A writer waiting shuts out new readers, so a stream of readers
// cannot starve writers; and a writer that leaves while readers wait lets
// at least one of them in (waiting up to a millisecond) before the next
// writer shuts them out, so writers cannot starve readers either. As with
// sync.RWMutex, a reader must not lock for reading again while it holds a
// read lock: a writer coming in between would deadlock them.
//
// Readers are counted per process, in rwSlots (5) slots of the shared
// line: up to 5 processes hold read locks at once, with any number of
// goroutines each; a reader of a sixth process waits until a slot frees.
//
// Owner death. A dead writer is handled as for [Mutex]: the next writer
// gets [ErrOwnerDead] holding the write lock, repairs, calls
// [RWMutex.MarkConsistent], then Unlock; a reader that finds the writer
// dead recovers the lock itself the same way, so RLock may also return
// [ErrOwnerDead]: the caller then holds the write lock, not a read lock,
// and must Unlock, not RUnlock. A reader cannot change the protected state,
// so a dead reader needs no repair: a waiting writer (or a reader waiting
// for a slot) notices within milliseconds that the process of a slot is
// gone and frees its slot, silently.
//
// Unlock synchronizes before the RLock and Lock calls that take the lock
// next, and RUnlock before the Lock that follows it, as with sync.RWMutex.
type RWMutex struct {
	mu Mutex
	st *rwState
}

// NewRWMutex allocates an RWMutex, unlocked, in the default arena or in the
// segment given with [In].
func NewRWMutex(opts ...Option) (*RWMutex, error) {
	o, err := allocate(kindRWMutex, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	return rwMutexOf(o)
}

// LookupRWMutex returns the RWMutex named name in seg (see [Named]).
func LookupRWMutex(seg *Segment, name string) (*RWMutex, error) {
	o, err := lookup(seg, name, kindRWMutex, 0)
	if err != nil {
		return nil, err
	}
	return rwMutexOf(o)
}

func rwMutexOf(o object) (*RWMutex, error) {
	st, err := lineState[rwState](o)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &RWMutex{mu: *mu, st: st}, nil
}

// Lock locks rw for writing, waiting as long as it takes. It returns nil,
// or [ErrOwnerDead] (the write lock is then held: repair and
// MarkConsistent), or [ErrNotRecoverable] (the lock is not held).
func (rw *RWMutex) Lock() error { return rw.lock(context.Background()) }

// LockContext is Lock that gives up when ctx is done, returning ctx.Err()
// without the lock. Once it has recovered the lock from a dead writer,
// though, it waits for the readers inside to leave whatever ctx says, so
// that the recovery is not lost.
func (rw *RWMutex) LockContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return rw.lock(ctx)
}

func (rw *RWMutex) lock(ctx context.Context) error {
	err := rw.mu.LockContext(ctx)
	if err != nil && err != ErrOwnerDead {
		return err
	}
	rw.readersTurn()
	atomic.OrUint32(&rw.st.word, rwWriter)
	if derr := rw.drainReaders(ctx, err == ErrOwnerDead); derr != nil {
		rw.release()
		return derr
	}
	return err
}

// readersTurn lets readers in, for up to turnWait, if the last writer left
// while they waited. The first reader in ends the turn.
func (rw *RWMutex) readersTurn() {
	s := atomic.LoadUint32(&rw.st.word)
	if s&rwReaderTurn == 0 {
		return
	}
	deadline := time.Now().Add(turnWait)
	var sleep futex.Sleeper
	for s&rwReaderTurn != 0 {
		left := time.Until(deadline)
		if left <= 0 {
			atomic.AndUint32(&rw.st.word, ^uint32(rwReaderTurn))
			return
		}
		sleep.Wait(&rw.st.word, s, left)
		s = atomic.LoadUint32(&rw.st.word)
	}
}

// drainReaders waits, holding the writers' Mutex with rwWriter set, until
// no reader holds the lock. It frees the slots of dead readers on the way.
func (rw *RWMutex) drainReaders(ctx context.Context, ignoreCtx bool) error {
	if ignoreCtx {
		ctx = context.Background()
	}
	var (
		sp    spinner
		pace  pacer
		sleep futex.Sleeper
		armed bool
	)
	for {
		seq := atomic.LoadUint32(&rw.st.drain)
		if rw.noReaders() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if sp.spin() {
			continue
		}
		if !armed {
			defer wakeOnDone(ctx, &rw.st.drain, nil)()
			armed = true
		}
		sleep.Wait(&rw.st.drain, seq, pace.sleep())
		if pace.due() {
			rw.freeDeadReaders()
		}
	}
}

func (rw *RWMutex) noReaders() bool {
	for i := range rw.st.slots {
		if atomic.LoadUint64(&rw.st.slots[i]) != 0 {
			return false
		}
	}
	return true
}

// freeDeadReaders frees the slots of processes that are gone: exited, a
// zombie, or their pid taken by a process started at another time.
func (rw *RWMutex) freeDeadReaders() {
	for i := range rw.st.slots {
		v := atomic.LoadUint64(&rw.st.slots[i])
		if v != 0 && v&^slotCount != selfSlot() && readerGone(v) {
			atomic.CompareAndSwapUint64(&rw.st.slots[i], v, 0)
		}
	}
	rw.leftSlot()
}

// selfSlot is a slot of this process with a count of 0.
func selfSlot() uint64 { return slotOf(self.tag) }

func slotOf(tag uint64) uint64 { return tag&^(1<<32-1) | uint64(uint16(tag))<<16 }

// readerGone reports whether the process of slot v is certainly gone.
func readerGone(v uint64) bool {
	pid := int(v >> 32)
	_, start, state := procStart(pid)
	switch state {
	case procMissing, procZombie:
		return true
	case procAlive:
		return slotOf(makeTag(pid, start)) != v&^slotCount
	}
	return false
}

// release ends a write lock that is consistent: it lets readers in, then
// unlocks the writers' Mutex.
func (rw *RWMutex) release() {
	for {
		s := atomic.LoadUint32(&rw.st.word)
		next := s &^ (rwWriter | rwReadWait | rwReaderTurn)
		if s&rwReadWait != 0 {
			next |= rwReaderTurn
		}
		if atomic.CompareAndSwapUint32(&rw.st.word, s, next) {
			if s&rwReadWait != 0 {
				futex.Wake(&rw.st.word, math.MaxInt32)
			}
			break
		}
	}
	rw.mu.Unlock()
}

// TryLock locks rw for writing if no one holds it, and reports whether it
// did. It never waits, and it does not recover a lock whose owner died.
func (rw *RWMutex) TryLock() bool {
	if !rw.mu.TryLock() {
		return false
	}
	atomic.OrUint32(&rw.st.word, rwWriter)
	if !rw.noReaders() {
		rw.release()
		return false
	}
	return true
}

// Unlock unlocks rw for writing. It panics if this process does not hold
// the write lock. If the lock was recovered from a dead writer and not
// marked consistent, Unlock makes it unrecoverable, for writers and
// readers.
func (rw *RWMutex) Unlock() {
	s := atomic.LoadUint32(&rw.mu.w.state)
	switch pid := s & pidMask; {
	case pid == 0 || pid == notRecoverable:
		panic("shm: Unlock of unlocked RWMutex")
	case pid != uint32(self.pid):
		panic(fmt.Sprintf("shm: Unlock of RWMutex held by process %d", pid))
	}
	if s&inconsistent != 0 {
		// Readers stay shut out; woken, they find the Mutex unrecoverable.
		rw.mu.Unlock()
		futex.Wake(&rw.st.word, math.MaxInt32)
		return
	}
	rw.release()
}

// MarkConsistent declares that the state protected by rw was repaired after
// Lock or RLock returned [ErrOwnerDead]. It panics if this process does not
// hold the write lock.
func (rw *RWMutex) MarkConsistent() { rw.mu.MarkConsistent() }

// RLock locks rw for reading, waiting as long as it takes. It returns nil;
// or [ErrOwnerDead] if a writer died holding the lock: the caller then holds
// the write lock (repair, MarkConsistent, then Unlock, not RUnlock); or
// [ErrNotRecoverable] (no lock held).
func (rw *RWMutex) RLock() error { return rw.RLockContext(context.Background()) }

// RLockContext is RLock that gives up when ctx is done, returning ctx.Err()
// without the lock.
func (rw *RWMutex) RLockContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if rw.TryRLock() {
		return nil
	}
	return rw.rlockSlow(ctx)
}

// TryRLock locks rw for reading if no writer holds or waits for it, and
// reports whether it did. It never waits.
func (rw *RWMutex) TryRLock() bool {
	if atomic.LoadUint32(&rw.st.word)&rwWriter != 0 {
		return false
	}
	if !rw.enter() {
		return false
	}
	if atomic.LoadUint32(&rw.st.word)&rwWriter != 0 {
		rw.leave()
		return false
	}
	rw.endTurn()
	return true
}

// endTurn ends the readers' turn (see readersTurn) once a reader is in.
func (rw *RWMutex) endTurn() {
	if atomic.LoadUint32(&rw.st.word)&rwReaderTurn != 0 {
		atomic.AndUint32(&rw.st.word, ^uint32(rwReaderTurn))
		futex.Wake(&rw.st.word, math.MaxInt32)
	}
}

// enter counts a read lock in a slot of this process, or in a free slot.
// It fails only if every slot belongs to another process (or is full).
func (rw *RWMutex) enter() bool {
	me := selfSlot()
	for {
		free, retry := -1, false
		for i := range rw.st.slots {
			p := &rw.st.slots[i]
			v := atomic.LoadUint64(p)
			switch {
			case v&^slotCount == me && v&slotCount < slotCount:
				if atomic.CompareAndSwapUint64(p, v, v+1) {
					return true
				}
				retry = true
			case v == 0 && free < 0:
				free = i
			}
		}
		if free >= 0 {
			if atomic.CompareAndSwapUint64(&rw.st.slots[free], 0, me|1) {
				return true
			}
			retry = true
		}
		if !retry {
			return false
		}
	}
}

// slotAvailable reports whether enter would find a slot now.
func (rw *RWMutex) slotAvailable() bool {
	me := selfSlot()
	for i := range rw.st.slots {
		v := atomic.LoadUint64(&rw.st.slots[i])
		if v == 0 || (v&^slotCount == me && v&slotCount < slotCount) {
			return true
		}
	}
	return false
}

// leave takes one read lock of this process off its slots, then tells
// whoever waits for readers to leave. The read locks of a process are
// counted, not named, so any slot of the process will do; one that another
// goroutine has just emptied will not, hence the scans. It reports false if
// it finds no read lock of this process.
func (rw *RWMutex) leave() bool {
	me := selfSlot()
	for scan := 0; scan < 3; scan++ {
		for i := range rw.st.slots {
			if rw.leaveSlot(i, me) {
				rw.leftSlot()
				return true
			}
		}
	}
	return false
}

// leaveSlot takes one read lock off slot i if it counts some of the
// process me.
func (rw *RWMutex) leaveSlot(i int, me uint64) bool {
	p := &rw.st.slots[i]
	for {
		v := atomic.LoadUint64(p)
		if v&^slotCount != me || v&slotCount == 0 {
			return false
		}
		next := v - 1
		if next&slotCount == 0 {
			next = 0
		}
		if atomic.CompareAndSwapUint64(p, v, next) {
			return true
		}
	}
}

// leftSlot wakes a writer waiting for readers to leave and readers waiting
// for a free slot, if any.
func (rw *RWMutex) leftSlot() {
	if s := atomic.LoadUint32(&rw.st.word); s&(rwWriter|rwSlotWait) != 0 {
		if s&rwSlotWait != 0 {
			atomic.AndUint32(&rw.st.word, ^uint32(rwSlotWait))
		}
		atomic.AddUint32(&rw.st.drain, 1)
		futex.Wake(&rw.st.drain, math.MaxInt32)
	}
}

// RUnlock undoes one RLock of this process. It panics if this process
// holds no read lock on rw.
func (rw *RWMutex) RUnlock() {
	if !rw.leave() {
		panic("shm: RUnlock of RWMutex not locked for reading by this process")
	}
}

func (rw *RWMutex) rlockSlow(ctx context.Context) error {
	defer wakeOnDone(ctx, &rw.st.word, &rw.st.drain)()
	var (
		sp    spinner
		pace  pacer
		sleep futex.Sleeper
	)
	for {
		if rw.TryRLock() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if sp.spin() {
			continue
		}
		s := atomic.LoadUint32(&rw.st.word)
		if s&rwWriter == 0 {
			// Every slot belongs to another process: wait for one.
			atomic.OrUint32(&rw.st.word, rwSlotWait)
			seq := atomic.LoadUint32(&rw.st.drain)
			if rw.slotAvailable() {
				continue
			}
			sleep.Wait(&rw.st.drain, seq, pace.sleep())
			if pace.due() {
				rw.freeDeadReaders()
			}
			continue
		}
		if s&rwReadWait == 0 {
			if !atomic.CompareAndSwapUint32(&rw.st.word, s, s|rwReadWait) {
				continue
			}
			s |= rwReadWait
		}
		sleep.Wait(&rw.st.word, s, pace.sleep())
		if pace.due() {
			if err, done := rw.checkWriter(ctx); done {
				return err
			}
		}
	}
}

// checkWriter looks at the writer that shuts readers out. If it is dead, the
// reader recovers the lock as a writer would: done then reports that
// RLock ends with err ([ErrOwnerDead]: the write lock is held). If the
// lock is unrecoverable, it ends with [ErrNotRecoverable].
func (rw *RWMutex) checkWriter(ctx context.Context) (err error, done bool) {
	w := rw.mu.w
	pid := atomic.LoadUint32(&w.state) & pidMask
	switch {
	case pid == notRecoverable:
		return ErrNotRecoverable, true
	case pid == 0 || pid == uint32(self.pid):
		return nil, false
	}
	if gone, _ := procGone(pid, atomic.LoadUint64(&w.owner)); !gone {
		return nil, false
	}
	switch err := rw.lock(ctx); err {
	case nil: // another process recovered it and let go meanwhile
		rw.Unlock()
		return nil, false
	default:
		return err, true
	}
}

// MarshalBinary encodes rw as a handle, so that rw can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (rw *RWMutex) MarshalBinary() ([]byte, error) { return rw.mu.obj.marshal(kindRWMutex) }

// UnmarshalBinary makes rw the RWMutex a handle from [RWMutex.MarshalBinary]
// names. The segment must be mapped in this process.
func (rw *RWMutex) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindRWMutex, 0)
	if err != nil {
		return err
	}
	r, err := rwMutexOf(o)
	if err != nil {
		return err
	}
	*rw = *r
	return nil
}
