package shm_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/shmkit/shmkit/shm"
)

// The test binary plays a process of another user that tries to reach
// segments it does not own (see TestSegment_OtherUser_Refused): with
// probeEnv set to a segment name, TestMain runs runProbe instead of the
// tests.
const (
	probeEnv     = "SHM_TEST_PROBE"    // the named segment to try
	probeProcEnv = "SHM_TEST_PROBE_FD" // /proc/<pid>/fd/<n> of an anonymous segment of another process
)

// otherUID is the user the tests run a probe as, and plant files as:
// nobody.
const otherUID = 65534

// runProbe tries every way in to the named segment and to the anonymous
// segment at $SHM_TEST_PROBE_FD, and prints one line for each attempt,
// "attempt: outcome", for the test to check. It also reports what it must
// be able to do (its uid, seeing the file, reading the other process's
// /proc/<pid>/stat), so that a refusal for the wrong reason is told
// apart.
func runProbe(name string) int {
	report := func(what string, err error) { fmt.Printf("%s: %s\n", what, outcome(err)) }
	fmt.Printf("uid: %d\n", os.Getuid())
	path := filepath.Join(shm.Dir(), "shmkit."+name)
	_, err := os.Lstat(path)
	report("lstat", err)
	s, err := shm.Open(name)
	closeIf(s)
	report("Open", err)
	report("open for reading", tryOpen(path, os.O_RDONLY))
	report("open for writing", tryOpen(path, os.O_WRONLY))
	s, err = shm.Create(name, 4096)
	closeIf(s)
	report("Create", err)
	report("Remove", shm.Remove(name))
	if p := os.Getenv(probeProcEnv); p != "" {
		_, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(p)), "stat"))
		report("read /proc/<pid>/stat", err)
		report("open anonymous for reading", tryOpen(p, os.O_RDONLY))
		report("open anonymous for writing", tryOpen(p, os.O_RDWR))
	}
	return 0
}

// tryOpen opens path with flag and reads a byte if it can.
func tryOpen(path string, flag int) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	if flag == os.O_RDONLY {
		_, err = f.Read(make([]byte, 1))
	}
	return err
}

// outcome names what became of an attempt.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, fs.ErrPermission):
		return "denied"
	case errors.Is(err, shm.ErrExists):
		return "exists"
	}
	return "error: " + err.Error()
}

// Files planted at a segment's path by another user are never taken for
// the segment: Create refuses the name and leaves the file alone, Open
// refuses the file.
func TestCreate_PlantedByOtherUser(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root, to plant files as another user")
	}
	dir := segmentDir(t)
	real := newSegmentT(t, 8192)
	if _, err := shm.NewValue[int64](42, shm.In(real), shm.Named("v")); err != nil {
		t.Fatal(err)
	}
	image := segmentImage(t, real) // a well-formed segment
	ours := filepath.Join(t.TempDir(), "ours")
	if err := os.WriteFile(ours, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	file := func(data []byte) func(path string) error {
		return func(path string) error { return os.WriteFile(path, data, 0o600) }
	}
	tests := []struct {
		name   string
		plant  func(path string) error
		opened string // in Open's error
	}{
		{"segment of another user", file(image), fmt.Sprintf("owned by uid %d, not 0", otherUID)},
		{"garbage of another user", file(bytes.Repeat([]byte("x"), 8192)), fmt.Sprintf("owned by uid %d", otherUID)},
		{"empty file of another user", file(nil), fmt.Sprintf("owned by uid %d", otherUID)},
		{"symbolic link of another user to a file of ours", func(path string) error { return os.Symlink(ours, path) }, "is a symbolic link"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := fmt.Sprintf("planted%d", i)
			path := filepath.Join(dir, "shmkit."+name)
			if err := tt.plant(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Lchown(path, otherUID, otherUID); err != nil {
				t.Fatal(err)
			}
			before, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if s, err := shm.Create(name, 8192); !errors.Is(err, shm.ErrExists) {
				closeIf(s)
				t.Fatalf("Create: got %v, want %v", err, shm.ErrExists)
			}
			after, err := os.Lstat(path)
			if err != nil || !os.SameFile(before, after) || after.Size() != before.Size() || after.ModTime() != before.ModTime() {
				t.Fatalf("planted file after Create: got %v, %v, want it untouched", after, err)
			}
			s, err := shm.Open(name)
			closeIf(s)
			if !errors.Is(err, shm.ErrUnsafeFile) || !bytes.Contains([]byte(err.Error()), []byte(tt.opened)) {
				t.Fatalf("Open: got %v, want %v saying %q", err, shm.ErrUnsafeFile, tt.opened)
			}
		})
	}
	if got, err := os.ReadFile(ours); err != nil || string(got) != "precious" {
		t.Fatalf("the symbolic link's target: got %q, %v, want it untouched", got, err)
	}
}
