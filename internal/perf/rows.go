package perf

import (
	"fmt"
	"slices"
	"strings"
)

// Row is one row of the performance table: a figure of ours, the baseline
// it is compared with (measured in the same run), and the aim of the
// design (DESIGN.md, section 3).
type Row struct {
	Key          string // the JSON key, such as "queue_spsc_64B_msgs_per_s"
	Group        string // the group it belongs to, for selecting rows: "lock", "queue", ...
	What         string // what is measured, in a few words
	Unit         string // of the figure and the baseline: "ns", "µs", "ms", "ops/s", "msgs/s", "deposits/s", "tasks/s", "/M ops" or "×"
	BaselineName string // what the baseline is, in a few words; "" for a row that is itself a baseline
	Aim          string // the aim, as text; "" if there is none

	ours, base ref
	// meets reports whether the aim is met, given the figures of the
	// measurement of ours (see measurement) and the ratio to the baseline;
	// nil when there is no aim.
	meets func(ours []float64, ratio float64) bool
	// note returns a line about the measurement for the table, or nil.
	note func(ours, base []float64) string
}

// ref names one figure of a measurement.
type ref struct {
	m string // the measurement's name, a key of measurements; "" for none
	i int    // which of its figures
}

// The groups of rows, in table order.
var groups = []string{"lock", "atomic", "bank", "queue", "pipe", "process", "pool", "executor", "factorial"}

// rows is the table, in the order of the issue that asked for it.
var rows = []Row{
	{
		Key: "lock_uncontended_ns", Group: "lock", What: "uncontended Lock+Unlock", Unit: "ns",
		BaselineName: "sync.Mutex", Aim: "≤ 15 ns",
		ours: ref{mLock, 0}, base: ref{mSyncLock, 0},
		meets: func(o []float64, _ float64) bool { return o[0] <= 15 },
	},
	{
		Key: "lock_contended_ops_per_s", Group: "lock", What: "2 processes on one lock", Unit: "ops/s",
		BaselineName: "2 goroutines, sync.Mutex", Aim: "≥ 30 M/s",
		ours: ref{mLock2, 0}, base: ref{mSyncLock2, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 30e6 },
	},
	{
		Key: "lock_contended_handoffs", Group: "lock", What: "lock passed between the 2 processes", Unit: "/M ops",
		BaselineName: "2 goroutines, sync.Mutex", Aim: "no starving: each ≥ 10 % of ops",
		ours: ref{mLock2, 1}, base: ref{mSyncLock2, 1},
		meets: func(o []float64, _ float64) bool { return min(o[2], o[3]) >= 0.10 },
		note: func(o, b []float64) string {
			return fmt.Sprintf("shares of the ops: processes %.1f %% / %.1f %%; goroutines %.1f %% / %.1f %%",
				100*o[2], 100*o[3], 100*b[2], 100*b[3])
		},
	},
	{
		Key: "atomic_add_2proc_ops_per_s", Group: "atomic", What: "atomic Add, 2 processes, one counter", Unit: "ops/s",
		BaselineName: "2 goroutines, sync/atomic", Aim: "≥ 70 M/s",
		ours: ref{mAdd2, 0}, base: ref{mSyncAdd2, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 70e6 },
	},
	{
		Key: "bank_locked_4proc_deposits_per_s", Group: "bank", What: "bank: 4 processes deposit under the lock", Unit: "deposits/s",
		BaselineName: "4 goroutines, sync.Mutex", Aim: "≥ 20 M/s",
		ours: ref{mBank, 0}, base: ref{mGoBank, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 20e6 },
	},
	{
		Key: "queue_spsc_64B_msgs_per_s", Group: "queue", What: "queue 1 → 1, 64 B", Unit: "msgs/s",
		BaselineName: "os.Pipe, 64 B", Aim: "≥ 10 M/s, ≥ 10× pipe",
		ours: ref{mQueue64, 0}, base: ref{mPipe64, 0},
		meets: func(o []float64, r float64) bool { return o[0] >= 10e6 && r >= 10 },
		note:  cacheLineNote(1),
	},
	{
		Key: "queue_mpmc_64B_msgs_per_s", Group: "queue", What: "queue 2 → 2 processes, 64 B", Unit: "msgs/s",
		BaselineName: "os.Pipe, 64 B", Aim: "≥ 3 M/s",
		ours: ref{mQueueMPMC, 0}, base: ref{mPipe64, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 3e6 },
	},
	{
		Key: "queue_spsc_4KiB_msgs_per_s", Group: "queue", What: "queue 1 → 1, 4 KiB", Unit: "msgs/s",
		BaselineName: "os.Pipe, 4 KiB", Aim: "≥ 1 M/s",
		ours: ref{mQueue4K, 0}, base: ref{mPipe4K, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 1e6 },
		note:  cacheLineNote(1),
	},
	{
		Key: "queue_batch_64B_msgs_per_s", Group: "queue", What: "queue 1 → 1, 64 B, batches of 64", Unit: "msgs/s",
		BaselineName: "os.Pipe + bufio", Aim: "≥ 40 M/s, ahead of bufio",
		ours: ref{mQueueBatch, 0}, base: ref{mPipeBufio, 0},
		meets: func(o []float64, r float64) bool { return o[0] >= 40e6 && r > 1 },
		note:  cacheLineNote(1),
	},
	{
		Key: "queue_rtt_p50_us", Group: "queue", What: "round trip through 2 queues, median", Unit: "µs",
		BaselineName: "2 pipes", Aim: "≤ 2 µs",
		ours: ref{mRTT, 0}, base: ref{mPipeRTT, 0},
		meets: func(o []float64, _ float64) bool { return o[0] <= 2 },
		note:  cacheLineNote(2),
	},
	{
		Key: "queue_rtt_p99_us", Group: "queue", What: "round trip through 2 queues, 99th percentile", Unit: "µs",
		BaselineName: "2 pipes",
		ours:         ref{mRTT, 1}, base: ref{mPipeRTT, 1},
	},
	{
		Key: "pipe_64B_msgs_per_s", Group: "pipe", What: "os.Pipe, 64 B, a write and a read each", Unit: "msgs/s",
		ours: ref{mPipe64, 0},
	},
	{
		Key: "pipe_bufio_64B_msgs_per_s", Group: "pipe", What: "os.Pipe, 64 B, bufio on both ends", Unit: "msgs/s",
		ours: ref{mPipeBufio, 0},
	},
	{
		Key: "process_start_wait_ms", Group: "process", What: "start + wait of one child", Unit: "ms",
		BaselineName: "os/exec of true", Aim: "≤ 10 ms",
		ours: ref{mStart, 0}, base: ref{mExecTrue, 0},
		meets: func(o []float64, _ float64) bool { return o[0] <= 10 },
	},
	{
		Key: "pool_start_first_result_ms", Group: "pool", What: "pool of 2 started to first result", Unit: "ms",
		BaselineName: "start + wait of one child", Aim: "≤ 20 ms",
		ours: ref{mPoolStart, 0}, base: ref{mStart, 0},
		meets: func(o []float64, _ float64) bool { return o[0] <= 20 },
	},
	{
		Key: "pool_map_auto_tasks_per_s", Group: "pool", What: "Map of a trivial task, auto chunks", Unit: "tasks/s",
		BaselineName: "2 goroutines, same chunks", Aim: "≥ 5 M/s",
		ours: ref{mMapAuto, 0}, base: ref{mGoMapAuto, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 5e6 },
	},
	{
		Key: "pool_map_chunk1_tasks_per_s", Group: "pool", What: "Map of a trivial task, chunk size 1", Unit: "tasks/s",
		BaselineName: "2 goroutines, chunk 1", Aim: "≥ 200 k/s",
		ours: ref{mMapChunk1, 0}, base: ref{mGoMapChunk1, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 200e3 },
	},
	{
		Key: "executor_submit_tasks_per_s", Group: "executor", What: "executor Submit + Result, trivial task", Unit: "tasks/s",
		BaselineName: "2 goroutines, a channel a task", Aim: "≥ 200 k/s",
		ours: ref{mExecutor, 0}, base: ref{mGoExecutor, 0},
		meets: func(o []float64, _ float64) bool { return o[0] >= 200e3 },
	},
	{
		Key: "factorial_speedup", Group: "factorial", What: "factorials: pool of 2, started, against sequential", Unit: "×",
		BaselineName: "2 goroutines", Aim: "≥ 1.9×",
		ours: ref{mFactorial, 0}, base: ref{mFactorial, 1},
		meets: func(o []float64, _ float64) bool { return o[0] >= 1.9 },
		note: func(o, _ []float64) string {
			return fmt.Sprintf("sequential %.1f ms; pool of 2 workers once started %.1f ms, %.1f ms with its start (%.2f×); "+
				"2 goroutines %.1f ms; the digests agree", o[2], o[4], o[3], o[6], o[5])
		},
	},
}

