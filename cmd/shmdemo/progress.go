package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws one line on a terminal, redrawn in place:
//
//	deposits  42% [████████████▌                 ] 4200000/10000000  1.2s, ~1.7s left
//
// It is drawn by hand, as bench's status line and watch's block are,
// rather than with a progress-bar library: the one shmdemo used
// (schollz/progressbar) links net/http and crypto/tls, whose package
// initialisation and page faults cost every process started from this
// binary (each depositor, each pool worker) about 7 ms more at start.
type progressBar struct {
	w     io.Writer
	label string
	total int64
	width int // cells of the bar
	start time.Time
	now   func() time.Time
	drawn bool
}

// newProgressBar returns a bar of total units, labelled, drawn on w (a
// terminal) at once, while the work starts.
func newProgressBar(w io.Writer, label string, total int64) *progressBar {
	b := &progressBar{w: w, label: label, total: total, width: 30, now: time.Now}
	b.start = b.now()
	b.Set(0)
	return b
}

// Set redraws the bar with done units of the total finished.
func (b *progressBar) Set(done int64) {
	fmt.Fprintf(b.w, "\r\033[K%s", b.line(done, b.now().Sub(b.start)))
	b.drawn = true
}

// Finish erases the bar: it leaves no trace above what follows.
func (b *progressBar) Finish() {
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
		b.drawn = false
	}
}

// line is the bar's text for done units after elapsed time: the label,
// the percentage, the bar in eighths of a cell, the count, the time spent
// and, once there is a rate to go by, the time left.
func (b *progressBar) line(done int64, elapsed time.Duration) string {
	done = min(max(done, 0), b.total)
	frac := 1.0
	if b.total > 0 {
		frac = float64(done) / float64(b.total)
	}
	eighths := int(frac * float64(b.width*8))
	var s strings.Builder
	fmt.Fprintf(&s, "%s %3d%% [", b.label, int(frac*100))
	s.WriteString(strings.Repeat("█", eighths/8))
	cells := eighths / 8
	if part := eighths % 8; part > 0 {
		s.WriteString(string([]rune(" ▏▎▍▌▋▊▉")[part]))
		cells++
	}
	s.WriteString(strings.Repeat(" ", b.width-cells))
	fmt.Fprintf(&s, "] %d/%d  %s", done, b.total, elapsed.Round(100*time.Millisecond))
	if done > 0 && done < b.total {
		left := time.Duration(float64(elapsed) / float64(done) * float64(b.total-done))
		fmt.Fprintf(&s, ", ~%s left", left.Round(100*time.Millisecond))
	}
	return s.String()
}
