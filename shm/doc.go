// Package shm puts typed numbers, arrays and locks in memory shared between
// processes: Python's multiprocessing.Value, Array, RawValue, RawArray,
// Lock, RLock, Semaphore, BoundedSemaphore, Event, Condition and Barrier,
// and shared_memory.SharedMemory, for Go.
//
//	val, _ := shm.NewValue[int32](0)                // Python: Value('i', 0)
//	arr, _ := shm.NewArray([]int32{1, 2, 3})        // Python: Array('i', [1, 2, 3])
//	val.Add(1)                                      // atomic, no lock needed
//	arr.Update(func(s []int32) { s[0]++ })          // under the array's lock
//
// Objects passed to a child process started with package ipc (as arguments,
// or inside argument structs) are the same memory in the child, as in
// Python. Any encoding that uses encoding.BinaryMarshaler (gob does) carries
// them as handles: a segment id and an offset.
//
// # Segments
//
// Shared memory comes in segments: files mapped MAP_SHARED. [NewValue],
// [NewArray] and [NewMutex] allocate in a process-wide default arena that
// grows by adding 1 MiB segments (a large array gets a segment of its own),
// so no set-up is needed. [NewSegment] makes a segment to allocate in with
// [In]; [Create] and [Open] make and attach a named one, for processes that
// are not parent and child, with objects found by [Named] and the Lookup
// functions.
//
// Every segment starts with a header (magic, layout version, size,
// allocation state) and an object table. A process that attaches a segment
// ([Open], [Attach], or a child receiving its parent's) validates every
// field against the real size of the mapping first, in a fixed order, and
// refuses a foreign, truncated, corrupt or newer segment with a named error
// ([ErrBadMagic], [ErrTruncated], [ErrCorrupt], [ErrVersion]). Objects are
// aligned to 64-byte cache lines, so hot words of different objects never
// share a line. All-zero bytes are the initial state of every object: 0,
// unlocked.
//
// # Lifetime
//
// An object lives as long as its segment is mapped. Memory of the default
// arena is never released: like a heap without free, it suits objects made
// once per run. For many short-lived objects, allocate them in a segment
// and [Segment.Close] it when none is used any more (using an object of a
// closed segment crashes the process). Anonymous segments vanish with the
// last process that maps them; named ones stay until [Remove] (see [List]
// for stale ones).
//
// # Locks and owner death
//
// [Mutex] is one 32-bit futex word holding the owner's pid. Locking a free
// mutex is one compare-and-swap; a waiter spins briefly with backoff, then
// sleeps in the kernel; unlocking wakes a sleeper only if there is one. A
// process killed while it holds a lock does not hang the others: the next
// waiter sees that the owner is gone (exited, a zombie, or its pid now
// taken by another process, told apart by start time), takes the lock and
// gets [ErrOwnerDead], the POSIX robust-mutex contract: repair, then
// [Mutex.MarkConsistent]. mutex.pml is a SPIN model of the protocol for
// three processes, any of them killed at any step; it is checked by make
// models (see the Makefile).
//
// # Synchronisation
//
// The rest of Python's synchronisation primitives live in shared memory
// too, one cache line each, as handles that pass to child processes like
// Values: [RLock] (re-entrant, its holder named by a [Token]), [RWMutex],
// [Semaphore] and its bounded form ([NewBoundedSemaphore]), [Event],
// [Condition] (with its own lock) and [Barrier]. Every blocking call takes
// a context and, when it ends, returns ctx.Err() having changed nothing
// (except a Barrier, which breaks, as Python's does on a timeout). They
// wait on futex words as Mutex does, and survive dead processes where
// that can be told: a dead holder of an RLock or of an RWMutex's write
// lock is recovered from with [ErrOwnerDead]; a dead reader's share of an
// RWMutex is released; a party that dies at a Barrier breaks it. Permits
// of a Semaphore have no owner, so a process that dies holding one loses
// it.
//
// # Platforms
//
// Linux: anonymous segments are memfds sealed against shrinking and growing
// (no peer can make another take SIGBUS), pre-faulted with
// MADV_POPULATE_WRITE up to 64 MiB unless [Sparse]; named segments live in
// /dev/shm (or $SHMKIT_DIR); waiting uses shared futex operations.
//
// macOS: anonymous segments are unlinked temporary files, named ones live in
// the user's temporary directory; there is no futex without cgo, so waiters
// poll the lock word with pauses growing to 1 ms: correct, but a contended
// hand-off there costs up to a millisecond. Build with -tags shmkit_portable
// to run the same waiter on Linux.
//
// # Threat model
//
// Who can reach a segment: an anonymous segment only through a descriptor,
// which exists in the processes that created it and in the children it was
// handed to (descriptors are close-on-exec otherwise). A named segment is a
// file created 0600 with O_EXCL and O_NOFOLLOW: processes of the same user
// can open it, others cannot; Open refuses symbolic links and files that
// are not private to the user.
//
// What a process that shares a segment can do to the others: anything to
// the data it can write: change numbers, hold or corrupt locks, fill the
// table. It cannot make a peer read or write outside the mapping: every
// offset and length read from shared memory is checked against the mapping
// (and copied before it is checked) and the immutable header fields are
// read once, at attach; nor can it shrink a sealed memfd under a peer. A
// peer with the same uid can of course also ptrace the others; shared
// memory adds no power beyond that.
package shm