// cacheLineNote returns the note of a row whose measurement gives, as its
// figure i, the round trip of a cache line between the CPUs in ns
// (cacheLineRTT).
func cacheLineNote(i int) func(o, _ []float64) string {
	return func(o, _ []float64) string {
		if len(o) <= i || o[i] == 0 {
			return "a cache line's round trip between the CPUs: not measured (GOMAXPROCS < 2)"
		}
		return fmt.Sprintf("a cache line's round trip between the CPUs, measured after each repetition: %.0f ns", o[i])
	}
}

// Rows returns every row of the table, in order.
func Rows() []Row { return slices.Clone(rows) }

// Groups returns the names of the groups of rows, in table order.
func Groups() []string { return slices.Clone(groups) }

// Select returns the rows that names picks, in table order: names is a
// comma-separated list of JSON keys and group names; "" picks every row.
// An unknown name is an error that names it.
func Select(names string) ([]Row, error) {
	if strings.TrimSpace(names) == "" {
		return Rows(), nil
	}
	want := map[string]bool{}
	for name := range strings.SplitSeq(names, ",") {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("empty row name in %q", names)
		case slices.Contains(groups, name):
			for _, r := range rows {
				if r.Group == name {
					want[r.Key] = true
				}
			}
		case slices.ContainsFunc(rows, func(r Row) bool { return r.Key == name }):
			want[name] = true
		default:
			return nil, fmt.Errorf("unknown row %q: want a JSON key (such as queue_spsc_64B_msgs_per_s) or a group (%s)",
				name, strings.Join(groups, ", "))
		}
	}
	var out []Row
	for _, r := range rows {
		if want[r.Key] {
			out = append(out, r)
		}
	}
	return out, nil
}
