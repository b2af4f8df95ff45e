package ipc

import (
	"testing"
	"time"
)

// TestWorker_Window checks how many chunks a worker may hold: one until
// it has finished one, one when its chunks are long (a chunk held ahead
// behind a long one unbalances a map's end), and enough for poolAhead
// when they are quick, at least 2 and at most poolTaskSlots.
func TestWorker_Window(t *testing.T) {
	for _, tc := range []struct {
		chunk time.Duration
		want  int
	}{
		{0, 1},
		{time.Nanosecond, poolTaskSlots},
		{poolAhead / 8, 8},
		{poolAhead, poolWindow},
		{poolLong - time.Microsecond, poolWindow},
		{poolLong, 1},
		{time.Second, 1},
	} {
		w := &worker{chunkTime: tc.chunk}
		if got := w.window(); got != tc.want {
			t.Errorf("window with chunks of %v = %d, want %d", tc.chunk, got, tc.want)
		}
	}
}
