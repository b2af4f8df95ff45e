package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The bar's line: percentage, eighths of a cell, count, time spent and
// time left, clamped to the total.
func TestProgressBar_Line(t *testing.T) {
	b := &progressBar{label: "deposits", total: 1000, width: 10}
	for _, tt := range []struct {
		done    int64
		elapsed time.Duration
		want    string
	}{
		{0, 0, "deposits   0% [          ] 0/1000  0s"},
		{250, time.Second, "deposits  25% [██▌       ] 250/1000  1s, ~3s left"},
		{13, 100 * time.Millisecond, "deposits   1% [▏         ] 13/1000  100ms, ~7.6s left"},
		{999, 2 * time.Second, "deposits  99% [█████████▉] 999/1000  2s, ~0s left"},
		{1000, 4 * time.Second, "deposits 100% [██████████] 1000/1000  4s"},
		{5000, 4 * time.Second, "deposits 100% [██████████] 1000/1000  4s"},
		{-3, 0, "deposits   0% [          ] 0/1000  0s"},
	} {
		if got := b.line(tt.done, tt.elapsed); got != tt.want {
			t.Errorf("line(%d, %v) =\n%q, want\n%q", tt.done, tt.elapsed, got, tt.want)
		}
	}
}

// Drawn at once, redrawn in place, erased by Finish.
func TestProgressBar_DrawAndFinish(t *testing.T) {
	var out bytes.Buffer
	now := time.Unix(0, 0)
	b := newProgressBar(&out, "jobs", 4)
	b.now = func() time.Time { return now }
	b.start = now
	if !strings.HasPrefix(out.String(), "\r\033[Kjobs   0% [") {
		t.Fatalf("not drawn at creation: %q", &out)
	}
	out.Reset()
	now = now.Add(time.Second)
	b.Set(2)
	if want := "\r\033[Kjobs  50% [" + strings.Repeat("█", 15) + strings.Repeat(" ", 15) + "] 2/4  1s, ~1s left"; out.String() != want {
		t.Fatalf("Set(2) drew %q, want %q", &out, want)
	}
	out.Reset()
	b.Finish()
	b.Finish()
	if out.String() != "\r\033[K" {
		t.Fatalf("Finish twice drew %q, want one erase", &out)
	}
}
