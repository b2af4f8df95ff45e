package ipc

import (
	"context"
	"iter"
	"reflect"
)

// Executor runs tasks on a pool of worker processes and hands back a
// [Future] for each. Python: concurrent.futures.ProcessPoolExecutor. Use it
// with [Submit], [Map] (chunk size 1 by default, as Python's), [Imap] and
// [AsCompleted].
//
// A worker that dies fails only the futures of the tasks it held, each
// with a [*TaskError] naming its pid and exit status or signal; the
// executor replaces it and keeps serving. (Python's executor breaks as a
// whole: BrokenProcessPool.)
type Executor struct{ p *Pool }

// NewExecutor starts an executor with maxWorkers worker processes
// (maxWorkers <= 0: one per CPU).
func NewExecutor(maxWorkers int, opts ...PoolOption) (*Executor, error) {
	p, err := NewPool(maxWorkers, opts...)
	if err != nil {
		return nil, err
	}
	return &Executor{p: p}, nil
}

func (e *Executor) pool() *Pool { return e.p }

// autoChunk is 1: Python's Executor.map sends one task a message.
func (e *Executor) autoChunk(int) int { return 1 }

// Shutdown stops the executor from taking new tasks. With cancelPending,
// futures no worker has started are cancelled ([ErrCancelled]). With
// wait, it waits (until ctx ends) for the running ones and for the workers
// to exit. Python: shutdown(wait, cancel_futures).
func (e *Executor) Shutdown(ctx context.Context, wait, cancelPending bool) error {
	p := e.p
	if cancelPending {
		p.mu.Lock()
		for _, c := range p.pending {
			p.finish(c, ErrCancelled)
		}
		p.pending = nil
		p.mu.Unlock()
	}
	p.Close()
	if !wait {
		return nil
	}
	return p.Join(ctx)
}

// Future is the pending result of a task given to an [Executor]. Python:
// concurrent.futures.Future.
type Future[R any] struct {
	r *AsyncResult[R]
}

// Submit starts f(arg) on the executor's workers. Python: submit.
func Submit[A, R any](e *Executor, f *TaskFunc[A, R], arg A) (*Future[R], error) {
	r, err := ApplyAsync(e, f, arg)
	if err != nil {
		return nil, err
	}
	return &Future[R]{r: r}, nil
}

// Result waits for the task and returns its result or error. If ctx ends
// first, it returns ctx.Err() and the task goes on. Python: result().
func (f *Future[R]) Result(ctx context.Context) (R, error) { return f.r.Get(ctx) }

// Done returns a channel closed when the task is done (or cancelled).
func (f *Future[R]) Done() <-chan struct{} { return f.r.Done() }

// Err returns the task's error once it is done: nil if it succeeded or is
// not done yet. Python: exception().
func (f *Future[R]) Err() error {
	if !f.r.Ready() {
		return nil
	}
	_, err := f.r.Get(context.Background())
	return err
}

// Cancel cancels the task if no worker has started it, reporting whether
// it did; a cancelled future's error is [ErrCancelled]. Python: cancel().
func (f *Future[R]) Cancel() bool { return f.r.p.cancel(f.r.b.c, ErrCancelled) }

// AsCompleted yields the futures as they complete, whatever their order.
// Python: concurrent.futures.as_completed. If ctx ends first, it stops.
func AsCompleted[R any](ctx context.Context, fs ...*Future[R]) iter.Seq[*Future[R]] {
	return func(yield func(*Future[R]) bool) {
		cases := make([]reflect.SelectCase, len(fs)+1)
		cases[0] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(ctx.Done())}
		for i, f := range fs {
			cases[i+1] = reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(f.Done())}
		}
		for range fs {
			i, _, _ := reflect.Select(cases)
			if i == 0 {
				return
			}
			cases[i].Chan = reflect.Value{} // a zero Chan is never ready
			if !yield(fs[i-1]) {
				return
			}
		}
	}
}
