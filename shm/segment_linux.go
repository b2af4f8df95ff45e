package shm

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// memfdName is the name of every anonymous segment's memfd. The kernel
// shows it as the target of /proc/self/fd/N: "/memfd:shmkit (deleted)".
const memfdName = "shmkit"

// createAnon creates a memfd of size bytes (anonymous memory reachable only
// through its descriptor, close-on-exec) and seals its size, so that no
// process holding it can shrink it and make the others fault (SIGBUS) on
// the missing pages.
func createAnon(size uint64) (*os.File, error) {
	fd, err := unix.MemfdCreate(memfdName, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "memfd:"+memfdName)
	if err := f.Truncate(int64(size)); err != nil {
		f.Close()
		return nil, err
	}
	const seals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals); err != nil {
		f.Close()
		return nil, fmt.Errorf("seal: %w", err)
	}
	return f, nil
}

// checkFile refuses a segment file that a peer could shrink under us: a
// memfd must be sealed against shrinking; any other file (a named segment)
// must be private to this user.
func checkFile(f *os.File, st *unix.Stat_t) error {
	target, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil || !strings.HasPrefix(target, "/memfd:") {
		return checkPrivate(st)
	}
	got, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil || got&unix.F_SEAL_SHRINK == 0 {
		return ErrUnsealed
	}
	return nil
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
