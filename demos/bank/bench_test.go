package bank

import (
	"context"
	"testing"
)

// BenchmarkBankAccount_Deposit is one process depositing under the lock:
// the floor of the simulation's locked mode.
func BenchmarkBankAccount_Deposit(b *testing.B) {
	a, err := NewBankAccount(0)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Deposit(10); err != nil {
			b.Fatal(err)
		}
	}
}

// benchRun runs the simulation with 4 processes and b.N deposits in all,
// in mode, and reports deposits/s as Run measures them (from the start
// signal until every depositor is reaped). Allocations are the parent's:
// starting the processes, not the deposits.
func benchRun(b *testing.B, mode Mode) {
	const procs = 4
	cfg := Config{Procs: procs, Deposits: max(b.N/procs, 1), Amount: 10, Mode: mode}
	b.ReportAllocs()
	res, err := Run(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	if res.Lost != 0 || res.Balance != res.Expected {
		b.Fatalf("balance %d, want %d", res.Balance, res.Expected)
	}
	b.ReportMetric(res.DepositsPerSec, "deposits/s")
}

// BenchmarkRun_Locked4Proc is `shmdemo bench`'s bank row: 4 processes
// depositing into one account under its lock.
func BenchmarkRun_Locked4Proc(b *testing.B) { benchRun(b, Locked) }

// BenchmarkRun_Atomic4Proc is the same with one atomic add per deposit
// and no lock: what the lock costs.
func BenchmarkRun_Atomic4Proc(b *testing.B) { benchRun(b, Atomic) }
