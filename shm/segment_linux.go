package shm

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// createAnon creates a memfd: anonymous memory reachable only through its
// descriptor, close-on-exec, and sealable.
func createAnon(size uint64) (*os.File, error) {
	fd, err := unix.MemfdCreate("shmkit", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), "memfd:shmkit"), nil
}

const seals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL

// seal fixes the size of a memfd, so that no process holding it can shrink
// it and make the others fault (SIGBUS) on the missing pages. Files that
// cannot be sealed (named segments) are left alone.
func seal(f *os.File) error {
	_, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals)
	if errors.Is(err, unix.EINVAL) {
		return nil // not a memfd
	}
	return err
}

// checkFile refuses a segment file that a peer could shrink under us: a
// memfd must be sealed against shrinking; any other file must be private to
// this user.
func checkFile(f *os.File, st *unix.Stat_t) error {
	got, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err == nil {
		if got&unix.F_SEAL_SHRINK == 0 {
			return ErrUnsealed
		}
		return nil
	}
	return checkPrivate(st)
}

// prefault maps every page of mem now, so that the first use of each does
// not fault (11-15µs a page on our machines). Kernels before 5.14 do not
// know MADV_POPULATE_WRITE; the pages then fault in on first use.
func prefault(mem []byte) {
	if len(mem) > 0 {
		unix.Madvise(mem, unix.MADV_POPULATE_WRITE)
	}
}

// defaultDir is where named segments live: /dev/shm (memory, not disk)
// where it exists.
func defaultDir() string {
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		return "/dev/shm"
	}
	return os.TempDir()
}
