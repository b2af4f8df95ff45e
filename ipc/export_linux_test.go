package ipc

import "syscall"

// DisablePdeathsig makes children started from now on by this process rely
// on their control socket alone to notice its death, as on macOS.
func DisablePdeathsig() { pdeathsig = syscall.Signal(0) }
