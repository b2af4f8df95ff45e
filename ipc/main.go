package ipc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"golang.org/x/sys/unix"
)

// Exit statuses of a child.
const (
	exitOK         = 0 // the function returned nil
	exitError      = 1 // the function returned an error, or the child could not run it
	exitPanic      = 2 // the function panicked (as for an unrecovered panic in Go)
	exitParentGone = 1 // the parent went away; nobody reads this status

	// parentGoneGrace is how long a child whose parent went away waits for
	// its function to return after canceling its context, before exiting.
	parentGoneGrace = 250 * time.Millisecond
)

// errParentGone is returned by connect when the control socket ends before
// the start frame: the parent died right after starting the child.
var errParentGone = errors.New("parent went away before sending the start frame")

// Main runs the registered function and exits if this process was started
// by ipc, and returns at once otherwise. Call it first thing in main, and in
// TestMain before m.Run: code before it runs in every child too, and a child
// that does not reach it would run its parent's main.
//
// In a child, Main removes the marker from the environment, takes over the
// control socket and the inherited shared memory segments (marking them
// close-on-exec, so that programs the child executes do not inherit them),
// attaches the segments, decodes the argument, calls the function and exits
// with status 0 if it returned nil, 1 if it returned an error and 2 if it
// panicked, having reported the outcome to the parent.
//
// If the marker is set but the process was not started by ipc (no control
// socket, or a wrong nonce), Main prints a one-line warning to stderr and
// returns, and the program runs as usual.
func Main() {
	value, ok := os.LookupEnv(envVar)
	if !ok {
		return
	}
	os.Unsetenv(envVar)
	c, err := connect(value)
	if errors.Is(err, errParentGone) {
		os.Exit(exitParentGone)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "ipc: warning: %s is set but this process was not started by ipc (%v); running as a normal program\n", envVar, err)
		return
	}
	os.Exit(c.run())
}

// child is the child's side of the control channel.
type child struct {
	conn     *os.File
	start    startMsg
	segments []*os.File
}

// connect checks that this process was started by ipc, reads the start
// frame and takes over the inherited descriptors. It touches no descriptor
// before the nonce matches, except for reading from descriptor 3.
func connect(value string) (*child, error) {
	mk, err := parseMarker(value)
	if err != nil {
		return nil, err
	}
	if typ, err := unix.GetsockoptInt(controlFD, unix.SOL_SOCKET, unix.SO_TYPE); err != nil || typ != unix.SOCK_STREAM {
		return nil, fmt.Errorf("descriptor %d is not a stream socket", controlFD)
	}
	b, err := readFrame(fdReader(controlFD), kindStart)
	if err == io.EOF {
		return nil, errParentGone
	}
	if err != nil {
		return nil, fmt.Errorf("reading the start frame: %w", err)
	}
	start, err := decodeStart(b)
	if err != nil {
		return nil, err
	}
	if start.nonce != mk.nonce {
		return nil, errors.New("the start frame's nonce does not match")
	}
	c := &child{start: start}
	for fd := controlFD; fd < firstSegmentFD+mk.segments; fd++ {
		unix.CloseOnExec(fd)
	}
	unix.SetNonblock(controlFD, true) // pollable, so the parent watch parks no thread
	c.conn = os.NewFile(controlFD, "ipc-control")
	for i := range mk.segments {
		c.segments = append(c.segments, os.NewFile(uintptr(firstSegmentFD+i), "shm-segment"))
	}
	return c, nil
}

// run runs the function, reports the result to the parent and returns the
// exit status.
func (c *child) run() int {
	ctx, cancel := context.WithCancel(context.Background())
	go watchParent(c.conn, cancel)
	r := c.call(ctx)
	c.conn.Write(encodeResult(r)) // an error means the parent is gone: nobody to tell
	switch r.status {
	case statusOK:
		return exitOK
	case statusPanic:
		return exitPanic
	default:
		return exitError
	}
}

// call attaches the segments, finds the function, decodes its argument and
// calls it.
func (c *child) call(ctx context.Context) result {
	for i, f := range c.segments {
		if err := attachSegment(f); err != nil {
			return result{status: statusError, message: fmt.Sprintf("ipc: attaching shared memory segment %d (fd %d): %v", i, firstSegmentFD+i, err)}
		}
	}
	e, ok := lookup(c.start.name)
	if !ok {
		return result{status: statusUnknownFunc, message: fmt.Sprintf("%v: no function is registered under the name %q in %s", ErrUnknownFunc, c.start.name, os.Args[0])}
	}
	fn, err := e.bind(c.start.arg)
	if err != nil {
		return result{status: statusArgs, message: err.Error()}
	}
	return invoke(ctx, fn)
}

// invoke calls fn in a goroutine of its own and turns what becomes of it
// (a return, a panic, runtime.Goexit) into a result. A panic is also
// printed to stderr with its stack, as Go prints an unrecovered one.
func invoke(ctx context.Context, fn func(context.Context) error) result {
	done := make(chan result, 1)
	go func() {
		returned := false
		defer func() {
			if returned {
				return
			}
			if v := recover(); v != nil {
				stack := debug.Stack()
				fmt.Fprintf(os.Stderr, "panic: %v\n\n%s", v, stack)
				done <- result{status: statusPanic, message: fmt.Sprint(v), stack: string(stack)}
				return
			}
			done <- result{status: statusError, message: "ipc: the function called runtime.Goexit"}
		}()
		err := fn(ctx)
		returned = true
		if err != nil {
			done <- result{status: statusError, message: err.Error()}
			return
		}
		done <- result{status: statusOK}
	}()
	return <-done
}

// watchParent waits for the end of the control socket, which comes only
// when the parent is gone: the parent keeps its end open until it has
// reaped this child. It then cancels the function's context and, if the
// function has not returned within parentGoneGrace, exits.
func watchParent(conn io.Reader, cancel context.CancelFunc) {
	// Nothing comes on the socket after the start frame. A small buffer on
	// the stack, not io.Discard's pooled 8 KiB one, whose allocation cost
	// every child some 15 page faults (25 µs each here) as it started.
	var b [64]byte
	for {
		if _, err := conn.Read(b[:]); err != nil {
			break
		}
	}
	cancel()
	time.Sleep(parentGoneGrace)
	os.Exit(exitParentGone)
}

// fdReader reads a descriptor without wrapping it in an *os.File, whose
// finalizer would close a descriptor that may not be ours.
type fdReader int

func (fd fdReader) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(int(fd), p)
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0 && len(p) > 0:
			return 0, io.EOF
		}
		return n, nil
	}
}
