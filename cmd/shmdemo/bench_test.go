package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shmkit/shmkit/internal/perf"
)

// The bench tests run tiny repetitions (scaleEnv): they check the shape of
// the output and that every measurement runs and passes its self-checks,
// never the figures.
const benchTestScale = "0.03"

// jsonKeys returns the keys of the one JSON object in s, in order, and
// the object.
func jsonKeys(t *testing.T, s string) ([]string, map[string]any) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("output is not a JSON object (%v, %v):\n%s", tok, err, s)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatalf("bad JSON: %v\n%s", err, s)
		}
		keys = append(keys, tok.(string))
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("bad JSON: %v\n%s", err, s)
		}
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(s), &obj); err != nil {
		t.Fatalf("output is not one JSON object: %v\n%s", err, s)
	}
	return keys, obj
}

func TestBench_JSON(t *testing.T) {
	t.Setenv(scaleEnv, benchTestScale)
	r := shmdemo(t, "bench", "-quick", "-json", "-only", "queue_rtt_p50_us,lock_uncontended_ns,atomic,queue_spsc_64B_msgs_per_s")
	if r.code != 0 {
		t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	keys, obj := jsonKeys(t, r.stdout)
	want := []string{"lock_uncontended_ns", "atomic_add_2proc_ops_per_s", "queue_spsc_64B_msgs_per_s", "queue_rtt_p50_us"}
	if !slices.Equal(keys, want) {
		t.Fatalf("keys %q, want %q (table order)", keys, want)
	}
	for k, v := range obj {
		if f, ok := v.(float64); !ok || f <= 0 {
			t.Errorf("%s: %v, want a positive number", k, v)
		}
	}
	if !strings.Contains(r.stderr, "4 rows in") {
		t.Errorf("stderr does not give the wall time:\n%s", r.stderr)
	}
}

func TestBench_Table(t *testing.T) {
	t.Setenv(scaleEnv, benchTestScale)
	r := shmdemo(t, "bench", "-quick", "-only", "lock_contended_handoffs,pipe_64B_msgs_per_s")
	if r.code != 0 {
		t.Fatalf("exit status %d, want 0\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"quick run, 1 warm-up + 3 repetitions",
		"ROW", "OURS", "BASELINE", "RATIO", "AIM", "MET",
		"lock_contended_handoffs ", " /M ops ", "2 goroutines, sync.Mutex", "no starving",
		"pipe_64B_msgs_per_s ", "(a baseline)",
		"lock_contended_handoffs: shares of the ops: processes ",
		"RATIO is OURS / BASELINE", "Wall time ",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout does not contain %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "lock_uncontended_ns") {
		t.Errorf("stdout has a row not asked for:\n%s", r.stdout)
	}
}

func TestBench_Usage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		env    string // scaleEnv's value
		code   int
		stderr string
	}{
		{"-h", []string{"bench", "-h"}, "", 0, "factorial_speedup"},
		{"help bench", []string{"help", "bench"}, "", 0, "usage: shmdemo bench"},
		{"-bogus", []string{"bench", "-bogus"}, "", 2, "-bogus"},
		{"garbage", []string{"bench", "x"}, "", 2, `unexpected argument "x"`},
		{"-only unknown", []string{"bench", "-only", "lock,frobnicate"}, "", 2, `unknown row "frobnicate"`},
		{"-only empty name", []string{"bench", "-only", "lock,,queue"}, "", 2, "empty row name"},
		{"bad scale", []string{"bench", "-only", "lock"}, "fast", 2, `SHMDEMO_BENCH_SCALE="fast"`},
		{"zero scale", []string{"bench", "-only", "lock"}, "0", 2, `SHMDEMO_BENCH_SCALE="0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(scaleEnv, tt.env)
			r := shmdemo(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", tt.stderr, r.stderr)
			}
			if r.stdout != "" {
				t.Errorf("stdout not empty:\n%s", r.stdout)
			}
		})
	}
}

func TestWriteBenchJSON_Failed(t *testing.T) {
	// A row that failed is null, and the object stays valid JSON.
	var b bytes.Buffer
	rows := benchResults(t)
	rows[1].Err = errTest
	if err := writeBenchJSON(&b, rows); err != nil {
		t.Fatal(err)
	}
	keys, obj := jsonKeys(t, b.String())
	if len(keys) != len(rows) || obj[rows[1].Key] != nil || obj[rows[0].Key] != 12.346 || obj[rows[2].Key] != float64(31234568) {
		t.Fatalf("got %s", b.String())
	}
}

var errTest = errors.New("test failure")

func benchResults(t *testing.T) []perf.Result {
	t.Helper()
	rows := perf.Rows()
	if len(rows) < 3 {
		t.Fatalf("%d rows", len(rows))
	}
	return []perf.Result{{Row: rows[0], Ours: 12.3456}, {Row: rows[1], Ours: 1}, {Row: rows[2], Ours: 31234567.8}}
}

func TestFigure(t *testing.T) {
	tests := []struct {
		v    float64
		unit string
		want string
	}{
		{12.64, "ns", "12.6 ns"},
		{0.4567, "µs", "0.457 µs"},
		{1234.5, "µs", "1234 µs"},
		{8.314, "ms", "8.31 ms"},
		{1.8512, "×", "1.85×"},
		{536.2, "/M ops", "536 /M ops"},
		{31.2e6, "ops/s", "31.20 M/s"},
		{128_400, "tasks/s", "128.4 k/s"},
		{512, "msgs/s", "512 /s"},
	}
	for _, tt := range tests {
		if got := figure(tt.v, tt.unit); got != tt.want {
			t.Errorf("figure(%v, %q) = %q, want %q", tt.v, tt.unit, got, tt.want)
		}
	}
}
