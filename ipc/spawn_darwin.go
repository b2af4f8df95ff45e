package ipc

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// macOS has no parent-death signal: a child notices its parent's death only
// by the end of file on its control socket (see Main).

// start starts cmd.
func start(cmd *exec.Cmd) error { return cmd.Start() }

// sysProcAttr returns the attributes of a child: none beyond exec's defaults.
func sysProcAttr() *syscall.SysProcAttr { return nil }

// rawSocketpair returns a connected pair of close-on-exec stream sockets.
// macOS has no SOCK_CLOEXEC, so the descriptors are created and marked under
// syscall.ForkLock, which keeps a concurrent fork from inheriting them.
func rawSocketpair() ([2]int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	unix.CloseOnExec(fds[0])
	unix.CloseOnExec(fds[1])
	return fds, nil
}
