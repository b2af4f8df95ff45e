package perf

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// A crew is the child processes of one measurement, started once and kept
// for its warm-up and all its repetitions, which they run in step with
// this process (the parent): a round is one repetition. Every round has
// three meeting points on one shm.Barrier: the start (the clock starts),
// the end (the clock stops), and the report (the members have written
// their counts to the control words, and the parent checks them). Between
// start and end, the parent either works too or sleeps for the length of
// the round; it then calls the stop (ctlStop = the round), and the members
// finish their round's work.
//
// Everything a crew shares lives in a segment of its own, closed when the
// crew is done, so that children started later do not inherit it.

// Control words, in the crew's shm.Array[int64].
const (
	ctlStop    = 0 // the last round whose stop has been called
	ctlQuit    = 1 // 1: the members return at the next start
	ctlBase    = 8 // the first report word
	ctlSlots   = 8 // report words per member (the parent is member 0)
	maxMembers = 7
)

// member is what each child of a crew receives in its argument.
type member struct {
	Bar   *shm.Barrier
	Ctl   *shm.Array[int64]
	Index int // from 1; 0 is the parent
}

// stopped reports whether the stop of round r has been called.
func (m member) stopped(r int64) bool { return m.Ctl.Load(ctlStop) >= r }

// report stores v in report word j of this member.
func (m member) report(j int, v int64) { m.Ctl.Store(ctlBase+m.Index*ctlSlots+j, v) }

// rounds runs the member's side of the rounds until the parent says quit:
// timed(r) between the start and the end of round r, report(r) (if not
// nil) between the end and the report. A failure breaks the barrier, so
// that the parent learns of it at once, and is returned (the parent gets
// it from Process.Wait).
func (m member) rounds(ctx context.Context, timed, report func(r int64) error) error {
	for r := int64(1); ; r++ {
		if _, err := m.Bar.Wait(ctx); err != nil {
			return fmt.Errorf("round %d: start: %w", r, err)
		}
		if m.Ctl.Load(ctlQuit) != 0 {
			return nil
		}
		if err := timed(r); err != nil {
			m.Bar.Abort()
			return fmt.Errorf("round %d: %w", r, err)
		}
		if _, err := m.Bar.Wait(ctx); err != nil {
			return fmt.Errorf("round %d: end: %w", r, err)
		}
		if report != nil {
			if err := report(r); err != nil {
				m.Bar.Abort()
				return fmt.Errorf("round %d: %w", r, err)
			}
		}
		if _, err := m.Bar.Wait(ctx); err != nil {
			return fmt.Errorf("round %d: report: %w", r, err)
		}
	}
}

// crew is the parent's side.
type crew struct {
	seg      *shm.Segment
	bar      *shm.Barrier
	ctl      *shm.Array[int64]
	procs    []*ipc.Process
	ctx      context.Context // ends when a member exits before it is told to
	cancel   context.CancelCauseFunc
	done     chan struct{} // closed by finish: stops the watchers
	exits    chan error    // why each member that exited early did
	watchers sync.WaitGroup
	quitting atomic.Bool
}

// newCrew makes the shared memory of a crew of members children: a
// segment with room for extra more bytes of objects, the barrier and the
// control words. Start the members with start, and end with finish.
func newCrew(ctx context.Context, members, extra int) (*crew, error) {
	if members < 1 || members > maxMembers {
		return nil, fmt.Errorf("perf: crew of %d members: want 1 to %d", members, maxMembers)
	}
	seg, err := shm.NewSegment(extra + 1<<20)
	if err != nil {
		return nil, err
	}
	c := &crew{seg: seg, done: make(chan struct{}), exits: make(chan error, members)}
	if c.bar, err = shm.NewBarrier(members+1, shm.In(seg)); err == nil {
		c.ctl, err = shm.MakeArray[int64](ctlBase+(maxMembers+1)*ctlSlots, shm.In(seg))
	}
	if err != nil {
		seg.Close()
		return nil, err
	}
	c.ctx, c.cancel = context.WithCancelCause(ctx)
	return c, nil
}

// member returns the argument of member i (from 1).
func (c *crew) member(i int) member { return member{Bar: c.bar, Ctl: c.ctl, Index: i} }

// word returns report word j of member i.
func (c *crew) word(i, j int) int64 { return c.ctl.Load(ctlBase + i*ctlSlots + j) }

// start starts p as a member of the crew. A member that exits before
// finish ends the crew's context and breaks its barrier.
func (c *crew) start(p *ipc.Process) error {
	if err := p.Start(); err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	c.watchers.Add(1)
	go func() {
		defer c.watchers.Done()
		select {
		case <-p.Done():
			if !c.quitting.Load() {
				err := p.Wait(context.Background()) // done: returns at once
				if err == nil {
					err = errors.New("returned early")
				}
				err = fmt.Errorf("child %s (pid %d) exited during the measurement: %w", p.Name(), p.Pid(), err)
				c.exits <- err
				c.cancel(err)
				c.bar.Abort()
			}
		case <-c.done:
		}
	}()
	return nil
}

