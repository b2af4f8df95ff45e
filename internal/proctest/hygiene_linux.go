package proctest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// sysSnapshot is what /proc shows of the process: its open descriptors and
// its mappings of segment files.
type sysSnapshot struct {
	fds  map[int]string    // descriptor → what it refers to
	maps map[uint64]string // inode → path, of mappings of segment files
}

func takeSys() sysSnapshot {
	// Make the runtime's network poller (an epoll descriptor and an
	// eventfd, made on first use and kept for good) before looking.
	if r, w, err := os.Pipe(); err == nil {
		r.Close()
		w.Close()
	}
	return sysSnapshot{fds: openFDs(), maps: segmentMaps()}
}

// check returns the children of this process, and the descriptors and
// segment mappings that were not there before, leaving out those of the
// segments in known (reported, or lifelong, by the caller).
func (s sysSnapshot) check(known []*os.File) []string {
	left := children()
	knownFD, knownIno := map[int]bool{}, map[uint64]bool{}
	for _, f := range known {
		knownFD[int(f.Fd())] = true
		var st unix.Stat_t
		if unix.Fstat(int(f.Fd()), &st) == nil {
			knownIno[st.Ino] = true
		}
	}
	fds := openFDs()
	nums := make([]int, 0, len(fds))
	for fd := range fds {
		nums = append(nums, fd)
	}
	sort.Ints(nums)
	for _, fd := range nums {
		if what, was := s.fds[fd]; (!was || what != fds[fd]) && !knownFD[fd] {
			left = append(left, fmt.Sprintf("descriptor %d open (%s)", fd, fds[fd]))
		}
	}
	for ino, path := range segmentMaps() {
		if _, was := s.maps[ino]; !was && !knownIno[ino] {
			left = append(left, fmt.Sprintf("segment file %s (inode %d) still mapped", path, ino))
		}
	}
	return left
}

// openFDs returns the open descriptors of this process and what each
// refers to, leaving out the one that reads the list.
func openFDs() map[int]string {
	self := fmt.Sprintf("/proc/%d/fd", os.Getpid())
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	out := map[int]string{}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || target == self {
			continue // closed meanwhile, or the directory being read
		}
		out[fd] = target
	}
	return out
}

// segmentMaps returns the mappings of shmkit segment files: memfds named
// shmkit, and files named shmkit.* (named segments) in any directory.
func segmentMaps() map[uint64]string {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return nil
	}
	out := map[uint64]string{}
	for _, line := range strings.Split(string(b), "\n") {
		// address perms offset dev inode path
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		path := strings.TrimSpace(line[strings.Index(line, f[5]):])
		name := filepath.Base(strings.TrimSuffix(path, " (deleted)"))
		if !strings.HasPrefix(path, "/memfd:shmkit") && !strings.HasPrefix(name, "shmkit.") {
			continue
		}
		if ino, err := strconv.ParseUint(f[4], 10, 64); err == nil {
			out[ino] = path
		}
	}
	return out
}

// children returns the processes whose parent is this one, zombies
// included.
func children() []string {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	me := os.Getpid()
	var out []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ...; comm may hold anything, even ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 || f[1] != strconv.Itoa(me) {
			continue
		}
		what := "running"
		if f[0] == "Z" {
			what = "a zombie: exited, never waited for"
		}
		cmd, _ := os.ReadFile("/proc/" + e.Name() + "/cmdline")
		cmdline := strings.TrimSpace(string(bytes.ReplaceAll(cmd, []byte{0}, []byte{' '})))
		out = append(out, fmt.Sprintf("child process %d (%s): %s", pid, what, shorten(cmdline, 1)))
	}
	return out
}
