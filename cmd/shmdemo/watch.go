package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/demos/bank"
	"github.com/shmkit/shmkit/shm"
)

const watchExamples = `	shmdemo bank -name demo -deposits 5000000    # in one terminal
	shmdemo watch demo                           # in another: follow it live
	shmdemo watch -interval 1s demo              # refresh every second
	shmdemo watch demo -json                     # one JSON object per refresh
`

// runWatch attaches to the named segment of a bank simulation that another
// process runs (shmdemo bank -name NAME) and shows its state until it
// ends. Exit status: 0 when the run ended (or on Ctrl-C), 1 when there is
// no such simulation or it failed or vanished before its end, 2 for bad
// flags.
func runWatch(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("watch", "watch [-interval D] [-json] NAME", watchExamples, stderr)
	interval := fs.Duration("interval", 200*time.Millisecond, "time between refreshes")
	asJSON := fs.Bool("json", false, "print one JSON object per refresh, for scripts")
	fs.Usage = withWatchNote(fs.Usage, stderr)
	name, status, ok := parseFlagsAndName(fs, args, stderr)
	if !ok {
		return status
	}
	if *interval < time.Millisecond {
		return usageError(fs, stderr, "-interval %v: want at least 1ms", *interval)
	}
	w, err := bank.Attach(name)
	switch {
	case errors.Is(err, shm.ErrName):
		return usageError(fs, stderr, "%v", err)
	case errors.Is(err, bank.ErrNotSimulation):
		fmt.Fprintf(stderr, "shmdemo watch: %v\n(a segment made by \"shmdemo bank -name %s\" has these objects; \"shmdemo segments -objects\" lists what each segment holds)\n", err, name)
		return 1
	case errors.Is(err, shm.ErrNotExist):
		fmt.Fprintf(stderr, "shmdemo watch: no segment named %q in %s\n(start one with \"shmdemo bank -name %s\"; \"shmdemo segments\" lists the segments there are)\n", name, shm.Dir(), name)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "shmdemo watch: %v\n", err)
		return 1
	}
	defer w.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var v view
	switch {
	case *asJSON:
		v = &jsonView{enc: json.NewEncoder(stdout)}
	case isTerminal(stdout):
		v = &screenView{w: stdout}
	default:
		v = &lineView{w: stdout}
	}
	return watch(ctx, w, *interval, v, stderr)
}

// withWatchNote adds to a usage function what watch can and cannot show.
func withWatchNote(usage func(), stderr io.Writer) func() {
	return func() {
		usage()
		fmt.Fprint(stderr, `
watch reads the simulation's segment without taking its lock. It shows the
balance, the deposits and their rate, the pid holding the account's lock
and the pids of the depositors still running. The lock keeps no list of
waiters: while one depositor holds it, the others are depositing or
waiting for it. On a terminal the display is redrawn in place; otherwise
each refresh is one line. watch ends when the run ends.
`)
	}
}

// parseFlagsAndName parses flags before and after one positional NAME.
func parseFlagsAndName(fs *flag.FlagSet, args []string, stderr io.Writer) (name string, status int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on errors too
	defer func() { fs.Usage = usage }()
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		name = fs.Arg(0)
		err = fs.Parse(fs.Args()[1:])
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		usage()
		return "", 0, false
	case err != nil:
		fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", fs.Name())
		return "", 2, false
	case name == "":
		return "", usageError(fs, stderr, "want the name of a segment (as given to shmdemo bank -name)"), false
	case fs.NArg() > 0:
		return "", usageError(fs, stderr, "unexpected argument %q", fs.Arg(0)), false
	}
	return name, 0, true
}

// watch shows snapshots every interval until the run ends, vanishes or
// ctx ends.
func watch(ctx context.Context, w *bank.Watcher, interval time.Duration, v view, stderr io.Writer) int {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var prev bank.Snapshot
	for {
		s := w.Snapshot()
		if !s.Status.Final() && w.Gone() {
			s = w.Snapshot() // it may have ended just before its removal
			if !s.Status.Final() {
				v.show(s, rate(prev, s))
				fmt.Fprintf(stderr, "shmdemo watch: segment %q was removed, or its creator is gone, before the run ended\n", s.Name)
				return 1
			}
		}
		if err := v.show(s, rate(prev, s)); err != nil {
			fmt.Fprintf(stderr, "shmdemo watch: %v\n", err)
			return 1
		}
		switch s.Status {
		case bank.Done:
			return 0
		case bank.Failed:
			fmt.Fprintf(stderr, "shmdemo watch: the run in %q failed or was interrupted\n", s.Name)
			return 1
		}
		prev = s
		select {
		case <-ctx.Done():
			return 0
		case <-tick.C:
		}
	}
}

