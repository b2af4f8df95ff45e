package shm_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/proctest"
	"github.com/shmkit/shmkit/shm"
)

// The test binary plays small helper processes, as os/exec's tests do: with
// SHM_TEST_ROLE set, TestMain runs that role instead of the tests. A role
// gets the segment as fd 3 and its arguments in SHM_TEST_ARGS. This tests
// shm across processes without package ipc.
const roleEnv = "SHM_TEST_ROLE"

var roles = map[string]func(seg *shm.Segment, args []string) error{
	// hold [NAME]: lock the lock of object NAME (default "m"), say
	// "locked", then wait to be killed.
	"hold": func(seg *shm.Segment, args []string) error {
		name := "m"
		if len(args) > 0 {
			name = args[0]
		}
		m, err := shm.LookupMutex(seg, name)
		if err != nil {
			return err
		}
		if err := m.Lock(); err != nil {
			return err
		}
		fmt.Println("locked")
		time.Sleep(time.Minute)
		return fmt.Errorf("hold: not killed within a minute")
	},
	// hammer K: K times, lock "m" and increment value "n" non-atomically.
	"hammer": func(seg *shm.Segment, args []string) error {
		k, _ := strconv.Atoi(args[0])
		m, err := shm.LookupMutex(seg, "m")
		if err != nil {
			return err
		}
		n, err := shm.LookupValue[int64](seg, "n")
		if err != nil {
			return err
		}
		for range k {
			if err := m.Lock(); err != nil {
				return err
			}
			n.Store(n.Load() + 1)
			m.Unlock()
		}
		return nil
	},
	// bench-lock K: after the start signal, K times: lock n's lock,
	// increment n, count a hand-over in "handovers" when the previous
	// holder was another process.
	"bench-lock": func(seg *shm.Segment, args []string) error {
		k, _ := strconv.Atoi(args[0])
		return benchLockLoop(seg, k)
	},
	// bench-add K: after the start signal, K atomic adds of 1 to "n".
	"bench-add": func(seg *shm.Segment, args []string) error {
		k, _ := strconv.Atoi(args[0])
		n, err := shm.LookupValue[int64](seg, "n")
		if err != nil {
			return err
		}
		if err := awaitStart(seg); err != nil {
			return err
		}
		for range k {
			n.Add(1)
		}
		return nil
	},
	// add K: K atomic adds of 1 to value "n".
	"add": func(seg *shm.Segment, args []string) error {
		k, _ := strconv.Atoi(args[0])
		n, err := shm.LookupValue[int64](seg, "n")
		if err != nil {
			return err
		}
		for range k {
			n.Add(1)
		}
		return nil
	},
	// Roles of the synchronisation objects; see their test files.
	"rlock-hold":  roleRLockHold,
	"rw-hold":     roleRWHold,
	"rw-hammer":   roleRWHammer,
	"sem-acquire": roleSemAcquire,
	"sem-hammer":  roleSemHammer,
	"event-wait":  roleEventWait,
	"cond-wait":   roleCondWait,
	"barrier":     roleBarrier,
}

func TestMain(m *testing.M) {
	if role := os.Getenv(roleEnv); role != "" {
		os.Exit(runRole(role))
	}
	if name := os.Getenv(probeEnv); name != "" {
		os.Exit(runProbe(name))
	}
	os.Exit(proctest.Run(m))
}

func runRole(role string) int {
	seg, err := shm.Attach(os.NewFile(3, "segment"))
	if err == nil {
		err = roles[role](seg, strings.Fields(os.Getenv("SHM_TEST_ARGS")))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, role+":", err)
		return 1
	}
	return 0
}

// child is a helper process started by startRole.
type child struct {
	cmd   *exec.Cmd
	lines *bufio.Scanner
	done  chan struct{}
	err   error // of Wait, once done is closed
}

// startRole starts the test binary as role with seg as its fd 3. The child
// is killed and reaped when the test ends.
func startRole(t testing.TB, seg *shm.Segment, role string, args ...string) *child {
	t.Helper()
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), roleEnv+"="+role, "SHM_TEST_ARGS="+strings.Join(args, " "))
	cmd.ExtraFiles = []*os.File{f}
	cmd.Stdout, cmd.Stderr = w, os.Stderr
	if err := cmd.Start(); err != nil {
		r.Close()
		t.Fatal(err)
	}
	c := &child{cmd: cmd, lines: bufio.NewScanner(r), done: make(chan struct{})}
	go func() { c.err = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		c.wait(t)
		r.Close()
	})
	return c
}

// expect reads the child's next line of output, failing the test unless it
// is want within 10 seconds.
func (c *child) expect(t testing.TB, want string) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		c.lines.Scan()
		got <- c.lines.Text()
	}()
	select {
	case line := <-got:
		if line != want {
			t.Fatalf("child said %q, want %q", line, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("child did not say %q within 10s", want)
	}
}

// wait reaps the child, with a deadline, and returns its error.
func (c *child) wait(t testing.TB) error {
	t.Helper()
	select {
	case <-c.done:
		return c.err
	case <-time.After(30 * time.Second):
		t.Fatalf("child %d not done within 30s", c.cmd.Process.Pid)
		return nil
	}
}

// within runs fn in a goroutine and fails the test if it takes longer than
// d: a hang becomes a failure, not a stuck test run.
func within(t testing.TB, d time.Duration, what string, fn func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("%s: not done within %v", what, d)
	}
}