// round runs round r on the parent's side: timed runs between the start
// and the end, in this process, with a context that ends after timeout or
// when a member dies. It returns the time from the start to the end.
func (c *crew) round(r int64, timeout time.Duration, timed func(ctx context.Context) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(c.ctx, timeout) // ends too when a member dies
	defer cancel()
	if err := c.wait(ctx, r, "start"); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := timed(ctx); err != nil {
		c.bar.Abort()
		return 0, c.why(fmt.Errorf("round %d: %w", r, err))
	}
	if err := c.wait(ctx, r, "end"); err != nil {
		return 0, err
	}
	elapsed := time.Since(t0)
	if err := c.wait(ctx, r, "report"); err != nil {
		return 0, err
	}
	return elapsed, nil
}

// sleepRound is the parent's part of a round in which it does not work:
// sleep for d, then call the stop of round r.
func (c *crew) sleepRound(r int64, d time.Duration) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		if err := sleep(ctx, d); err != nil {
			return err
		}
		c.ctl.Store(ctlStop, r)
		return nil
	}
}

func (c *crew) wait(ctx context.Context, r int64, phase string) error {
	if _, err := c.bar.Wait(ctx); err != nil {
		return c.why(fmt.Errorf("round %d: %s: %w", r, phase, err))
	}
	return nil
}

// why returns the reason the crew failed, which a member that fails
// gives in its exit: it breaks the barrier first, so that everyone stops,
// and the other members then fail too, at a broken barrier. So why waits
// (2 seconds at most) for the members to exit, and returns the error of
// the first that failed for another reason; err if none did (or if the
// measurement was cancelled).
func (c *crew) why(err error) error {
	if c.ctx.Err() != nil && errors.Is(context.Cause(c.ctx), context.Canceled) {
		return err // the measurement was cancelled: no member is to blame
	}
	t := time.NewTimer(2 * time.Second)
	defer t.Stop()
	var first error
	for range c.procs {
		select {
		case e := <-c.exits:
			var ee *ipc.ExitError
			if !errors.As(e, &ee) || !strings.Contains(ee.Message, shm.ErrBrokenBarrier.Error()) {
				return e
			}
			if first == nil {
				first = e
			}
		case <-t.C:
			return cmp.Or(first, err)
		}
	}
	return cmp.Or(first, err)
}

// quitRounds is the usual end of a crew that runs rounds: say quit, and
// meet the members at the start they wait at, from which they return.
func (c *crew) quitRounds(ctx context.Context) error {
	c.ctl.Store(ctlQuit, 1)
	_, err := c.bar.Wait(ctx)
	return err
}

// finish ends the crew and returns err joined with what went wrong in the
// ending. If err is nil, quit (if not nil) tells the members to return,
// and they are waited for; otherwise (or if they do not return in time)
// they are killed. Either way every member is reaped (each wait bounded)
// and the segment is closed.
func (c *crew) finish(err error, quit func(ctx context.Context) error) error {
	c.quitting.Store(true)
	grace := 10 * time.Second
	if err == nil && quit != nil {
		ctx, cancel := context.WithTimeout(context.Background(), grace)
		if qerr := quit(ctx); qerr != nil {
			err = fmt.Errorf("telling the children to return: %w", qerr)
		}
		cancel()
	}
	if err != nil {
		c.bar.Abort()
		grace = time.Second
	}
	deadline := time.Now().Add(grace)
	var errs []error
	for _, p := range c.procs {
		if werr := reap(p, deadline); werr != nil && err == nil {
			errs = append(errs, werr)
		}
	}
	close(c.done)
	c.watchers.Wait()
	c.cancel(nil)
	if cerr := c.seg.Close(); cerr != nil {
		errs = append(errs, cerr)
	}
	return errors.Join(append([]error{err}, errs...)...)
}

// reap waits for p until deadline, then kills it and waits 5 seconds
// more. It returns p's error, or that it could not be reaped.
func reap(p *ipc.Process, deadline time.Time) error {
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	err := p.Wait(ctx)
	cancel()
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	p.Kill()
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if werr := p.Wait(ctx); errors.Is(werr, context.DeadlineExceeded) {
		return fmt.Errorf("child %s (pid %d) not reaped 5 s after SIGKILL", p.Name(), p.Pid())
	}
	return fmt.Errorf("child %s (pid %d) did not return when told to, and was killed", p.Name(), p.Pid())
}
