package bank

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Mode is how depositing processes update the shared balance.
type Mode string

// The modes of the simulation.
const (
	// Locked deposits under the account's lock (Deposit): exact, and
	// safe against depositors being killed.
	Locked Mode = "locked"
	// Atomic deposits with one atomic add: exact, no lock.
	Atomic Mode = "atomic"
	// Unsafe reads the balance and writes it back plus the amount, with no
	// lock: the race the lesson teaches. Deposits get lost.
	Unsafe Mode = "unsafe"
)

// Safe reports whether m must lose no deposit.
func (m Mode) Safe() bool { return m == Locked || m == Atomic }

// Config describes one run of the simulation.
type Config struct {
	Procs    int   // depositing processes
	Deposits int   // deposits per process
	Amount   int64 // each deposit
	Initial  int64 // opening balance
	Mode     Mode
	// Crash kills that many depositing processes with SIGKILL, each at a
	// random deposit, half of them (by chance) inside the lock halfway
	// through that deposit. Locked mode only.
	Crash int
	// Seed makes the moments of the kills repeatable; 0 picks a random one.
	Seed uint64
	// Progress, if not nil, is called about ten times a second with the
	// completed and the total deposits, read from the shared counter, and
	// once more at the end.
	Progress func(done, total int64)
	// Name, if not "", puts the account in a new named segment of that
	// name (shm.Create) instead of an anonymous one, so that other
	// processes can follow the run with [Attach]. Run fails with
	// shm.ErrExists if the name is taken, and removes the segment when it
	// returns, also when it fails or ctx ends.
	Name string
}

// DefaultConfig is the simulation that `make demo` runs.
func DefaultConfig() Config {
	return Config{Procs: 4, Deposits: 100000, Amount: 10, Mode: Locked}
}

// Result is what a run found. Its JSON form is the output of
// `shmdemo bank -json`.
type Result struct {
	Mode                Mode    `json:"mode"`
	Procs               int     `json:"procs"`
	DepositsPerProc     int     `json:"deposits_per_proc"`
	Amount              int64   `json:"amount"`
	Initial             int64   `json:"initial"`
	Completed           int64   `json:"completed"`
	Expected            int64   `json:"expected"`
	Balance             int64   `json:"balance"`
	Lost                int64   `json:"lost"`
	Killed              int     `json:"killed"`
	KilledHoldingLock   int     `json:"killed_holding_lock"`
	OwnerDeadRecoveries int     `json:"owner_dead_recoveries"`
	Seconds             float64 `json:"seconds"`
	DepositsPerSec      float64 `json:"deposits_per_sec"`
}

// Validate checks a Config, naming the first field that is wrong.
func (c Config) Validate() error {
	switch {
	case c.Procs < 1 || c.Procs > 1024:
		return fmt.Errorf("bank: procs %d: want 1 to 1024", c.Procs)
	case c.Deposits < 0 || c.Deposits > 1e9:
		return fmt.Errorf("bank: deposits %d: want 0 to 1000000000 per process", c.Deposits)
	case c.Amount < 1 || c.Amount > 1e9:
		return fmt.Errorf("bank: amount %d: want 1 to 1000000000", c.Amount)
	case c.Initial < 0 || c.Initial > 1e15:
		return fmt.Errorf("bank: initial balance %d: want 0 to 10^15", c.Initial)
	case c.Mode != Locked && c.Mode != Atomic && c.Mode != Unsafe:
		return fmt.Errorf("bank: mode %q: want locked, atomic or unsafe", c.Mode)
	case c.Crash < 0 || c.Crash > c.Procs:
		return fmt.Errorf("bank: crash %d: want 0 to procs (%d)", c.Crash, c.Procs)
	case c.Crash > 0 && c.Deposits < 1:
		return fmt.Errorf("bank: crash %d needs deposits to stop in: want deposits >= 1", c.Crash)
	case c.Crash > 0 && c.Mode != Locked:
		return fmt.Errorf("bank: crash needs mode locked: in mode %s a process killed between its two updates cannot be told from one that finished", c.Mode)
	case float64(c.Procs)*float64(c.Deposits)*float64(c.Amount)+float64(c.Initial) > math.MaxInt64/2:
		return fmt.Errorf("bank: procs × deposits × amount too large for an int64 balance")
	}
	return nil
}

