package pool

import (
	"context"
	"fmt"
	"io"

	"github.com/shmkit/shmkit/ipc"
)

// Workers is the size of the pool (Python: Pool(4)).
const Workers = 4

// square runs in the pool's workers (Python: def square(n)).
var square = ipc.RegisterTask("demos.pool.square", func(ctx context.Context, n int) (int, error) {
	return n * n, nil
})

// Run maps square over 0 to 9 on a pool of Workers processes and writes
// the results to w.
func Run(ctx context.Context, w io.Writer) error {
	pool, err := ipc.NewPool(Workers)
	if err != nil {
		return err
	}
	results, err := ipc.Map(ctx, pool, square, numbers(10)) // pool.map(square, range(10))
	if err != nil {
		pool.Terminate()
		return err
	}
	pool.Close()
	if err := pool.Join(ctx); err != nil {
		pool.Terminate()
		return err
	}
	_, err = fmt.Fprintln(w, results)
	return err
}

// numbers returns 0 to n-1 (Python: range(n)).
func numbers(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}
