package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"

	"github.com/shmkit/shmkit/internal/inherit"
	"golang.org/x/sys/unix"
)

// Process is a child process that runs a registered function, the twin of
// Python's multiprocessing.Process. Create one with [Func.Command] (set its
// fields, then call Start) or [Func.Start].
//
// Start begins a goroutine that reaps the child as soon as it exits, so a
// child never lingers as a zombie even if Wait is never called; every
// descriptor created for the child is closed by then. The methods are safe
// for concurrent use. A Process must not be copied.
type Process struct {
	// Stdout and Stderr receive the child's standard output and error. Nil
	// means the parent's os.Stdout and os.Stderr at Start time, so children
	// print to the same terminal as their parent, as in Python (unlike
	// exec.Cmd, whose nil means the null device). An *os.File is handed to
	// the child as is; any other writer is fed through a pipe by a copying
	// goroutine, and the child counts as exited (for Wait, Done, Alive)
	// only once the copying has finished, that is once every process that
	// inherited the pipe (the child's own children too) has closed it.
	Stdout io.Writer
	Stderr io.Writer

	name   string
	encode func() ([]byte, error)
	env    []string      // added to the child's environment (a pool worker's GOMAXPROCS)
	done   chan struct{} // closed by the reaper once the child is reaped

	mu  sync.Mutex
	cmd *exec.Cmd // nil until Start succeeds

	// Written by the reaper before it closes done; read only after.
	err  error
	code int
}

// newProcess returns an unstarted process that runs the function registered
// under name with the argument encode returns.
func newProcess(name string, encode func() ([]byte, error)) *Process {
	return &Process{name: name, encode: encode, done: make(chan struct{})}
}

// Start starts the child: it re-executes this binary, which finds the
// function in [Main], and sends it the encoded argument and the shared
// memory segments of this process. It does not wait for the function to
// begin. If Start fails the process is left unstarted.
func (p *Process) Start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		return ErrAlreadyStarted
	}
	if _, ok := os.LookupEnv(envVar); ok {
		return ErrMainNotCalled
	}
	arg, err := p.encode()
	if err != nil {
		return err
	}
	segments, err := inherit.Dup()
	if err != nil {
		return fmt.Errorf("ipc: starting process %q: %w", p.name, err)
	}
	defer inherit.Close(segments) // the child has its own once started
	mk := newMarker(len(segments))
	frame, err := encodeStart(startMsg{nonce: mk.nonce, name: p.name, arg: arg})
	if err != nil {
		return fmt.Errorf("%w: %w", ErrArgs, err)
	}
	cmd, err := p.command(mk)
	if err != nil {
		return fmt.Errorf("ipc: starting process %q: %w", p.name, err)
	}
	conn, childEnd, err := socketpair()
	if err != nil {
		return fmt.Errorf("ipc: starting process %q: %w", p.name, err)
	}
	cmd.ExtraFiles = append([]*os.File{childEnd}, segments...)
	err = start(cmd)
	childEnd.Close()
	if err != nil {
		conn.Close()
		return fmt.Errorf("ipc: starting process %q: %w", p.name, err)
	}
	p.cmd = cmd
	go p.reap(conn, frame)
	return nil
}

// command prepares the re-execution of this binary as a child marked by mk.
func (p *Process) command(mk marker) (*exec.Cmd, error) {
	exe, err := executable()
	if err != nil {
		return nil, err
	}
	stdout, stderr := p.Stdout, p.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	return &exec.Cmd{
		Path:        exe,
		Args:        append([]string(nil), os.Args...),
		Env:         append(append(os.Environ(), p.env...), envVar+"="+mk.String()), // the last of a name counts
		Stdout:      stdout,
		Stderr:      stderr,
		SysProcAttr: sysProcAttr(),
	}, nil
}

// reap sends the start frame, collects the result frame, reaps the child
// and publishes the outcome. It runs in its own goroutine from Start on.
func (p *Process) reap(conn *os.File, start []byte) {
	r, ferr := exchange(conn, start)
	werr := p.cmd.Wait()
	conn.Close()
	p.code, p.err = p.outcome(r, ferr, werr)
	close(p.done)
}

// exchange writes the start frame to conn and reads the result frame. It
// returns a nil result if the child went away without reporting, and an
// error only for a malformed frame.
func exchange(conn *os.File, start []byte) (*result, error) {
	if _, err := conn.Write(start); err != nil {
		return nil, nil // the child died before reading; its exit status tells why
	}
	b, err := readFrame(conn, kindResult)
	if err == nil {
		var r result
		if r, err = decodeResult(b); err == nil {
			return &r, nil
		}
	}
	if errors.Is(err, ErrFrame) {
		return nil, err
	}
	return nil, nil // EOF or reset: the child died without reporting
}

