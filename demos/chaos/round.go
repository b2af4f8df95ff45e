package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Slots of a round's control array.
const (
	ctlReady    = iota // workers at the start line
	ctlGo              // 1: every worker is at the start line, and they begin
	ctlStop            // 1: the round is over, depositors and producers stop
	ctlOrderBad        // see queueView.OrderBad
	ctlGarbage         // see queueView.Garbage
	ctlLen
)

// Sizes of a round.
const (
	maxSeq       = 1 << 17 // messages per producer at most
	amount       = 7       // of each deposit
	initial      = 1000    // balance
	roundSegment = producers*maxSeq*4 + 256<<10
	startBound   = 30 * time.Second // for all the workers of a round to begin
)

// objects are a round's shared objects, in a segment of its own that is
// unmapped at the end of the round.
type objects struct {
	ctl      *shm.Array[int64]
	acct     account
	reported *shm.Array[int64]
	q        *ipc.Queue[message]
	attempt  *shm.Array[int64]
	acked    *shm.Array[int64]
	recv     *shm.Array[int32]
	bar      *shm.Barrier
	barOut   *shm.Array[int64]
}

func newObjects(seg *shm.Segment, pl plan) (o objects, err error) {
	in := shm.In(seg)
	if o.ctl, err = shm.MakeArray[int64](ctlLen, in); err != nil {
		return o, err
	}
	if o.acct, err = newAccount(seg, initial, depositors); err != nil {
		return o, err
	}
	if o.reported, err = shm.NewArray([]int64{-1, -1, -1}, in); err != nil {
		return o, err
	}
	if o.q, err = ipc.NewQueue[message](pl.queueCap, ipc.QueueIn(seg)); err != nil {
		return o, err
	}
	if o.attempt, err = shm.NewArray([]int64{-1, -1}, in); err != nil {
		return o, err
	}
	if o.acked, err = shm.MakeArray[int64](producers, in); err != nil {
		return o, err
	}
	if o.recv, err = shm.MakeArray[int32](producers*maxSeq, in); err != nil {
		return o, err
	}
	if o.bar, err = shm.NewBarrier(parties+1, in); err != nil {
		return o, err
	}
	o.barOut, err = shm.MakeArray[int64](2*parties, in)
	return o, err
}

// worker is a process of the round.
type worker struct {
	role  role
	index int
	p     *ipc.Process
	err   error // its exit, once reaped
	ended bool  // it exited with its function returning nil
}

func (w *worker) String() string { return fmt.Sprintf("%s %d (pid %d)", w.role, w.index, w.p.Pid()) }

// roleBarrier is the role of barrier parties, which the kill plan does not
// name (the barrier's own run kills one).
const roleBarrier role = -1

// round is one round in progress.
type round struct {
	n     int
	plan  plan
	bound time.Duration

	mu      sync.Mutex
	rep     RoundReport
	killed  map[*ipc.Process]syscall.Signal // by the plan
	cleanup map[*ipc.Process]bool           // killed to reap it after a hang
}

// runRound runs round n: it starts the workers, lets them work for the
// plan's duration while it kills some, stops them, and checks what they
// left. An error means the round could not be set up.
func runRound(ctx context.Context, rs *runState, n int) (RoundReport, error) {
	t0 := time.Now()
	r := &round{n: n, plan: newPlan(rs.cfg.Seed, n), bound: rs.cfg.Bound,
		killed: map[*ipc.Process]syscall.Signal{}, cleanup: map[*ipc.Process]bool{}}
	r.rep.Round = n
	seg, err := shm.NewSegment(roundSegment)
	if err != nil {
		return r.rep, err
	}
	defer seg.Close() // after every worker is reaped (deferred below)
	o, err := newObjects(seg, r.plan)
	if err != nil {
		return r.rep, err
	}
	var ws []*worker
	defer func() { r.reap(ws) }()
	if ws, err = r.startWorkers(o); err != nil {
		return r.rep, err
	}
	if r.awaitReady(ctx, o, ws) {
		r.work(o, ws, rs)
	}
	r.reap(ws)
	return r.finish(t0), nil
}

// work is the round once every worker has begun: the kills, the end, the
// checks.
func (r *round) work(o objects, ws []*worker, rs *runState) {
	start := time.Now()
	// A batch may wait for a killed worker's replacement to start: more
	// than one wait.
	pr := newPoolRun(rs.pool, rs.started, r.plan.seed, 3*r.bound)
	br := &barrierRun{b: o.bar, out: o.barOut, procs: procsOf(ws, roleBarrier), victim: r.plan.barrierVictim,
		sig: r.plan.barrierSig, at: r.plan.barrierAt, delay: r.plan.barrierDelay, bound: r.bound}
	var wg sync.WaitGroup
	wg.Go(func() { pr.run(r) })
	wg.Go(func() { br.run(r, start) })
	r.killAll(start, ws, pr)
	time.Sleep(time.Until(start.Add(r.plan.dur)))
	o.ctl.Store(ctlStop, 1)
	pr.stop.Store(true)
	r.awaitExit(ws, roleDepositor, roleProducer)
	o.q.Close()
	r.awaitExit(ws, roleConsumer)
	r.drain(o)
	wg.Wait()
	r.reap(ws)
	r.checkBank(o, ws)
	r.checkQueue(o, ws)
	if br.killed {
		ps := checkBarrier(br.view())
		r.violations(ps)
		r.rep.BarrierBroken = len(ps) == 0
	}
	r.rep.PoolTasks, r.rep.PoolTasksFailed = pr.tasks, pr.failed
}

