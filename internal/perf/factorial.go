package perf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/shmkit/shmkit/demos/factorial"
)

// factorialNs returns the numbers whose factorials the speed-up is
// measured on: the demo's (20000 to 27000) in a full run, 10000 to 17000
// in a quick one, times the scale.
func factorialNs(p plan) []int {
	ns := factorial.DefaultConfig().Ns
	if p.quick {
		ns = []int{10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000}
	}
	out := make([]int, len(ns))
	for i, n := range ns {
		out[i] = max(int(math.Round(float64(n)*p.scale)), 10+i)
	}
	return out
}

// measureFactorial: demos/factorial's Compute on a pool of 2 workers, and
// the same tasks on 2 goroutines of this process, the baseline: what the
// machine gives two CPU-bound threads without processes in the way (two
// virtual CPUs may not be two whole cores).
// Figures: the speed-up on the started pool, the goroutines' speed-up, the
// sequential time, the pool's with its start and once started, and the
// goroutines' time, in ms, and the pool's speed-up with its start. Check:
// Compute compares the digests of every result both ways
// (factorial.ErrMismatch), and the goroutines' digests are compared too.
func measureFactorial(ctx context.Context, p plan) ([]float64, error) {
	cfg := factorial.Config{Ns: factorialNs(p), Workers: workers}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		rep, err := factorial.Compute(ctx, cfg)
		switch {
		case err != nil:
			return nil, err
		case len(rep.Results) != len(cfg.Ns):
			return nil, fmt.Errorf("%d results for %d numbers", len(rep.Results), len(cfg.Ns))
		}
		t0 := time.Now()
		got, err := goroutineDigests(ctx, cfg.Ns, workers)
		g := time.Since(t0)
		if err != nil {
			return nil, err
		}
		for i, d := range got {
			if d != rep.Results[i] {
				return nil, fmt.Errorf("%w: %d! on goroutines: %d digits, SHA-256 %s; sequentially %d digits, SHA-256 %s",
					factorial.ErrMismatch, cfg.Ns[i], d.Digits, d.SHA256, rep.Results[i].Digits, rep.Results[i].SHA256)
			}
		}
		return []float64{rep.StartedSpeedup(), float64(rep.Sequential) / float64(g),
			ms(rep.Sequential), ms(rep.Pool), ms(rep.Started), ms(g), rep.Speedup()}, nil
	})
}

// goroutineDigests computes the digests of ns on n goroutines that take
// the numbers largest first, as the pool gets them, and returns them in
// the order of ns.
func goroutineDigests(ctx context.Context, ns []int, n int) ([]factorial.Digest, error) {
	order := factorial.LargestFirst(ns)
	next := make(chan int, len(order))
	for _, i := range order {
		next <- i
	}
	close(next)
	out := make([]factorial.Digest, len(ns))
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			for i := range next {
				f, err := factorial.Factorial(ctx, ns[i])
				if err != nil {
					errs[w] = err
					return
				}
				out[i] = factorial.DigestOf(ns[i], f)
			}
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
