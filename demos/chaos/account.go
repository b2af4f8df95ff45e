package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// account is the chaos bank account: package bank's ledger and undo record
// (see demos/bank), extended with a commit counter per depositor, so that
// the balance can be checked against the deposits of each depositor, to
// the unit, even when one dies inside the lock. (bank.BankAccount keeps one
// count for all depositors, and a depositor that counts its own deposits
// outside the lock cannot tell whether its last one committed.)
//
// Everything lives in one shm.Array[int64] whose lock is the account's
// lock. Under the lock the slots are written with atomic stores, which the
// compiler keeps in program order, so a process killed between any two of
// them leaves a prefix of the deposit for the next holder to repair.
type account struct {
	a *shm.Array[int64]
}

// Slots of the account's array.
const (
	slotBalance     = iota
	slotUndoBalance // the balance before the deposit in progress
	slotUndoCount   // its depositor's commit counter before it
	slotUndoWorker  // its depositor (-1: no deposit in progress); stored last of the record
	slotOwnerDead   // ErrOwnerDead recoveries, counted under the lock
	slotCommits     // then one commit counter per depositor
)

// newAccount makes an account for depositors depositors in seg.
func newAccount(seg *shm.Segment, initial int64, depositors int) (account, error) {
	vals := make([]int64, slotCommits+depositors)
	vals[slotBalance], vals[slotUndoWorker] = initial, -1
	a, err := shm.NewArray(vals, shm.In(seg))
	return account{a}, err
}

// lock takes the account's lock, waiting at most bound (and not after ctx
// ends). A lock taken over from a dead depositor is repaired (its
// unfinished deposit rolled back) and marked consistent before lock
// returns.
func (ac account) lock(ctx context.Context, bound time.Duration) error {
	mu := ac.a.Mutex()
	if mu.TryLock() { // the fast path, without a timer
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	err := mu.LockContext(ctx)
	switch {
	case errors.Is(err, shm.ErrOwnerDead):
		ac.repair()
		ac.a.Store(slotOwnerDead, ac.a.Load(slotOwnerDead)+1)
		mu.MarkConsistent()
		return nil
	case errors.Is(err, context.DeadlineExceeded):
		return hangError(bound, "the account's Mutex.LockContext (held by pid %d)", mu.Owner())
	}
	return err
}

// repair rolls back a deposit that was recorded and not committed: its
// depositor's counter still equals the recorded one. The caller holds the
// lock.
func (ac account) repair() {
	a := ac.a
	if w := a.Load(slotUndoWorker); w >= 0 && a.Load(slotCommits+int(w)) == a.Load(slotUndoCount) {
		a.Store(slotBalance, a.Load(slotUndoBalance))
	}
	a.Store(slotUndoWorker, -1)
}

// deposit adds amount to the balance in the name of depositor w. Its
// stores are ordered so that a death after any of them is repaired: the
// undo record (balance and count, then the depositor, which makes the
// record valid), the new balance, the new count (which commits the
// deposit), and the record cleared.
func (ac account) deposit(ctx context.Context, bound time.Duration, w int, amount int64) error {
	if err := ac.lock(ctx, bound); err != nil {
		return err
	}
	a := ac.a
	b, n := a.Load(slotBalance), a.Load(slotCommits+w)
	a.Store(slotUndoBalance, b)
	a.Store(slotUndoCount, n)
	a.Store(slotUndoWorker, int64(w))
	a.Store(slotBalance, b+amount)
	a.Store(slotCommits+w, n+1)
	a.Store(slotUndoWorker, -1)
	a.Mutex().Unlock()
	return nil
}

// audit reads the account under its lock, after the round.
func (ac account) audit(ctx context.Context, bound time.Duration, depositors int) (balance int64, commits []int64, ownerDead int64, err error) {
	if err := ac.lock(ctx, bound); err != nil {
		return 0, nil, 0, err
	}
	defer ac.a.Mutex().Unlock()
	commits = make([]int64, depositors)
	for w := range commits {
		commits[w] = ac.a.Load(slotCommits + w)
	}
	return ac.a.Load(slotBalance), commits, ac.a.Load(slotOwnerDead), nil
}

// depositJob is what a depositing process receives.
type depositJob struct {
	W        int
	Acct     *shm.Array[int64]
	Reported *shm.Array[int64] // its deposit count goes to Reported[W] as it ends
	Ctl      *shm.Array[int64] // see the ctl slots
	Amount   int64
	Bound    time.Duration // of every wait for the lock
}

var depositor = ipc.Register("chaos.depositor", runDepositor)

// runDepositor deposits until the round stops, counting its deposits.
func runDepositor(ctx context.Context, j depositJob) error {
	if err := startLine(ctx, j.Ctl); err != nil {
		return err
	}
	ac := account{j.Acct}
	var n int64
	for j.Ctl.Load(ctlStop) == 0 {
		if err := ac.deposit(ctx, j.Bound, j.W, j.Amount); err != nil {
			return fmt.Errorf("depositor %d after %d deposits: %w", j.W, n, err)
		}
		n++
	}
	j.Reported.Store(j.W, n)
	return nil
}
