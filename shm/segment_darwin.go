package shm

import (
	"os"

	"golang.org/x/sys/unix"
)

// createAnon creates an unlinked temporary file: no name reaches it, and it
// disappears with its last descriptor and mapping. macOS has no memfd, and
// its files cannot be sealed: a peer that can write the file could shrink
// it, but the file is private to its user (0600), so only the same user's
// processes can.
func createAnon(size uint64) (*os.File, error) {
	f, err := os.CreateTemp("", "shmkit-anon-*")
	if err != nil {
		return nil, err
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkFile refuses a segment file that is not private to this user.
func checkFile(f *os.File, st *unix.Stat_t) error { return checkPrivate(st) }

// prefault does nothing on macOS, which has no MADV_POPULATE_WRITE.
func prefault(mem []byte) {}

// defaultDir is where named segments live: the user's private temporary
// directory.
func defaultDir() string { return os.TempDir() }
