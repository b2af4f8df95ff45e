package ipc_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

func TestProcess_Wait_Output(t *testing.T) {
	var out bytes.Buffer
	p := hello.Command("Process-1")
	p.Stdout = &out
	start(t, p)
	if err := wait(t, p); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got, want := out.String(), "Running Process-1\n"; got != want {
		t.Fatalf("got output %q, want %q", got, want)
	}
	if code, exited := p.ExitCode(); code != 0 || !exited {
		t.Fatalf("got ExitCode() = %d, %v, want 0, true", code, exited)
	}
	if p.Alive() {
		t.Fatal("got Alive() = true after Wait")
	}
	select {
	case <-p.Done():
	default:
		t.Fatal("Done() not closed after Wait")
	}
}

type point struct {
	X, Y  int
	Label string
	Next  *point
}

var echo = ipc.Register("echo", func(ctx context.Context, p *point) error {
	fmt.Printf("%+v", p)
	if p != nil && p.Next != nil {
		fmt.Printf(" %+v", *p.Next)
	}
	return nil
})

func TestFunc_Start_Args(t *testing.T) {
	cases := []struct {
		name string
		arg  *point
		want string
	}{
		{"nil pointer", nil, "<nil>"},
		{"zero", &point{}, "&{X:0 Y:0 Label: Next:<nil>}"},
		{"nested", &point{X: 1, Y: -2, Label: "a", Next: &point{X: 3}}, "&{X:1 Y:-2 Label:a Next:0x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			p := echo.Command(c.arg)
			p.Stdout = &out
			start(t, p)
			if err := wait(t, p); err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if !strings.HasPrefix(out.String(), c.want) {
				t.Fatalf("got %q, want prefix %q", out.String(), c.want)
			}
			if c.arg != nil && c.arg.Next != nil && !strings.HasSuffix(out.String(), " {X:3 Y:0 Label: Next:<nil>}") {
				t.Fatalf("got %q, want the nested point decoded", out.String())
			}
		})
	}
}

var takesChan = ipc.Register("chan", func(ctx context.Context, ch chan int) error { return nil })

func TestFunc_Start_ArgsNotEncodable(t *testing.T) {
	p, err := takesChan.Start(make(chan int))
	if !errors.Is(err, ipc.ErrArgs) || !strings.Contains(err.Error(), "chan int") {
		t.Fatalf("got %v, want ErrArgs naming chan int", err)
	}
	if p != nil {
		t.Fatalf("got a process %v with the error", p)
	}
}

func TestProcess_Wait_Failures(t *testing.T) {
	cases := []struct {
		name     string
		p        *ipc.Process
		code     int
		message  string
		panicked bool
		text     string // the error text after `ipc: process "name" (pid N) `
	}{
		{"error", fail.Command("boom"), 1, "boom", false, "failed: boom"},
		{"panic", boom.Command("boom"), 2, "boom", true, "panicked: boom"},
		{"os.Exit", exit.Command(3), 3, "", false, "exited with status 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			c.p.Stderr = &stderr
			start(t, c.p)
			err := wait(t, c.p)
			var e *ipc.ExitError
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an *ExitError", err)
			}
			if e.Code != c.code || e.Signal != 0 || e.Message != c.message || e.Panicked != c.panicked || e.Name != c.p.Name() || e.Pid != c.p.Pid() {
				t.Fatalf("got %+v, want Code %d, Message %q, Panicked %v", e, c.code, c.message, c.panicked)
			}
			if want := fmt.Sprintf("ipc: process %q (pid %d) %s", c.p.Name(), c.p.Pid(), c.text); err.Error() != want {
				t.Fatalf("got error %q, want %q", err, want)
			}
			if code, exited := c.p.ExitCode(); code != c.code || !exited {
				t.Fatalf("got ExitCode() = %d, %v, want %d, true", code, exited, c.code)
			}
			if c.panicked {
				if !strings.Contains(e.Stack, "goroutine ") {
					t.Fatalf("got stack %q, want a goroutine stack", e.Stack)
				}
				if !strings.HasPrefix(stderr.String(), "panic: boom\n\ngoroutine ") {
					t.Fatalf("got stderr %q, want the panic printed", stderr.String())
				}
			} else if e.Stack != "" {
				t.Fatalf("got stack %q, want none", e.Stack)
			}
		})
	}
}

