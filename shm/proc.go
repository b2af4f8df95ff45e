package shm

// A process is identified in shared memory by its pid and by a tag: the pid
// in the high 32 bits and a hash of the process's start time in the low 32.
// The start time tells a live process from a new one that reuses the pid of
// a dead owner.

// self identifies this process. Go cannot fork, so it never changes.
var self = func() (s struct{ pid, tag uint64 }) {
	pid, start, _ := procStart(0)
	s.pid, s.tag = uint64(pid), makeTag(pid, start)
	return s
}()

func makeTag(pid int, start uint64) uint64 {
	return uint64(uint32(pid))<<32 | uint64(uint32(start^start>>32))
}

// procGone reports whether the process pid is certainly dead (or a zombie),
// or a different process than the one tagged tag (when tag names pid). A
// process it cannot inspect is taken to be alive.
func procGone(pid uint32, tag uint64) (gone, reused bool) {
	if pid == 0 {
		return true, false // procStart(0) would inspect this process
	}
	_, start, state := procStart(int(pid))
	switch state {
	case procMissing, procZombie:
		return true, false
	case procUnknown:
		return false, false
	}
	if tag>>32 == uint64(pid) && tag != makeTag(int(pid), start) {
		return true, true
	}
	return false, false
}

// Process states reported by procStart.
const (
	procAlive   = iota // running or sleeping
	procMissing        // no such process
	procZombie         // exited, not yet reaped
	procUnknown        // could not tell
)