// rate returns the deposits per second: since the previous snapshot while
// the run goes on, over the whole run once it has ended.
func rate(prev, s bank.Snapshot) float64 {
	switch {
	case s.Status.Final() && !s.Started.IsZero() && s.Ended.After(s.Started):
		return float64(s.Completed) / s.Ended.Sub(s.Started).Seconds()
	case prev.Time.IsZero() && !s.Started.IsZero() && s.Time.After(s.Started):
		return float64(s.Completed) / s.Time.Sub(s.Started).Seconds()
	case !prev.Time.IsZero() && s.Time.After(prev.Time):
		return float64(s.Completed-prev.Completed) / s.Time.Sub(prev.Time).Seconds()
	}
	return 0
}

// A view shows snapshots.
type view interface {
	show(s bank.Snapshot, rate float64) error
}

// lineView prints one line a snapshot: for a pipe or a file.
type lineView struct{ w io.Writer }

func (v *lineView) show(s bank.Snapshot, rate float64) error {
	_, err := fmt.Fprintf(v.w, "%s: balance %d, deposits %d of %d, %s; lock %s\n",
		s.Status, s.Balance, s.Completed, s.Total, rateString(s, rate), lockString(s))
	return err
}

// screenView redraws a block of lines in place: for a terminal.
type screenView struct {
	w     io.Writer
	lines int // of the block drawn last
}

func (v *screenView) show(s bank.Snapshot, rate float64) error {
	var b strings.Builder
	if v.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dF\x1b[J", v.lines) // to the block's first line, and clear below
	}
	fmt.Fprintf(&b, "bank %q: %d processes × %d deposits of %d, mode %s\n", s.Name, s.Procs, s.DepositsPerProc, s.Amount, s.Mode)
	fmt.Fprintf(&b, "  status      %s%s\n", s.Status, elapsedString(s))
	fmt.Fprintf(&b, "  balance     %d (%d when every deposit is in)\n", s.Balance, s.Initial+s.Amount*s.Total)
	fmt.Fprintf(&b, "  deposits    %d of %d (%.1f %%), %s\n", s.Completed, s.Total, percent(s.Completed, s.Total), rateString(s, rate))
	fmt.Fprintf(&b, "  lock        %s\n", lockString(s))
	v.lines = 5
	_, err := io.WriteString(v.w, b.String())
	return err
}

// jsonView prints one JSON object a snapshot.
type jsonView struct{ enc *json.Encoder }

func (v *jsonView) show(s bank.Snapshot, rate float64) error {
	return v.enc.Encode(struct {
		bank.Snapshot
		DepositsPerSec float64 `json:"deposits_per_sec"`
	}{s, rate})
}

func rateString(s bank.Snapshot, rate float64) string {
	r := fmt.Sprintf("%.2f M deposits/s", rate/1e6)
	if s.Status.Final() {
		r += " on average"
	}
	return r
}

func elapsedString(s bank.Snapshot) string {
	end := s.Time
	if !s.Ended.IsZero() {
		end = s.Ended
	}
	if s.Started.IsZero() || end.Before(s.Started) {
		return ""
	}
	return fmt.Sprintf(", %.2f s", end.Sub(s.Started).Seconds())
}

func percent(n, total int64) float64 {
	if total == 0 {
		return 100
	}
	return 100 * float64(n) / float64(total)
}

// lockString says who holds the account's lock, and which depositors are
// running: those not holding it deposit or wait for it (the lock keeps no
// list of waiters, so watch does not pretend to know which).
func lockString(s bank.Snapshot) string {
	if s.Mode != bank.Locked {
		return fmt.Sprintf("not used in mode %s; depositors %s", s.Mode, pidList(s.Depositors))
	}
	var b strings.Builder
	switch {
	case s.LockOwner == 0:
		b.WriteString("free")
	case slices.Contains(s.Depositors, s.LockOwner):
		fmt.Fprintf(&b, "held by depositor %d", s.LockOwner)
	default:
		fmt.Fprintf(&b, "held by pid %d (not a depositor)", s.LockOwner)
	}
	if s.Recoveries > 0 {
		fmt.Fprintf(&b, ", recovered %d times from dead holders", s.Recoveries)
	}
	others := make([]int, 0, len(s.Depositors))
	for _, pid := range s.Depositors {
		if pid != s.LockOwner {
			others = append(others, pid)
		}
	}
	switch {
	case len(s.Depositors) == 0:
		b.WriteString("; no depositor running")
	case len(others) == 0:
		b.WriteString("; no other depositor running")
	default:
		fmt.Fprintf(&b, "; depositing or waiting: %s", pidList(others))
	}
	return b.String()
}

func pidList(pids []int) string {
	if len(pids) == 0 {
		return "none"
	}
	parts := make([]string, len(pids))
	for i, p := range pids {
		parts[i] = fmt.Sprint(p)
	}
	return strings.Join(parts, " ")
}