func TestProcess_Signal(t *testing.T) {
	cases := []struct {
		name   string
		signal func(*ipc.Process) error
		sig    syscall.Signal
		text   string
	}{
		{"Kill", (*ipc.Process).Kill, syscall.SIGKILL, "was killed by signal SIGKILL"},
		{"Terminate", (*ipc.Process).Terminate, syscall.SIGTERM, "was killed by signal SIGTERM"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := sleep.Command("ready")
			if line := startLine(t, p); line != "ready" {
				t.Fatalf("got %q, want ready", line)
			}
			if err := c.signal(p); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			err := wait(t, p)
			var e *ipc.ExitError
			if !errors.As(err, &e) || e.Code != -int(c.sig) || e.Signal != c.sig || e.Message != "" {
				t.Fatalf("got %#v, want an *ExitError with Code %d and Signal %v", err, -int(c.sig), c.sig)
			}
			if !strings.HasSuffix(err.Error(), c.text) {
				t.Fatalf("got %q, want it to end with %q", err, c.text)
			}
			if code, _ := p.ExitCode(); code != -int(c.sig) {
				t.Fatalf("got ExitCode() %d, want %d", code, -int(c.sig))
			}
			if err := c.signal(p); !errors.Is(err, ipc.ErrProcessDone) || !errors.Is(err, os.ErrProcessDone) {
				t.Fatalf("%s after exit: got %v, want ErrProcessDone", c.name, err)
			}
		})
	}
}

func TestProcess_Wait_Context(t *testing.T) {
	p := sleep.Command("ready")
	startLine(t, p)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := p.Wait(ctx); err != context.Canceled {
		t.Fatalf("Wait with a canceled context: got %v, want %v", err, context.Canceled)
	}
	if !p.Alive() {
		t.Fatal("got Alive() = false after a canceled Wait")
	}
	if code, exited := p.ExitCode(); code != 0 || exited {
		t.Fatalf("got ExitCode() = %d, %v, want 0, false", code, exited)
	}
	if err := p.Kill(); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	var e *ipc.ExitError
	if err := wait(t, p); !errors.As(err, &e) || e.Code != -9 {
		t.Fatalf("got %v, want an *ExitError with Code -9", err)
	}
}

func TestProcess_Wait_Concurrent(t *testing.T) {
	p := fail.Command("boom")
	start(t, p)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { errs[i] = wait(t, p) })
	}
	wg.Wait()
	for i, err := range append(errs, wait(t, p)) {
		if err == nil || err != errs[0] {
			t.Fatalf("Wait %d: got %v, want the same *ExitError as the first (%v)", i, err, errs[0])
		}
	}
}

func TestProcess_NotStarted(t *testing.T) {
	p := noop.Command(struct{}{})
	if err := p.Wait(context.Background()); err != ipc.ErrNotStarted {
		t.Fatalf("Wait: got %v, want ErrNotStarted", err)
	}
	if err := p.Kill(); err != ipc.ErrNotStarted {
		t.Fatalf("Kill: got %v, want ErrNotStarted", err)
	}
	if err := p.Terminate(); err != ipc.ErrNotStarted {
		t.Fatalf("Terminate: got %v, want ErrNotStarted", err)
	}
	if p.Alive() || p.Pid() != 0 || p.Name() != "noop" {
		t.Fatalf("got Alive %v, Pid %d, Name %q, want false, 0, noop", p.Alive(), p.Pid(), p.Name())
	}
	if code, exited := p.ExitCode(); code != 0 || exited {
		t.Fatalf("got ExitCode() = %d, %v, want 0, false", code, exited)
	}
}

func TestProcess_Start_Twice(t *testing.T) {
	p := noop.Command(struct{}{})
	start(t, p)
	if err := p.Start(); err != ipc.ErrAlreadyStarted {
		t.Fatalf("second Start: got %v, want ErrAlreadyStarted", err)
	}
	if err := wait(t, p); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

func TestProcess_Wait_UnknownFunc(t *testing.T) {
	p := ipc.NewRawProcess("no-such-function", nil)
	start(t, p)
	err := wait(t, p)
	var e *ipc.ExitError
	if !errors.Is(err, ipc.ErrUnknownFunc) || !errors.As(err, &e) || e.Code != 1 || !strings.Contains(e.Message, `"no-such-function"`) {
		t.Fatalf("got %v, want an *ExitError wrapping ErrUnknownFunc with Code 1", err)
	}
}

// An argument the child cannot decode is refused, naming its type: gob's
// error for a string, the sizes for an int (of fixed size, sent raw).
func TestProcess_Wait_BadArgs(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   string
		arg  string
		want string
	}{
		{"gob", hello.Name(), "not gob", "decoding string"},
		{"raw", exit.Name(), "abc", "decoding int: 3 bytes, want 8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := ipc.NewRawProcess(tc.fn, []byte(tc.arg))
			start(t, p)
			err := wait(t, p)
			var e *ipc.ExitError
			if !errors.Is(err, ipc.ErrArgs) || !errors.As(err, &e) || e.Code != 1 || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("got %v, want an *ExitError wrapping ErrArgs saying %q, with Code 1", err, tc.want)
			}
		})
	}
}

