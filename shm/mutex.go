package shm

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// lockWord is the shared-memory part of a Mutex: 16 bytes whose zero value
// is an unlocked, consistent mutex.
//
// state is the futex word. Its low 30 bits hold the pid of the owner (0:
// unlocked); bit 30 says the owner recovered the lock from a dead owner and
// has not yet marked it consistent; bit 31 says someone may sleep on the
// word. A pid field of all ones means "not recoverable".
//
// owner holds the identity tag (pid and start time) of the last process that
// took the lock; with it a waiter tells a dead owner from a new process that
// reuses its pid.
type lockWord struct {
	state      uint32
	recoveries uint32
	owner      uint64
}

const (
	pidMask        = 1<<30 - 1
	inconsistent   = 1 << 30
	waiters        = 1 << 31
	notRecoverable = pidMask
)

// Tuning of the slow path. A hand-off by spinning costs about half a
// microsecond here, a futex sleep and wake-up 10-20µs, so a waiter spins
// before it sleeps. It reads the word with exponential backoff (1, 2, 4 ...
// up to spinCap steps between reads, about 50µs in all): reading it in a
// tight loop would pull the cache line away from a holder that re-takes the
// lock, and measured here that halves two processes' throughput (15 M
// against 30 M lock+unlock/s). Spinning three times as long gained nothing
// with two processes and cost CPU with four on two cores (the bank demo),
// where the holder may be preempted. Then it yields a few times, then
// sleeps.
// While asleep it checks the owner's health every checkEvery, growing up to
// checkMax, so a dead owner is noticed quickly while a long but legitimate
// hold costs little.
const (
	spinBusy   = 20   // reads of the word with backoff between them
	spinCap    = 4096 // the longest backoff, in steps
	spinYield  = 8    // then yields of the processor
	checkEvery = time.Millisecond
	checkMax   = 16 * time.Millisecond
)

// Mutex is a mutual exclusion lock in shared memory, usable between
// processes and between goroutines. Python: multiprocessing.Lock, and the
// lock of Value and Array (get_lock()).
//
// A Mutex is a handle: copies refer to the same lock, and a Mutex passed to
// a child process (see package ipc) is the same lock there. The zero Mutex
// is not usable; get one from [NewMutex] or from an object's Mutex method.
// Like sync.Mutex it is not re-entrant and is not tied to a goroutine; it
// is tied to a process: Unlock by another process panics.
//
// The uncontended path is one compare-and-swap, with no system call and no
// allocation. A contended Lock spins briefly, then sleeps on the futex word
// (on macOS, polls it with growing pauses); Unlock wakes a sleeper only if
// there is one.
//
// If the owner dies while holding the lock, the next process that waits for
// it notices (within milliseconds: the owner's pid is gone, a zombie, or
// taken by a different process), takes the lock and gets [ErrOwnerDead]. It
// must repair the protected state and call [Mutex.MarkConsistent] before
// [Mutex.Unlock], or the mutex becomes unrecoverable ([ErrNotRecoverable]):
// this is the POSIX robust-mutex contract.
//
// Unlock synchronizes before the Lock that takes the lock next, in this or
// any other process, as with sync.Mutex.
type Mutex struct {
	w   *lockWord
	obj object
}

