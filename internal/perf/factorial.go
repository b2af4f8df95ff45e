package perf

import (
	"context"
	"fmt"
	"math"

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

// measureFactorial: demos/factorial's Compute on a pool of 2 workers.
// Figures: the speed-up on the started pool, 1 (the sequential run, its
// baseline), the sequential time, the pool's with its start and once
// started, in ms, and the speed-up with the start. Check: Compute compares the digests of
// every result both ways (factorial.ErrMismatch).
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
		return []float64{rep.StartedSpeedup(), 1, ms(rep.Sequential), ms(rep.Pool), ms(rep.Started), rep.Speedup()}, nil
	})
}
