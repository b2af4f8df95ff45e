package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/internal/perf"
)

const benchExamples = `	shmdemo bench                          # every row: a minute or so on 2 quiet cores
	shmdemo bench -quick                   # fewer, shorter repetitions: under 30 s
	shmdemo bench -only lock,queue         # the rows of two groups
	shmdemo bench -only queue_rtt_p50_us   # one row (its baseline is measured too)
	shmdemo bench -quick -json             # one JSON object, for scripts
`

// scaleEnv is a knob for tests, not documented to users: it multiplies
// the length and the work of every repetition (see perf.Config.Scale),
// so that a test can run the measurements in moments. Figures measured
// so are noise.
const scaleEnv = "SHMDEMO_BENCH_SCALE"

// runBench measures the performance table (package internal/perf). Exit
// status: 0, or 1 when a row could not be measured or failed its
// self-check, 2 for bad flags.
func runBench(args []string, stdout, stderr io.Writer) int {
	start := time.Now()
	fs := newFlagSet("bench", "bench [-quick] [-json] [-only NAME,...]", benchExamples, stderr)
	quick := fs.Bool("quick", false, "fewer and shorter repetitions: under 30 s on 2 cores")
	asJSON := fs.Bool("json", false, "print one JSON object of the figures, for scripts")
	only := fs.String("only", "", "measure only these comma-separated `rows`: JSON keys, or groups ("+strings.Join(perf.Groups(), ", ")+")")
	fs.Usage = withBenchNote(fs.Usage, stderr)
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	rows, err := perf.Select(*only)
	if err != nil {
		return usageError(fs, stderr, "-only: %v", err)
	}
	cfg := perf.Config{Quick: *quick}
	if s := os.Getenv(scaleEnv); s != "" {
		if cfg.Scale, err = strconv.ParseFloat(s, 64); err != nil || !(cfg.Scale > 0 && cfg.Scale <= 100) {
			return usageError(fs, stderr, "%s=%q: want a number above 0, at most 100", scaleEnv, s)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	progress := isTerminal(stderr)
	if progress {
		cfg.Progress = func(i, n int, row perf.Row) {
			fmt.Fprintf(stderr, "\r\033[Kshmdemo bench: measuring %s (%d of %d)…", row.Key, i+1, n)
		}
	}
	results := perf.Run(ctx, cfg, rows)
	if progress {
		fmt.Fprint(stderr, "\r\033[K")
	}
	wall := time.Since(start)
	if *asJSON {
		err = writeBenchJSON(stdout, results)
		fmt.Fprintf(stderr, "shmdemo bench: %d rows in %.1f s\n", len(results), wall.Seconds())
	} else {
		err = printBench(stdout, cfg, results, wall)
	}
	if err != nil {
		fmt.Fprintf(stderr, "shmdemo bench: %v\n", err)
		return 1
	}
	return reportBenchErrors(ctx, stderr, results)
}

// reportBenchErrors reports the rows that failed to stderr, those cut
// short by an interrupt in one line, and returns the exit status: 1 if
// any row failed.
func reportBenchErrors(ctx context.Context, stderr io.Writer, results []perf.Result) (status int) {
	interrupted := 0
	for _, r := range results {
		switch {
		case r.Err == nil:
			continue
		case ctx.Err() != nil && errors.Is(r.Err, context.Canceled):
			interrupted++
		default:
			fmt.Fprintf(stderr, "shmdemo bench: %s: %v\n", r.Key, r.Err)
		}
		status = 1
	}
	if interrupted > 0 {
		fmt.Fprintf(stderr, "shmdemo bench: interrupted: %d of %d rows not measured\n", interrupted, len(results))
	}
	return status
}

// withBenchNote adds to the usage what bench measures and how, and the
// list of rows.
func withBenchNote(usage func(), stderr io.Writer) func() {
	return func() {
		usage()
		warmup, reps, length := perf.Config{}.Repetitions()
		_, qreps, qlength := perf.Config{Quick: true}.Repetitions()
		fmt.Fprintf(stderr, `
bench prints a table: for each row our figure, a baseline measured in the
same run, the ratio OURS / BASELINE and the aim of the design. Machines
drift between runs: compare ratios, not figures of different runs.

Each measurement runs %d warm-up repetition (%d more for the pool and
executor rows and their baselines: fresh workers' heaps are still
growing), then %d repetitions (%d with -quick), and reports their median.
A repetition runs for %v (%v with -quick) and counts the work done, or
does a fixed amount of work (bank,
pool, executor, factorial) and is timed; process starts are repeated three
times as often. Child processes are started once for all the repetitions
of a measurement. Every repetition checks its own result: counters exact,
every message received once (and in order, with one consumer), every task
result right, factorial digests equal. A row that fails its check or
cannot be measured is reported on standard error, and the exit status is 1.

-only takes row names and groups; the baseline of a row is measured even
when its own row is not selected. With -json, the output is one object
whose keys are the rows', in table order, and whose values are the figures
as numbers in the row's unit (null for a row that failed).

Rows (the "shmdemo bench" section of "go doc ./cmd/shmdemo" defines each):

`, warmup, perf.PoolWarmups, reps, qreps, length, qlength)
		tw := tabwriter.NewWriter(stderr, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "\tROW\tGROUP\tUNIT\tBASELINE\tAIM")
		for _, r := range perf.Rows() {
			fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\n", r.Key, r.Group, r.Unit, orDash(r.BaselineName), orDash(r.Aim))
		}
		tw.Flush()
	}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// printBench prints the table of results, their notes and the wall time.
func printBench(w io.Writer, cfg perf.Config, results []perf.Result, wall time.Duration) error {
	bw := bufio.NewWriter(w)
	warmup, reps, length := cfg.Repetitions()
	kind := "full"
	if cfg.Quick {
		kind = "quick"
	}
	fmt.Fprintf(bw, "shmdemo bench: %s run, %d warm-up + %d repetitions of %v a row (medians); %s/%s, %d CPUs, %s\n\n",
		kind, warmup, reps, length, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version())
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ROW\tOURS\tBASELINE\t\tRATIO\tAIM\tMET")
	var notes []string
	for _, r := range results {
		switch {
		case r.Err != nil:
			fmt.Fprintf(tw, "%s\tfailed\t\t\t\t%s\t\n", r.Key, r.Aim)
			continue
		case r.Baseline == 0:
			fmt.Fprintf(tw, "%s\t%s\t(a baseline)\t\t\t\t\n", r.Key, figure(r.Ours, r.Unit))
		default:
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, figure(r.Ours, r.Unit), figure(r.Baseline, r.Unit),
				r.BaselineName, ratio(r.Ratio), orDash(r.Aim), met(r))
		}
		if r.Note != "" {
			notes = append(notes, r.Key+": "+r.Note)
		}
	}
	tw.Flush()
	for line := range strings.Lines(table.String()) { // without the padding of empty cells
		fmt.Fprintln(bw, strings.TrimRight(line, " \n"))
	}
	if len(notes) > 0 {
		fmt.Fprintln(bw)
		for _, n := range notes {
			fmt.Fprintln(bw, n)
		}
	}
	fmt.Fprintf(bw, "\nRATIO is OURS / BASELINE, both measured in this run. Wall time %.1f s.\n", wall.Seconds())
	return bw.Flush()
}

func met(r perf.Result) string {
	switch {
	case !r.HasAim:
		return "—"
	case r.Met:
		return "yes"
	}
	return "no"
}

// figure formats v in unit for the table.
func figure(v float64, unit string) string {
	switch unit {
	case "ns", "µs", "ms":
		return decimals(v) + " " + unit
	case "×":
		return decimals(v) + "×"
	case "/M ops":
		return decimals(v) + " /M ops"
	}
	switch { // a rate
	case v >= 1e6:
		return fmt.Sprintf("%.2f M/s", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.1f k/s", v/1e3)
	}
	return fmt.Sprintf("%.0f /s", v)
}

// decimals formats v with about three significant digits (as an integer
// from 100 up).
func decimals(v float64) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	case v >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}

func ratio(r float64) string { return decimals(r) + "×" }

// writeBenchJSON writes one JSON object: the key of each result, in
// order, and its figure (null if it failed). Figures are rounded to three
// decimals, and to integers from 1000 up.
func writeBenchJSON(w io.Writer, results []perf.Result) error {
	var b strings.Builder
	b.WriteString("{")
	for i, r := range results {
		if i > 0 {
			b.WriteString(",")
		}
		key, err := json.Marshal(r.Key)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n  %s: %s", key, jsonFigure(r))
	}
	b.WriteString("\n}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func jsonFigure(r perf.Result) string {
	v := r.Ours
	switch {
	case r.Err != nil || math.IsNaN(v) || math.IsInf(v, 0):
		return "null"
	case math.Abs(v) >= 1000:
		v = math.Round(v)
	default:
		v = math.Round(v*1000) / 1000
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
