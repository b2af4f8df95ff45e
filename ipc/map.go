package ipc

import (
	"context"
	"errors"
	"iter"
)

// Workers is what Map and the other task functions run on: a [*Pool] or
// an [*Executor].
type Workers interface {
	pool() *Pool
	// autoChunk is the chunk size for n items when none is given.
	autoChunk(n int) int
}

func (p *Pool) pool() *Pool { return p }

// autoChunk is Python's Pool.map rule: about four chunks per worker.
func (p *Pool) autoChunk(n int) int {
	c, extra := n/(4*len(p.workers)), n%(4*len(p.workers))
	if extra > 0 {
		c++
	}
	return max(c, 1)
}

// MapOption configures [Map], [Imap], [ImapUnordered] and [Starmap].
type MapOption func(*mapConfig)

type mapConfig struct{ chunk int }

// ChunkSize sends the arguments to the workers n at a time (n >= 1). The
// default is Python's: for a Pool, about four chunks per worker; for an
// Executor, 1.
func ChunkSize(n int) MapOption { return func(c *mapConfig) { c.chunk = n } }

// batch is a submitted chunk of a map: where its items start.
type batch struct {
	c     *call
	start int
	n     int
}

// submitAll splits args into chunks and submits them, in order. A chunk
// whose encoding exceeds a message is split further.
func submitAll[A, R any](w Workers, f *TaskFunc[A, R], args []A, opts []MapOption, notify chan<- *call) ([]batch, error) {
	var cfg mapConfig
	for _, o := range opts {
		o(&cfg)
	}
	size := cfg.chunk
	if size <= 0 {
		size = w.autoChunk(len(args))
	}
	p := w.pool()
	var out []batch
	var add func(start int, items []A) error
	add = func(start int, items []A) error {
		chunk, err := encodeChunk(items)
		if err != nil {
			return err
		}
		if len(chunk) > poolMaxMessage-64-len(f.name) {
			if len(items) == 1 {
				return &TaskError{Func: f.name, Index: start, Message: ErrTooLarge.Error() + ": argument too large for a task message"}
			}
			h := len(items) / 2
			if err := add(start, items[:h]); err != nil {
				return err
			}
			return add(start+h, items[h:])
		}
		c, err := p.submit(f.name, chunk, len(items), notify)
		if err != nil {
			return err
		}
		out = append(out, batch{c: c, start: start, n: len(items)})
		return nil
	}
	for i := 0; i < len(args); i += size {
		if err := add(i, args[i:min(i+size, len(args))]); err != nil {
			cancelAll(p, out)
			return nil, err
		}
	}
	return out, nil
}

func cancelAll(p *Pool, bs []batch) {
	for _, b := range bs {
		p.cancel(b.c, context.Canceled)
	}
}

// collectBatch decodes the finished call of b into out (the whole map's
// results) and returns each item's error (nil for a success), or nil if
// every item succeeded.
func collectBatch[R any](fn string, b batch, out []R) []error {
	var errs []error
	fail := func(i int, err error) {
		if errs == nil {
			errs = make([]error, b.n)
		}
		errs[i] = err
	}
	if b.c.err != nil {
		for i := range b.n {
			fail(i, withIndex(b.c.err, b.start+i))
		}
		return errs
	}
	res := out[b.start : b.start+b.n]
	for _, pt := range b.c.parts {
		fails, err := decodePart(pt.b, pt.first, pt.count, res)
		if err != nil {
			for i := pt.first; i < pt.first+pt.count; i++ {
				fail(i, err)
			}
			continue
		}
		for _, f := range fails {
			fail(f.Index, &TaskError{Func: fn, Index: b.start + f.Index, Message: f.Message, Panicked: f.Panicked, Stack: f.Stack})
		}
	}
	return errs
}

// withIndex gives a chunk-wide error the index of one of its items.
func withIndex(err error, i int) error {
	var te *TaskError
	if errors.As(err, &te) {
		c := *te
		c.Index = i
		return &c
	}
	return err
}

