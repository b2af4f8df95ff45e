package ipc

import "os"

// executable returns the path that re-executes this binary. macOS has no
// /proc: os.Executable asks the kernel for the path the binary was started
// from, so a binary renamed or replaced since is not found or not the same.
func executable() (string, error) { return os.Executable() }