// NewMutex allocates a mutex, unlocked, in the default arena or in the
// segment given with [In].
func NewMutex(opts ...Option) (*Mutex, error) {
	o, err := allocate(kindMutex, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	return o.mutex()
}

// Lock locks m, waiting as long as it takes. It returns nil, or
// [ErrOwnerDead] (the lock is then held: repair and MarkConsistent), or
// [ErrNotRecoverable] (the lock is not held).
func (m *Mutex) Lock() error {
	if atomic.CompareAndSwapUint32(&m.w.state, 0, uint32(self.pid)) {
		m.w.claim()
		return nil
	}
	return m.w.lockSlow(nil)
}

// LockContext is Lock that gives up when ctx is done, returning ctx.Err()
// without the lock.
func (m *Mutex) LockContext(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if atomic.CompareAndSwapUint32(&m.w.state, 0, uint32(self.pid)) {
		m.w.claim()
		return nil
	}
	return m.w.lockSlow(ctx)
}

// TryLock locks m if it is free and reports whether it did. It never waits,
// and it does not recover a lock whose owner died: Lock does.
func (m *Mutex) TryLock() bool {
	if atomic.CompareAndSwapUint32(&m.w.state, 0, uint32(self.pid)) {
		m.w.claim()
		return true
	}
	return false
}

// Unlock unlocks m. It panics if m is not locked by this process. If the
// lock was recovered from a dead owner and not marked consistent, Unlock
// makes it unrecoverable.
func (m *Mutex) Unlock() {
	if atomic.CompareAndSwapUint32(&m.w.state, uint32(self.pid), 0) {
		return
	}
	m.w.unlockSlow()
}

// MarkConsistent declares that the state protected by m was repaired after
// Lock returned [ErrOwnerDead]. It panics if m is not locked by this
// process, and does nothing if m is already consistent.
func (m *Mutex) MarkConsistent() {
	for {
		s := atomic.LoadUint32(&m.w.state)
		if s&pidMask != uint32(self.pid) {
			panic("shm: MarkConsistent of a Mutex not locked by this process")
		}
		if s&inconsistent == 0 || atomic.CompareAndSwapUint32(&m.w.state, s, s&^inconsistent) {
			return
		}
	}
}

// Owner returns the pid of the process holding m, or 0 if m is unlocked or
// unrecoverable. It is a snapshot, for display and diagnosis.
func (m *Mutex) Owner() int {
	pid := atomic.LoadUint32(&m.w.state) & pidMask
	if pid == notRecoverable {
		return 0
	}
	return int(pid)
}

// Recoveries returns how many times m was taken over from a dead owner,
// counted in shared memory across all processes.
func (m *Mutex) Recoveries() int { return int(atomic.LoadUint32(&m.w.recoveries)) }

// claim records this process as the owner of a lock it just took. The tag
// is written only when it changes, so re-taking a lock costs a read.
func (w *lockWord) claim() {
	if atomic.LoadUint64(&w.owner) != self.tag {
		atomic.StoreUint64(&w.owner, self.tag)
	}
}

// backoff waits about n steps of a few cycles each without touching shared
// memory, so that a spinning waiter leaves the lock's cache line to the
// holder instead of pulling it away on every read.
//
// It returns a value derived from the loop so that the compiler cannot
// drop the loop; callers ignore it.
//
//go:noinline
func backoff(n int) uint32 {
	x := uint32(n)
	for i := 0; i < n; i++ {
		x = x*1664525 + 1013904223
	}
	return x
}

func (w *lockWord) lockSlow(ctx context.Context) error {
	if ctx != nil && ctx.Done() != nil {
		// A sleeping waiter cannot see ctx end; wake the word's sleepers
		// when it does. Others woken by this take it as a spurious wake-up.
		stop := context.AfterFunc(ctx, func() { futex.Wake(&w.state, math.MaxInt32) })
		defer stop()
	}
	var (
		spins    int
		slept    bool
		interval = checkEvery
		checked  = time.Now()
		reused   uint32 // a word value whose owner looked like a reused pid once
		sleep    futex.Sleeper
	)
	for {
		s := atomic.LoadUint32(&w.state)
		switch pid := s & pidMask; pid {
		case 0:
			// Once asleep, take the lock as "maybe contended": other sleepers
			// may exist, and our Unlock must wake one (Drepper's mutex 3).
			want := uint32(self.pid)
			if slept {
				want |= waiters
			}
			if atomic.CompareAndSwapUint32(&w.state, s, want) {
				w.claim()
				return nil
			}
			continue
		case notRecoverable:
			return ErrNotRecoverable
		}
		if ctx != nil {
			if err := ctx.Err(); err != nil {
				if slept {
					// The wake-up that woke this call may have been the only one
					// for the sleepers behind it: pass it on.
					futex.Wake(&w.state, 1)
				}
				return err
			}
		}
		if spins < spinBusy+spinYield {
			if spins < spinBusy {
				backoff(min(1<<spins, spinCap))
			} else {
				runtime.Gosched()
			}
			spins++
			continue
		}
		if s&waiters == 0 {
			if !atomic.CompareAndSwapUint32(&w.state, s, s|waiters) {
				continue
			}
			s |= waiters
		}
		sleep.Wait(&w.state, s, interval)
		slept = true
		if time.Since(checked) < interval {
			continue
		}
		checked = time.Now()
		interval = min(2*interval, checkMax)
		if err, ok := w.checkOwner(s, &reused); ok {
			return err
		}
	}
}

// checkOwner takes the lock if the owner named in s is dead. A pid that
// looks reused must look so twice in a row, since a live new owner may not
// have written its tag yet. ok reports that the lock was taken.
func (w *lockWord) checkOwner(s uint32, reused *uint32) (err error, ok bool) {
	gone, byReuse := procGone(s&pidMask, atomic.LoadUint64(&w.owner))
	if !gone {
		*reused = 0
		return nil, false
	}
	if byReuse && *reused != s {
		*reused = s
		return nil, false
	}
	if atomic.LoadUint32(&w.state) != s || !atomic.CompareAndSwapUint32(&w.state, s, uint32(self.pid)|inconsistent|waiters) {
		return nil, false
	}
	w.claim()
	atomic.AddUint32(&w.recoveries, 1)
	return ErrOwnerDead, true
}

func (w *lockWord) unlockSlow() {
	for {
		s := atomic.LoadUint32(&w.state)
		switch pid := s & pidMask; {
		case pid == 0 || pid == notRecoverable:
			panic("shm: Unlock of unlocked Mutex")
		case pid != uint32(self.pid):
			panic(fmt.Sprintf("shm: Unlock of Mutex held by process %d", pid))
		}
		next, wake := uint32(0), 1
		if s&inconsistent != 0 {
			next, wake = notRecoverable, math.MaxInt32
		}
		if atomic.CompareAndSwapUint32(&w.state, s, next) {
			if s&waiters != 0 || next == notRecoverable {
				futex.Wake(&w.state, wake)
			}
			return
		}
	}
}
