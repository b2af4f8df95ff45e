package ipc

import (
	"os/exec"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// On Linux a child gets SIGKILL when its parent dies (Pdeathsig). The kernel
// ties that signal to the thread that forked the child, not to the process:
// a child started from a thread that later exits would be killed then,
// while its parent lives on, and Go ends threads of goroutines that exit
// while locked. So every child is started from one goroutine that locks its
// thread for good and takes start requests over a channel.

// spawnRequest asks the spawning thread to start cmd.
type spawnRequest struct {
	cmd  *exec.Cmd
	errc chan error
}

var spawner struct {
	once sync.Once
	reqs chan spawnRequest
}

// start starts cmd from the spawning thread.
func start(cmd *exec.Cmd) error {
	spawner.once.Do(func() {
		spawner.reqs = make(chan spawnRequest)
		go spawnLoop(spawner.reqs)
	})
	errc := make(chan error, 1)
	spawner.reqs <- spawnRequest{cmd, errc}
	return <-errc
}

// spawnLoop serves start requests on a thread it never releases.
func spawnLoop(reqs <-chan spawnRequest) {
	runtime.LockOSThread() // never unlocked: the thread must outlive every child
	for r := range reqs {
		r.errc <- r.cmd.Start()
	}
}

// pdeathsig is the signal a child gets when its parent dies. Tests set it
// to 0 to exercise the control socket alone, as on macOS.
var pdeathsig = syscall.SIGKILL

// sysProcAttr returns the attributes of a child: killed when its parent
// (the spawning thread, which lives as long as the process) dies.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: pdeathsig}
}

// rawSocketpair returns a connected pair of close-on-exec stream sockets.
func rawSocketpair() ([2]int, error) {
	return unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}
