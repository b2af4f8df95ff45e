package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/shmkit/shmkit/demos/factorial"
)

const factorialExamples = `	shmdemo factorial                          # 20000! to 27000!, sequentially and on a pool of a worker per CPU
	shmdemo factorial -n 30000,40000,50000     # other numbers
	shmdemo factorial -workers 1               # a pool of one worker: only the cost of processes
	shmdemo factorial -json                    # results and times as JSON, for scripts
`

// factorialJSON is what shmdemo factorial -json prints.
type factorialJSON struct {
	Ns                []int              `json:"ns"`
	Workers           int                `json:"workers"`
	CPUs              int                `json:"cpus"`
	Results           []factorial.Digest `json:"results"`
	Equal             bool               `json:"equal"`
	SequentialSeconds float64            `json:"sequential_seconds"`
	PoolSeconds       float64            `json:"pool_seconds"`         // its start included
	Speedup           float64            `json:"speedup"`              // sequential over pool
	StartedSeconds    float64            `json:"started_pool_seconds"` // the same map on the pool once started
	StartedSpeedup    float64            `json:"started_speedup"`      // sequential over started
}

// runFactorial runs tutorial exercise 3: factorials of large numbers,
// sequentially and on a pool, compared and timed.
func runFactorial(args []string, stdout, stderr io.Writer) int {
	def := factorial.DefaultConfig()
	fs := newFlagSet("factorial", "factorial [-n N,N,...] [-workers W] [-json]", factorialExamples, stderr)
	ns := fs.String("n", joinInts(def.Ns), "comma-separated `numbers` whose factorials to compute")
	workers := fs.Int("workers", def.Workers, "worker `processes` of the pool, as many as CPUs by default")
	asJSON := fs.Bool("json", false, "print one JSON object, for scripts")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	list, err := parseInts(*ns)
	if err != nil {
		return usageError(fs, stderr, "-n: %v", err)
	}
	cfg := factorial.Config{Ns: list, Workers: *workers}
	if err := cfg.Validate(); err != nil {
		return usageError(fs, stderr, "%v", err)
	}
	return runTutorial("factorial", func(ctx context.Context, w io.Writer) error {
		if !*asJSON {
			return factorial.Run(ctx, w, cfg)
		}
		rep, err := factorial.Compute(ctx, cfg)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(factorialJSON{Ns: cfg.Ns, Workers: rep.Workers, CPUs: rep.CPUs, Results: rep.Results,
			Equal:             true, // Compute fails otherwise
			SequentialSeconds: rep.Sequential.Seconds(), PoolSeconds: rep.Pool.Seconds(), Speedup: rep.Speedup(),
			StartedSeconds: rep.Started.Seconds(), StartedSpeedup: rep.StartedSpeedup()})
	}, stdout, stderr)
}

// parseInts parses a comma-separated list of integers.
func parseInts(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("%q is not a number", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}
