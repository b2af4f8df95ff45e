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

// Errors of queues and pipes.
var (
	// ErrClosed is returned by the Put functions of [Queue], [SimpleQueue],
	// [JoinableQueue] and by [Conn.Send] once the queue or pipe is closed,
	// and by their Get functions and [Conn.Recv] once it is closed and
	// every message put before has been taken.
	ErrClosed = errors.New("ipc: queue closed")

	// ErrTooLarge is returned by the Put functions and [Conn.Send] when a
	// message (encoded, for a T that goes through a codec) is larger than
	// the queue's slots. The error names both sizes; see [MaxMessage].
	ErrTooLarge = errors.New("ipc: message too large")

	// ErrCorruptQueue is returned by UnmarshalBinary when the shared memory
	// of a queue or pipe does not hold a valid ring, and by the Get
	// functions when a slot is inconsistent (written by a faulty process).
	// It wraps the ring's own error.
	ErrCorruptQueue = errors.New("ipc: queue memory corrupt")

	// ErrQueueType is returned by UnmarshalBinary when the handle is of
	// another kind of queue, or of a queue of another element type or
	// codec than the one it is decoded into.
	ErrQueueType = errors.New("ipc: queue handle of another type")

	// ErrTaskDone is returned by [JoinableQueue.TaskDone] when it is called
	// more times than items were put.
	ErrTaskDone = errors.New("ipc: TaskDone called more times than items were put")

	// ErrCodec is returned by [NewQueue] and UnmarshalBinary when a codec
	// name was not registered with [RegisterCodec], and wraps the codec's
	// error when a message cannot be encoded or decoded.
	ErrCodec = errors.New("ipc: codec")

	// ErrDirection is returned by [Conn.Send] on the receiving end of a
	// one-way [Pipe], and by [Conn.Recv] on its sending end.
	ErrDirection = errors.New("ipc: wrong direction for this end of a one-way pipe")
)

// Errors of pools and executors.
var (
	// ErrPoolClosed is returned by [Map], [Apply], [Submit] and the others
	// when the pool or executor was closed, and is the error of every task
	// that [Pool.Terminate] or a cancelling [Executor.Shutdown] cut short.
	ErrPoolClosed = errors.New("ipc: pool closed")

	// ErrCancelled is the error of a [Future] cancelled before it started.
	ErrCancelled = errors.New("ipc: task cancelled")
)

// TaskError is the error of a task that failed in a pool worker: its
// function returned an error or panicked, or the worker process died
// while running it.
type TaskError struct {
	Func     string     // the registered task name
	Index    int        // the item's position in the input of Map and the others; 0 for Apply and Submit
	Message  string     // the task's error text or panic value
	Panicked bool       // the task panicked
	Stack    string     // the panicking goroutine's stack, when Panicked
	Exit     *ExitError // the worker's exit (pid, status or signal) if it died running the task
}

func (e *TaskError) Error() string {
	switch {
	case e.Exit != nil:
		return fmt.Sprintf("ipc: task %q (item %d): %s: %v", e.Func, e.Index, e.Message, e.Exit)
	case e.Panicked:
		return fmt.Sprintf("ipc: task %q (item %d) panicked: %s", e.Func, e.Index, e.Message)
	}
	return fmt.Sprintf("ipc: task %q (item %d) failed: %s", e.Func, e.Index, e.Message)
}

// Unwrap returns the worker's exit error, if the worker died.
func (e *TaskError) Unwrap() error {
	if e.Exit == nil {
		return nil
	}
	return e.Exit
}
