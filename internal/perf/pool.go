package perf

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

// The pool and executor measurements run the trivial task incTask (n+1)
// over 0, 1, ... n-1 on 2 workers, started once, off the clock; the
// baselines do the same work with a pool of 2 goroutines in this process,
// fed with the same chunks. Figure: tasks per second. Check: every result.

const workers = 2

// PoolWarmups is how many more warm-up repetitions the pool and executor
// measurements and their baselines run: a pool's workers are fresh
// processes whose heaps grow a page fault at a time over their first maps
// (in a quick run the first few maps took 2-4 times as long as later
// ones), and the figures are of a pool in use, as a long-lived pool is.
const PoolWarmups = 4

// warmPlan returns p with the extra warm-up of the pool measurements.
func warmPlan(p plan) plan {
	if !p.oneRep {
		p.warmup += PoolWarmups
	}
	return p
}

// Tasks a repetition: full run, quick run.
var (
	mapAutoTasks   = [2]int{500_000, 100_000}
	mapChunk1Tasks = [2]int{30_000, 5_000}
	executorTasks  = [2]int{30_000, 5_000}
)

func inc(n int) int { return n + 1 }

// autoChunk is the chunk size of a Map without ChunkSize on a pool of
// workers (Python's rule, which ipc follows): about four chunks a worker.
func autoChunk(n int) int {
	c, extra := n/(4*workers), n%(4*workers)
	if extra > 0 {
		c++
	}
	return max(c, 1)
}

// checkInc checks that out holds inc of 0, 1, ... n-1.
func checkInc(out []int, n int) error {
	if len(out) != n {
		return fmt.Errorf("%d results for %d tasks", len(out), n)
	}
	for i, v := range out {
		if v != i+1 {
			return fmt.Errorf("task %d returned %d, want %d", i, v, i+1)
		}
	}
	return nil
}

func ints(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// closePool closes pool and waits for its workers (bounded), terminating
// them if they do not exit in time.
func closePool(pool *ipc.Pool) error {
	pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := pool.Join(ctx); err != nil {
		pool.Terminate()
		return fmt.Errorf("the pool's workers did not exit: %w", err)
	}
	return nil
}

// measureMap: ipc.Map of incTask over tasks items on a pool of 2, with
// opts.
func measureMap(ctx context.Context, p plan, tasks [2]int, opts ...ipc.MapOption) ([]float64, error) {
	pool, err := ipc.NewPool(workers)
	if err != nil {
		return nil, err
	}
	args := ints(p.count(tasks[0], tasks[1]))
	v, err := repeat(ctx, warmPlan(p), 1, func(ctx context.Context, _ int64) ([]float64, error) {
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		t0 := time.Now()
		out, err := ipc.Map(ctx, pool, incTask, args, opts...)
		elapsed := time.Since(t0)
		if err == nil {
			err = checkInc(out, len(args))
		}
		if err != nil {
			return nil, err
		}
		return []float64{rate(int64(len(args)), elapsed)}, nil
	})
	return v, errors.Join(err, closePool(pool))
}

func measureMapAuto(ctx context.Context, p plan) ([]float64, error) {
	return measureMap(ctx, p, mapAutoTasks)
}

func measureMapChunk1(ctx context.Context, p plan) ([]float64, error) {
	return measureMap(ctx, p, mapChunk1Tasks, ipc.ChunkSize(1))
}

// measureExecutor: ipc.Submit of incTask for each of tasks items on an
// executor of 2, then the Result of each.
func measureExecutor(ctx context.Context, p plan) ([]float64, error) {
	e, err := ipc.NewExecutor(workers)
	if err != nil {
		return nil, err
	}
	n := p.count(executorTasks[0], executorTasks[1])
	futures := make([]*ipc.Future[int], n)
	out := make([]int, n)
	v, err := repeat(ctx, warmPlan(p), 1, func(ctx context.Context, _ int64) ([]float64, error) {
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		t0 := time.Now()
		for i := range futures {
			f, err := ipc.Submit(e, incTask, i)
			if err != nil {
				return nil, err
			}
			futures[i] = f
		}
		for i, f := range futures {
			v, err := f.Result(ctx)
			if err != nil {
				return nil, fmt.Errorf("task %d: %w", i, err)
			}
			out[i] = v
		}
		elapsed := time.Since(t0)
		if err := checkInc(out, n); err != nil {
			return nil, err
		}
		return []float64{rate(int64(n), elapsed)}, nil
	})
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := e.Shutdown(sctx, true, true); serr != nil {
		err = errors.Join(err, fmt.Errorf("the executor's workers did not exit: %w", serr))
	}
	return v, err
}

// goPool is the baseline's pool: workers goroutines running the functions
// sent on tasks.
type goPool struct {
	tasks chan func()
	wg    sync.WaitGroup
}

func newGoPool(n int) *goPool {
	p := &goPool{tasks: make(chan func(), n)}
	for range n {
		p.wg.Go(func() {
			for t := range p.tasks {
				t()
			}
		})
	}
	return p
}

func (p *goPool) close() {
	close(p.tasks)
	p.wg.Wait()
}

// mapChunks runs f over args, chunk items a task, and returns the results
// in order.
func (p *goPool) mapChunks(args []int, chunk int, f func(int) int) []int {
	out := make([]int, len(args))
	var wg sync.WaitGroup
	for lo := 0; lo < len(args); lo += chunk {
		hi := min(lo+chunk, len(args))
		wg.Add(1)
		p.tasks <- func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				out[i] = f(args[i])
			}
		}
	}
	wg.Wait()
	return out
}

