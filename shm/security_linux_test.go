package shm_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/shm"
)

// A process of another user can neither open, read nor write a named
// segment, nor reach an anonymous one through /proc, nor replace or remove
// a named one. The test runs the test binary as nobody (uid 65534), which
// needs root; the segment directory is world-writable and sticky, as
// /dev/shm is, so that only the segment's own permissions keep the other
// user out.
func TestSegment_OtherUser_Refused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to start a child as another user (uid 65534)")
	}
	dir := worldDir(t, 0o777|os.ModeSticky)
	t.Setenv("SHMKIT_DIR", dir)
	named := createT(t, "private", 4096)
	v, err := shm.NewValue[int64](42, shm.In(named), shm.Named("v"))
	if err != nil {
		t.Fatal(err)
	}
	anon := newSegmentT(t, 4096)
	f, err := anon.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	proc := fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), f.Fd())

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, executableFor(t, otherUID), "-test.run=^$")
	cmd.Env = append(os.Environ(), probeEnv+"=private", probeProcEnv+"="+proc)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUID, Gid: otherUID}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("probe: %v\nstderr: %s", err, stderr.Bytes())
	}
	got := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ": "); ok {
			got[k] = v
		}
	}
	want := []struct{ attempt, outcome string }{
		// What the probe must be able to do, or its refusals prove nothing.
		{"uid", fmt.Sprint(otherUID)},
		{"lstat", "ok"},
		{"read /proc/<pid>/stat", "ok"},
		// What it must not.
		{"Open", "denied"},
		{"open for reading", "denied"},
		{"open for writing", "denied"},
		{"Create", "exists"},
		{"Remove", "denied"},
		{"open anonymous for reading", "denied"},
		{"open anonymous for writing", "denied"},
	}
	for _, w := range want {
		if got[w.attempt] != w.outcome {
			t.Errorf("%s as uid %d: got %q, want %q", w.attempt, otherUID, got[w.attempt], w.outcome)
		}
	}
	if t.Failed() {
		t.Logf("the probe said:\n%s", out)
	}
	if v.Load() != 42 {
		t.Errorf("the value after the probe: got %d, want 42", v.Load())
	}
	if fi, err := os.Lstat(filepath.Join(dir, "shmkit.private")); err != nil || fi.Mode() != 0o600 {
		t.Errorf("the segment file after the probe: got %v, %v, want it there, mode 0600", fi, err)
	}
}

// An anonymous segment has no name: nothing in the segment directory, in
// /dev/shm or in the file system refers to it, only descriptors.
func TestNewSegment_UnreachableByName(t *testing.T) {
	dir := segmentDir(t)
	seg := newSegmentT(t, 4096)
	if seg.Name() != "" {
		t.Fatalf("Name: got %q, want none", seg.Name())
	}
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	target, err := os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	if err != nil || target != "/memfd:shmkit (deleted)" {
		t.Fatalf("descriptor: got %q, %v, want an anonymous memfd", target, err)
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil || st.Nlink != 0 {
		t.Fatalf("links to the memfd: got %d, %v, want 0", st.Nlink, err)
	}
	if ents, err := os.ReadDir(dir); err != nil || len(ents) != 0 {
		t.Fatalf("segment directory: got %v, %v, want it empty", ents, err)
	}
	if list, err := shm.List(); err != nil || len(list) != 0 {
		t.Fatalf("List: got %v, %v, want no segment", list, err)
	}
}

// Every descriptor of a segment is close-on-exec in the process that made
// it, so an unrelated program started with os/exec inherits none of them.
func TestSegment_Descriptors_CloseOnExec(t *testing.T) {
	seg := newSegmentT(t, 4096)
	f, err := seg.File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		fd, _ := strconv.Atoi(e.Name())
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil || !strings.HasPrefix(target, "/memfd:shmkit") {
			continue
		}
		n++
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("descriptor %d (%s): flags %#x, %v, want FD_CLOEXEC", fd, target, flags, err)
		}
	}
	if n < 2 {
		t.Fatalf("found %d segment descriptors, want at least the segment's and its File's", n)
	}
}

// worldDir returns a new directory of the given mode, removed when the
// test ends (t.TempDir is private to root, so another user could not
// reach into it).
func worldDir(t *testing.T, mode os.FileMode) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "shmkit-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
	return dir
}

// executableFor returns a copy of the test binary that uid can run: the
// original lies in go's private build directory.
func executableFor(t *testing.T, uid int) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	path := filepath.Join(worldDir(t, 0o755), "shm.test")
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