// job is what each depositing process receives.
type job struct {
	Account  *BankAccount
	Ready    *shm.Value[int64] // processes at the start line
	Go       *shm.Value[int64] // set to 1 to start them all at once
	Deposits int
	Amount   int64
	Mode     Mode
	// A depositor chosen to be killed stops before its deposit number
	// StopAt (-1: never), inside the lock halfway through that deposit if
	// StopInLock, sets Stopped[Index] and waits to be killed.
	StopAt     int
	StopInLock bool
	Index      int
	Stopped    *shm.Array[int64]
}

var depositor = ipc.Register("bank.depositor", deposit)

// deposit is a depositing process: it waits at the start line, so that all
// processes overlap, then makes its deposits.
func deposit(ctx context.Context, j job) error {
	j.Ready.Add(1)
	for j.Go.Load() == 0 {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		runtime.Gosched()
	}
	a := j.Account
	for i := range j.Deposits {
		if i == j.StopAt {
			return stop(ctx, j)
		}
		switch j.Mode {
		case Locked:
			if err := a.Deposit(j.Amount); err != nil {
				return err
			}
		case Atomic:
			a.balance.Add(j.Amount)
			a.ledger.Add(ledgerDeposits, 1)
		case Unsafe:
			b := a.balance.Load()         // another process may deposit here...
			a.balance.Store(b + j.Amount) // ...and this store erases it
			a.ledger.Add(ledgerDeposits, 1)
		}
	}
	return nil
}

// stop makes a depositor chosen to be killed stop and wait for it: inside
// the lock, halfway through a deposit (its undo record and new balance
// written, the count that commits it not), or between two deposits.
func stop(ctx context.Context, j job) error {
	if !j.StopInLock {
		j.Stopped.Store(j.Index, 1)
		<-ctx.Done()
		return ctx.Err()
	}
	a := j.Account
	return a.update(func(l []int64) error {
		b := a.balance.Load()
		l[ledgerUndoBalance] = b
		l[ledgerUndoDeposits] = l[ledgerDeposits]
		a.balance.Store(b + j.Amount)
		j.Stopped.Store(j.Index, 1)
		<-ctx.Done() // the parent kills this process long before
		return ctx.Err()
	})
}

// Run runs the simulation: cfg.Procs processes make cfg.Deposits deposits
// each into one shared account. It returns what the account holds against
// what it should hold.
func Run(ctx context.Context, cfg Config) (res Result, err error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	sh, err := newShared(cfg)
	if err != nil {
		return Result{}, err
	}
	defer func() { // runs last: after every depositor was reaped
		if err != nil {
			sh.setStatus(Failed)
		} else {
			sh.setStatus(Done)
		}
		err = errors.Join(err, sh.close())
	}()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	acct := sh.acct
	plan := crashPlan(cfg)
	j := job{Account: acct, Ready: sh.ready, Go: sh.start, Deposits: cfg.Deposits, Amount: cfg.Amount, Mode: cfg.Mode,
		StopAt: -1, Stopped: sh.halted}
	procs := make([]*ipc.Process, 0, cfg.Procs)
	defer func() { // on any early return: no child outlives Run
		for _, p := range procs {
			p.Kill()
			p.Wait(context.Background())
		}
	}()
	for i := range cfg.Procs {
		j.Index, j.StopAt, j.StopInLock = i, -1, false
		if v, ok := plan[i]; ok {
			j.StopAt, j.StopInLock = v.at, v.inLock
		}
		p, err := depositor.Start(j)
		if err != nil {
			return Result{}, err
		}
		procs = append(procs, p)
		sh.procs.Store(i, int64(p.Pid()))
	}
	if err := awaitReady(ctx, sh.ready, int64(cfg.Procs), procs); err != nil {
		return Result{}, err
	}

	t0 := time.Now()
	sh.clock.Store(clockStarted, t0.UnixNano())
	sh.setStatus(Running)
	sh.start.Store(1)
	total := int64(cfg.Procs) * int64(cfg.Deposits)
	var watchers sync.WaitGroup
	killed, holding := make(chan int, 1), make(chan int, 1)
	watchers.Add(1)
	go func() {
		defer watchers.Done()
		k, h := oversee(ctx, cfg, sh, procs, total, plan)
		killed <- k
		holding <- h
	}()
	waitErr := waitAll(ctx, procs)
	elapsed := time.Since(t0)
	sh.clock.Store(clockEnded, t0.Add(elapsed).UnixNano())
	cancel()
	watchers.Wait()
	procs = nil // all reaped
	res = Result{Mode: cfg.Mode, Procs: cfg.Procs, DepositsPerProc: cfg.Deposits, Amount: cfg.Amount,
		Initial: cfg.Initial, Killed: <-killed, KilledHoldingLock: <-holding, Seconds: elapsed.Seconds()}
	if waitErr != nil {
		return res, waitErr
	}
	res.Balance, res.Completed, err = acct.Audit()
	if err != nil {
		return res, err
	}
	res.OwnerDeadRecoveries = acct.Recoveries()
	res.Expected = cfg.Initial + cfg.Amount*res.Completed
	res.Lost = (res.Expected - res.Balance) / cfg.Amount
	if res.Seconds > 0 {
		res.DepositsPerSec = float64(res.Completed) / res.Seconds
	}
	if cfg.Progress != nil {
		cfg.Progress(res.Completed, total)
	}
	return res, nil
}

