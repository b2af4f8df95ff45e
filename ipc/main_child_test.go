package ipc_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"golang.org/x/sys/unix"
)

func TestMain_RemovesMarker(t *testing.T) {
	var out bytes.Buffer
	p := getenv.Command(ipc.EnvVar)
	p.Stdout = &out
	start(t, p)
	if err := wait(t, p); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got, want := out.String(), ipc.EnvVar+`="" false`+"\n"; got != want {
		t.Fatalf("child reported %q, want %q", got, want)
	}
}

// cloexec fails unless descriptor 3, the control socket, is close-on-exec.
var cloexec = ipc.Register("cloexec", func(ctx context.Context, _ struct{}) error {
	flags, err := unix.FcntlInt(3, unix.F_GETFD, 0)
	if err != nil {
		return err
	}
	if flags&unix.FD_CLOEXEC == 0 {
		return fmt.Errorf("descriptor 3 has flags %#x, want FD_CLOEXEC", flags)
	}
	return nil
})

func TestMain_CloseOnExec(t *testing.T) {
	p := cloexec.Command(struct{}{})
	start(t, p)
	if err := wait(t, p); err != nil {
		t.Fatal(err)
	}
}

func TestMain_BogusMarker(t *testing.T) {
	cases := []struct{ name, value string }{
		{"garbage", "yes"},
		{"no control socket", "1:" + strings.Repeat("ab", 16) + ":0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), ipc.EnvVar+"="+c.value)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("the test binary with %s=%s: %v\nstderr: %s", ipc.EnvVar, c.value, err, stderr.String())
			}
			if !strings.Contains(string(out), "PASS") {
				t.Fatalf("got stdout %q, want the tests to have run (PASS)", out)
			}
			if got := stderr.String(); !strings.HasPrefix(got, "ipc: warning: ") || strings.Count(got, "ipc:") != 1 {
				t.Fatalf("got stderr %q, want one warning line from ipc", got)
			}
		})
	}
}

func TestProcess_Start_MainNotCalled(t *testing.T) {
	t.Setenv(ipc.EnvVar, "1:"+strings.Repeat("ab", 16)+":0")
	if _, err := noop.Start(struct{}{}); err != ipc.ErrMainNotCalled {
		t.Fatalf("got %v, want ErrMainNotCalled", err)
	}
}

// gone reports whether process pid has died: it no longer exists, or it is
// a zombie that its new parent has not reaped yet.
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); err == syscall.ESRCH {
		return true
	}
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return os.IsNotExist(err)
	}
	i := bytes.LastIndexByte(stat, ')')
	return i >= 0 && bytes.HasPrefix(stat[i+1:], []byte(" Z"))
}

// testParentDeath starts p, which prints the pid of a child of its own that
// blocks until its parent goes away, kills p, and checks that the
// grandchild dies too.
func testParentDeath(t *testing.T, p *ipc.Process) {
	line := startLine(t, p)
	pid, err := strconv.Atoi(line)
	if err != nil {
		t.Fatalf("got %q, want the grandchild's pid", line)
	}
	t.Cleanup(func() { syscall.Kill(pid, syscall.SIGKILL) }) // if the test fails
	if gone(pid) {
		t.Fatalf("grandchild %d gone before its parent was killed", pid)
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	wait(t, p)
	deadline := time.Now().Add(2 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still alive 2 s after its parent was killed", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestProcess_ParentDeath(t *testing.T) {
	testParentDeath(t, parent.Command(struct{}{}))
}
