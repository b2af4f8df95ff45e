package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/demos/chaos"
)

const chaosExamples = `	shmdemo chaos                        # 10 seconds of rounds, with a seed from the clock
	shmdemo chaos -seed 1234             # the plans of seed 1234 again (a seed the output printed)
	shmdemo chaos -seconds 300           # a soak, as make soak runs
	shmdemo chaos -seconds 3 -json       # one JSON object, for scripts
`

// runChaos runs the chaos test: rounds of a mixed workload while workers
// are killed, each round checked. Exit status: 0 when no wait hung and
// every invariant held, 1 otherwise or when the run failed, 2 for bad
// flags.
func runChaos(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("chaos", "chaos [-seconds S] [-seed N] [-json]", chaosExamples, stderr)
	seconds := fs.Float64("seconds", 10, "start rounds for this many `seconds` (the last one ends a little later)")
	seed := fs.Uint64("seed", 0, "seed of the rounds' plans, to replay a run (0: from the clock; printed)")
	asJSON := fs.Bool("json", false, "print one JSON object, for scripts")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	if *seconds <= 0 {
		return usageError(fs, stderr, "-seconds %v: want more than 0", *seconds)
	}
	if *seed == 0 {
		*seed = uint64(time.Now().UnixNano())
	}
	// Ctrl-C ends the run after the round in progress.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := chaos.Config{Duration: time.Duration(*seconds * float64(time.Second)), Seed: *seed}
	if !*asJSON {
		fmt.Fprintf(stdout, "chaos: seed %d, rounds for %vs (shmdemo chaos -seed %d replays the plans)\n", *seed, *seconds, *seed)
		cfg.Round = func(r chaos.RoundReport) { printRound(stdout, r) }
	}
	res, err := chaos.Run(ctx, cfg)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "shmdemo chaos: %v\n", err)
			return 1
		}
	} else {
		printChaos(stdout, res)
	}
	if err != nil {
		fmt.Fprintf(stderr, "shmdemo chaos: %v\n", err)
		return 1
	}
	if !res.OK() {
		fmt.Fprintf(stderr, "shmdemo chaos: %d hangs and %d invariant violations: this is a bug in shmkit (seed %d)\n",
			res.Hangs, res.InvariantViolations, res.Seed)
		return 1
	}
	return 0
}

// printRound prints a line for a round, and one for each problem it found.
func printRound(w io.Writer, r chaos.RoundReport) {
	barrier := "barrier not checked"
	if r.BarrierBroken {
		barrier = "barrier broken by the death"
	}
	fmt.Fprintf(w, "round %d: %d kills (%d SIGKILL, %d SIGTERM); bank %d deposits, %d lock %s; queue %d messages, %d lost; pool %d tasks, %d failed naming the dead worker; %s; %.2f s\n",
		r.Round, r.Kills, r.SIGKILLs, r.SIGTERMs, r.Deposits, r.OwnerDeadRecoveries, plural(r.OwnerDeadRecoveries, "recovery", "recoveries"),
		r.Messages, r.LostMessages, r.PoolTasks, r.PoolTasksFailed, barrier, r.Seconds)
	for _, p := range r.Problems {
		fmt.Fprintf(w, "  %s: %s\n", p.Kind, p.What)
	}
}

// printChaos prints the summary of a run.
func printChaos(w io.Writer, r chaos.Result) {
	fmt.Fprintf(w, "%d %s in %.1f s, seed %d\n", r.Rounds, plural(r.Rounds, "round", "rounds"), r.Seconds, r.Seed)
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "  kills\t%d\t(%d SIGKILL, %d SIGTERM)\n", r.Kills, r.SIGKILLs, r.SIGTERMs)
	fmt.Fprintf(tw, "  owner_dead_recoveries\t%d\t(of the bank's lock)\n", r.OwnerDeadRecoveries)
	fmt.Fprintf(tw, "  hangs\t%d\n", r.Hangs)
	fmt.Fprintf(tw, "  invariant_violations\t%d\n", r.InvariantViolations)
	fmt.Fprintf(tw, "  lost_messages\t%d\t(in the hands of killed processes)\n", r.LostMessages)
	fmt.Fprintf(tw, "  duplicate_messages\t%d\n", r.DuplicateMessages)
	tw.Flush()
	if r.OK() {
		fmt.Fprintln(w, "No wait hung, and every invariant held.")
	}
}
