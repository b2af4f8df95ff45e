package ipc

import "context"

// SimpleQueue is a queue with only Put, Get and Empty. Python:
// multiprocessing.SimpleQueue. It is a [Queue] of [DefaultCapacity] slots
// underneath, and passes to child processes the same way.
type SimpleQueue[T any] struct {
	q Queue[T]
}

// NewSimpleQueue makes a simple queue in shared memory.
func NewSimpleQueue[T any](opts ...QueueOption) (*SimpleQueue[T], error) {
	q, err := newQueue[T](DefaultCapacity, 0, opts)
	if err != nil {
		return nil, err
	}
	return &SimpleQueue[T]{q: *q}, nil
}

// Put puts v, as [Queue.Put].
func (s *SimpleQueue[T]) Put(ctx context.Context, v T) error { return s.q.Put(ctx, v) }

// Get takes a value, as [Queue.Get].
func (s *SimpleQueue[T]) Get(ctx context.Context) (T, error) { return s.q.Get(ctx) }

// Empty reports whether the queue holds no value. It is a snapshot.
func (s *SimpleQueue[T]) Empty() bool { return s.q.Len() == 0 }

// Close closes the queue, as [Queue.Close].
func (s *SimpleQueue[T]) Close() error { return s.q.Close() }

// MarshalBinary encodes s as a handle, as [Queue.MarshalBinary].
func (s *SimpleQueue[T]) MarshalBinary() ([]byte, error) { return s.q.MarshalBinary() }

// UnmarshalBinary makes s the queue the handle b names, as
// [Queue.UnmarshalBinary].
func (s *SimpleQueue[T]) UnmarshalBinary(b []byte) error { return s.q.UnmarshalBinary(b) }