// outcome turns the result frame (if any), a frame error and the error of
// exec.Cmd.Wait into what ExitCode and Wait return.
func (p *Process) outcome(r *result, ferr, werr error) (int, error) {
	pid := p.cmd.Process.Pid
	st := p.cmd.ProcessState
	if st == nil {
		return -1, fmt.Errorf("ipc: waiting for process %q (pid %d): %w", p.name, pid, werr)
	}
	e := &ExitError{Name: p.name, Pid: pid, err: ferr}
	ws := st.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		e.Signal = ws.Signal()
		e.Code = -int(e.Signal)
	} else {
		e.Code = ws.ExitStatus()
	}
	if r != nil {
		e.Message = r.message
		switch r.status {
		case statusPanic:
			e.Panicked, e.Stack = true, r.stack
		case statusUnknownFunc:
			e.err = ErrUnknownFunc
		case statusArgs:
			e.err = ErrArgs
		}
	}
	if e.Code != 0 || ferr != nil || (r != nil && r.status != statusOK) {
		return e.Code, e
	}
	var exitErr *exec.ExitError
	if werr != nil && !errors.As(werr, &exitErr) {
		// The child succeeded but copying its output failed.
		return 0, fmt.Errorf("ipc: process %q (pid %d): %w", p.name, pid, werr)
	}
	return 0, nil
}

// Wait waits for the child to exit and returns nil if its function returned
// nil, an [*ExitError] if it failed, or [ErrNotStarted]. If ctx ends first,
// Wait returns ctx.Err() and the child keeps running; Wait may be called
// again. Wait may be called from several goroutines and repeatedly: once the
// child has exited it always returns the same result.
//
// A child that exits with status 0 without reporting (its function called
// os.Exit(0)) counts as a success, as sys.exit(0) does in Python.
func (p *Process) Wait(ctx context.Context) error {
	if !p.started() {
		return ErrNotStarted
	}
	select {
	case <-p.done:
		return p.err
	default:
	}
	select {
	case <-p.done:
		return p.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// started reports whether Start has succeeded.
func (p *Process) started() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cmd != nil
}

// Pid returns the child's process id, or 0 before Start. The id stays
// readable after the child exits, when the system may reuse it.
func (p *Process) Pid() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Name returns the name of the function the child runs.
func (p *Process) Name() string { return p.name }

// Alive reports whether the child has been started and not yet exited (more
// exactly, not yet been reaped; reaping follows exit at once).
func (p *Process) Alive() bool {
	select {
	case <-p.done:
		return false
	default:
		return p.started()
	}
}

// ExitCode returns the child's exit status, or the negative number of the
// signal that killed it (-9 for SIGKILL, -15 for SIGTERM, as in Python).
// exited is false, and code 0, while the child has not exited or was never
// started.
func (p *Process) ExitCode() (code int, exited bool) {
	select {
	case <-p.done:
		return p.code, true
	default:
		return 0, false
	}
}

// Done returns a channel that is closed once the child has exited and been
// reaped. It is never closed for a process that is not started.
func (p *Process) Done() <-chan struct{} { return p.done }

// Terminate asks the child to stop by sending it SIGTERM. A child that does
// not handle SIGTERM dies with ExitCode -15.
func (p *Process) Terminate() error { return p.signal(syscall.SIGTERM) }

// Kill stops the child at once by sending it SIGKILL: it dies with ExitCode
// -9, without running deferred functions or reporting.
func (p *Process) Kill() error { return p.signal(syscall.SIGKILL) }

// signal sends sig to the child, or returns ErrNotStarted or ErrProcessDone.
func (p *Process) signal(sig syscall.Signal) error {
	p.mu.Lock()
	cmd := p.cmd
	p.mu.Unlock()
	if cmd == nil {
		return ErrNotStarted
	}
	select {
	case <-p.done:
		return ErrProcessDone
	default:
	}
	// os.Process.Signal uses a pidfd where the system has them, so it can
	// never hit another process that reused the pid.
	if err := cmd.Process.Signal(sig); err != nil {
		if errors.Is(err, os.ErrProcessDone) {
			return ErrProcessDone
		}
		return fmt.Errorf("ipc: sending %s to process %q (pid %d): %w", signalName(sig), p.name, cmd.Process.Pid, err)
	}
	return nil
}

// socketpair returns the two ends of a new control channel, both
// close-on-exec: the parent's end non-blocking (so that its reads park a
// goroutine, not a thread), the child's end blocking, as a child expects.
func socketpair() (parent, child *os.File, err error) {
	fds, err := rawSocketpair()
	if err != nil {
		return nil, nil, os.NewSyscallError("socketpair", err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, nil, os.NewSyscallError("setnonblock", err)
	}
	return os.NewFile(uintptr(fds[0]), "ipc-control"), os.NewFile(uintptr(fds[1]), "ipc-control-child"), nil
}
