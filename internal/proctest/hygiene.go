package proctest

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/inherit"
)

// The leak check. Run records what the test binary holds before the tests
// and checks, once they have run, that they left nothing behind:
//
//   - no child process, running or a zombie (Linux: /proc, by parent pid);
//   - no open descriptor that was not open before (Linux: /proc/self/fd);
//   - no shared memory segment still open (shm's record of the segments it
//     maps, the one package ipc hands to children), and no mapping of a
//     segment file (Linux: /proc/self/maps) that was not there before;
//   - no goroutine beyond those there before.
//
// Some things legitimately live as long as the process, and are not
// counted: the segments of shm's default arena (NewValue and the others
// without shm.In allocate there, and its memory is never released, by
// design; shm marks them with inherit.Lifelong), the runtime's network
// poller (made before the first snapshot, so it is in both), the
// goroutine that starts ipc's children from a locked thread, and
// os/signal's goroutines. What is still going away (a reaper goroutine
// finishing, a killed child not yet reaped) gets up to settleTime to go.
//
// macOS has no /proc: there the check covers segments and goroutines only.
//
// The check is skipped while fuzzing (the fuzzing engine's workers and
// goroutines are not the tests'), and when SHMKIT_LEAKCHECK=off.
const leakEnv = "SHMKIT_LEAKCHECK"

// settleTime bounds the wait for leftovers to go away.
var settleTime = 5 * time.Second

// Run runs the tests (m.Run), then the leak check, and returns the exit
// status for os.Exit: m.Run's, or 1 if the tests passed but left something
// behind, which it then lists on stderr. TestMain of a package with its own
// child roles calls it; others call [Main], which calls it.
func Run(m *testing.M) int {
	if os.Getenv(leakEnv) == "off" {
		return m.Run()
	}
	before := takeSnapshot()
	code := m.Run()
	if fuzzing() {
		return code
	}
	left := before.leftovers(settleTime)
	if len(left) == 0 {
		return code
	}
	var b strings.Builder
	b.WriteString("proctest: the tests left behind:\n")
	for _, l := range left {
		fmt.Fprintf(&b, "  - %s\n", strings.ReplaceAll(l, "\n", "\n      "))
	}
	fmt.Fprintf(&b, "FAIL: leftovers after the tests (%s=off skips this check)\n", leakEnv)
	os.Stderr.WriteString(b.String())
	if code == 0 {
		code = 1
	}
	return code
}

// fuzzing reports whether this run is a fuzzing engine's (coordinator or
// worker). The flags are parsed by m.Run.
func fuzzing() bool {
	for _, name := range []string{"test.fuzz", "test.fuzzworker"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" && f.Value.String() != "false" {
			return true
		}
	}
	return false
}

// snapshot is what the process held before the tests.
type snapshot struct {
	goroutines int             // not counting the caller and lifelong ones
	segments   map[uint64]bool // ids of open segments, not counting lifelong ones
	sys        sysSnapshot     // what the system shows (Linux: descriptors, mappings)
}

func takeSnapshot() snapshot {
	s := snapshot{goroutines: len(goroutines()), segments: map[uint64]bool{}}
	for _, seg := range inherit.Segments() {
		if !seg.Lifelong {
			s.segments[seg.ID] = true
		}
	}
	s.sys = takeSys()
	return s
}

// leftovers returns what the process holds now and did not before, waiting
// up to wait for it to go away.
func (s snapshot) leftovers(wait time.Duration) []string {
	deadline := time.Now().Add(wait)
	for {
		left := s.check()
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s snapshot) check() []string {
	var left []string
	// Segments: the open ones are reported here; the system check leaves
	// out their descriptors and mappings, and those of lifelong ones.
	var known []*os.File
	for _, seg := range inherit.Segments() {
		known = append(known, seg.File)
		if !seg.Lifelong && !s.segments[seg.ID] {
			left = append(left, fmt.Sprintf("shared memory segment %016x still open (descriptor %d, %s): a Segment never closed",
				seg.ID, seg.File.Fd(), seg.File.Name()))
		}
	}
	left = append(left, s.sys.check(known)...)
	if gs := goroutines(); len(gs) > s.goroutines {
		msg := fmt.Sprintf("%d goroutines, %d before the tests:", len(gs), s.goroutines)
		for _, g := range gs {
			msg += "\n" + shorten(g, 12)
		}
		left = append(left, msg)
	}
	return left
}

// lifelongGoroutines are functions whose goroutines live as long as the
// process once started: ipc's spawning thread and os/signal's loop.
var lifelongGoroutines = []string{
	"github.com/shmkit/shmkit/ipc.spawnLoop",
	"os/signal.loop",
	"os/signal.signal_recv",
	"runtime.ensureSigM",
}

// goroutines returns the stacks of every goroutine but the caller and the
// lifelong ones.
func goroutines() []string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []string
	for i, g := range strings.Split(strings.TrimSpace(string(buf)), "\n\n") {
		if i == 0 { // the caller
			continue
		}
		lifelong := false
		for _, fn := range lifelongGoroutines {
			if strings.Contains(g, fn+"(") {
				lifelong = true
				break
			}
		}
		if !lifelong {
			out = append(out, g)
		}
	}
	return out
}

// shorten keeps the first n lines of s.
func shorten(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "..."
	}
	return strings.Join(lines, "\n")
}
