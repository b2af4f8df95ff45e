package shm

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// condState is the shared state of a Condition, after its block's lock word
// (the Condition's Mutex). Its zero value is a condition nobody waits on.
//
// Waiters take tickets in order: a waiter's ticket is the value of wait
// when it began, and it is woken once notify has passed it. notify is the
// futex word. abandoned counts the tickets in [notify, wait) whose waiters
// left without being notified (their context ended), so that Notify skips
// over as many. Every field changes under the lock.
type condState struct {
	notify    uint32
	wait      uint32
	abandoned uint32
	_         uint32
}

// Condition is a condition variable in shared memory, with its own lock: a
// point where processes and goroutines wait, under the lock, until another
// notifies them. Python: multiprocessing.Condition (its lock is always the
// Condition's own; Python's Condition(lock) has no counterpart).
//
// A Condition is a handle: copies refer to the same condition, and a
// Condition passed to a child process (see package ipc) is the same
// condition there. The zero Condition is not usable; get one from
// [NewCondition] or [LookupCondition]. In shared memory it is its lock's
// word and three counters; all-zero bytes are an unlocked condition with no
// waiter.
//
//	c.Mutex().Lock()
//	for !ready() {
//		if err := c.Wait(ctx); err != nil { ... } // the lock is held again
//	}
//	...
//	c.Mutex().Unlock()
//
// Wait, Notify and NotifyAll must be called with the lock held, as in
// Python (not as with sync.Cond). A Notify that wakes a waiter
// synchronizes before that waiter's Wait returns. Waiters are woken in the
// order they began to wait; Notify(n) wakes at least min(n, waiters) of
// them, and may wake more after a Wait was abandoned because its context
// ended, so callers re-check their condition in a loop, as always.
//
// Owner death: the lock is a [Mutex], so a process that dies holding it is
// recovered from as for Mutex (Wait may then return [ErrOwnerDead] with the
// lock held). A process that dies while waiting keeps its ticket, and the
// one notification that reaches it is lost; NotifyAll is not affected.
type Condition struct {
	mu Mutex
	st *condState
}

// NewCondition allocates a condition, unlocked, in the default arena or in
// the segment given with [In].
func NewCondition(opts ...Option) (*Condition, error) {
	o, err := allocate(kindCondition, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	return conditionOf(o)
}

// LookupCondition returns the condition named name in seg (see [Named]).
func LookupCondition(seg *Segment, name string) (*Condition, error) {
	o, err := lookup(seg, name, kindCondition, 0)
	if err != nil {
		return nil, err
	}
	return conditionOf(o)
}

func conditionOf(o object) (*Condition, error) {
	st, err := lineState[condState](o)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &Condition{mu: *mu, st: st}, nil
}

// Mutex returns the Condition's lock.
func (c *Condition) Mutex() *Mutex { return &c.mu }

func (c *Condition) mustHold(op string) {
	if atomic.LoadUint32(&c.mu.w.state)&pidMask != uint32(self.pid) {
		panic("shm: Condition." + op + " without holding its lock")
	}
}

// Wait unlocks the Condition's lock, waits until notified or ctx is done,
// and locks it again before it returns, whatever it returns: nil when
// notified; ctx.Err() when ctx ended first (also if ctx was done already:
// then it does not unlock); [ErrOwnerDead] if, while it waited, a process
// died holding the lock (the lock is held: repair, MarkConsistent); or
// [ErrNotRecoverable] (the lock is not held). It panics if this process
// does not hold the lock.
func (c *Condition) Wait(ctx context.Context) error {
	c.mustHold("Wait")
	if err := ctx.Err(); err != nil {
		return err
	}
	t := atomic.LoadUint32(&c.st.wait)
	atomic.StoreUint32(&c.st.wait, t+1)
	c.mu.Unlock()
	notified := c.sleep(ctx, t)
	err := c.mu.Lock()
	if err != nil && err != ErrOwnerDead {
		return err
	}
	if !notified {
		if int32(atomic.LoadUint32(&c.st.notify)-t) > 0 {
			notified = true // notified after all: keep it
		} else {
			atomic.AddUint32(&c.st.abandoned, 1)
		}
	}
	if err != nil {
		return err
	}
	if !notified {
		return ctx.Err()
	}
	return nil
}

// WaitFor waits, as Wait does, until cond returns true, and returns nil
// then, or the first error of Wait. cond runs with the lock held. Python:
// wait_for.
func (c *Condition) WaitFor(ctx context.Context, cond func() bool) error {
	for !cond() {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// sleep waits until ticket t is notified (true) or ctx is done (false).
func (c *Condition) sleep(ctx context.Context, t uint32) bool {
	defer wakeOnDone(ctx, &c.st.notify, nil)()
	var sleep futex.Sleeper
	for {
		n := atomic.LoadUint32(&c.st.notify)
		if int32(n-t) > 0 {
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		sleep.Wait(&c.st.notify, n, sleepLimit(ctx))
	}
}

// Notify wakes up to n waiters, the longest waiting first (n <= 0: none).
// It panics if this process does not hold the lock.
func (c *Condition) Notify(n int) {
	c.mustHold("Notify")
	if n > 0 {
		c.notify(uint32(min(n, math.MaxInt32)))
	}
}

// NotifyAll wakes every waiter. It panics if this process does not hold the
// lock.
func (c *Condition) NotifyAll() {
	c.mustHold("NotifyAll")
	c.notify(math.MaxUint32)
}

func (c *Condition) notify(n uint32) {
	nt, w := atomic.LoadUint32(&c.st.notify), atomic.LoadUint32(&c.st.wait)
	pending := w - nt
	if pending == 0 || int32(pending) < 0 {
		return
	}
	adv := pending
	if ab := atomic.LoadUint32(&c.st.abandoned); n < pending && ab < pending-n {
		adv = n + ab
	}
	atomic.StoreUint32(&c.st.notify, nt+adv)
	if adv == pending {
		atomic.StoreUint32(&c.st.abandoned, 0)
	}
	futex.Wake(&c.st.notify, math.MaxInt32)
}

// MarshalBinary encodes c as a handle, so that c can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (c *Condition) MarshalBinary() ([]byte, error) { return c.mu.obj.marshal(kindCondition) }

// UnmarshalBinary makes c the condition a handle from
// [Condition.MarshalBinary] names. The segment must be mapped in this
// process.
func (c *Condition) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindCondition, 0)
	if err != nil {
		return err
	}
	cond, err := conditionOf(o)
	if err != nil {
		return err
	}
	*c = *cond
	return nil
}
