package executor

import (
	"context"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/ipc"
)

// MaxWorkers is the number of worker processes (Python: max_workers=3).
const MaxWorkers = 3

// cube runs in the executor's workers (Python: def cube(n)).
var cube = ipc.RegisterTask("demos.executor.cube", func(ctx context.Context, n int) (int, error) {
	return n * n * n, nil
})

// Run maps cube over 0 to 5 on an executor of MaxWorkers processes and
// writes the results to w.
func Run(ctx context.Context, w io.Writer) error {
	executor, err := ipc.NewExecutor(MaxWorkers)
	if err != nil {
		return err
	}
	results, err := ipc.Map(ctx, executor, cube, []int{0, 1, 2, 3, 4, 5}) // executor.map(cube, range(6))
	if err != nil {
		executor.Shutdown(context.Background(), false, true)
		return err
	}
	// Leaving the with block: wait for the workers to exit.
	if err := executor.Shutdown(ctx, true, false); err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, results)
	return err
}
