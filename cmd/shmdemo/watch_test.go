package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/demos/bank"
	"github.com/shmkit/shmkit/shm"
)

// startShmdemo starts the test binary as shmdemo with args in the
// background; it is killed and reaped when the test ends, if it has not
// been waited for. Its stdout and stderr are collected.
func startShmdemo(t *testing.T, ctx context.Context, args ...string) (cmd *exec.Cmd, stdout, stderr *bytes.Buffer) {
	t.Helper()
	cmd = exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(childEnv(), asMainEnv+"=1")
	cmd.WaitDelay = 5 * time.Second
	stdout, stderr = new(bytes.Buffer), new(bytes.Buffer)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, stdout, stderr
}

// heldRun is a bank simulation in another process whose account's lock
// this process holds, so that the run cannot end until it is released.
type heldRun struct {
	name   string
	cmd    *exec.Cmd
	stdout *bytes.Buffer
	stderr *bytes.Buffer
	mu     *shm.Mutex
	held   bool
}

// startHeldRun starts "shmdemo bank -name NAME" and takes its account's
// lock before the depositors are let go (the run starts them first, which
// takes milliseconds). If this process was too late, it tries again with
// another name.
func startHeldRun(t *testing.T, ctx context.Context, args ...string) *heldRun {
	t.Helper()
	for attempt := range 3 {
		name := fmt.Sprintf("watched%d", attempt)
		cmd, stdout, stderr := startShmdemo(t, ctx, append([]string{"bank", "-name", name}, args...)...)
		r := &heldRun{name: name, cmd: cmd, stdout: stdout, stderr: stderr}
		w := attachSim(t, ctx, name)
		seg, err := shm.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { seg.Close() })
		if r.mu, err = shm.LookupMutex(seg, "ledger"); err != nil {
			t.Fatal(err)
		}
		if err := r.mu.LockContext(ctx); err != nil {
			t.Fatalf("taking the account's lock: %v", err)
		}
		r.held = true
		t.Cleanup(r.release)
		if s := w.Snapshot(); s.Completed == 0 && !s.Status.Final() {
			return r
		}
		r.release() // too late: the deposits had begun
		r.wait(t, ctx)
	}
	t.Fatal("three runs made deposits before this process could take the lock")
	return nil
}

func (r *heldRun) release() {
	if r.held {
		r.held = false
		r.mu.Unlock()
	}
}

