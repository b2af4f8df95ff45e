package chaos

import (
	"context"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"
)

func TestMain(m *testing.M) { proctest.Main(m) }

func TestChaos_ConfigValidate(t *testing.T) {
	for _, c := range []Config{{}, {Rounds: 1, Bound: time.Second}} {
		if err := c.Validate(); err == nil {
			t.Errorf("%+v: got nil error", c)
		}
	}
	if err := (Config{Rounds: 1}).Validate(); err != nil {
		t.Errorf("one round: %v", err)
	}
}

// The same seed draws the same plans; every plan kills someone, each
// within the round.
func TestChaos_NewPlan_Seeded(t *testing.T) {
	for n := 1; n <= 20; n++ {
		a, b := newPlan(7, n), newPlan(7, n)
		if a.dur != b.dur || len(a.kills) != len(b.kills) || a.barrierVictim != b.barrierVictim || a.seed != b.seed {
			t.Fatalf("round %d: two plans of seed 7 differ: %+v, %+v", n, a, b)
		}
		if len(a.kills) < 2 {
			t.Fatalf("round %d: %d kills, want at least a depositor and a pool worker", n, len(a.kills))
		}
		for i, k := range a.kills {
			if k.at < 0 || k.at >= a.dur || (i > 0 && k.at < a.kills[i-1].at) {
				t.Fatalf("round %d: kill %d at %v, round of %v, kills %+v", n, i, k.at, a.dur, a.kills)
			}
		}
	}
}

// One real round: processes started, killed, and every invariant holds.
func TestChaos_Run_OneRound(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	res, err := Run(ctx, Config{Rounds: 1, Seed: 1})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	t.Logf("%+v", res)
	if !res.OK() || res.Rounds != 1 || res.Kills == 0 || res.DuplicateMessages != 0 {
		t.Fatalf("got %+v, want 1 round with kills, no hang, no violation", res)
	}
	if res.Deposits == 0 || res.Messages == 0 || res.PoolTasks == 0 {
		t.Fatalf("got %+v: some workload did nothing", res)
	}
}
