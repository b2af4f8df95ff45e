// Package ring is a bounded multi-producer multi-consumer queue of
// variable-length byte messages in memory shared between processes: the
// machinery under package ipc's Queue, JoinableQueue and Pipe.
//
// # Algorithm
//
// A bounded MPMC queue after Dmitry Vyukov's: a fixed number of slots of a
// fixed size, each with a word that holds its state, the position (lap)
// it is in that state for, and the pid of the process holding it (see
// word.go). A producer claims the free slot at the tail with a
// compare-and-swap of the slot's word, which records its pid in the same
// step, moves the tail on (any producer that finds the slot at the tail
// claimed moves the tail for the claimer), copies its message in and
// publishes it with a release store of the word; a consumer claims the
// full slot at the head likewise, copies the message out and releases the
// slot for the next lap. Nothing is locked, so a process that stops
// anywhere stops only the slots it holds. A batch ([Ring.PutMany],
// [Ring.GetMany]) claims up to 64 consecutive ready slots and moves the
// tail or head once.
//
// A Put or Get of one message first tries a fast path (fast.go), the same
// steps for the case where the slot it looks at first is ready, without
// the loops and set-up of the general path, which it leaves to do
// everything else; as sync.Mutex's Lock has a fast path in front of
// lockSlow.
//
// Publishing and releasing are plain stores on amd64 (see storeRel): the
// sequentially consistent store of sync/atomic is an XCHG there, which
// waits for every pending cache miss, the dearest step of a Put or Get
// when the other side runs on another core.
//
// Waiting is spin-then-sleep: a blocked call reads the ring with growing
// pauses for about 30 µs, yields a few times, then sleeps on a futex word
// of its side ("not empty" for consumers, "not full" for producers), after
// setting the word's sleep bit. The other side, right after its next
// claim, looks at the bit: only if it is set does it clear it and make the
// wake-up system call, which wakes every sleeper of that side, so a busy
// ring makes no system call and a burst of messages to a sleeping consumer
// makes one. The claim, a compare-and-swap, is what a sleeper checks after
// setting the bit (a Dekker handshake, which the plain store of a
// publication could not be part of): a sleeper is woken when the message
// it waits for is claimed, and finds it published a moment later. Close
// bumps both words and wakes everyone.
//
// # Crash tolerance
//
// A process killed in the middle of a Put or Get must not stop the others
// for ever. Every claimed slot names its holder, from the very
// compare-and-swap that claimed it. A waiter that finds the slot at the
// head held by a producer or consumer, or the slot at the tail still held
// for the previous lap, examines the holder at most once a millisecond: if
// the pid is gone, a zombie, or dead (/proc/<pid>/stat on Linux, sysctl
// kern.proc.pid on macOS), it takes the slot back, and the following
// slots the same process holds (the rest of its batch), each with a
// compare-and-swap of the slot's word: a producer's unpublished slot is
// marked skipped (consumers pass over it), a consumer's unreleased slot is
// freed.
//
// The guarantee: no deadlock (every blocked Put or Get of a live process
// proceeds once the dead holder is noticed, within milliseconds); no
// message delivered twice, nor torn (only a dead holder's slots are taken,
// and recoverers race each other on one compare-and-swap); and at most
// the messages in the dead process's hands are lost: the one (or, for a
// batch, the up to 64) it had claimed and not yet published or finished
// reading. A live process is never robbed of a slot, however long it
// stalls (a debugger, SIGSTOP): the others wait for it. Recovery happens in
// the calls that wait (Put, Get, and the Try calls when they find the ring
// full or empty), so a ring nobody uses recovers nothing. A process that
// dies while asleep leaves the sleep bit set, which costs the next claim a
// needless wake-up system call, never correctness. Pids are checked for
// liveness only, not for reuse: a dead holder whose pid was given to a new
// process delays recovery until that process ends. The SPIN model in
// ring.pml (make models) checks these guarantees, and that no wake-up is
// lost, for every interleaving of three processes on a ring of two slots.
//
// Close sets the top bit of the tail, which freezes it: no claim moves it
// any more. Messages at positions below the frozen tail are delivered; a
// producer that claimed a slot at or beyond it (between its claim and its
// move of the tail) gives the slot back and fails with [ErrClosed]. Close
// then sets a closed flag, which consumers finding the ring empty look at
// before the tail (see layout.go).
//
// # Layout and validation
//
// The header (see layout.go) takes six 64-byte lines, then come the slots.
// [Attach] validates magic, version, slot count, slot size and flags
// against the length of the memory, in that order, each failure its own
// error, and keeps private copies of the sizes: a process that later
// scribbles on the ring can make operations fail with [ErrCorrupt] or see
// the ring full or empty, never make another process access memory outside
// the ring.
package ring
