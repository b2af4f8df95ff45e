package ring

import "errors"

// Errors of using a ring.
var (
	// ErrClosed is returned by the Put functions once the ring is closed, and
	// by the Get functions once it is closed and drained.
	ErrClosed = errors.New("ring: closed")

	// ErrTooLarge is returned by the Put functions when a message is larger
	// than a slot. The returned error wraps it with both sizes.
	ErrTooLarge = errors.New("ring: message larger than a slot")
)

// Errors of validating a ring another process wrote: [Attach] refuses the
// memory before trusting anything in it, and the Get functions return
// ErrCorrupt (having released the slot) when a slot says it holds more
// bytes than it can.
var (
	// ErrSize is returned by [Init] when the memory is too small for the
	// ring asked for, or the slot count or slot size is out of range.
	ErrSize = errors.New("ring: bad size")

	// ErrBadMagic is returned by [Attach] when the memory does not start
	// with a ring's magic number.
	ErrBadMagic = errors.New("ring: not a ring (bad magic)")

	// ErrVersion is returned by [Attach] when the ring's layout version is
	// not the one this build understands.
	ErrVersion = errors.New("ring: unsupported layout version")

	// ErrCorrupt is returned by [Attach] when a header field is inconsistent
	// with the others or with the length of the memory, and by the ring's
	// operations when a slot or position is inconsistent.
	ErrCorrupt = errors.New("ring: corrupt")

	// ErrTaskDone is returned by [Ring.TaskDone] when the unfinished-task
	// counter is already zero.
	ErrTaskDone = errors.New("ring: TaskDone called more times than messages were put")
)
