// Package ring is a bounded multi-producer multi-consumer queue of
// variable-length byte messages in memory shared between processes: the
// machinery under package ipc's Queue, JoinableQueue and Pipe.
//
// # Algorithm
//
// Dmitry Vyukov's bounded MPMC queue: a fixed number of slots of a fixed
// size, each with a sequence number. A producer claims the slot at the
// tail with a compare-and-swap of the tail, copies its message in and
// publishes it by storing the slot's sequence number; a consumer claims the
// slot at the head likewise, copies the message out and releases the slot
// for the next lap. Nothing is locked, so a process that stops anywhere
// stops only the slot it holds. A batch ([Ring.PutMany], [Ring.GetMany])
// claims up to 64 consecutive ready slots with one compare-and-swap and
// wakes the other side once.
//
// Waiting is spin-then-sleep: a blocked call reads the ring with growing
// pauses for about 30 µs, yields a few times, then sleeps on a futex word
// of its side ("not empty" for consumers, "not full" for producers). The
// other side wakes it only if the sleeper count of that word says someone
// sleeps, so a busy ring makes no system call. Close bumps both words and
// wakes everyone.
//
// # Crash tolerance
//
// A process killed in the middle of a Put or Get must not stop the others
// for ever. A claimer records its pid in the slot (with the slot's
// position, so that a stale record is never mistaken for a current one)
// right after claiming it. A waiter that finds the slot at the head held by
// an unpublished producer, or the slot at the tail held by a consumer that
// has not released it, examines the holder at most once a millisecond: if
// the pid is gone, a zombie, or dead (/proc/<pid>/stat on Linux, sysctl
// kern.proc.pid on macOS), it takes the slot back with a compare-and-swap
// of the slot's owner word: a producer's unpublished slot is skipped, a
// consumer's unreleased slot is freed. If the holder died in the single
// instruction between claiming and recording its pid, the slot is taken
// back after it has stayed so for 2 seconds.
//
// The guarantee: no deadlock (every blocked Put or Get of a live process
// proceeds once the dead holder is noticed, within milliseconds); no
// message delivered twice, nor torn (a holder's claim and a taker's
// recovery race on one compare-and-swap of the owner word, so exactly one
// of them owns the slot); and at most the messages in the dead process's
// hands are lost: the one (or, for a batch, the up to 64) it had claimed
// and not yet published or finished reading. A live process that stalls
// for 2 seconds between claiming a slot and recording its pid (stopped by
// a debugger, say) is treated as dead: a producer then finds its claim
// void and claims another slot; a consumer loses that message. Recovery
// happens in the calls that wait (Put, Get, and the Try calls when they
// find the ring full or empty), so a ring nobody uses recovers nothing. A
// process that dies while asleep leaves a sleeper count raised, which costs
// later calls a needless wake-up system call, never correctness. Pids are
// checked for liveness only, not for reuse: a dead holder whose pid was
// given to a new process delays recovery until that process ends.
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