// rawArg is of fixed size: it travels as its bytes, its unexported field
// with it (gob would drop it, and refuse a struct without exported fields).
type rawArg struct {
	N      int64
	hidden [3]int32
	F      float64
	On     bool
}

var rawEcho = ipc.Register("raw-echo", func(ctx context.Context, a rawArg) error {
	fmt.Printf("%+v", a)
	return nil
})

func TestFunc_Start_RawArgs(t *testing.T) {
	arg := rawArg{N: -7, hidden: [3]int32{1, -2, 3}, F: 2.5, On: true}
	var out bytes.Buffer
	p := rawEcho.Command(arg)
	p.Stdout = &out
	start(t, p)
	if err := wait(t, p); err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if got, want := out.String(), fmt.Sprintf("%+v", arg); got != want {
		t.Fatalf("child got %s, want %s", got, want)
	}
}

func TestRegister_Panics(t *testing.T) {
	cases := []struct {
		name string
		reg  func()
		want string
	}{
		{"duplicate", func() { ipc.Register("hello", func(context.Context, int) error { return nil }) }, "ipc: Register called twice for name hello"},
		{"empty name", func() { ipc.Register("", func(context.Context, int) error { return nil }) }, "ipc: Register called with an empty name"},
		{"nil function", func() { ipc.Register[int]("nil-fn", nil) }, "ipc: Register called with a nil function for name nil-fn"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != c.want {
					t.Fatalf("got panic %v, want %q", got, c.want)
				}
			}()
			c.reg()
		})
	}
}

// countFDs returns the number of descriptors open in this process.
func countFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(entries)
}

func TestProcess_NoDescriptorLeak(t *testing.T) {
	run := func() {
		var out bytes.Buffer
		p := hello.Command("x")
		p.Stdout = &out // a pipe and a copying goroutine, on top of the control socket
		start(t, p)
		if err := wait(t, p); err != nil {
			t.Fatalf("Wait: %v", err)
		}
	}
	run() // let the runtime open what it opens once (netpoller, ...)
	before := countFDs(t)
	for range 20 {
		run()
	}
	if after := countFDs(t); after != before {
		t.Fatalf("got %d open descriptors after 20 children, want %d as before", after, before)
	}
}

// BenchmarkProcess_StartWait measures starting and joining a child that
// does nothing; compare with BenchmarkExec_Baseline from the same run.
func BenchmarkProcess_StartWait(b *testing.B) {
	for b.Loop() {
		p, err := noop.Start(struct{}{})
		if err != nil {
			b.Fatal(err)
		}
		if err := wait(b, p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// BenchmarkExec_Baseline runs this test binary with os/exec, running no
// tests: the cost of starting this binary without ipc.
func BenchmarkExec_Baseline(b *testing.B) {
	for b.Loop() {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/op")
}

// Segments closed by another goroutine while children start: each child
// gets the segments open when its Start began, and Start never hands over
// a descriptor being closed (go test -race reported one before Start
// duplicated them).
func TestProcess_Start_WhileSegmentsClose(t *testing.T) {
	done := make(chan struct{})
	churned := make(chan int)
	go func() {
		n := 0
		defer func() { churned <- n }()
		for {
			select {
			case <-done:
				return
			default:
			}
			seg, err := shm.NewSegment(64 << 10)
			if err != nil {
				t.Error(err)
				return
			}
			if err := seg.Close(); err != nil {
				t.Error(err)
				return
			}
			n++
		}
	}()
	for range 8 {
		p := noop.Command(struct{}{})
		start(t, p)
		if err := wait(t, p); err != nil {
			t.Errorf("child started while segments closed: %v", err)
		}
	}
	close(done)
	if n := <-churned; n == 0 {
		t.Fatal("no segment was made and closed while the children started")
	}
}