func wait(ctx context.Context, c *call) error {
	select {
	case <-c.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Map runs f on every argument on the workers and returns the results in
// the order of args. Python: Pool.map and Executor.map. If any task
// failed, the results of the others are still in place, and the error is
// the first failed item's (a [*TaskError], or [ErrPoolClosed]). If ctx
// ends first, Map returns ctx.Err(); chunks no worker has started are
// withdrawn.
func Map[A, R any](ctx context.Context, w Workers, f *TaskFunc[A, R], args []A, opts ...MapOption) ([]R, error) {
	bs, err := submitAll(w, f, args, opts, nil)
	if err != nil {
		return nil, err
	}
	// Wait for the last batch first: by then the others are mostly done,
	// and this goroutine sleeps and wakes once or twice rather than once a
	// batch (with ChunkSize(1), once a task).
	if len(bs) > 0 {
		if err := wait(ctx, bs[len(bs)-1].c); err != nil {
			cancelAll(w.pool(), bs)
			return nil, err
		}
	}
	out := make([]R, len(args))
	var first error
	for i, b := range bs {
		if err := wait(ctx, b.c); err != nil {
			cancelAll(w.pool(), bs[i:])
			return nil, err
		}
		for _, err := range collectBatch(f.name, b, out) {
			if err != nil && first == nil {
				first = err
			}
		}
	}
	return out, first
}

// Starmap is [Map] under Python's name for many-argument functions: in Go,
// give each task its arguments as one struct. Python: Pool.starmap.
func Starmap[A, R any](ctx context.Context, w Workers, f *TaskFunc[A, R], args []A, opts ...MapOption) ([]R, error) {
	return Map(ctx, w, f, args, opts...)
}

// Imap runs f on every argument on the workers and yields the results in
// the order of args, each as soon as it and those before it are done.
// Python: Pool.imap. A failed task yields its error in its place; stopping
// the loop early withdraws the chunks no worker has started.
func Imap[A, R any](ctx context.Context, w Workers, f *TaskFunc[A, R], args []A, opts ...MapOption) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		var zero R
		bs, err := submitAll(w, f, args, opts, nil)
		if err != nil {
			yield(zero, err)
			return
		}
		out := make([]R, len(args))
		for i, b := range bs {
			if err := wait(ctx, b.c); err != nil {
				cancelAll(w.pool(), bs[i:])
				yield(zero, err)
				return
			}
			if !yieldBatch(f.name, b, out, yield) {
				cancelAll(w.pool(), bs[i+1:])
				return
			}
		}
	}
}

// ImapUnordered is [Imap] yielding results as they are done, in any order,
// each with its index in args. Python: Pool.imap_unordered.
func ImapUnordered[A, R any](ctx context.Context, w Workers, f *TaskFunc[A, R], args []A, opts ...MapOption) iter.Seq2[Indexed[R], error] {
	return func(yield func(Indexed[R], error) bool) {
		done := make(chan *call, len(args)+1)
		bs, err := submitAll(w, f, args, opts, done)
		if err != nil {
			yield(Indexed[R]{}, err)
			return
		}
		byCall := make(map[*call]batch, len(bs))
		for _, b := range bs {
			byCall[b.c] = b
		}
		out := make([]R, len(args))
		for range bs {
			var c *call
			select {
			case c = <-done:
			case <-ctx.Done():
				cancelAll(w.pool(), bs)
				yield(Indexed[R]{}, ctx.Err())
				return
			}
			b := byCall[c]
			errs := collectBatch(f.name, b, out)
			for i := range b.n {
				if !yield(Indexed[R]{Index: b.start + i, Value: out[b.start+i]}, itemErr(errs, i)) {
					cancelAll(w.pool(), bs)
					return
				}
			}
		}
	}
}

// Indexed is a result of [ImapUnordered] with the position of its argument.
type Indexed[R any] struct {
	Index int
	Value R
}

// itemErr returns item i's error from the result of collectBatch.
func itemErr(errs []error, i int) error {
	if errs == nil {
		return nil
	}
	return errs[i]
}

// yieldBatch yields the items of a finished batch in order.
func yieldBatch[R any](fn string, b batch, out []R, yield func(R, error) bool) bool {
	errs := collectBatch(fn, b, out)
	for i := range b.n {
		if !yield(out[b.start+i], itemErr(errs, i)) {
			return false
		}
	}
	return true
}

// AsyncResult is the pending result of [ApplyAsync]. Python: AsyncResult.
type AsyncResult[R any] struct {
	fn string
	b  batch
	p  *Pool
}

// Get waits for the result. If ctx ends first, it returns ctx.Err() and the
// task goes on.
func (r *AsyncResult[R]) Get(ctx context.Context) (R, error) {
	var zero R
	if err := wait(ctx, r.b.c); err != nil {
		return zero, err
	}
	out := make([]R, 1)
	if err := itemErr(collectBatch(r.fn, r.b, out), 0); err != nil {
		return zero, err
	}
	return out[0], nil
}

// Ready reports whether the task is done. Python: ready().
func (r *AsyncResult[R]) Ready() bool {
	select {
	case <-r.b.c.done:
		return true
	default:
		return false
	}
}

// Done returns a channel closed when the task is done.
func (r *AsyncResult[R]) Done() <-chan struct{} { return r.b.c.done }

// ApplyAsync starts f(arg) on a worker. Python: Pool.apply_async.
func ApplyAsync[A, R any](w Workers, f *TaskFunc[A, R], arg A) (*AsyncResult[R], error) {
	bs, err := submitAll(w, f, []A{arg}, []MapOption{ChunkSize(1)}, nil)
	if err != nil {
		return nil, err
	}
	return &AsyncResult[R]{fn: f.name, b: bs[0], p: w.pool()}, nil
}

// Apply runs f(arg) on a worker and waits for it. Python: Pool.apply.
func Apply[A, R any](ctx context.Context, w Workers, f *TaskFunc[A, R], arg A) (R, error) {
	r, err := ApplyAsync(w, f, arg)
	if err != nil {
		var zero R
		return zero, err
	}
	return r.Get(ctx)
}
