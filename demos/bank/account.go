package bank

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/shm"
)

// ErrInsufficientFunds is returned by [BankAccount.Withdraw] when the
// balance is smaller than the amount; the balance is left unchanged.
var ErrInsufficientFunds = errors.New("bank: insufficient funds")

// ErrAmount is returned by Deposit and Withdraw for an amount that is not
// positive.
var ErrAmount = errors.New("bank: amount must be positive")

// BankAccount is the tutorial's bank account with its balance in shared
// memory, so that deposits made by several processes land in one place
// (exercise 4: "Extend BankAccount to simulate deposits using multiple
// processes with a shared Value").
//
// The balance is a shm.Value[int64], so anyone may read it at any time.
// Next to it, a ledger (a shm.Array[int64]) counts the completed deposits
// and holds an undo record; the ledger's lock is the account's lock, and
// every change of the balance happens under it. A process killed in the
// middle of a deposit leaves nothing half-done: the next operation finds
// the deposit recorded but not committed and rolls it back.
//
// A BankAccount is a handle: pass it to a child process (package ipc) and
// the child deposits into the same account.
type BankAccount struct {
	balance *shm.Value[int64]
	ledger  *shm.Array[int64] // see the ledger slots below
}

// Ledger slots. Under the lock they are read and written as a plain slice,
// which costs a fraction of an atomic store each.
const (
	ledgerDeposits     = iota // completed deposits; its store commits a deposit
	ledgerUndoBalance         // the balance before the last recorded deposit
	ledgerUndoDeposits        // the count before it: if it still equals the count, that deposit did not commit
	ledgerLen
)

// NewBankAccount opens an account with the given initial balance, in the
// default arena or in the segment given with shm.In.
func NewBankAccount(initial int64, opts ...shm.Option) (*BankAccount, error) {
	return newAccount(initial, opts, opts)
}

// newAccount is NewBankAccount with options for each of the two objects,
// so that each can have its own name.
func newAccount(initial int64, balanceOpts, ledgerOpts []shm.Option) (*BankAccount, error) {
	if initial < 0 {
		return nil, fmt.Errorf("bank: negative initial balance %d", initial)
	}
	b, err := shm.NewValue(initial, balanceOpts...)
	if err != nil {
		return nil, err
	}
	// The recorded count (-1) never equals the count (0), so no undo applies
	// before the first deposit writes a record.
	l, err := shm.NewArray([]int64{0, initial, -1}, ledgerOpts...)
	if err != nil {
		return nil, err
	}
	return &BankAccount{balance: b, ledger: l}, nil
}

// lookupAccount finds the account that newAccount made in seg with the
// object names balance and ledger.
func lookupAccount(seg *shm.Segment, balance, ledger string) (*BankAccount, error) {
	b, err := shm.LookupValue[int64](seg, balance)
	if err != nil {
		return nil, err
	}
	l, err := shm.LookupArray[int64](seg, ledger)
	if err != nil {
		return nil, err
	}
	if l.Len() != ledgerLen {
		return nil, fmt.Errorf("%w: %s has %d elements, want %d", shm.ErrType, ledger, l.Len(), ledgerLen)
	}
	return &BankAccount{balance: b, ledger: l}, nil
}

// Deposit adds amount to the balance under the account's lock.
//
// Its steps are ordered so that a process killed at any point leaves a
// state the next operation repairs: first the undo record (balance, then
// count before), then the new balance, then the new count, whose store
// commits the deposit.
func (a *BankAccount) Deposit(amount int64) error {
	if amount <= 0 {
		return fmt.Errorf("%w: %d", ErrAmount, amount)
	}
	return a.update(func(l []int64) error {
		b := a.balance.Load()
		l[ledgerUndoBalance] = b
		l[ledgerUndoDeposits] = l[ledgerDeposits]
		a.balance.Store(b + amount) // atomic: readers never see half a number
		l[ledgerDeposits]++
		return nil
	})
}

// Withdraw takes amount from the balance, or returns ErrInsufficientFunds
// and changes nothing: the balance never goes negative. A withdrawal is one
// store, so it needs no undo record.
func (a *BankAccount) Withdraw(amount int64) error {
	if amount <= 0 {
		return fmt.Errorf("%w: %d", ErrAmount, amount)
	}
	return a.update(func([]int64) error {
		b := a.balance.Load()
		if b < amount {
			return fmt.Errorf("%w: balance %d, withdrawal %d", ErrInsufficientFunds, b, amount)
		}
		a.balance.Store(b - amount)
		return nil
	})
}

// Balance returns the balance. Read without the lock, it may include a
// deposit that a killed process left unfinished; [BankAccount.Audit] does
// not.
func (a *BankAccount) Balance() int64 { return a.balance.Load() }

// Deposits returns how many deposits have completed. Read without the lock.
func (a *BankAccount) Deposits() int64 { return a.ledger.Load(ledgerDeposits) }

// Audit returns the balance and the number of completed deposits, read
// together under the lock (after rolling back a killed depositor's
// unfinished deposit).
func (a *BankAccount) Audit() (balance, deposits int64, err error) {
	err = a.update(func(l []int64) error {
		balance, deposits = a.balance.Load(), l[ledgerDeposits]
		return nil
	})
	return balance, deposits, err
}

// Recoveries returns how many times the lock was taken over from a process
// that died holding it.
func (a *BankAccount) Recoveries() int { return a.Mutex().Recoveries() }

// Mutex returns the account's lock (its ledger's).
func (a *BankAccount) Mutex() *shm.Mutex { return a.ledger.Mutex() }

// update runs fn under the account's lock, first rolling back a deposit
// that was recorded but not committed: the work of a process that died
// holding the lock. (The lock reports that death as shm.ErrOwnerDead; the
// ledger tells what to undo, so the check runs every time and costs one
// comparison.)
func (a *BankAccount) update(fn func(l []int64) error) error {
	var ferr error
	err := a.ledger.Update(func(l []int64) {
		if l[ledgerDeposits] == l[ledgerUndoDeposits] {
			a.balance.Store(l[ledgerUndoBalance])
			l[ledgerUndoDeposits] = -1
		}
		ferr = fn(l)
	})
	if err != nil && !errors.Is(err, shm.ErrOwnerDead) {
		return err
	}
	return ferr
}

// handles is how a BankAccount travels to another process.
type handles struct {
	Balance *shm.Value[int64]
	Ledger  *shm.Array[int64]
}

// MarshalBinary encodes the account as handles to its shared memory.
func (a *BankAccount) MarshalBinary() ([]byte, error) {
	var buf bytes.Buffer
	err := gob.NewEncoder(&buf).Encode(handles{a.balance, a.ledger})
	return buf.Bytes(), err
}

// UnmarshalBinary makes a the account that MarshalBinary encoded.
func (a *BankAccount) UnmarshalBinary(b []byte) error {
	var h handles
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&h); err != nil {
		return fmt.Errorf("bank: decode account: %w", err)
	}
	if h.Balance == nil || h.Ledger == nil || h.Ledger.Len() != ledgerLen {
		return errors.New("bank: decode account: incomplete account")
	}
	*a = BankAccount{balance: h.Balance, ledger: h.Ledger}
	return nil
}
