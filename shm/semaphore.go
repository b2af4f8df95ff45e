package shm

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// semState is the shared state of a Semaphore, after its block's lock word.
// Its zero value is a semaphore of value 0 without a bound.
type semState struct {
	value    uint32 // the futex word: permits available, at most math.MaxInt32
	sleepers uint32 // waiters that may sleep on value
	bound    uint32 // the bound, if bounded != 0
	bounded  uint32
}

// Semaphore is a counting semaphore in shared memory, usable between
// processes and between goroutines. Python: multiprocessing.Semaphore and
// BoundedSemaphore ([NewBoundedSemaphore]).
//
// A Semaphore is a handle: copies refer to the same semaphore, and a
// Semaphore passed to a child process (see package ipc) is the same
// semaphore there. The zero Semaphore is not usable; get one from
// [NewSemaphore], [NewBoundedSemaphore] or [LookupSemaphore]. In shared
// memory a semaphore keeps its value and, if bounded, its bound; all-zero
// bytes are a semaphore of value 0 without a bound.
//
// A permit has no owner: any process may release it. So a process that
// dies holding a permit loses it for everyone; Acquire cannot tell, and a
// semaphore used as a lock does not recover from such a death (use a
// [Mutex] for that).
//
// A Release synchronizes before the Acquire that takes its permit. Acquire
// takes a free permit with one compare-and-swap; otherwise it spins
// briefly, then sleeps. Release wakes a sleeper only if there is one.
type Semaphore struct {
	st  *semState
	obj object
}

// NewSemaphore allocates a semaphore holding n permits (Python's value),
// in the default arena or in the segment given with [In]. It fails with
// [ErrCount] if n is negative or larger than math.MaxInt32.
func NewSemaphore(n int, opts ...Option) (*Semaphore, error) {
	return newSemaphore(n, false, opts)
}

// NewBoundedSemaphore allocates a semaphore holding n permits that can
// never hold more than n: a Release that would go beyond returns
// [ErrSemaphoreOverflow]. Python: multiprocessing.BoundedSemaphore.
func NewBoundedSemaphore(n int, opts ...Option) (*Semaphore, error) {
	return newSemaphore(n, true, opts)
}

func newSemaphore(n int, bounded bool, opts []Option) (*Semaphore, error) {
	if n < 0 || n > math.MaxInt32 {
		return nil, fmt.Errorf("%w: semaphore value %d", ErrCount, n)
	}
	o, err := allocate(kindSemaphore, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	s, err := semaphoreOf(o)
	if err != nil {
		return nil, err
	}
	if bounded {
		atomic.StoreUint32(&s.st.bound, uint32(n))
		atomic.StoreUint32(&s.st.bounded, 1)
	}
	atomic.StoreUint32(&s.st.value, uint32(n))
	return s, nil
}

// LookupSemaphore returns the semaphore named name in seg (see [Named]).
func LookupSemaphore(seg *Segment, name string) (*Semaphore, error) {
	o, err := lookup(seg, name, kindSemaphore, 0)
	if err != nil {
		return nil, err
	}
	return semaphoreOf(o)
}

func semaphoreOf(o object) (*Semaphore, error) {
	st, err := lineState[semState](o)
	if err != nil {
		return nil, err
	}
	return &Semaphore{st: st, obj: o}, nil
}

// TryAcquire takes a permit if one is free and reports whether it did. It
// never waits.
func (s *Semaphore) TryAcquire() bool {
	for {
		v := atomic.LoadUint32(&s.st.value)
		if v == 0 {
			return false
		}
		if atomic.CompareAndSwapUint32(&s.st.value, v, v-1) {
			return true
		}
	}
}

// Acquire takes a permit, waiting until one is free or ctx is done. It
// returns nil, or ctx.Err() without a permit.
func (s *Semaphore) Acquire(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if v := atomic.LoadUint32(&s.st.value); v != 0 && atomic.CompareAndSwapUint32(&s.st.value, v, v-1) {
		return nil
	}
	return s.acquireSlow(ctx)
}

func (s *Semaphore) acquireSlow(ctx context.Context) error {
	defer wakeOnDone(ctx, &s.st.value, nil)()
	var (
		sp    spinner
		sleep futex.Sleeper
	)
	for {
		if s.TryAcquire() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			// A Release may have woken this waiter for a permit it now
			// leaves: pass the wake-up on.
			if atomic.LoadUint32(&s.st.value) != 0 && atomic.LoadUint32(&s.st.sleepers) != 0 {
				futex.Wake(&s.st.value, 1)
			}
			return err
		}
		if sp.spin() {
			continue
		}
		// Count this waiter before it looks at the word for the last time,
		// so that a Release either sees it or leaves a value it sees.
		atomic.AddUint32(&s.st.sleepers, 1)
		sleep.Wait(&s.st.value, 0, sleepLimit(ctx))
		atomic.AddUint32(&s.st.sleepers, ^uint32(0))
	}
}

// Release returns a permit, waking one waiter if any sleeps. It fails with
// [ErrSemaphoreOverflow], changing nothing, if the semaphore is bounded and
// already holds its bound, or holds math.MaxInt32.
func (s *Semaphore) Release() error {
	for {
		v := atomic.LoadUint32(&s.st.value)
		if v >= math.MaxInt32 || (atomic.LoadUint32(&s.st.bounded) != 0 && v >= atomic.LoadUint32(&s.st.bound)) {
			return ErrSemaphoreOverflow
		}
		if atomic.CompareAndSwapUint32(&s.st.value, v, v+1) {
			break
		}
	}
	if atomic.LoadUint32(&s.st.sleepers) != 0 {
		futex.Wake(&s.st.value, 1)
	}
	return nil
}

// Value returns the number of free permits. It is a snapshot, for display
// and diagnosis.
func (s *Semaphore) Value() int { return int(atomic.LoadUint32(&s.st.value)) }

// Bound returns the bound of a bounded semaphore and true, or 0 and false.
func (s *Semaphore) Bound() (n int, bounded bool) {
	if atomic.LoadUint32(&s.st.bounded) == 0 {
		return 0, false
	}
	return int(atomic.LoadUint32(&s.st.bound)), true
}

// MarshalBinary encodes s as a handle, so that s can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (s *Semaphore) MarshalBinary() ([]byte, error) { return s.obj.marshal(kindSemaphore) }

// UnmarshalBinary makes s the semaphore a handle from
// [Semaphore.MarshalBinary] names. The segment must be mapped in this
// process.
func (s *Semaphore) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindSemaphore, 0)
	if err != nil {
		return err
	}
	sem, err := semaphoreOf(o)
	if err != nil {
		return err
	}
	*s = *sem
	return nil
}
