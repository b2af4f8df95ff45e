package queuesquares

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"

	"github.com/shmkit/shmkit/demos/internal/children"

	"github.com/shmkit/shmkit/ipc"
)

// Config says how many workers square which numbers.
type Config struct {
	Workers int // worker processes
	N       int // square the numbers 1 to N
}

// DefaultConfig is the exercise's size: 4 workers, the numbers 1 to 10.
func DefaultConfig() Config { return Config{Workers: 4, N: 10} }

// Limits of a Config.
const (
	MaxWorkers = 64
	MaxN       = 100000
)

// Validate checks a Config, naming the first field that is wrong.
func (c Config) Validate() error {
	switch {
	case c.Workers < 1 || c.Workers > MaxWorkers:
		return fmt.Errorf("queuesquares: workers %d: want 1 to %d", c.Workers, MaxWorkers)
	case c.N < 1 || c.N > MaxN:
		return fmt.Errorf("queuesquares: n %d: want 1 to %d", c.N, MaxN)
	}
	return nil
}

// Result is what a worker sends back: a number and its square. Made of
// numbers only, it travels through the queue as its raw bytes.
type Result struct {
	N, Square int64
}

// job is the argument of a worker (Python: args=(tasks, results)).
type job struct {
	Tasks   *ipc.Queue[int64]
	Results *ipc.Queue[Result]
}

// worker runs in a child process: it squares numbers from the task queue
// until the queue is closed and empty.
var worker = ipc.Register("demos.queuesquares.worker", func(ctx context.Context, j job) error {
	for {
		n, err := j.Tasks.Get(ctx)
		if errors.Is(err, ipc.ErrClosed) {
			return nil // no more work (Python: the None sentinel)
		}
		if err != nil {
			return err
		}
		if err := j.Results.Put(ctx, Result{N: n, Square: n * n}); err != nil {
			return err
		}
	}
})

// Squares has cfg.Workers processes square the numbers 1 to cfg.N, sent
// to them through one queue, and returns the results they sent back
// through another, sorted by number.
func Squares(ctx context.Context, cfg Config) ([]Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tasks, err := ipc.NewQueue[int64](0)
	if err != nil {
		return nil, err
	}
	defer tasks.Close()
	results, err := ipc.NewQueue[Result](0)
	if err != nil {
		return nil, err
	}
	defer results.Close()

	// ctx ends, with the failure as its cause, as soon as a worker fails,
	// so that the main process does not wait for results that will not come.
	// On the way out: reap the workers, end ctx, then wait for the
	// goroutines, which return once ctx has ended.
	var watchers sync.WaitGroup
	defer watchers.Wait()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	procs := make([]*ipc.Process, 0, cfg.Workers)
	defer func() { children.Reap(procs) }() // on an early return: no child outlives Squares
	for i := range cfg.Workers {
		p, err := worker.Start(job{Tasks: tasks, Results: results})
		if err != nil {
			return nil, fmt.Errorf("queuesquares: start worker %d: %w", i+1, err)
		}
		procs = append(procs, p)
		watchers.Go(func() {
			if err := p.Wait(ctx); err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("queuesquares: worker %d: %w", i+1, err))
			}
		})
	}

	watchers.Go(func() { // the producer: it may block on a full task queue
		for n := range int64(cfg.N) {
			if err := tasks.Put(ctx, n+1); err != nil {
				cancel(fmt.Errorf("queuesquares: sending task: %w", err))
				return
			}
		}
		tasks.Close() // the workers drain it, then stop
	})

	out := make([]Result, 0, cfg.N)
	for range cfg.N { // results first, then join
		r, err := results.Get(ctx)
		if err != nil {
			return nil, failure(ctx, err)
		}
		out = append(out, r)
	}
	for i, p := range procs {
		if err := p.Wait(ctx); err != nil {
			return nil, failure(ctx, fmt.Errorf("queuesquares: worker %d: %w", i+1, err))
		}
	}
	slices.SortFunc(out, func(a, b Result) int { return cmp.Compare(a.N, b.N) }) // arrival order is not fixed
	return out, nil
}

// Run squares the numbers through the queues and writes the squares to
// w, sorted by their number.
func Run(ctx context.Context, w io.Writer, cfg Config) error {
	results, err := Squares(ctx, cfg)
	if err != nil {
		return err
	}
	squares := make([]int64, len(results))
	for i, r := range results {
		squares[i] = r.Square
	}
	fmt.Fprintf(w, "%d worker processes sent %d results through the queue\n", cfg.Workers, len(results))
	_, err = fmt.Fprintln(w, "Squares:", squares)
	return err
}

// failure returns why ctx ended, if it has, else err.
func failure(ctx context.Context, err error) error {
	if cause := context.Cause(ctx); cause != nil {
		return cause
	}
	return err
}
