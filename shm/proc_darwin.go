package shm

import (
	"os"

	"golang.org/x/sys/unix"
)

// szomb is the p_stat of a process that exited and was not yet reaped.
const szomb = 5

// procStart returns the pid (0: this process), its start time in
// microseconds since the epoch and its state, from sysctl kern.proc.pid.
func procStart(pid int) (int, uint64, int) {
	if pid == 0 {
		pid = os.Getpid()
	}
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", pid)
	if err != nil {
		if err == unix.ESRCH {
			return pid, 0, procMissing
		}
		return pid, 0, procUnknown
	}
	if kp.Proc.P_pid == 0 {
		return pid, 0, procMissing
	}
	t := kp.Proc.P_starttime
	start := uint64(t.Sec)*1e6 + uint64(t.Usec)
	if kp.Proc.P_stat == szomb {
		return pid, start, procZombie
	}
	return pid, start, procAlive
}