// wait waits for the bank run to end and checks that it succeeded.
func (r *heldRun) wait(t *testing.T, ctx context.Context) {
	t.Helper()
	err := r.cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("shmdemo bank: not done within the deadline: %v", ctx.Err())
	}
	if err != nil {
		t.Fatalf("shmdemo bank: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
}

// attachSim attaches to the named simulation once its segment has all its
// objects.
func attachSim(t *testing.T, ctx context.Context, name string) *bank.Watcher {
	t.Helper()
	for {
		w, err := bank.Attach(name)
		if err == nil {
			t.Cleanup(func() { w.Close() })
			return w
		}
		// A segment being created reads, for a moment, as too short or
		// without its magic; then it lacks its objects (ErrNotExist).
		if !errors.Is(err, shm.ErrNotExist) && !errors.Is(err, shm.ErrTruncated) && !errors.Is(err, shm.ErrBadMagic) {
			t.Fatalf("attach %q: %v", name, err)
		}
		select {
		case <-ctx.Done():
			t.Fatalf("attach %q: %v; gave up: %v", name, err, ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

// watch follows a run from start to end: while this process holds the
// account's lock it shows this process as the holder and the depositors
// as waiting; after, it ends with the final balance. The bank run, with
// its stderr not a terminal, draws no progress bar.
func TestWatch_FollowsRun(t *testing.T) {
	segmentDir(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	run := startHeldRun(t, ctx, "-procs", "2", "-deposits", "2000", "-amount", "10", "-initial", "5")

	cmd := exec.CommandContext(ctx, os.Args[0], "watch", run.name, "-interval", "10ms")
	cmd.Env = append(childEnv(), asMainEnv+"=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	held := fmt.Sprintf("lock held by pid %d (not a depositor); depositing or waiting: ", os.Getpid())
	sc := bufio.NewScanner(pipe)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "running: ") && strings.Contains(sc.Text(), held) {
			break
		}
	}
	if len(lines) == 0 || !strings.Contains(lines[len(lines)-1], held) {
		t.Fatalf("watch never showed the run going on with this process holding the lock (%q); it printed:\n%s\nstderr:\n%s",
			held, strings.Join(lines, "\n"), &stderr)
	}
	if !strings.HasPrefix(lines[len(lines)-1], "running: balance 5, deposits 0 of 4000, ") {
		t.Errorf("while the lock is held: got %q, want balance 5, no deposit", lines[len(lines)-1])
	}
	run.release()
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("watch: %v\nstdout:\n%s\nstderr:\n%s", err, strings.Join(lines, "\n"), &stderr)
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "done: balance 40005, deposits 4000 of 4000, ") || !strings.HasSuffix(last, "; lock free; no depositor running") {
		t.Fatalf("watch's last line: got %q, want done with balance 40005", last)
	}
	run.wait(t, ctx)
	if !strings.Contains(run.stdout.String(), "actual balance    40005") {
		t.Errorf("bank's output:\n%s", run.stdout)
	}
	if run.stderr.Len() != 0 {
		t.Errorf("bank printed on stderr, which is not a terminal:\n%q", run.stderr)
	}
	if infos, err := shm.List(); err != nil || len(infos) != 0 {
		t.Errorf("after the run: shm.List() = %+v, %v; want no segment left", infos, err)
	}
}

// Where stderr is not a terminal, a run long enough for progress reports
// (ten a second) prints nothing there.
func TestBank_NoProgressWhenNotATerminal(t *testing.T) {
	segmentDir(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	run := startHeldRun(t, ctx, "-procs", "2", "-deposits", "1000")
	time.Sleep(300 * time.Millisecond) // the run reports progress every 100 ms
	run.release()
	run.wait(t, ctx)
	if run.stderr.Len() != 0 {
		t.Fatalf("stderr is not a terminal, yet bank printed on it:\n%q", run.stderr)
	}
	if !strings.Contains(run.stdout.String(), "Every deposit is in the balance.") {
		t.Fatalf("stdout:\n%s", run.stdout)
	}
}

func TestWatch_Errors(t *testing.T) {
	dir := segmentDir(t)
	if err := os.WriteFile(dir+"/shmkit.bad", bytes.Repeat([]byte("not a segment\n"), 300), 0o600); err != nil {
		t.Fatal(err)
	}
	createSegment(t, "foreign")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"missing", []string{"watch", "missing"}, 1, []string{`no segment named "missing" in ` + dir, "shmdemo segments"}},
		{"not a segment", []string{"watch", "bad"}, 1, []string{`segment "bad"`, "not a shmkit segment"}},
		{"foreign", []string{"watch", "foreign"}, 1, []string{`segment "foreign"`, "holds no bank simulation"}},
		{"no name", []string{"watch"}, 2, []string{"want the name of a segment"}},
		{"two names", []string{"watch", "a", "b"}, 2, []string{`unexpected argument "b"`}},
		{"bad name", []string{"watch", "../x"}, 2, []string{"bad name"}},
		{"interval", []string{"watch", "-interval", "0", "x"}, 2, []string{"-interval 0s"}},
		{"-h", []string{"watch", "-h"}, 0, []string{"usage: shmdemo watch", "keeps no list of\nwaiters"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := shmdemo(t, tt.args...)
			if r.code != tt.code {
				t.Fatalf("exit status %d, want %d\nstderr:\n%s", r.code, tt.code, r.stderr)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("stdout: %q, want nothing", r.stdout)
			}
		})
	}
}
