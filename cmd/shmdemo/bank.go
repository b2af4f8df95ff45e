package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/shmkit/shmkit/demos/bank"
	"github.com/shmkit/shmkit/shm"
)

const bankExamples = `	shmdemo bank                          # 4 processes, 100000 deposits each, locked
	shmdemo bank -mode unsafe             # no lock: watch deposits get lost
	shmdemo bank -mode atomic             # one atomic add per deposit, no lock
	shmdemo bank -crash 2                 # kill 2 depositors mid-run; nothing is lost
	shmdemo bank -procs 4 -deposits 1000000 -json
	shmdemo bank -name demo -deposits 5000000   # then, in another terminal: shmdemo watch demo
`

// runBank runs the bank deposit simulation (tutorial exercise 4). Exit
// status: 0, or 1 when a safe mode lost a deposit or the run failed, 2 for
// bad flags.
func runBank(args []string, stdout, stderr io.Writer) int {
	def := bank.DefaultConfig()
	fs := newFlagSet("bank", "bank [-procs N] [-deposits M] [-amount A] [-initial B] [-mode locked|atomic|unsafe] [-crash K] [-seed S] [-name NAME] [-json]", bankExamples, stderr)
	procs := fs.Int("procs", def.Procs, "depositing `processes`")
	deposits := fs.Int("deposits", def.Deposits, "deposits per process")
	amount := fs.Int64("amount", def.Amount, "amount of each deposit")
	initial := fs.Int64("initial", def.Initial, "opening balance")
	mode := fs.String("mode", string(def.Mode), "locked (under the lock), atomic (atomic add) or unsafe (no lock: loses deposits)")
	crash := fs.Int("crash", 0, "kill this many depositing processes with SIGKILL at random moments (mode locked)")
	seed := fs.Uint64("seed", 0, "seed for the moments of -crash kills (0: random)")
	name := fs.String("name", "", "put the account in the named segment `NAME`, for \"shmdemo watch NAME\"; removed at the end")
	asJSON := fs.Bool("json", false, "print one JSON object, for scripts (and no progress bar)")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	cfg := bank.Config{Procs: *procs, Deposits: *deposits, Amount: *amount, Initial: *initial,
		Mode: bank.Mode(*mode), Crash: *crash, Seed: *seed, Name: *name}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	// Ctrl-C ends the run; the depositors die with it (they watch this
	// process), and nothing is left behind.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var bar *progressBar
	if !*asJSON && isTerminal(stderr) {
		// Fed from the shared deposit counter, about ten times a second.
		bar = newProgressBar(stderr, "deposits", int64(cfg.Procs)*int64(cfg.Deposits))
		cfg.Progress = func(done, _ int64) { bar.Set(done) }
	}
	res, err := bank.Run(ctx, cfg)
	if bar != nil {
		bar.Finish() // the bar leaves no trace
	}
	switch {
	case errors.Is(err, shm.ErrName):
		return usageError(fs, stderr, "-name: %v", err)
	case errors.Is(err, shm.ErrExists):
		fmt.Fprintf(stderr, "shmdemo bank: %v\n(is another run using it? If its creator is gone, \"shmdemo segments -rm %s\" removes it.)\n", err, *name)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "shmdemo bank: %v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "shmdemo bank: %v\n", err)
			return 1
		}
	} else {
		printBank(stdout, res)
	}
	if res.Mode.Safe() && res.Lost != 0 {
		fmt.Fprintf(stderr, "shmdemo bank: mode %s lost %d deposits: this is a bug in shmkit\n", res.Mode, res.Lost)
		return 1
	}
	return 0
}

func printBank(w io.Writer, r bank.Result) {
	fmt.Fprintf(w, "%d processes × %d deposits of %d, mode %s\n", r.Procs, r.DepositsPerProc, r.Amount, r.Mode)
	fmt.Fprintf(w, "  expected balance  %d\n", r.Expected)
	fmt.Fprintf(w, "  actual balance    %d\n", r.Balance)
	fmt.Fprintf(w, "  lost deposits     %d\n", r.Lost)
	fmt.Fprintf(w, "  completed         %d\n", r.Completed)
	if r.Killed > 0 {
		fmt.Fprintf(w, "  killed            %d processes (%d holding the lock); lock recovered %d %s\n",
			r.Killed, r.KilledHoldingLock, r.OwnerDeadRecoveries, plural(r.OwnerDeadRecoveries, "time", "times"))
	}
	fmt.Fprintf(w, "  time              %.3f s, %.1f M deposits/s\n", r.Seconds, r.DepositsPerSec/1e6)
	switch {
	case r.Mode == bank.Unsafe && r.Lost > 0:
		fmt.Fprintf(w, "Without the lock, processes overwrote each other's deposits: %d lost.\n", r.Lost)
		fmt.Fprintln(w, "Run with -mode locked (the default) to see the lock prevent it.")
	case r.Mode == bank.Unsafe:
		fmt.Fprintln(w, "No deposit was lost this time: the race needs two processes running at once. Try more -deposits.")
	case r.Killed > 0:
		fmt.Fprintln(w, "Every deposit that completed is in the balance; those cut short were rolled back.")
	default:
		fmt.Fprintln(w, "Every deposit is in the balance.")
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
