package proctest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/shm"
)

// The test binary plays a test run that leaves something behind: with
// leakKindEnv set, TestLeakHelper leaves that behind and Run's check must
// catch it. With sleeperEnv set it is a child that lives until its
// standard input ends.
const (
	leakKindEnv = "PROCTEST_LEAK"
	sleeperEnv  = "PROCTEST_SLEEPER"
)

func TestMain(m *testing.M) {
	if os.Getenv(sleeperEnv) != "" {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}
	if os.Getenv(leakKindEnv) != "" {
		settleTime = 200 * time.Millisecond
	}
	Main(m)
}

// kept holds what a helper leaks, so that no finalizer cleans it up.
var kept []any

var leaks = map[string]func(t *testing.T){
	"none": func(t *testing.T) {},
	"goroutine": func(t *testing.T) {
		block := make(chan struct{})
		kept = append(kept, block)
		go func() { <-block }()
	},
	"child": func(t *testing.T) {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), sleeperEnv+"=1")
		w, err := cmd.StdinPipe() // the child lives until this process exits
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, cmd, w)
	},
	"zombie": func(t *testing.T) {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), sleeperEnv+"=1") // stdin is /dev/null: exits at once
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		kept = append(kept, cmd)
		// Wait for it to exit, leaving it a zombie (WNOWAIT).
		var info unix.Siginfo
		if err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil); err != nil {
			t.Fatal(err)
		}
	},
	"descriptor": func(t *testing.T) {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, f)
	},
	"segment": func(t *testing.T) {
		seg, err := shm.NewSegment(4096)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, seg)
	},
	"arena": func(t *testing.T) { // not a leak: the arena lives as long as the process
		v, err := shm.NewValue[int64](1)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, v)
	},
	"mapping": func(t *testing.T) { // a segment file mapped by hand, its descriptor closed
		f, err := os.Create(filepath.Join(t.TempDir(), "shmkit.leak"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := f.Truncate(4096); err != nil {
			t.Fatal(err)
		}
		mem, err := unix.Mmap(int(f.Fd()), 0, 4096, unix.PROT_READ, unix.MAP_SHARED)
		if err != nil {
			t.Fatal(err)
		}
		kept = append(kept, mem)
	},
}

func TestLeakHelper(t *testing.T) {
	kind := os.Getenv(leakKindEnv)
	if kind == "" {
		t.Skip("a helper of TestRun_ReportsLeftovers")
	}
	leaks[kind](t)
}

// TestRun_ReportsLeftovers runs the test binary as a test run that leaves
// each kind of thing behind, and checks that Run fails it naming the
// thing; a clean run, and one that only grew the arena, pass.
func TestRun_ReportsLeftovers(t *testing.T) {
	tests := []struct {
		kind string
		want string // in stderr; "" for a run that must pass
	}{
		{"none", ""},
		{"arena", ""},
		{"goroutine", "1 goroutines, 0 before the tests:\n      goroutine "},
		{"child", "(running): " + os.Args[0]},
		{"zombie", "(a zombie: exited, never waited for)"},
		{"descriptor", "(" + os.DevNull + ")"},
		{"segment", "still open (descriptor "},
		{"mapping", "shmkit.leak (deleted) (inode "},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), Deadline)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLeakHelper$", "-test.v")
			cmd.Env = append(os.Environ(), leakKindEnv+"="+tt.kind)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			_, err := cmd.Output()
			var exit *exec.ExitError
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("a run that leaves nothing: %v\nstderr:\n%s", err, stderr.Bytes())
			case tt.want == "" && strings.Contains(stderr.String(), "proctest:"):
				t.Fatalf("a run that leaves nothing: got a report:\n%s", stderr.Bytes())
			case tt.want == "":
				return
			case !errors.As(err, &exit) || exit.ExitCode() != 1:
				t.Fatalf("got %v, want exit status 1\nstderr:\n%s", err, stderr.Bytes())
			case !strings.Contains(stderr.String(), tt.want):
				t.Fatalf("got stderr:\n%s\nwant it to name %q", stderr.Bytes(), tt.want)
			}
		})
	}
}
