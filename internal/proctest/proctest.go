// Package proctest holds what the tests of shmkit's process-starting
// packages share: their TestMain, starting and reaping a child with a
// deadline, and the check that the tests of a package left no child
// process, descriptor, segment or goroutine behind ([Run]).
package proctest

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

// Deadline bounds every wait for a child in tests.
const Deadline = 30 * time.Second

// Main is the TestMain of a package whose tests start child processes. In
// a child it runs the registered function and exits (ipc.Main); in the
// test binary it spares the children the race detector's sleep at exit,
// then runs the tests and checks that they left nothing behind (see
// [Run]).
func Main(m *testing.M) {
	ipc.Main()
	SpareRaceSleep()
	os.Exit(Run(m))
}

// SpareRaceSleep sets atexit_sleep_ms=0 in GORACE, unless GORACE already
// sets it: a race-enabled program that exits with status 0 first sleeps a
// second by default, and tests start many children.
func SpareRaceSleep() {
	g := os.Getenv("GORACE")
	if !strings.Contains(g, "atexit_sleep_ms") {
		os.Setenv("GORACE", strings.TrimSpace(g+" atexit_sleep_ms=0"))
	}
}

// Start starts p, killing and reaping it when the test ends.
func Start(t testing.TB, p *ipc.Process) {
	t.Helper()
	if err := p.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		p.Kill()
		Wait(t, p)
	})
}

// Wait waits for p and returns its error, failing the test if p is still
// running after Deadline.
func Wait(t testing.TB, p *ipc.Process) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Deadline)
	defer cancel()
	err := p.Wait(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("process %q (pid %d) still running after %v", p.Name(), p.Pid(), Deadline)
	}
	return err
}
