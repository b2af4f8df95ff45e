package ipc

import (
	"os"

	"github.com/shmkit/shmkit/shm"
)

// attachSegment maps the shared memory segment that f holds into this child,
// so that shared objects in the argument decode over the same memory as in
// the parent. It takes ownership of f. The segment stays mapped until the
// child exits.
func attachSegment(f *os.File) error {
	_, err := shm.Attach(f)
	return err
}
