package shm

import (
	"bytes"
	"os"
	"strconv"
)

// procStart returns the pid (0: this process), its start time in clock
// ticks since boot and its state, read from /proc/<pid>/stat.
func procStart(pid int) (int, uint64, int) {
	name := "/proc/self/stat"
	if pid != 0 {
		name = "/proc/" + strconv.Itoa(pid) + "/stat"
	}
	b, err := os.ReadFile(name)
	if os.IsNotExist(err) {
		return pid, 0, procMissing
	}
	if err != nil {
		return pid, 0, procUnknown
	}
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
	// fields are counted from the last ')'.
	i := bytes.LastIndexByte(b, ')')
	sp := bytes.IndexByte(b, ' ')
	if i < 0 || sp < 0 || sp > i {
		return pid, 0, procUnknown
	}
	if pid == 0 {
		pid, _ = strconv.Atoi(string(b[:sp]))
	}
	f := bytes.Fields(b[i+1:])
	if len(f) < 20 {
		return pid, 0, procUnknown
	}
	start, _ := strconv.ParseUint(string(f[19]), 10, 64) // field 22: starttime
	switch f[0][0] {                                     // field 3: state
	case 'Z', 'X', 'x':
		return pid, start, procZombie
	}
	return pid, start, procAlive
}
