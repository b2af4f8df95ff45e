package perf

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/shmkit/shmkit/demos/bank"
)

const (
	bankProcs  = 4
	bankAmount = 10
)

// Deposits per process a repetition: full run, quick run.
var bankDeposits = [2]int{1_000_000, 200_000}

// measureBank: the bank simulation of demos/bank, 4 processes depositing
// under the account's lock. Figure: deposits per second as bank.Run
// reports them (from the start signal until the depositors are reaped).
// Check: every deposit is in the balance and counted.
func measureBank(ctx context.Context, p plan) ([]float64, error) {
	cfg := bank.Config{Procs: bankProcs, Deposits: p.count(bankDeposits[0], bankDeposits[1]), Amount: bankAmount, Mode: bank.Locked}
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		ctx, cancel := context.WithTimeout(ctx, p.timeout())
		defer cancel()
		res, err := bank.Run(ctx, cfg)
		switch {
		case err != nil:
			return nil, err
		case res.Lost != 0 || res.Balance != res.Expected:
			return nil, fmt.Errorf("balance %d, want %d: %d deposits lost", res.Balance, res.Expected, res.Lost)
		case res.Completed != int64(cfg.Procs)*int64(cfg.Deposits):
			return nil, fmt.Errorf("%d deposits completed, want %d", res.Completed, cfg.Procs*cfg.Deposits)
		}
		return []float64{res.DepositsPerSec}, nil
	})
}

// goAccount is the baseline's account: the same steps as
// bank.BankAccount.Deposit (an undo record, the balance, the count),
// under a sync.Mutex.
type goAccount struct {
	mu                     sync.Mutex
	balance, deposits      int64
	undoBalance, undoCount int64
}

func (a *goAccount) deposit(amount int64) {
	a.mu.Lock()
	a.undoBalance, a.undoCount = a.balance, a.deposits
	a.balance += amount
	a.deposits++
	a.mu.Unlock()
}

// measureGoBank is measureBank's baseline: 4 goroutines, the same deposits.
func measureGoBank(ctx context.Context, p plan) ([]float64, error) {
	n := p.count(bankDeposits[0], bankDeposits[1])
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		var (
			a  goAccount
			wg sync.WaitGroup
		)
		start := make(chan struct{})
		for range bankProcs {
			wg.Go(func() {
				<-start
				for range n {
					a.deposit(bankAmount)
				}
			})
		}
		t0 := time.Now()
		close(start)
		wg.Wait()
		elapsed := time.Since(t0)
		total := int64(bankProcs) * int64(n)
		if a.balance != total*bankAmount || a.deposits != total {
			return nil, fmt.Errorf("balance %d after %d deposits, want %d after %d", a.balance, a.deposits, total*bankAmount, total)
		}
		return []float64{rate(total, elapsed)}, nil
	})
}
