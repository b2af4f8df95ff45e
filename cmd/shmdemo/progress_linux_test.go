package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal and returns its two ends, closed when
// the test ends.
func openPty(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { master.Close() })
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Skipf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Skipf("pseudo-terminal number: %v", err)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("opening the pseudo-terminal: %v", err)
	}
	t.Cleanup(func() { slave.Close() })
	return master, slave
}

// With stderr a terminal, bank draws its progress bar there, ten times a
// second (and clears it at the end); stdout still gets the results alone.
// With -json, no bar.
func TestBank_ProgressOnTerminal(t *testing.T) {
	segmentDir(t)
	for _, tt := range []struct {
		name string
		args []string
		bar  bool
	}{
		{"text", []string{"bank", "-procs", "2", "-deposits", "5000000", "-mode", "atomic"}, true},
		{"json", []string{"bank", "-procs", "2", "-deposits", "5000000", "-mode", "atomic", "-json"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			master, slave := openPty(t)
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], tt.args...)
			cmd.Env = append(childEnv(), asMainEnv+"=1")
			cmd.WaitDelay = 5 * time.Second
			var stdout bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, slave
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			slave.Close() // the child has it
			term := make(chan string, 1)
			go func() { b, _ := io.ReadAll(master); term <- string(b) }() // ends with EIO once the child is gone
			err := cmd.Wait()
			var got string
			select {
			case got = <-term:
			case <-ctx.Done():
				t.Fatalf("reading the terminal: %v", ctx.Err())
			}
			if err != nil {
				t.Fatalf("shmdemo bank: %v\nterminal:\n%q", err, got)
			}
			// A run this long lasts more than 100 ms: the bar is drawn at
			// least once.
			hasBar := strings.Contains(got, "deposits") && strings.Contains(got, "/10000000")
			if hasBar != tt.bar {
				t.Fatalf("terminal got %q; want a finished bar: %v", got, tt.bar)
			}
			if strings.Contains(stdout.String(), "%") || !strings.Contains(stdout.String(), "10000000") {
				t.Fatalf("stdout: %q, want the results only", &stdout)
			}
		})
	}
}
