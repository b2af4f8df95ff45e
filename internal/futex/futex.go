// Package futex waits on and wakes a 32-bit word in memory shared between
// processes. It is the only place in shmkit that knows how a process sleeps.
//
// The contract, met by every platform file:
//
//   - Wait(addr, val, timeout) sleeps only if *addr still holds val when the
//     call begins, and returns when woken by Wake, when timeout elapses (a
//     timeout < 0 means no timeout), or spuriously. The caller must always
//     re-read the word and decide again: a return says nothing about the
//     word's value.
//   - Wake(addr, n) wakes at most n processes or goroutines sleeping in Wait
//     on addr and returns how many it woke, which may be 0 for
//     implementations that cannot tell.
//
// On Linux these are the shared (not private) FUTEX_WAIT and FUTEX_WAKE
// operations, so they work across processes that map the same memory at any
// address. On macOS there is no futex reachable without cgo, so the portable
// waiter polls the word with growing pauses (from a few microseconds up to
// one millisecond); Wake has nothing to do there. The portable waiter can be
// forced on Linux with the build tag shmkit_portable so that it is tested
// where CI runs.
//
// A blocking call that may sleep several times sleeps through a [Sleeper],
// which keeps the Go runtime from taking its P back during the first
// sleeps (and from waking its monitor every 20 µs after): every wait of
// shmkit does.
package futex

import "time"

// Portable reports whether this build uses the portable polling waiter
// instead of the kernel's futex.
const Portable = portable

// maxPoll is the longest pause of the portable waiter between two reads of
// the word. It bounds the latency of a wake-up there.
const maxPoll = time.Millisecond
