package ipc

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/internal/ring"
)

// JoinableQueue is a [Queue] that counts unfinished tasks: every value put
// counts one, until a consumer calls TaskDone for it; Join waits until the
// count is zero. Python: multiprocessing.JoinableQueue.
//
// The count lives in the queue's shared memory, so every process that uses
// the queue (a child gets it as an argument, like a Queue) counts in it,
// and Join is woken through a futex word there. A value taken by a process
// that dies before calling TaskDone is never done, as in Python: Join then
// waits until its ctx ends.
type JoinableQueue[T any] struct {
	Queue[T]
}

// NewJoinableQueue makes a joinable queue of capacity slots
// ([DefaultCapacity] if capacity <= 0) in shared memory.
func NewJoinableQueue[T any](capacity int, opts ...QueueOption) (*JoinableQueue[T], error) {
	q, err := newQueue[T](capacity, ring.FlagJoinable, opts)
	if err != nil {
		return nil, err
	}
	return &JoinableQueue[T]{Queue: *q}, nil
}

// TaskDone marks one value taken from the queue as processed. It returns
// [ErrTaskDone] if called more times than values were put.
func (q *JoinableQueue[T]) TaskDone() error {
	if err := q.r.TaskDone(); err != nil {
		if errors.Is(err, ring.ErrTaskDone) {
			return ErrTaskDone
		}
		return err
	}
	return nil
}

// Join waits until every value put has been marked done with TaskDone, or
// until ctx is done (it then returns ctx.Err()).
func (q *JoinableQueue[T]) Join(ctx context.Context) error { return q.r.Join(ctx) }

// UnmarshalBinary is [Queue.UnmarshalBinary] that also refuses the handle
// of a queue that is not joinable, with [ErrQueueType].
func (q *JoinableQueue[T]) UnmarshalBinary(b []byte) error {
	var nq Queue[T]
	if err := nq.UnmarshalBinary(b); err != nil {
		return err
	}
	if nq.r.Flags()&ring.FlagJoinable == 0 {
		return fmt.Errorf("%w: a Queue decoded as a JoinableQueue", ErrQueueType)
	}
	q.Queue = nq
	return nil
}
