package chaos

import (
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// barrierJob is what a barrier party process receives. The barrier has one
// party more than there are such processes: the round's own process.
type barrierJob struct {
	I     int
	B     *shm.Barrier
	Out   *shm.Array[int64] // [2*I]: first arrival index + 1; [2*I+1]: second outcome (gen2None...)
	Ctl   *shm.Array[int64]
	Bound time.Duration // of every wait
}

var barrierParty = ipc.Register("chaos.barrier", runBarrierParty)

// runBarrierParty waits at the barrier twice: the first generation
// completes with the round's process; in the second, one party is killed
// while it waits, and the others must get shm.ErrBrokenBarrier.
func runBarrierParty(ctx context.Context, j barrierJob) error {
	if err := startLine(ctx, j.Ctl); err != nil {
		return err
	}
	i, err := boundedWait(ctx, j)
	if err != nil {
		return fmt.Errorf("barrier party %d, first wait: %w", j.I, err)
	}
	j.Out.Store(2*j.I, int64(i+1))
	_, err = boundedWait(ctx, j)
	switch {
	case err == nil:
		j.Out.Store(2*j.I+1, gen2Passed)
	case errors.Is(err, shm.ErrBrokenBarrier):
		j.Out.Store(2*j.I+1, gen2Broken)
	default:
		j.Out.Store(2*j.I+1, gen2Other)
		return fmt.Errorf("barrier party %d, second wait: %w", j.I, err)
	}
	return nil
}

func boundedWait(ctx context.Context, j barrierJob) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, j.Bound)
	defer cancel()
	i, err := j.B.Wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return i, hangError(j.Bound, "Barrier.Wait (%d of %d parties waiting)", j.B.Waiting(), j.B.Parties())
	}
	return i, err
}

// barrierRun is the round's side of the barrier: its own two waits, and
// the kill of the victim in the second generation.
type barrierRun struct {
	b      *shm.Barrier
	out    *shm.Array[int64]
	procs  []*ipc.Process
	victim int
	sig    syscall.Signal
	at     time.Duration // after the round's start: the first wait
	delay  time.Duration // after every party waits in the second generation: the kill
	bound  time.Duration

	// Results, read after run returns.
	parentGen1 int
	parentGen2 error
	killed     bool
}

// run takes the round's part in the barrier from start+at on. It reports
// hangs and failures to r.
func (br *barrierRun) run(r *round, start time.Time) {
	time.Sleep(time.Until(start.Add(br.at)))
	ctx, cancel := context.WithTimeout(context.Background(), br.bound)
	defer cancel()
	i, err := br.b.Wait(ctx)
	if err != nil {
		br.fail(r, err, "the round's first Barrier.Wait")
		return
	}
	br.parentGen1 = i
	n := len(br.procs)
	if !pollUntil(ctx, func() bool { return br.b.Waiting() == n }) {
		r.hang("barrier: %d of %d parties waiting in the second generation after %v", br.b.Waiting(), n, br.bound)
		return
	}
	time.Sleep(br.delay)
	if r.signal(br.procs[br.victim], br.sig) {
		br.killed = true
	}
	// The parties bound their own waits: give them time to report a hang.
	ctx3, cancel3 := context.WithTimeout(context.Background(), 2*br.bound)
	defer cancel3()
	for k, p := range br.procs {
		if k != br.victim && errors.Is(p.Wait(ctx3), context.DeadlineExceeded) {
			r.hang("barrier: party %d still running %v after party %d was killed", k, 2*br.bound, br.victim)
			return
		}
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), br.bound)
	defer cancel2()
	_, br.parentGen2 = br.b.Wait(ctx2) // broken: returns at once
	if errors.Is(br.parentGen2, context.DeadlineExceeded) {
		r.hang("barrier: the round's second Barrier.Wait waited %v after a party died", br.bound)
	}
}

func (br *barrierRun) fail(r *round, err error, what string) {
	if errors.Is(err, context.DeadlineExceeded) {
		r.hang("barrier: %s waited %v", what, br.bound)
		return
	}
	r.violation("barrier: %s: %v", what, err)
}

// view reads the barrier's outcome for checkBarrier.
func (br *barrierRun) view() barrierView {
	v := barrierView{ParentGen1: br.parentGen1, Victim: br.victim, ParentGen2: br.parentGen2}
	for i := range br.procs {
		v.Gen1 = append(v.Gen1, int(br.out.Load(2*i))-1)
		v.Gen2 = append(v.Gen2, int(br.out.Load(2*i+1)))
	}
	return v
}

// pollUntil calls cond every 100 µs until it holds (true) or ctx ends
// (false).
func pollUntil(ctx context.Context, cond func() bool) bool {
	for !cond() {
		select {
		case <-ctx.Done():
			return cond()
		case <-time.After(100 * time.Microsecond):
		}
	}
	return true
}
