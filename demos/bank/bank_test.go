package bank

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"
	"github.com/shmkit/shmkit/ipc"
)

func TestMain(m *testing.M) { proctest.Main(m) }

func TestBankAccount_DepositWithdraw(t *testing.T) {
	a, err := NewBankAccount(100)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Deposit(50); err != nil {
		t.Fatalf("Deposit: %v", err)
	}
	if err := a.Withdraw(120); err != nil {
		t.Fatalf("Withdraw: %v", err)
	}
	if got := a.Balance(); got != 30 {
		t.Fatalf("balance: got %d, want 30", got)
	}
	if err := a.Withdraw(31); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("Withdraw beyond the balance: got %v, want ErrInsufficientFunds", err)
	}
	if got := a.Balance(); got != 30 {
		t.Fatalf("balance after a refused withdrawal: got %d, want 30", got)
	}
	for _, amt := range []int64{0, -5} {
		if err := a.Deposit(amt); !errors.Is(err, ErrAmount) {
			t.Fatalf("Deposit(%d): got %v, want ErrAmount", amt, err)
		}
		if err := a.Withdraw(amt); !errors.Is(err, ErrAmount) {
			t.Fatalf("Withdraw(%d): got %v, want ErrAmount", amt, err)
		}
	}
	b, d, err := a.Audit()
	if b != 30 || d != 1 || err != nil {
		t.Fatalf("Audit: got (%d, %d, %v), want (30, 1, nil)", b, d, err)
	}
	if _, err := NewBankAccount(-1); err == nil {
		t.Fatal("NewBankAccount(-1): got nil error")
	}
}

func run(t *testing.T, cfg Config) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatalf("Run(%+v): %v", cfg, err)
	}
	return res
}

func deposits() int {
	if testing.Short() {
		return 5000
	}
	return 50000
}

func TestRun_SafeModes_Exact(t *testing.T) {
	for _, mode := range []Mode{Locked, Atomic} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := Config{Procs: 4, Deposits: deposits(), Amount: 10, Initial: 7, Mode: mode}
			res := run(t, cfg)
			total := int64(cfg.Procs * cfg.Deposits)
			if res.Completed != total || res.Lost != 0 || res.Balance != 7+10*total || res.Expected != res.Balance {
				t.Fatalf("got %+v, want %d completed, balance %d, none lost", res, total, 7+10*total)
			}
		})
	}
}

// Without the lock, processes overwrite each other's deposits. The race
// needs two processes running at once, so it needs two cores; the outcome
// of one run is chance, so three runs get the chance to show it.
func TestRun_Unsafe_LosesDeposits(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("the race needs two cores")
	}
	var res Result
	for range 3 {
		res = run(t, Config{Procs: 4, Deposits: 100000, Amount: 10, Mode: Unsafe})
		if res.Completed != 400000 || res.Lost < 0 || res.Balance+10*res.Lost != res.Expected {
			t.Fatalf("inconsistent result %+v", res)
		}
		if res.Lost > 0 {
			return
		}
	}
	t.Fatalf("three unsafe runs on %d cores lost no deposit: %+v", runtime.NumCPU(), res)
}

// Killed depositors: the run finishes, and the balance matches the deposits
// that completed, to the unit.
func TestRun_Crash_BalanceMatchesCompleted(t *testing.T) {
	cfg := Config{Procs: 4, Deposits: deposits(), Amount: 10, Initial: 1000, Mode: Locked, Crash: 2, Seed: 42}
	res := run(t, cfg)
	if res.Killed != 2 {
		t.Fatalf("killed %d, want 2 (result %+v)", res.Killed, res)
	}
	// A depositor killed inside the lock is recovered from exactly once:
	// by the next depositor, or by the final audit.
	if res.OwnerDeadRecoveries != res.KilledHoldingLock {
		t.Fatalf("%d recoveries for %d depositors killed holding the lock (result %+v)", res.OwnerDeadRecoveries, res.KilledHoldingLock, res)
	}
	if res.Lost != 0 || res.Balance != res.Expected || res.Expected != 1000+10*res.Completed {
		t.Fatalf("balance %d, want %d for %d completed deposits (result %+v)", res.Balance, 1000+10*res.Completed, res.Completed, res)
	}
	if max := int64(cfg.Procs * cfg.Deposits); res.Completed >= max {
		t.Fatalf("completed %d of %d although two depositors were killed", res.Completed, max)
	}
}

func TestConfig_Validate(t *testing.T) {
	ok := DefaultConfig()
	cases := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"procs", func(c *Config) { c.Procs = 0 }, "procs 0"},
		{"deposits", func(c *Config) { c.Deposits = -1 }, "deposits -1"},
		{"amount", func(c *Config) { c.Amount = 0 }, "amount 0"},
		{"mode", func(c *Config) { c.Mode = "fast" }, `mode "fast"`},
		{"crash>procs", func(c *Config) { c.Crash = 5 }, "crash 5"},
		{"crash unlocked", func(c *Config) { c.Crash = 1; c.Mode = Atomic }, "crash needs mode locked"},
		{"overflow", func(c *Config) { c.Procs = 1024; c.Deposits = 1e9; c.Amount = 1e9 }, "too large"},
	}
	if err := ok.Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			err := c.Validate()
			if err == nil || !contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s[:len(sub)] == sub || contains(s[1:], sub)))
}

// halfDeposit takes the account's lock and makes half a deposit (the undo
// record and the new balance, not the count that commits it), then waits
// to be killed: the worst moment to die.
var halfDeposit = ipc.Register("bank.test.halfdeposit", func(ctx context.Context, a *BankAccount) error {
	return a.update(func(l []int64) error {
		b := a.balance.Load()
		l[ledgerUndoBalance] = b
		l[ledgerUndoDeposits] = l[ledgerDeposits]
		a.balance.Store(b + 1000)
		fmt.Println("halfway")
		<-ctx.Done()
		time.Sleep(time.Minute)
		return nil
	})
})

func TestBankAccount_DepositorKilledHalfway_RolledBack(t *testing.T) {
	a, err := NewBankAccount(500)
	if err != nil {
		t.Fatal(err)
	}
	a.Deposit(5)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := halfDeposit.Command(a)
	p.Stdout = w
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { p.Kill(); p.Wait(context.Background()) })
	line := make([]byte, 8)
	got := make(chan string, 1)
	go func() { n, _ := r.Read(line); got <- string(line[:n]) }()
	select {
	case s := <-got:
		if s != "halfway\n" {
			t.Fatalf("child said %q", s)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("child did not reach halfway within 10s")
	}
	if got := a.Balance(); got != 1505 {
		t.Fatalf("balance seen mid-deposit: got %d, want 1505", got)
	}
	p.Kill()
	var b, d int64
	done := make(chan error, 1)
	go func() { var err error; b, d, err = a.Audit(); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Audit hung on the dead depositor's lock")
	}
	if b != 505 || d != 1 || a.Recoveries() != 1 {
		t.Fatalf("after recovery: balance %d deposits %d recoveries %d, want 505 1 1", b, d, a.Recoveries())
	}
}
