package perf

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Config says how long to measure.
type Config struct {
	// Quick makes fewer and shorter repetitions: the whole table in
	// under 30 seconds on 2 cores, against about a minute.
	Quick bool
	// Scale multiplies the length of every repetition and the work it
	// does; 0 means 1. Tests make it small; figures measured so are noise.
	Scale float64
	// Progress, if not nil, is called before each row is measured, with
	// its position (from 0) and the number of rows.
	Progress func(i, n int, row Row)

	// oneRep makes one repetition of each measurement, with no warm-up,
	// for the package's tests.
	oneRep bool
}

// Repetitions returns how much each measurement of a run with c does: the
// warm-up repetitions, the repetitions whose median is the figure, and
// the length of a repetition that runs for a time (rather than doing a
// fixed amount of work). Measurements of process starts make three times
// as many repetitions.
func (c Config) Repetitions() (warmup, reps int, length time.Duration) {
	p := newPlan(c)
	return p.warmup, p.reps, p.d
}

// Result is a measured row.
type Result struct {
	Row
	Ours     float64 // our figure, in Row.Unit: the median of the repetitions
	Baseline float64 // the baseline's, in the same unit; 0 when the row has none
	Ratio    float64 // Ours / Baseline; 0 when the row has no baseline
	HasAim   bool    // the row has an aim that Met reports on
	Met      bool    // the figure meets the aim
	Note     string  // more about the measurement, or ""
	// Err is why the row could not be measured, or the self-check that
	// failed (a lost, repeated or reordered message, a counter that is
	// off, a wrong result); the figures are then 0.
	Err error
}

// Run measures rows, in order, and returns a Result for each. A
// measurement that serves several rows (the pipe, a baseline) runs once.
// When ctx ends, the rows not yet measured fail with its error.
func Run(ctx context.Context, cfg Config, rows []Row) []Result {
	r := &runner{p: newPlan(cfg), done: map[string]outcome{}}
	out := make([]Result, len(rows))
	for i, row := range rows {
		if cfg.Progress != nil {
			cfg.Progress(i, len(rows), row)
		}
		out[i] = r.result(ctx, row)
	}
	return out
}

func (r *runner) result(ctx context.Context, row Row) Result {
	res := Result{Row: row}
	o := r.measure(ctx, row.ours.m)
	if o.err != nil {
		res.Err = o.err
		return res
	}
	var b outcome
	if row.base.m != "" {
		if b = r.measure(ctx, row.base.m); b.err != nil {
			res.Err = fmt.Errorf("baseline (%s): %w", row.BaselineName, b.err)
			return res
		}
		res.Baseline = b.v[row.base.i]
	}
	res.Ours = o.v[row.ours.i]
	if res.Baseline != 0 {
		res.Ratio = res.Ours / res.Baseline
	}
	if row.meets != nil {
		res.HasAim, res.Met = true, row.meets(o.v, res.Ratio)
	}
	if row.note != nil {
		res.Note = row.note(o.v, b.v)
	}
	return res
}

// outcome is what a measurement found: the medians of its figures over
// the repetitions, in the order its doc gives, or an error.
type outcome struct {
	v   []float64
	err error
}

// A measurement runs its warm-up and repetitions and returns the medians
// of the figures of the repetitions. Each checks its own results.
type measurement func(ctx context.Context, p plan) ([]float64, error)

// Names of the measurements. Several rows may use one (as their own figure
// or as their baseline).
const (
	mLock        = "shm.Mutex"
	mSyncLock    = "sync.Mutex"
	mLock2       = "shm.Mutex, 2 processes"
	mSyncLock2   = "sync.Mutex, 2 goroutines"
	mAdd2        = "shm.Value.Add, 2 processes"
	mSyncAdd2    = "atomic.Int64.Add, 2 goroutines"
	mBank        = "bank, locked"
	mGoBank      = "bank, goroutines"
	mQueue64     = "queue 64 B"
	mQueueMPMC   = "queue 64 B, 2 to 2"
	mQueue4K     = "queue 4 KiB"
	mQueueBatch  = "queue 64 B, batches"
	mRTT         = "queue round trip"
	mPipeRTT     = "pipe round trip"
	mPipe64      = "pipe 64 B"
	mPipeBufio   = "pipe 64 B, bufio"
	mPipe4K      = "pipe 4 KiB"
	mStart       = "process start+wait"
	mExecTrue    = "exec true"
	mPoolStart   = "pool start"
	mMapAuto     = "Map, auto chunks"
	mGoMapAuto   = "goroutine map, auto chunks"
	mMapChunk1   = "Map, chunk 1"
	mGoMapChunk1 = "goroutine map, chunk 1"
	mExecutor    = "executor"
	mGoExecutor  = "goroutine executor"
	mFactorial   = "factorial"
)

var measurements map[string]measurement