// startWorkers starts the round's processes.
func (r *round) startWorkers(o objects) ([]*worker, error) {
	var ws []*worker
	add := func(role role, i int, p *ipc.Process, err error) error {
		if err != nil {
			return err
		}
		ws = append(ws, &worker{role: role, index: i, p: p})
		return nil
	}
	for i := range depositors {
		p, err := depositor.Start(depositJob{W: i, Acct: o.acct.a, Reported: o.reported, Ctl: o.ctl, Amount: amount, Bound: r.bound})
		if err := add(roleDepositor, i, p, err); err != nil {
			return ws, err
		}
	}
	qj := queueJob{Q: o.q, Producers: producers, MaxSeq: maxSeq, Attempt: o.attempt, Acked: o.acked, Recv: o.recv, Ctl: o.ctl, Bound: r.bound}
	for i := range producers {
		qj.ID = i
		p, err := producer.Start(qj)
		if err := add(roleProducer, i, p, err); err != nil {
			return ws, err
		}
	}
	for i := range consumers {
		qj.ID = i
		p, err := consumer.Start(qj)
		if err := add(roleConsumer, i, p, err); err != nil {
			return ws, err
		}
	}
	for i := range parties {
		p, err := barrierParty.Start(barrierJob{I: i, B: o.bar, Out: o.barOut, Ctl: o.ctl, Bound: r.bound})
		if err := add(roleBarrier, i, p, err); err != nil {
			return ws, err
		}
	}
	return ws, nil
}

func procsOf(ws []*worker, role role) []*ipc.Process {
	var ps []*ipc.Process
	for _, w := range ws {
		if w.role == role {
			ps = append(ps, w.p)
		}
	}
	return ps
}

// startLine is where each worker waits until every worker of the round
// has started (starting a dozen processes takes a while on a loaded
// machine, and the workers' bounded waits must not count it). The round
// lets them go (ctlGo) or kills them.
func startLine(ctx context.Context, ctl *shm.Array[int64]) error {
	ctl.Add(ctlReady, 1)
	for ctl.Load(ctlGo) == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		time.Sleep(100 * time.Microsecond)
	}
	return nil
}

// awaitReady waits until every worker is at the start line, and lets them
// go. A worker that exits before is a violation, one that is not there
// within startBound a hang; either ends the round.
func (r *round) awaitReady(ctx context.Context, o objects, ws []*worker) bool {
	ctx, cancel := context.WithTimeout(ctx, startBound)
	defer cancel()
	var early *worker
	ready := pollUntil(ctx, func() bool {
		for _, w := range ws {
			if !w.p.Alive() {
				early = w
				return true
			}
		}
		return o.ctl.Load(ctlReady) == int64(len(ws))
	})
	switch {
	case early != nil:
		r.violation("%v exited before the round began: %v", early, early.p.Wait(context.Background()))
		return false
	case !ready:
		r.hang("%d of %d workers started within %v", o.ctl.Load(ctlReady), len(ws), startBound)
		return false
	}
	o.ctl.Store(ctlGo, 1)
	return true
}

// killAll carries out the plan's kills, each at its time after start.
func (r *round) killAll(start time.Time, ws []*worker, pr *poolRun) {
	rng := rand.New(rand.NewPCG(r.plan.seed, 0xdead))
	for _, k := range r.plan.kills {
		time.Sleep(time.Until(start.Add(k.at)))
		if k.role == rolePoolWorker {
			pr.kill(r, k.sig, rng)
			continue
		}
		for _, w := range ws {
			if w.role == k.role && w.index == k.index {
				r.signal(w.p, k.sig)
			}
		}
	}
}

// signal sends sig to p as a planned kill, and reports whether it did.
func (r *round) signal(p *ipc.Process, sig syscall.Signal) bool {
	r.mu.Lock()
	r.killed[p] = sig
	r.mu.Unlock()
	var err error
	if sig == syscall.SIGKILL {
		err = p.Kill()
	} else {
		err = p.Terminate()
	}
	if err != nil {
		r.mu.Lock()
		delete(r.killed, p)
		r.mu.Unlock()
		return false
	}
	r.countKill(sig)
	return true
}

func (r *round) countKill(sig syscall.Signal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Kills++
	if sig == syscall.SIGKILL {
		r.rep.SIGKILLs++
	} else {
		r.rep.SIGTERMs++
	}
}

// awaitExit waits for the workers of the roles to exit, once the round has
// told them to stop. Each one's own waits are bounded, so one still running
// twice the bound later is a hang; it is killed.
func (r *round) awaitExit(ws []*worker, roles ...role) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*r.bound)
	defer cancel()
	for _, w := range ws {
		if !slices.Contains(roles, w.role) {
			continue
		}
		if errors.Is(w.p.Wait(ctx), context.DeadlineExceeded) {
			r.hang("%v still running %v after the round stopped", w, 2*r.bound)
			r.kill(w)
		}
	}
}