// awaitReady waits until n processes stand at the start line.
func awaitReady(ctx context.Context, ready *shm.Value[int64], n int64, procs []*ipc.Process) error {
	for ready.Load() < n {
		for _, p := range procs {
			select {
			case <-p.Done():
				return fmt.Errorf("bank: depositor exited before the start: %w", p.Wait(ctx))
			default:
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Microsecond):
		}
	}
	return nil
}

// waitAll reaps every depositor. A depositor killed on purpose is expected;
// any other failure is returned.
func waitAll(ctx context.Context, procs []*ipc.Process) error {
	var errs []error
	for _, p := range procs {
		err := p.Wait(ctx)
		var ee *ipc.ExitError
		if errors.As(err, &ee) && ee.Signal == syscall.SIGKILL && ee.Message == "" {
			continue // killed by the crash schedule (checked by the caller's counts)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// victim is how a depositor chosen to be killed stops: before its deposit
// number at, inside the lock or not.
type victim struct {
	at     int
	inLock bool
}

// crashPlan chooses cfg.Crash depositors to kill, each at a random
// deposit, half of them (by chance) halfway through a deposit inside the
// lock. Each stops there by itself and waits to be killed, so that every
// planned kill happens, however the processes are scheduled.
func crashPlan(cfg Config) map[int]victim {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	plan := map[int]victim{}
	for _, i := range rng.Perm(cfg.Procs)[:cfg.Crash] {
		plan[i] = victim{at: rng.IntN(cfg.Deposits), inLock: rng.IntN(2) == 0}
	}
	return plan
}

// oversee reports progress, clears the pid of each depositor that ended
// from the shared list and, with cfg.Crash, kills each chosen depositor
// once it has stopped. It returns, when ctx ends, how many it killed and
// how many of those held the lock.
func oversee(ctx context.Context, cfg Config, sh *shared, procs []*ipc.Process, total int64, plan map[int]victim) (killed, holding int) {
	acct := sh.acct
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	poll := time.NewTicker(200 * time.Microsecond)
	defer poll.Stop()
	for {
		for i, v := range plan {
			if sh.halted.Load(i) == 0 {
				continue
			}
			if v.inLock && acct.Mutex().Owner() == procs[i].Pid() {
				holding++
			}
			if procs[i].Kill() == nil {
				killed++
			}
			delete(plan, i)
		}
		pollC := poll.C
		if len(plan) == 0 {
			pollC = nil // nothing to kill: wake on the tick only
		}
		select {
		case <-ctx.Done():
			return killed, holding
		case <-tick.C:
			forgetEnded(sh, procs)
			if cfg.Progress != nil {
				cfg.Progress(acct.Deposits(), total)
			}
		case <-pollC:
		}
	}
}

// forgetEnded clears the shared pid of every depositor that has ended.
func forgetEnded(sh *shared, procs []*ipc.Process) {
	for i, p := range procs {
		select {
		case <-p.Done():
			sh.procs.Store(i, 0)
		default:
		}
	}
}