func init() {
	measurements = map[string]measurement{
		mLock:        measureLock,
		mSyncLock:    measureSyncLock,
		mLock2:       measureLock2,
		mSyncLock2:   measureSyncLock2,
		mAdd2:        measureAdd2,
		mSyncAdd2:    measureSyncAdd2,
		mBank:        measureBank,
		mGoBank:      measureGoBank,
		mQueue64:     measureQueue64,
		mQueueMPMC:   measureQueueMPMC,
		mQueue4K:     measureQueue4K,
		mQueueBatch:  measureQueueBatch,
		mRTT:         measureRTT,
		mPipeRTT:     measurePipeRTT,
		mPipe64:      measurePipe64,
		mPipeBufio:   measurePipeBufio,
		mPipe4K:      measurePipe4K,
		mStart:       measureStart,
		mExecTrue:    measureExecTrue,
		mPoolStart:   measurePoolStart,
		mMapAuto:     measureMapAuto,
		mGoMapAuto:   measureGoMapAuto,
		mMapChunk1:   measureMapChunk1,
		mGoMapChunk1: measureGoMapChunk1,
		mExecutor:    measureExecutor,
		mGoExecutor:  measureGoExecutor,
		mFactorial:   measureFactorial,
	}
}

// runner runs measurements, each at most once.
type runner struct {
	p    plan
	done map[string]outcome
}

func (r *runner) measure(ctx context.Context, name string) outcome {
	if o, ok := r.done[name]; ok {
		return o
	}
	var o outcome
	if err := ctx.Err(); err != nil {
		o.err = err
	} else {
		o.v, o.err = measurements[name](ctx, r.p)
	}
	if o.err == nil {
		for i, v := range o.v {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				o.err = fmt.Errorf("figure %d is %v (a repetition too short to time?)", i, v)
			}
		}
	}
	if o.err != nil {
		o.err = fmt.Errorf("%s: %w", name, o.err)
	}
	r.done[name] = o
	return o
}

// plan is how much to measure: the warm-up and the repetitions of each
// measurement, the length of a repetition that runs for a time, and how
// much work a repetition that does a fixed amount does.
type plan struct {
	warmup, reps int
	d            time.Duration // a repetition that runs for a time
	scale        float64
	quick        bool
	oneRep       bool // reps is 1 whatever the measurement (tests)
}

func newPlan(cfg Config) plan {
	s := cfg.Scale
	if s <= 0 {
		s = 1
	}
	p := plan{warmup: 1, reps: 5, d: 300 * time.Millisecond, scale: s, quick: cfg.Quick}
	if cfg.Quick {
		p.reps, p.d = 3, 100*time.Millisecond
	}
	if cfg.oneRep {
		p.warmup, p.reps, p.oneRep = 0, 1, true
	}
	p.d = max(time.Duration(float64(p.d)*s), time.Millisecond)
	return p
}

// count returns how many items a repetition of a fixed amount of work
// handles: full in a full run, quick in a quick one, times the scale.
func (p plan) count(full, quick int) int {
	n := full
	if p.quick {
		n = quick
	}
	return max(int(float64(n)*p.scale), 16)
}

// timeout bounds every wait of one repetition: a child that stops
// responding fails the measurement instead of hanging it.
func (p plan) timeout() time.Duration { return 20*p.d + 60*time.Second }

// repeat runs rep p.warmup times, ignoring its figures, then p.reps times
// (times mult), and returns the median of each figure. rep gets the
// number of the repetition, from 1.
func repeat(ctx context.Context, p plan, mult int, rep func(ctx context.Context, r int64) ([]float64, error)) ([]float64, error) {
	var all [][]float64
	if p.oneRep {
		mult = 1
	}
	n := p.warmup + p.reps*max(mult, 1)
	for i := range n {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		v, err := rep(ctx, int64(i+1))
		if err != nil {
			if i < p.warmup {
				return nil, fmt.Errorf("warm-up: %w", err)
			}
			return nil, fmt.Errorf("repetition %d: %w", i+1-p.warmup, err)
		}
		if i >= p.warmup {
			all = append(all, v)
		}
	}
	return medians(all)
}

// medians returns the median of each column of rows.
func medians(rows [][]float64) ([]float64, error) {
	if len(rows) == 0 {
		return nil, errors.New("perf: no repetitions")
	}
	out := make([]float64, len(rows[0]))
	col := make([]float64, len(rows))
	for j := range out {
		for i, r := range rows {
			col[i] = r[j]
		}
		out[j] = median(col)
	}
	return out, nil
}

// median returns the median of v (the mean of the middle two for an even
// length). It sorts v.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

// percentile returns the p-th percentile (0 < p <= 100) of d by nearest
// rank. It sorts d.
func percentile(d []time.Duration, p float64) time.Duration {
	slices.Sort(d)
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	return d[min(max(i, 0), len(d)-1)]
}

// rate returns n per second over d.
func rate(n int64, d time.Duration) float64 { return float64(n) / d.Seconds() }

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
