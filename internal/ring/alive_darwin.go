package ring

import "golang.org/x/sys/unix"

// szomb is the p_stat of a process that exited and was not yet reaped.
const szomb = 5

// procDead reports whether process pid has certainly exited: sysctl
// kern.proc.pid does not know it, or it is a zombie. A process it cannot
// inspect is taken to be alive.
func procDead(pid uint32) bool {
	kp, err := unix.SysctlKinfoProc("kern.proc.pid", int(pid))
	if err != nil {
		return err == unix.ESRCH
	}
	return kp.Proc.P_pid == 0 || kp.Proc.P_stat == szomb
}