// kill kills w to reap it, not as a planned kill.
func (r *round) kill(w *worker) {
	r.mu.Lock()
	r.cleanup[w.p] = true
	r.mu.Unlock()
	w.p.Kill()
}

// drain gets what the consumers left in the closed queue (nothing, unless
// a consumer failed), counting it as they do.
func (r *round) drain(o objects) {
	j := queueJob{Q: o.q, Producers: producers, MaxSeq: maxSeq, Recv: o.recv, Ctl: o.ctl, Bound: r.bound}
	for {
		m, err := boundedGet(context.Background(), j)
		switch {
		case errors.Is(err, ipc.ErrClosed):
			return
		case err != nil:
			r.problem(err, "queue: draining after the round")
			return
		}
		record(j, m, nil)
	}
}

// reap kills every worker still running (after a hang or a setup error)
// and waits for all of them, then records how each one ended: a failure
// that was not a planned kill is a violation, or a hang if the worker
// reported one.
func (r *round) reap(ws []*worker) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*r.bound)
	defer cancel()
	for _, w := range ws {
		if w.p.Alive() {
			r.kill(w)
		}
		err := w.p.Wait(ctx)
		if errors.Is(err, context.DeadlineExceeded) {
			r.hang("%v not reaped %v after SIGKILL", w, 2*r.bound)
			continue
		}
		if w.err != nil || w.ended {
			continue // recorded by an earlier reap
		}
		w.err, w.ended = err, err == nil
		r.classify(w)
	}
}

// classify reports how w ended, if that was not as planned.
func (r *round) classify(w *worker) {
	r.mu.Lock()
	sig, killed := r.killed[w.p]
	cleanup := r.cleanup[w.p]
	r.mu.Unlock()
	var ee *ipc.ExitError
	errors.As(w.err, &ee)
	switch {
	case w.err == nil || cleanup:
	case ee != nil && strings.Contains(ee.Message, hangPrefix):
		r.hang("%v: %s", w, ee.Message)
	case killed && ee != nil && ee.Signal == sig && ee.Message == "":
	default:
		r.violation("%v failed: %v", w, w.err)
	}
}

// checkBank audits the account.
func (r *round) checkBank(o objects, ws []*worker) {
	balance, commits, ownerDead, err := o.acct.audit(context.Background(), r.bound, depositors)
	if err != nil {
		r.problem(err, "bank: audit")
		return
	}
	v := bankView{Initial: initial, Amount: amount, Balance: balance, Completed: commits,
		Reported: o.reported.Slice(), Killed: make([]bool, depositors), OwnerDeadSeen: ownerDead,
		Recoveries: o.acct.a.Mutex().Recoveries()}
	for _, w := range ws {
		if w.role == roleDepositor {
			v.Killed[w.index] = !w.ended
		}
	}
	deposits, ps := checkBank(v)
	r.violations(ps)
	r.rep.Deposits, r.rep.OwnerDeadRecoveries = deposits, v.Recoveries
}

// checkQueue checks what the queue delivered.
func (r *round) checkQueue(o objects, ws []*worker) {
	recv := o.recv.Slice()
	v := queueView{MaxSeq: maxSeq, Attempt: o.attempt.Slice(), Acked: o.acked.Slice(), ProducerKilled: make([]bool, producers),
		OrderBad: o.ctl.Load(ctlOrderBad), Garbage: o.ctl.Load(ctlGarbage)}
	for p := range producers {
		v.Recv = append(v.Recv, recv[p*maxSeq:(p+1)*maxSeq])
	}
	for _, w := range ws {
		switch {
		case w.ended:
		case w.role == roleProducer:
			v.ProducerKilled[w.index] = true
		case w.role == roleConsumer:
			v.ConsumersKilled++
		}
	}
	c, ps := checkQueue(v)
	r.violations(ps)
	r.rep.Messages, r.rep.LostMessages, r.rep.DuplicateMessages = c.Delivered, c.Lost, c.Duplicates
}

// problem reports err from a wait of the round's own: a hang if it reached
// its deadline, a violation otherwise.
func (r *round) problem(err error, what string) {
	if errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), hangPrefix) {
		r.hang("%s: %v", what, err)
		return
	}
	r.violation("%s: %v", what, err)
}

func (r *round) hang(format string, args ...any) { r.add(Hang, fmt.Sprintf(format, args...)) }

func (r *round) violation(format string, args ...any) { r.add(Violation, fmt.Sprintf(format, args...)) }

// violations reports each of ps.
func (r *round) violations(ps []string) {
	for _, p := range ps {
		r.add(Violation, p)
	}
}

func (r *round) add(kind, what string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Problems = append(r.rep.Problems, Problem{Round: r.n, Kind: kind, What: what})
}

// finish completes the round's report.
func (r *round) finish(t0 time.Time) RoundReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Seconds = time.Since(t0).Seconds()
	return r.rep
}