// submit runs f(arg) on the pool and returns a channel that gets its result.
func (p *goPool) submit(f func(int) int, arg int) <-chan int {
	ch := make(chan int, 1)
	p.tasks <- func() { ch <- f(arg) }
	return ch
}

// measureGoMap is measureMap's baseline: chunk (0: the pool's automatic
// size) items a task.
func measureGoMap(ctx context.Context, p plan, tasks [2]int, chunk int) ([]float64, error) {
	pool := newGoPool(workers)
	defer pool.close()
	args := ints(p.count(tasks[0], tasks[1]))
	if chunk == 0 {
		chunk = autoChunk(len(args))
	}
	return repeat(ctx, warmPlan(p), 1, func(ctx context.Context, _ int64) ([]float64, error) {
		t0 := time.Now()
		out := pool.mapChunks(args, chunk, inc)
		elapsed := time.Since(t0)
		if err := checkInc(out, len(args)); err != nil {
			return nil, err
		}
		return []float64{rate(int64(len(args)), elapsed)}, nil
	})
}

func measureGoMapAuto(ctx context.Context, p plan) ([]float64, error) {
	return measureGoMap(ctx, p, mapAutoTasks, 0)
}

func measureGoMapChunk1(ctx context.Context, p plan) ([]float64, error) {
	return measureGoMap(ctx, p, mapChunk1Tasks, 1)
}

// measureGoExecutor is measureExecutor's baseline: a task and a result
// channel for each item.
func measureGoExecutor(ctx context.Context, p plan) ([]float64, error) {
	pool := newGoPool(workers)
	defer pool.close()
	n := p.count(executorTasks[0], executorTasks[1])
	futures := make([]<-chan int, n)
	out := make([]int, n)
	return repeat(ctx, warmPlan(p), 1, func(ctx context.Context, _ int64) ([]float64, error) {
		t0 := time.Now()
		for i := range futures {
			futures[i] = pool.submit(inc, i)
		}
		for i, f := range futures {
			out[i] = <-f
		}
		elapsed := time.Since(t0)
		if err := checkInc(out, n); err != nil {
			return nil, err
		}
		return []float64{rate(int64(n), elapsed)}, nil
	})
}
