package factorial_test

import (
	"bytes"
	"context"
	"flag"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/demos/factorial"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestFactorial_Known(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "1"},
		{1, "1"},
		{5, "120"},
		{25, "15511210043330985984000000"},
	}
	for _, tt := range tests {
		got, err := factorial.Factorial(context.Background(), tt.n)
		if err != nil || got.String() != tt.want {
			t.Fatalf("Factorial(%d): got %v, %v, want %s", tt.n, got, err, tt.want)
		}
	}
	// Against the standard library's binary splitting.
	got, _ := factorial.Factorial(context.Background(), 3000)
	if want := new(big.Int).MulRange(1, 3000); got.Cmp(want) != 0 {
		t.Fatal("Factorial(3000) differs from big.Int.MulRange(1, 3000)")
	}
}

func TestFactorial_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := factorial.Factorial(ctx, 5000); err != context.Canceled {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// The pool's results are compared with the sequential ones inside
// Compute; here both are also checked against math/big's own factorial.
func TestCompute_ResultsEqual(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := factorial.Config{Ns: []int{0, 1, 700, 1500, 2500, 30}, Workers: 2}
	rep, err := factorial.Compute(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != len(cfg.Ns) || rep.Workers != 2 || rep.Sequential <= 0 || rep.Pool <= 0 || rep.Started <= 0 {
		t.Fatalf("got report %+v", rep)
	}
	for i, n := range cfg.Ns {
		want := factorial.DigestOf(n, new(big.Int).MulRange(1, int64(n)))
		if n == 0 {
			want = factorial.DigestOf(0, big.NewInt(1)) // MulRange(1, 0) is 1 too, but say it
		}
		if rep.Results[i] != want {
			t.Errorf("%d!: got %+v, want %+v", n, rep.Results[i], want)
		}
	}
}

func TestConfig_Validate(t *testing.T) {
	tests := []struct {
		name string
		cfg  factorial.Config
		want string // a substring of the error, "" for none
	}{
		{"default", factorial.DefaultConfig(), ""},
		{"no numbers", factorial.Config{Workers: 1}, "0 numbers"},
		{"negative", factorial.Config{Ns: []int{5, -1}, Workers: 1}, "n -1"},
		{"too large", factorial.Config{Ns: []int{factorial.MaxN + 1}, Workers: 1}, "n 100001"},
		{"no workers", factorial.Config{Ns: []int{5}, Workers: 0}, "workers 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (tt.want == "") || err != nil && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestBar(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name       string
		d, longest time.Duration
		width      int
		want       string
	}{
		{"longest", 10 * ms, 10 * ms, 4, "████"},
		{"half", 5 * ms, 10 * ms, 4, "██  "},
		{"eighths", 5 * ms, 8 * ms, 1, "▋"},
		{"tiny shows", 1, 10 * ms, 4, "▏   "},
		{"zero", 0, 10 * ms, 3, "   "},
		{"all zero", 0, 0, 2, "  "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := factorial.Bar(tt.d, tt.longest, tt.width); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// The table and the chart on fixed times, against testdata/*.golden.
// Run with -update to rewrite the files after a deliberate change.
func TestRenderTimes_Golden(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		rep  factorial.Report
	}{
		{"times", factorial.Report{Workers: 2, CPUs: 2, Sequential: 612300 * time.Microsecond, Pool: 351 * ms, Started: 320400 * time.Microsecond}},
		{"slower", factorial.Report{Workers: 1, CPUs: 8, Sequential: 40 * ms, Pool: 2500 * ms, Started: 42 * ms}},
		{"zero", factorial.Report{Workers: 4, CPUs: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := factorial.RenderTimes(&buf, tt.rep); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != string(want) {
				t.Fatalf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}
