package perf

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Starting processes is slow and noisy: each repetition is one start, and
// there are three times as many as for the other measurements.
const startMult = 3

var noopChild = ipc.Register("perf.noop", func(context.Context, struct{}) error { return nil })

// incTask is the trivial task of the pool and executor measurements.
var incTask = ipc.RegisterTask("perf.inc", func(_ context.Context, n int) (int, error) { return n + 1, nil })

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// measureStart: start a child that does nothing and wait for it. Figure:
// ms. Check: it reports success.
func measureStart(ctx context.Context, p plan) ([]float64, error) {
	return repeat(ctx, p, startMult, func(ctx context.Context, _ int64) ([]float64, error) {
		t0 := time.Now()
		child, err := noopChild.Start(struct{}{})
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		if err := waitChild(ctx, child); err != nil {
			return nil, err
		}
		return []float64{ms(time.Since(t0))}, nil
	})
}

// waitChild waits for child; if ctx ends first, it kills the child, reaps
// it (waiting 5 seconds at most) and returns ctx's error.
func waitChild(ctx context.Context, child *ipc.Process) error {
	err := child.Wait(ctx)
	if ctx.Err() == nil || !(errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled)) {
		return err
	}
	child.Kill()
	wctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if werr := child.Wait(wctx); errors.Is(werr, context.DeadlineExceeded) {
		return fmt.Errorf("child %s (pid %d) still running 5 s after SIGKILL: %w", child.Name(), child.Pid(), err)
	}
	return fmt.Errorf("child %s (pid %d) killed, not done in time: %w", child.Name(), child.Pid(), err)
}

// measureExecTrue: os/exec runs true (found in PATH: /bin/true,
// /usr/bin/true) and waits for it. Figure: ms. Check: exit status 0.
func measureExecTrue(ctx context.Context, p plan) ([]float64, error) {
	path, err := exec.LookPath("true")
	if err != nil {
		return nil, err
	}
	return repeat(ctx, p, startMult, func(ctx context.Context, _ int64) ([]float64, error) {
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		cmd := exec.CommandContext(ctx, path)
		cmd.WaitDelay = time.Second
		t0 := time.Now()
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return []float64{ms(time.Since(t0))}, nil
	})
}

// poolStartArgs is the argument of poolStartChild.
type poolStartArgs struct {
	NS *shm.Value[int64] // where it stores the time to the first result, in ns
}

// poolStartChild starts a pool of 2 workers, runs one trivial task on it
// and stores the time from the start to the result. It runs in a child
// of its own, fresh each time, so that each start is a program's first
// pool: in the bench's process the pools of earlier rows would have left
// their mark (a heap grown, segments of the default arena that every
// child maps).
var poolStartChild = ipc.Register("perf.pool-start", func(ctx context.Context, a poolStartArgs) error {
	t0 := time.Now()
	pool, err := ipc.NewPool(workers)
	if err != nil {
		return err
	}
	defer pool.Terminate() // kills and reaps the workers
	got, err := ipc.Apply(ctx, pool, incTask, 41)
	elapsed := time.Since(t0)
	switch {
	case err != nil:
		return err
	case got != 42:
		return fmt.Errorf("the task returned %d for 41, want 42", got)
	}
	a.NS.Store(elapsed.Nanoseconds())
	return nil
})

// measurePoolStart: a fresh child starts a pool of 2 workers and runs one
// trivial task on it (poolStartChild). Figure: ms from the start of the
// pool to the result. Check: the result, and the child's success.
func measurePoolStart(ctx context.Context, p plan) ([]float64, error) {
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		return nil, err
	}
	defer seg.Close()
	ns, err := shm.NewValue[int64](0, shm.In(seg))
	if err != nil {
		return nil, err
	}
	return repeat(ctx, p, startMult, func(ctx context.Context, _ int64) ([]float64, error) {
		ns.Store(0)
		child, err := poolStartChild.Start(poolStartArgs{NS: ns})
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		if err := waitChild(ctx, child); err != nil {
			return nil, err
		}
		d := time.Duration(ns.Load())
		if d <= 0 {
			return nil, errors.New("the pool's child succeeded but reported no time")
		}
		return []float64{ms(d)}, nil
	})
}
