package bank

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// attach attaches to the named simulation once it has all its objects.
func attach(t *testing.T, ctx context.Context, name string) *Watcher {
	t.Helper()
	for {
		w, err := Attach(name)
		if err == nil {
			t.Cleanup(func() { w.Close() })
			return w
		}
		// A segment being created reads, for a moment, as too short or
		// without its magic; then it lacks its objects (ErrNotExist).
		if !errors.Is(err, shm.ErrNotExist) && !errors.Is(err, shm.ErrTruncated) && !errors.Is(err, shm.ErrBadMagic) {
			t.Fatalf("Attach(%q): %v", name, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Attach(%q): %v; gave up: %v", name, err, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// A run with a Name is in that named segment: a Watcher sees it while it
// runs (the lock held here keeps it running), and reads the final state
// after Run removed the segment.
func TestRun_Named_Watcher(t *testing.T) {
	t.Setenv("SHMKIT_DIR", t.TempDir())
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cfg := Config{Procs: 2, Deposits: 1000, Amount: 10, Initial: 5, Mode: Locked, Name: "bank-test"}
	type outcome struct {
		res Result
		err error
	}
	out := make(chan outcome, 1)
	go func() {
		res, err := Run(ctx, cfg)
		out <- outcome{res, err}
	}()
	w := attach(t, ctx, cfg.Name)
	if err := w.sh.acct.Mutex().LockContext(ctx); err != nil {
		t.Fatalf("taking the account's lock: %v", err)
	}
	s := w.Snapshot()
	if s.LockOwner != os.Getpid() || s.Total != 2000 || s.Mode != Locked || s.Status.Final() {
		t.Errorf("while the lock is held here: got %+v, want lock owner %d, total 2000, mode locked, not final", s, os.Getpid())
	}
	if w.Gone() {
		t.Errorf("Gone() = true while the run goes on")
	}
	w.sh.acct.Mutex().Unlock()

	var o outcome
	select {
	case o = <-out:
	case <-ctx.Done():
		t.Fatalf("Run did not end: %v", ctx.Err())
	}
	if o.err != nil {
		t.Fatalf("Run: %v", o.err)
	}
	s = w.Snapshot()
	want := int64(5 + 10*2000)
	if s.Status != Done || s.Balance != want || s.Completed != 2000 || len(s.Depositors) != 0 || s.Ended.Before(s.Started) {
		t.Fatalf("after the run: got %+v, want done, balance %d, 2000 deposits, no depositors", s, want)
	}
	if o.res.Balance != want {
		t.Fatalf("Run: balance %d, want %d", o.res.Balance, want)
	}
	if !w.Gone() {
		t.Errorf("Gone() = false after Run removed the segment")
	}
	if _, err := shm.Open(cfg.Name); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("after Run, Open: got %v, want ErrNotExist", err)
	}
}

// A name in use is refused, and the segment of the other is left alone;
// a run cancelled before its end removes its segment.
func TestRun_Named_ExistsAndCancel(t *testing.T) {
	t.Setenv("SHMKIT_DIR", t.TempDir())
	seg, err := shm.Create("taken", 4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close(); shm.Remove("taken") })
	if _, err := Run(t.Context(), Config{Procs: 1, Deposits: 1, Amount: 1, Mode: Locked, Name: "taken"}); !errors.Is(err, shm.ErrExists) {
		t.Fatalf("Run with a taken name: got %v, want ErrExists", err)
	}
	other, err := shm.Open("taken")
	if err != nil {
		t.Fatalf("the other segment: %v", err)
	}
	other.Close()

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, Config{Procs: 1, Deposits: 1, Amount: 1, Mode: Locked, Name: "cancelled"}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Run: got %v, want context.Canceled", err)
	}
	if _, err := os.Stat(filepath.Join(shm.Dir(), "shmkit.cancelled")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("after a cancelled run, its segment: %v, want it removed", err)
	}
}

// Attach refuses a missing segment and a segment without a simulation.
func TestAttach_Errors(t *testing.T) {
	t.Setenv("SHMKIT_DIR", t.TempDir())
	if _, err := Attach("missing"); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("Attach(missing): got %v, want ErrNotExist", err)
	}
	seg, err := shm.Create("other", 4096)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close(); shm.Remove("other") })
	if _, err := Attach("other"); !errors.Is(err, ErrNotSimulation) {
		t.Fatalf("Attach(other): got %v, want ErrNotSimulation", err)
	}
}
