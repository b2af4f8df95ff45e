package perf

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		v    []float64
		want float64
	}{
		{[]float64{3}, 3},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{1, 100, 2, 3, 1000}, 3},
	}
	for _, tt := range tests {
		if got := median(tt.v); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.v, got, tt.want)
		}
	}
	got, err := medians([][]float64{{1, 10}, {3, 30}, {2, 20}})
	if err != nil || got[0] != 2 || got[1] != 20 {
		t.Errorf("medians = %v, %v; want [2 20]", got, err)
	}
	if _, err := medians(nil); err == nil {
		t.Error("medians of no repetitions: no error")
	}
}

func TestPercentile(t *testing.T) {
	d := make([]time.Duration, 100)
	for i := range d {
		d[i] = time.Duration(100 - i) // 100 down to 1
	}
	if got := percentile(d, 50); got != 50 {
		t.Errorf("p50 = %v, want 50", got)
	}
	if got := percentile(d, 99); got != 99 {
		t.Errorf("p99 = %v, want 99", got)
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("p99 of one = %v, want 7", got)
	}
}

// failArgs is the argument of testChild: it fails in round FailAt, or
// exits at once with status 3 if Exit.
type failArgs struct {
	M      member
	FailAt int64
}

var testChild = ipc.Register("perf.test-fail", func(ctx context.Context, a failArgs) error {
	return a.M.rounds(ctx, func(r int64) error {
		if r == a.FailAt {
			return errors.New("deliberate failure")
		}
		for !a.M.stopped(r) {
			time.Sleep(100 * time.Microsecond)
		}
		return nil
	}, nil)
})

// A member that fails ends the round at once with its error, and finish
// reaps every member.
func TestCrew_MemberFails(t *testing.T) {
	c, err := newCrew(context.Background(), 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := c.start(testChild.Command(failArgs{M: c.member(i + 1), FailAt: int64(2 + i)})); err != nil {
			t.Fatal(c.finish(err, nil))
		}
	}
	procs := c.procs
	if _, err := c.round(1, time.Minute, c.sleepRound(1, time.Millisecond)); err != nil {
		t.Fatal(c.finish(err, nil))
	}
	t0 := time.Now()
	_, err = c.round(2, time.Minute, c.sleepRound(2, time.Millisecond))
	if err == nil || !strings.Contains(err.Error(), "deliberate failure") {
		t.Errorf("round 2: error %v, want the member's deliberate failure", err)
	}
	if el := time.Since(t0); el > 20*time.Second {
		t.Errorf("the failure took %v to arrive", el)
	}
	c.finish(err, nil)
	for _, p := range procs {
		if _, exited := p.ExitCode(); !exited {
			t.Errorf("member pid %d not reaped", p.Pid())
		}
	}
}

// A member killed in the middle of a round ends it at once.
func TestCrew_MemberKilled(t *testing.T) {
	c, err := newCrew(context.Background(), 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.start(testChild.Command(failArgs{M: c.member(1)})); err != nil {
		t.Fatal(c.finish(err, nil))
	}
	t0 := time.Now()
	_, err = c.round(1, time.Minute, func(ctx context.Context) error {
		c.procs[0].Kill()
		<-ctx.Done() // the round's context ends when the member dies
		return ctx.Err()
	})
	if err == nil || !strings.Contains(err.Error(), "exited during the measurement") {
		t.Errorf("error %v, want one that says the member exited", err)
	}
	if el := time.Since(t0); el > 20*time.Second {
		t.Errorf("the death took %v to notice", el)
	}
	if err := c.finish(err, nil); err == nil {
		t.Error("finish: no error")
	}
}

// Every row is measured, its self-checks pass, and its figures are
// numbers, at a scale that makes them noise.
func TestRun_Every(t *testing.T) {
	if testing.Short() {
		t.Skip("starts some hundred processes")
	}
	var seen []string
	cfg := Config{Quick: true, Scale: 0.01, oneRep: true, Progress: func(i, n int, row Row) {
		if i != len(seen) || n != len(rows) {
			t.Errorf("progress %d of %d for %s, after %d rows", i, n, row.Key, len(seen))
		}
		seen = append(seen, row.Key)
	}}
	for _, r := range Run(t.Context(), cfg, Rows()) {
		switch {
		case r.Err != nil:
			t.Errorf("%s: %v", r.Key, r.Err)
		case !(r.Ours > 0) || math.IsInf(r.Ours, 0) && r.Key != "lock_contended_handoffs":
			t.Errorf("%s: %v", r.Key, r.Ours)
		case r.BaselineName != "" && (r.Baseline <= 0 || r.Ratio <= 0):
			t.Errorf("%s: baseline %v, ratio %v", r.Key, r.Baseline, r.Ratio)
		}
	}
	if len(seen) != len(rows) {
		t.Errorf("progress for %d rows of %d", len(seen), len(rows))
	}
}

func TestRun_Canceled(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for _, r := range Run(ctx, Config{Quick: true}, Rows()) {
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("%s: error %v, want context.Canceled", r.Key, r.Err)
		}
	}
}

// cacheLineRTT measures: a positive time for real trips (no upper bound:
// on a loaded machine a spinning thread may lose its CPU for a while), and
// 0 when it cannot run side by side or is asked for no trips.
func TestCacheLineRTT(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("needs GOMAXPROCS >= 2")
	}
	if d := cacheLineRTT(1000); d <= 0 {
		t.Fatalf("cacheLineRTT(1000) = %v", d)
	}
	if d := cacheLineRTT(0); d != 0 {
		t.Fatalf("cacheLineRTT(0) = %v, want 0", d)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if d := cacheLineRTT(1000); d != 0 {
		t.Fatalf("with GOMAXPROCS 1: cacheLineRTT = %v, want 0 (not measured)", d)
	}
}
