package ring

import (
	"context"
	"math"
	"sync/atomic"

	"github.com/shmkit/shmkit/internal/futex"
)

// The unfinished-task counter of a joinable queue (a ring made with
// [FlagJoinable]) lives in the ring's header, so that one handle carries
// both. Every message published raises it by one; TaskDone lowers it. A
// message lost with a process that died holding it (see the package doc)
// stays counted, as a task taken by a Python worker that dies is never
// done: Join then waits until ctx ends.

// Unfinished returns the number of messages put and not yet marked done.
func (r *Ring) Unfinished() int64 { return atomic.LoadInt64(&r.h.unfinished) }

// TaskDone marks one message done. It returns [ErrTaskDone] if every
// message put is already done. When the count falls to zero, every Join
// returns.
func (r *Ring) TaskDone() error {
	for {
		u := atomic.LoadInt64(&r.h.unfinished)
		if u <= 0 {
			return ErrTaskDone
		}
		if !atomic.CompareAndSwapInt64(&r.h.unfinished, u, u-1) {
			continue
		}
		if u == 1 {
			atomic.AddUint32(&r.h.joined, 1)
			if atomic.LoadUint32(&r.h.joinSleepers) != 0 {
				futex.Wake(&r.h.joined, math.MaxInt32)
			}
		}
		return nil
	}
}

// Join waits until every message put has been marked done with TaskDone,
// or until ctx is done (it then returns ctx.Err()).
func (r *Ring) Join(ctx context.Context) error {
	if ctx.Done() != nil {
		stop := context.AfterFunc(ctx, func() {
			atomic.AddUint32(&r.h.joined, 1)
			futex.Wake(&r.h.joined, math.MaxInt32)
		})
		defer stop()
	}
	var sleep futex.Sleeper
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		v := atomic.LoadUint32(&r.h.joined)
		atomic.AddUint32(&r.h.joinSleepers, 1)
		if atomic.LoadInt64(&r.h.unfinished) <= 0 {
			atomic.AddUint32(&r.h.joinSleepers, ^uint32(0))
			return nil
		}
		sleep.Wait(&r.h.joined, v, idleSleep)
		atomic.AddUint32(&r.h.joinSleepers, ^uint32(0))
	}
}
