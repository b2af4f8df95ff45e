// Package bank is exercise 4 of the tutorial: a BankAccount whose balance
// lives in shared memory, and a simulation in which several processes make
// deposits into it at once.
//
// Three modes show the lesson. Locked deposits under the account's lock
// and Atomic with one atomic add: both end with the exact balance. Unsafe
// reads the balance and writes it back plus the amount with no lock, as
// Python's `account.balance.value += amount` does without get_lock():
// processes overwrite each other's deposits, and the run reports how many
// were lost.
//
// With Crash, the simulation kills depositing processes with SIGKILL at
// random moments: each one chosen stops at a random deposit, half of them
// (by chance) inside the lock halfway through that deposit, the worst
// moment, and the parent kills it there. (Stopping first makes every
// planned kill happen, however the processes are scheduled.) The lock is a robust
// mutex: the next depositor gets shm.ErrOwnerDead, rolls back the
// half-made deposit from the account's undo record, and goes on, so the
// balance still equals the initial balance plus the amount times the
// deposits that completed.
//
// With Config.Name, the account lives in a named segment whose objects
// have names, so that an unrelated process can follow the run: [Attach]
// opens it by name and [Watcher.Snapshot] reads the balance, the completed
// deposits, the pid holding the lock, the depositors' pids and the
// status, without taking the lock (`shmdemo watch NAME`). Run removes the
// segment when it returns.
//
// `shmdemo bank` runs the simulation from the command line; `make demo`
// runs it on its defaults (4 processes, 100000 deposits each, amount 10,
// locked).
package bank
