//go:build !shmkit_portable

package futex

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

const portable = false

// The futex operations, without FUTEX_PRIVATE_FLAG: the word lives in memory
// shared between processes.
const (
	opWait = 0 // FUTEX_WAIT
	opWake = 1 // FUTEX_WAKE
)

// Wait sleeps while *addr == val, until Wake, timeout (< 0: none) or a
// spurious wake-up. See the package doc for the contract.
func Wait(addr *uint32, val uint32, timeout time.Duration) {
	var ts *unix.Timespec
	if timeout >= 0 {
		t := unix.NsecToTimespec(int64(timeout))
		ts = &t
	}
	// EAGAIN (the word changed), EINTR and ETIMEDOUT all mean "look again";
	// the caller re-reads the word in every case, so the error is not needed.
	unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWait, uintptr(val),
		uintptr(unsafe.Pointer(ts)), 0, 0)
}

// Wake wakes at most n waiters sleeping on addr and returns how many it woke.
func Wake(addr *uint32, n int) int {
	r, _, errno := unix.Syscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(addr)), opWake, uintptr(n), 0, 0, 0)
	if errno != 0 {
		return 0
	}
	return int(r)
}
