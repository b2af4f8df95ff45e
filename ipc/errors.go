package ipc

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// Errors of starting and controlling a child, returned in the parent.
var (
	// ErrNotStarted is returned by [Process.Wait], [Process.Terminate] and
	// [Process.Kill] when the process has not been started.
	ErrNotStarted = errors.New("ipc: process not started")

	// ErrAlreadyStarted is returned by [Process.Start] when the process has
	// already been started.
	ErrAlreadyStarted = errors.New("ipc: process already started")

	// ErrProcessDone is returned by [Process.Terminate] and [Process.Kill]
	// when the process has already exited. It wraps [os.ErrProcessDone].
	ErrProcessDone = fmt.Errorf("ipc: process already finished: %w", os.ErrProcessDone)

	// ErrMainNotCalled is returned by [Process.Start] when this process was
	// started by ipc but did not call [Main] first thing in main: such a
	// child would run its parent's main and start children of its own.
	ErrMainNotCalled = errors.New("ipc: this process was started by ipc but ipc.Main was not called first in main")
)

// Errors that a child reports; [ExitError] unwraps to them.
var (
	// ErrUnknownFunc is returned by [Process.Wait], wrapped in an
	// [*ExitError], when the child binary has no function registered under
	// the process's name, for instance because [Register] ran only in main.
	ErrUnknownFunc = errors.New("ipc: unknown function")

	// ErrArgs is returned by [Process.Start] when the argument cannot be
	// encoded, and by [Process.Wait], wrapped in an [*ExitError], when the
	// child cannot decode it. The message names the argument's type and
	// carries the encoder's error.
	ErrArgs = errors.New("ipc: bad argument")

	// ErrFrame is returned by [Process.Wait], wrapped in an [*ExitError],
	// when the child sent a malformed frame on the control channel.
	ErrFrame = errors.New("ipc: malformed frame")
)

// ExitError is returned by [Process.Wait] when the child failed: its
// function returned an error or panicked, or the child exited with a
// non-zero status or was killed by a signal without reporting.
type ExitError struct {
	Name     string         // registered function name
	Pid      int            // the child's process id
	Code     int            // exit status, or the negative signal number when killed
	Signal   syscall.Signal // 0 unless killed by a signal
	Message  string         // the child's error text or panic value; "" if the child died without reporting
	Panicked bool           // the child's function panicked
	Stack    string         // the panicking goroutine's stack, when Panicked

	err error // ErrUnknownFunc, ErrArgs or a wrapped ErrFrame; nil for the function's own errors
}

// Error describes the failure, for example
// `ipc: process "task" (pid 1234) failed: boom`.
func (e *ExitError) Error() string {
	head := fmt.Sprintf("ipc: process %q (pid %d) ", e.Name, e.Pid)
	switch {
	case e.Panicked:
		return head + "panicked: " + e.Message
	case e.Message != "":
		return head + "failed: " + e.Message
	case e.Signal != 0:
		return head + "was killed by signal " + signalName(e.Signal)
	case e.err != nil:
		return head + "failed: " + e.err.Error()
	default:
		return head + "exited with status " + strconv.Itoa(e.Code)
	}
}

// Unwrap returns [ErrUnknownFunc] or [ErrArgs] when the child could not run
// its function for that reason, and nil otherwise.
func (e *ExitError) Unwrap() error { return e.err }

// signalName returns the conventional name of sig ("SIGKILL"), falling back
// to its description for signals without one.
func signalName(sig syscall.Signal) string {
	if name := unix.SignalName(sig); name != "" {
		return name
	}
	return sig.String()
}
