package perf

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// batch is how many operations the hot loops do between two looks at the
// clock or at the stop word.
const batch = 256

// measureLock: one process, Lock+Unlock of an shm.Mutex, for p.d. Figure:
// ns per Lock+Unlock. Check: no Lock failed, and the lock is free after.
func measureLock(ctx context.Context, p plan) ([]float64, error) {
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		return nil, err
	}
	defer seg.Close()
	m, err := shm.NewMutex(shm.In(seg))
	if err != nil {
		return nil, err
	}
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		var ops int64
		t0 := time.Now()
		for time.Since(t0) < p.d {
			for range batch {
				if err := m.Lock(); err != nil {
					return nil, err
				}
				m.Unlock()
			}
			ops += batch
		}
		elapsed := time.Since(t0)
		if !m.TryLock() {
			return nil, fmt.Errorf("the lock is held after %d Lock+Unlock (owner pid %d)", ops, m.Owner())
		}
		m.Unlock()
		return []float64{float64(elapsed.Nanoseconds()) / float64(ops)}, nil
	})
}

// measureSyncLock is measureLock on a sync.Mutex.
func measureSyncLock(ctx context.Context, p plan) ([]float64, error) {
	var m sync.Mutex
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		var ops int64
		t0 := time.Now()
		for time.Since(t0) < p.d {
			for range batch {
				m.Lock()
				m.Unlock()
			}
			ops += batch
		}
		elapsed := time.Since(t0)
		if !m.TryLock() {
			return nil, errors.New("the sync.Mutex is held after the loop")
		}
		m.Unlock()
		return []float64{float64(elapsed.Nanoseconds()) / float64(ops)}, nil
	})
}

// lockArgs is the argument of the child of the two-process lock and add
// measurements.
type lockArgs struct {
	M    member
	N    *shm.Value[int64] // the counter; its lock is the contended one
	Last *shm.Value[int64] // the member that took the lock last, from 1
	Add  bool              // atomic adds to N instead of locking
}

var lockChild = ipc.Register("perf.lock", func(ctx context.Context, a lockArgs) error {
	var ops, takes int64
	return a.M.rounds(ctx, func(r int64) error {
		var err error
		stop := func() bool { return a.M.stopped(r) }
		if a.Add {
			ops = addLoop(a.N, stop)
		} else {
			ops, takes, err = lockLoop(a.N, a.Last, int64(a.M.Index+1), stop)
		}
		return err
	}, func(int64) error {
		a.M.report(0, ops)
		a.M.report(1, takes)
		return nil
	})
})

// lockLoop takes n's lock in batches until stop, and under it increments
// n (non-atomically: a load and a store) and, when the previous holder was
// another party, records me as the holder and counts a take-over (the
// first take of a round, from nobody, is not one). It returns its
// operations and take-overs.
func lockLoop(n, last *shm.Value[int64], me int64, stop func() bool) (ops, takes int64, err error) {
	mu := n.Mutex()
	for {
		for range batch {
			if err := mu.Lock(); err != nil {
				return ops, takes, err
			}
			n.Store(n.Load() + 1)
			if l := last.Load(); l != me {
				if l != 0 {
					takes++
				}
				last.Store(me)
			}
			mu.Unlock()
		}
		ops += batch
		if stop() {
			return ops, takes, nil
		}
	}
}

// addLoop adds 1 to n in batches until stop, and returns how many times.
func addLoop(n *shm.Value[int64], stop func() bool) (ops int64) {
	for {
		for range batch {
			n.Add(1)
		}
		ops += batch
		if stop() {
			return ops
		}
	}
}

