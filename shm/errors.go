package shm

import "errors"

// Errors of creating, naming and opening segments.
var (
	// ErrName is returned by [Create], [Open], [Remove] and [Named] when a
	// name breaks the naming rule: 1 to 30 letters, digits, '-' or '_'.
	ErrName = errors.New("shm: bad name (want 1 to 30 letters, digits, '-' or '_')")

	// ErrSize is returned by [NewSegment], [Create], [NewArray] and
	// [MakeArray] when a size is zero, negative or too large.
	ErrSize = errors.New("shm: bad size")

	// ErrExists is returned by [Create] when a segment of that name exists,
	// and by allocations with [Named] when the segment already holds an
	// object of that name.
	ErrExists = errors.New("shm: already exists")

	// ErrNotExist is returned by [Open] and [Remove] when no segment has that
	// name, and by the Lookup functions when no object has that name. It
	// wraps fs.ErrNotExist where a file is missing.
	ErrNotExist = errors.New("shm: does not exist")

	// ErrUnsafeFile is returned by [Open] and [Attach] when the file behind a
	// segment is not a regular file, is a symbolic link, is not owned by this
	// user, or can be reached by other users.
	ErrUnsafeFile = errors.New("shm: segment file is not private to this user")

	// ErrFull is returned when a segment passed with [In] has no room left
	// for an object (the default arena grows instead).
	ErrFull = errors.New("shm: segment full")

	// ErrClosed is returned by allocations in a segment that was closed.
	ErrClosed = errors.New("shm: segment closed")
)

// Errors of validating a segment another process wrote. Every one of them
// means the segment was refused before anything in it was trusted.
var (
	// ErrTruncated is returned by [Open] and [Attach] when the file is too
	// short for a header, or shorter than its header says.
	ErrTruncated = errors.New("shm: segment truncated")

	// ErrBadMagic is returned by [Open] and [Attach] when the file does not
	// start with shmkit's magic: it is not a shmkit segment.
	ErrBadMagic = errors.New("shm: not a shmkit segment (bad magic)")

	// ErrVersion is returned by [Open] and [Attach] when the segment's layout
	// version is not the one this build understands (typically: written by a
	// newer shmkit).
	ErrVersion = errors.New("shm: unsupported segment layout version")

	// ErrCorrupt is returned by [Open], [Attach] and handle decoding when a
	// header field or object-table entry is inconsistent with the others or
	// with the size of the mapping.
	ErrCorrupt = errors.New("shm: segment corrupt")

	// ErrUnsealed is returned by [Attach] on Linux when a memfd segment is not
	// sealed against shrinking, so that a peer could make this process fault.
	ErrUnsealed = errors.New("shm: memfd segment not sealed against shrinking")
)

// Errors of handles: shared objects passed to another process.
var (
	// ErrHandle is returned by UnmarshalBinary when the bytes are not a
	// handle of this kind of object.
	ErrHandle = errors.New("shm: bad handle")

	// ErrUnknownSegment is returned by UnmarshalBinary when the handle names
	// a segment this process has not mapped.
	ErrUnknownSegment = errors.New("shm: handle refers to a segment this process has not mapped")

	// ErrType is returned by UnmarshalBinary and the Lookup functions when
	// the object found is of another kind, element type or length than the
	// one asked for.
	ErrType = errors.New("shm: object has another type")
)

// Errors of locks.
var (
	// ErrOwnerDead is returned by [Mutex.Lock] and [Mutex.LockContext] when
	// the previous owner died while holding the lock. The caller now holds
	// the lock; the state it protects may be half-updated. Repair it, then
	// call [Mutex.MarkConsistent] before [Mutex.Unlock]; unlocking without
	// that makes the mutex unrecoverable.
	ErrOwnerDead = errors.New("shm: previous owner of the lock died while holding it")

	// ErrNotRecoverable is returned by [Mutex.Lock] and
	// [Mutex.LockContext] when a holder that recovered the lock from a dead
	// owner unlocked it without [Mutex.MarkConsistent]: the protected state
	// is not trusted any more and the lock cannot be taken again.
	ErrNotRecoverable = errors.New("shm: lock not recoverable: its state was never marked consistent after an owner died")
)

// Errors of synchronisation objects.
var (
	// ErrCount is returned by [NewSemaphore], [NewBoundedSemaphore] and
	// [NewBarrier] when a count is negative (for a barrier: not positive)
	// or larger than math.MaxInt32.
	ErrCount = errors.New("shm: count out of range")

	// ErrSemaphoreOverflow is returned by [Semaphore.Release] when releasing
	// would raise a bounded semaphore above its bound (Python's ValueError
	// of BoundedSemaphore.release), or any semaphore above math.MaxInt32.
	ErrSemaphoreOverflow = errors.New("shm: semaphore released too many times")

	// ErrBrokenBarrier is returned by [Barrier.Wait] when the barrier is
	// broken, or breaks while the caller waits: by [Barrier.Abort], by
	// [Barrier.Reset] while parties wait, by a waiter whose context ended,
	// or by the death of a process that was waiting at it. It stays broken
	// until Reset.
	ErrBrokenBarrier = errors.New("shm: barrier broken")
)
