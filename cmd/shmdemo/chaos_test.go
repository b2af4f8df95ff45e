package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A short chaos run, as part of the tests: workers are killed, nothing
// hangs, every invariant holds. (make soak runs a long one.)
func TestChaos_Short_JSON(t *testing.T) {
	segmentDir(t)
	r := shmdemoWithin(t, 2*time.Minute, "chaos", "-seconds", "3", "-seed", "1", "-json")
	var got map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("output is not JSON: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	t.Logf("chaos -seconds 3 -seed 1: %s", r.stdout)
	num := func(field string) float64 {
		t.Helper()
		v, ok := got[field].(float64)
		if !ok {
			t.Fatalf("field %q: got %v, want a number\n%s", field, got[field], r.stdout)
		}
		return v
	}
	for _, f := range []string{"rounds", "kills", "owner_dead_recoveries", "hangs", "invariant_violations", "lost_messages", "duplicate_messages"} {
		num(f)
	}
	if num("hangs") != 0 || num("invariant_violations") != 0 || num("duplicate_messages") != 0 {
		t.Errorf("hangs %v, invariant violations %v, duplicates %v, want none\n%s", num("hangs"), num("invariant_violations"), num("duplicate_messages"), r.stdout)
	}
	if num("kills") <= 0 || num("rounds") <= 0 {
		t.Errorf("rounds %v, kills %v, want some of each", num("rounds"), num("kills"))
	}
	if num("seed") != 1 {
		t.Errorf("seed %v, want 1", num("seed"))
	}
	if r.code != 0 {
		t.Errorf("exit status %d, want 0\nstderr:\n%s", r.code, r.stderr)
	}
}

func TestChaos_Usage(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"chaos", "-h"}, 0, "shmdemo chaos [-seconds S] [-seed N] [-json]"},
		{[]string{"chaos", "-seconds", "0"}, 2, "-seconds 0: want more than 0"},
		{[]string{"chaos", "-seed", "x"}, 2, "-seed"},
		{[]string{"chaos", "now"}, 2, `unexpected argument "now"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			r := shmdemo(t, tt.args...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit status %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.stderr)
			}
		})
	}
}
