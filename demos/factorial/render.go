package factorial

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Run computes the factorials of cfg.Ns both ways ([Compute]) and writes
// the results ([RenderResults]) and the times ([RenderTimes]) to w.
func Run(ctx context.Context, w io.Writer, cfg Config) error {
	rep, err := Compute(ctx, cfg)
	if err != nil {
		return err
	}
	if err := RenderResults(w, rep); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return RenderTimes(w, rep)
}

// RenderResults writes a table of the factorials of r, with their number
// of digits and their first digits, and says that both ways agreed. It
// prints nothing that changes from run to run.
func RenderResults(w io.Writer, r Report) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "N\tDIGITS\tFIRST DIGITS")
	for _, d := range r.Results {
		more := ""
		if d.Digits > len(d.Leading) {
			more = "…"
		}
		fmt.Fprintf(tw, "%d\t%d\t%s%s\n", d.N, d.Digits, d.Leading, more)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "The pool of %s computed the same digits as the sequential run.\n", workers(r.Workers))
	return err
}

// ChartWidth is the length, in characters, of the longest bar of the
// chart that [RenderTimes] draws.
const ChartWidth = 40

// RenderTimes writes the times of r as a table with the speed-ups, then as
// a bar chart drawn with block characters, a bar for each time, the
// longest ChartWidth characters long, in steps of an eighth of one.
func RenderTimes(w io.Writer, r Report) error {
	rows := []struct {
		label string
		d     time.Duration
		s     float64
	}{
		{"sequential", r.Sequential, 1},
		{"pool, " + workers(r.Workers), r.Pool, r.Speedup()},
		{"pool, started", r.Started, r.StartedSpeedup()},
	}
	width := len("METHOD")
	longest := time.Duration(0)
	for _, row := range rows {
		width = max(width, len(row.label))
		longest = max(longest, row.d)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-*s  %10s  %8s\n", width, "METHOD", "TIME", "SPEED-UP")
	for _, row := range rows {
		fmt.Fprintf(&b, "%-*s  %10s  %8s\n", width, row.label, duration(row.d), speedup(row.s))
	}
	b.WriteString("\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "%-*s  %s  %s\n", width, row.label, Bar(row.d, longest, ChartWidth), duration(row.d))
	}
	if s := r.Speedup(); s > 0 {
		fmt.Fprintf(&b, "\nSpeed-up %s with a pool of %s on %s, its start included", speedup(s), workers(r.Workers), plural(r.CPUs, "CPU"))
		if s := r.StartedSpeedup(); s > 0 {
			fmt.Fprintf(&b, "; %s once started", speedup(s))
		}
		b.WriteString(".\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// eighths are the block characters one to seven eighths wide.
var eighths = []rune("▏▎▍▌▋▊▉")

// Bar returns a bar of block characters for d, on a scale where longest
// is width characters; it is padded with spaces to width characters. A
// time that is not zero gets at least an eighth of a character.
func Bar(d, longest time.Duration, width int) string {
	n := 0 // in eighths of a character
	if d > 0 && longest > 0 {
		n = max(1, int(float64(d)/float64(longest)*float64(8*width)+0.5))
		n = min(n, 8*width)
	}
	var b strings.Builder
	b.WriteString(strings.Repeat("█", n/8))
	cells := n / 8
	if n%8 != 0 {
		b.WriteRune(eighths[n%8-1])
		cells++
	}
	b.WriteString(strings.Repeat(" ", width-cells))
	return b.String()
}

// duration formats a time for the table: milliseconds below a second.
func duration(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func speedup(s float64) string {
	if s == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f×", s)
}

func workers(n int) string { return plural(n, "worker") }

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
