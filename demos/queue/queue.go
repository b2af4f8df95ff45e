package queue

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/shmkit/shmkit/demos/internal/children"

	"github.com/shmkit/shmkit/ipc"
)

// Procs is the number of worker processes, and of squares.
const Procs = 5

// job is the argument of a worker (Python: args=(q, i)).
type job struct {
	Q *ipc.Queue[int]
	N int
}

// worker runs in a child process (Python: def worker(q, n)).
var worker = ipc.Register("demos.queue.worker", func(ctx context.Context, j job) error {
	return j.Q.Put(ctx, j.N*j.N)
})

// Run starts the workers, waits for them, takes their squares off the
// queue and writes "Squares: [0 1 4 9 16]" to w, sorted.
func Run(ctx context.Context, w io.Writer) error {
	q, err := ipc.NewQueue[int](Procs) // Queue(), with a slot for each result
	if err != nil {
		return err
	}
	defer q.Close()
	procs := make([]*ipc.Process, 0, Procs)
	defer func() { children.Reap(procs) }() // on an early return: no child outlives Run
	for i := range Procs {
		p, err := worker.Start(job{Q: q, N: i})
		if err != nil {
			return fmt.Errorf("queue: start worker %d: %w", i, err)
		}
		procs = append(procs, p)
	}
	for i, p := range procs {
		if err := p.Wait(ctx); err != nil {
			return fmt.Errorf("queue: worker %d: %w", i, err)
		}
	}
	results := make([]int, 0, Procs)
	for range Procs {
		v, err := q.Get(ctx)
		if err != nil {
			return err
		}
		results = append(results, v)
	}
	slices.Sort(results) // the order of arrival is not fixed
	_, err = fmt.Fprintln(w, "Squares:", results)
	return err
}