// measure2 runs the two-process lock (add false) or add (add true)
// measurement: this process and one child loop for p.d each round, this
// process calling the stop. Figures: operations per second over both;
// for the lock also take-overs per million operations and each process's
// share of the operations. Check: the counter equals the sum of the
// operations each process counted.
func measure2(ctx context.Context, p plan, add bool) ([]float64, error) {
	c, err := newCrew(ctx, 1, 0)
	if err != nil {
		return nil, err
	}
	n, err := shm.NewValue[int64](0, shm.In(c.seg))
	if err != nil {
		return nil, c.finish(err, nil)
	}
	last, err := shm.NewValue[int64](0, shm.In(c.seg))
	if err != nil {
		return nil, c.finish(err, nil)
	}
	if err := c.start(lockChild.Command(lockArgs{M: c.member(1), N: n, Last: last, Add: add})); err != nil {
		return nil, c.finish(err, nil)
	}
	v, err := repeat(ctx, p, 1, func(ctx context.Context, r int64) ([]float64, error) {
		n.Store(0)
		last.Store(0)
		var ops, takes int64
		elapsed, err := c.round(r, p.timeout(), func(context.Context) error {
			t0 := time.Now()
			stop := func() bool {
				if time.Since(t0) < p.d {
					return false
				}
				c.ctl.Store(ctlStop, r)
				return true
			}
			var err error
			if add {
				ops = addLoop(n, stop)
			} else {
				ops, takes, err = lockLoop(n, last, 1, stop)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		childOps, childTakes := c.word(1, 0), c.word(1, 1)
		total := ops + childOps
		if got := n.Load(); got != total {
			return nil, fmt.Errorf("counter %d after %d + %d operations: %d lost", got, ops, childOps, total-got)
		}
		if add {
			return []float64{rate(total, elapsed)}, nil
		}
		return []float64{rate(total, elapsed), float64(takes+childTakes) / float64(total) * 1e6,
			float64(ops) / float64(total), float64(childOps) / float64(total)}, nil
	})
	return v, c.finish(err, c.quitRounds)
}

func measureLock2(ctx context.Context, p plan) ([]float64, error) { return measure2(ctx, p, false) }
func measureAdd2(ctx context.Context, p plan) ([]float64, error)  { return measure2(ctx, p, true) }

// measureSyncLock2 is measureLock2 with two goroutines on a sync.Mutex.
func measureSyncLock2(ctx context.Context, p plan) ([]float64, error) {
	var (
		mu      sync.Mutex
		n, last int64
	)
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		n, last = 0, 0
		var ops, takes [2]int64
		elapsed := twoGoroutines(p.d, func(i int, stop func() bool) {
			me := int64(i + 1)
			for {
				for range batch {
					mu.Lock()
					n++
					if last != me {
						if last != 0 {
							takes[i]++
						}
						last = me
					}
					mu.Unlock()
				}
				ops[i] += batch
				if stop() {
					return
				}
			}
		})
		total := ops[0] + ops[1]
		if n != total {
			return nil, fmt.Errorf("counter %d after %d operations", n, total)
		}
		return []float64{rate(total, elapsed), float64(takes[0]+takes[1]) / float64(total) * 1e6,
			float64(ops[0]) / float64(total), float64(ops[1]) / float64(total)}, nil
	})
}

// measureSyncAdd2 is measureAdd2 with two goroutines on an atomic.Int64.
func measureSyncAdd2(ctx context.Context, p plan) ([]float64, error) {
	var n atomic.Int64
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		n.Store(0)
		var ops [2]int64
		elapsed := twoGoroutines(p.d, func(i int, stop func() bool) {
			for {
				for range batch {
					n.Add(1)
				}
				ops[i] += batch
				if stop() {
					return
				}
			}
		})
		total := ops[0] + ops[1]
		if got := n.Load(); got != total {
			return nil, fmt.Errorf("counter %d after %d operations", got, total)
		}
		return []float64{rate(total, elapsed)}, nil
	})
}

// twoGoroutines runs loop(0, stop) and loop(1, stop) at once, where stop
// becomes true d after the start, and returns the time until both return.
func twoGoroutines(d time.Duration, loop func(i int, stop func() bool)) time.Duration {
	var (
		stopped atomic.Bool
		wg      sync.WaitGroup
		t0      time.Time // set before start is closed
	)
	start := make(chan struct{})
	for i := range 2 {
		wg.Go(func() {
			<-start
			loop(i, func() bool {
				if i == 0 && time.Since(t0) >= d {
					stopped.Store(true)
				}
				return stopped.Load()
			})
		})
	}
	t0 = time.Now()
	close(start)
	wg.Wait()
	return time.Since(t0)
}
