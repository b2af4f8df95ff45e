package shm_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/shm"
)

// segmentDir points SHMKIT_DIR at a fresh directory for this test and
// returns it.
func segmentDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("SHMKIT_DIR", dir)
	return dir
}

// createT creates the named segment and closes and removes it when the test
// ends.
func createT(t *testing.T, name string, size int) *shm.Segment {
	t.Helper()
	seg, err := shm.Create(name, size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		seg.Close()
		shm.Remove(name)
	})
	return seg
}

func TestCreate_OpenRemove_RoundTrip(t *testing.T) {
	dir := segmentDir(t)
	if got := shm.Dir(); got != dir {
		t.Fatalf("Dir: got %q, want %q", got, dir)
	}
	seg := createT(t, "round-trip_1", 8192)
	if seg.Name() != "round-trip_1" || seg.Size() != 8192 {
		t.Fatalf("got name %q size %d, want %q 8192", seg.Name(), seg.Size(), "round-trip_1")
	}
	v, err := shm.NewValue[int64](7, shm.In(seg), shm.Named("n"))
	if err != nil {
		t.Fatal(err)
	}
	other, err := shm.Open("round-trip_1")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Name() != "round-trip_1" || other.Size() != 8192 {
		t.Fatalf("opened: got name %q size %d, want %q 8192", other.Name(), other.Size(), "round-trip_1")
	}
	v2, err := shm.LookupValue[int64](other, "n")
	if err != nil {
		t.Fatal(err)
	}
	if got := v2.Load(); got != 7 {
		t.Fatalf("opened: got %d, want 7", got)
	}
	v.Store(-1)
	if got := v2.Load(); got != -1 {
		t.Fatalf("opened after Store: got %d, want -1", got)
	}
	v2.Add(-1)
	if got := v.Load(); got != -2 {
		t.Fatalf("creator after Add in the opened one: got %d, want -2", got)
	}
	if err := shm.Remove("round-trip_1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "shmkit.round-trip_1")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("file after Remove: got %v, want it gone", err)
	}
	// Both mappings outlive Remove.
	v.Add(10)
	if got := v2.Load(); got != 8 {
		t.Fatalf("after Remove: got %d, want 8", got)
	}
	if _, err := shm.Open("round-trip_1"); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("Open after Remove: got %v, want %v", err, shm.ErrNotExist)
	}
}

func TestLookupValue_Errors(t *testing.T) {
	segmentDir(t)
	seg := createT(t, "lookup", 8192)
	if _, err := shm.NewValue[int64](1, shm.In(seg), shm.Named("i64")); err != nil {
		t.Fatal(err)
	}
	if _, err := shm.NewMutex(shm.In(seg), shm.Named("mu")); err != nil {
		t.Fatal(err)
	}
	other, err := shm.Open("lookup")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tests := []struct {
		name   string
		lookup func() error
		want   error
	}{
		{"right type", func() error { _, err := shm.LookupValue[int64](other, "i64"); return err }, nil},
		{"defined type", func() error { _, err := shm.LookupValue[Cents](other, "i64"); return err }, nil},
		{"int32", func() error { _, err := shm.LookupValue[int32](other, "i64"); return err }, shm.ErrType},
		{"uint64", func() error { _, err := shm.LookupValue[uint64](other, "i64"); return err }, shm.ErrType},
		{"float64", func() error { _, err := shm.LookupValue[float64](other, "i64"); return err }, shm.ErrType},
		{"array", func() error { _, err := shm.LookupArray[int64](other, "i64"); return err }, shm.ErrType},
		{"value of a mutex", func() error { _, err := shm.LookupValue[int64](other, "mu"); return err }, shm.ErrType},
		{"mutex of a value", func() error { _, err := shm.LookupMutex(other, "i64"); return err }, nil},
		{"missing", func() error { _, err := shm.LookupValue[int64](other, "nope"); return err }, shm.ErrNotExist},
		{"missing mutex", func() error { _, err := shm.LookupMutex(other, "nope"); return err }, shm.ErrNotExist},
		{"bad name", func() error { _, err := shm.LookupValue[int64](other, "a/b"); return err }, shm.ErrName},
		{"empty name", func() error { _, err := shm.LookupValue[int64](other, ""); return err }, shm.ErrName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.lookup(); !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCreate_BadName(t *testing.T) {
	dir := segmentDir(t)
	tests := []struct {
		name, seg string
	}{
		{"empty", ""},
		{"31 chars", strings.Repeat("a", 31)},
		{"slash", "a/b"},
		{"dot-dot", ".."},
		{"dot", "a.b"},
		{"non-ASCII", "ü"},
		{"space", "a b"},
		{"NUL", "a\x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for op, fn := range map[string]func() error{
				"Create": func() error { s, err := shm.Create(tt.seg, 4096); closeIf(s); return err },
				"Open":   func() error { s, err := shm.Open(tt.seg); closeIf(s); return err },
				"Remove": func() error { return shm.Remove(tt.seg) },
			} {
				err := fn()
				if !errors.Is(err, shm.ErrName) {
					t.Fatalf("%s(%q): got %v, want %v", op, tt.seg, err, shm.ErrName)
				}
				if !strings.Contains(err.Error(), "1 to 30 letters, digits, '-' or '_'") {
					t.Fatalf("%s(%q): got message %q, want it to state the rule", op, tt.seg, err)
				}
			}
		})
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("got %d files in the directory, want none", len(ents))
	}
	createT(t, strings.Repeat("z", 30), 4096) // the longest name works
}

func closeIf(s *shm.Segment) {
	if s != nil {
		s.Close()
	}
}

func TestCreate_Exists(t *testing.T) {
	segmentDir(t)
	seg := createT(t, "twice", 4096)
	v, err := shm.NewValue[int32](3, shm.In(seg), shm.Named("v"))
	if err != nil {
		t.Fatal(err)
	}
	s2, err := shm.Create("twice", 4096)
	if !errors.Is(err, shm.ErrExists) {
		closeIf(s2)
		t.Fatalf("got %v, want %v", err, shm.ErrExists)
	}
	// The refused Create must leave the existing segment alone.
	other, err := shm.Open("twice")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if v2, err := shm.LookupValue[int32](other, "v"); err != nil || v2.Load() != 3 || v.Load() != 3 {
		t.Fatalf("existing segment after a refused Create: got %v, %v", v2, err)
	}
}

func TestCreate_Symlink(t *testing.T) {
	dir := segmentDir(t)
	target := filepath.Join(t.TempDir(), "precious")
	if err := os.WriteFile(target, []byte("precious data"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "shmkit.planted")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{4096, 1 << 20} {
		s, err := shm.Create("planted", size)
		if !errors.Is(err, shm.ErrExists) {
			closeIf(s)
			t.Fatalf("got %v, want %v", err, shm.ErrExists)
		}
	}
	if got, err := os.ReadFile(target); err != nil || string(got) != "precious data" {
		t.Fatalf("symlink target: got %q, %v, want it untouched", got, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("symlink: got %v, %v, want it left in place", fi, err)
	}
	// A dangling symlink is refused too (O_EXCL does not follow it).
	dangling := filepath.Join(dir, "shmkit.dangling")
	if err := os.Symlink(filepath.Join(t.TempDir(), "nothing"), dangling); err != nil {
		t.Fatal(err)
	}
	if s, err := shm.Create("dangling", 4096); !errors.Is(err, shm.ErrExists) {
		closeIf(s)
		t.Fatalf("dangling symlink: got %v, want %v", err, shm.ErrExists)
	}
}

func TestOpen_Unsafe(t *testing.T) {
	dir := segmentDir(t)
	real := createT(t, "real", 4096)
	if _, err := shm.NewValue[int8](1, shm.In(real), shm.Named("v")); err != nil {
		t.Fatal(err)
	}
	realPath := filepath.Join(dir, "shmkit.real")
	if err := os.Symlink(realPath, filepath.Join(dir, "shmkit.link")); err != nil {
		t.Fatal(err)
	}
	copyWithMode := func(name string, mode os.FileMode) {
		b, err := os.ReadFile(realPath)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "shmkit."+name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	copyWithMode("mode644", 0o644)
	copyWithMode("mode606", 0o606)
	copyWithMode("mode640", 0o640)
	copyWithMode("mode600", 0o600)
	if err := os.Mkdir(filepath.Join(dir, "shmkit.dir"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mkfifo(filepath.Join(dir, "shmkit.fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		want error
	}{
		{"link", shm.ErrUnsafeFile},
		{"mode644", shm.ErrUnsafeFile},
		{"mode606", shm.ErrUnsafeFile},
		{"mode640", shm.ErrUnsafeFile},
		{"dir", shm.ErrUnsafeFile},
		{"fifo", shm.ErrUnsafeFile},
		{"mode600", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := shm.Open(tt.name)
			closeIf(s)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestCreate_FileMode(t *testing.T) {
	dir := segmentDir(t)
	createT(t, "mode", 4096)
	fi, err := os.Lstat(filepath.Join(dir, "shmkit.mode"))
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode(); got != 0o600 {
		t.Fatalf("got mode %v, want %v", got, fs.FileMode(0o600))
	}
}

func TestOpen_BadFile(t *testing.T) {
	dir := segmentDir(t)
	garbage := bytes.Repeat([]byte("not a segment! "), 300)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"garbage", garbage, shm.ErrBadMagic},
		{"zeros", make([]byte, 4096), shm.ErrBadMagic},
		{"short", garbage[:100], shm.ErrTruncated},
		{"empty", nil, shm.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(dir, "shmkit."+tt.name), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := shm.Open(tt.name)
			closeIf(s)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestList_Segments(t *testing.T) {
	dir := segmentDir(t)
	before := time.Now()
	createT(t, "b-seg", 8192)
	createT(t, "a-seg", 4096)
	writes := map[string][]byte{
		"shmkit.c-bad":    []byte("garbage garbage garbage garbage garbage garbage"),
		"shmkit.bad.name": nil, // not a segment name: skipped
		"other-file":      nil, // not a segment file: skipped
	}
	for name, data := range writes {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := shm.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, info := range got {
		names = append(names, info.Name)
	}
	if strings.Join(names, " ") != "a-seg b-seg c-bad" {
		t.Fatalf("got %q, want [a-seg b-seg c-bad]", names)
	}
	for i, size := range []int64{4096, 8192} {
		info := got[i]
		if info.Err != nil || info.Size != size || info.CreatorPid != os.Getpid() || info.Stale {
			t.Errorf("%s: got %+v, want size %d, pid %d, not stale, no error", info.Name, info, size, os.Getpid())
		}
		if info.Created.Before(before.Add(-time.Minute)) || info.Created.After(time.Now().Add(time.Minute)) {
			t.Errorf("%s: got created %v, want about %v", info.Name, info.Created, before)
		}
	}
	if !errors.Is(got[2].Err, shm.ErrTruncated) && !errors.Is(got[2].Err, shm.ErrBadMagic) {
		t.Fatalf("c-bad: got error %v, want %v or %v", got[2].Err, shm.ErrTruncated, shm.ErrBadMagic)
	}
}

func TestList_BadFiles(t *testing.T) {
	dir := segmentDir(t)
	garbage := bytes.Repeat([]byte{0xA5}, 4096)
	if err := os.WriteFile(filepath.Join(dir, "shmkit.garbage"), garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "shmkit.open"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "shmkit.garbage"), filepath.Join(dir, "shmkit.link")); err != nil {
		t.Fatal(err)
	}
	got, err := shm.List()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]error{"garbage": shm.ErrBadMagic, "open": shm.ErrUnsafeFile, "link": nil}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for _, info := range got {
		if info.Err == nil || (want[info.Name] != nil && !errors.Is(info.Err, want[info.Name])) {
			t.Errorf("%s: got error %v, want %v", info.Name, info.Err, want[info.Name])
		}
	}
}

func TestRemove_Missing(t *testing.T) {
	segmentDir(t)
	err := shm.Remove("missing")
	if !errors.Is(err, shm.ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Remove: got %v, want %v and %v", err, shm.ErrNotExist, fs.ErrNotExist)
	}
	s, err := shm.Open("missing")
	closeIf(s)
	if !errors.Is(err, shm.ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open: got %v, want %v and %v", err, shm.ErrNotExist, fs.ErrNotExist)
	}
}

// tmpfsDir points SHMKIT_DIR at a fresh directory in /dev/shm, the default
// directory of named segments on Linux, whose files are tmpfs files.
func tmpfsDir(t *testing.T) string {
	t.Helper()
	if fi, err := os.Stat("/dev/shm"); err != nil || !fi.IsDir() {
		t.Skip("no /dev/shm")
	}
	dir, err := os.MkdirTemp("/dev/shm", "shmkit-test-")
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	t.Setenv("SHMKIT_DIR", dir)
	return dir
}

// TestCreate_Tmpfs creates and opens a named segment where it lives by
// default on Linux. A tmpfs file answers F_GET_SEALS (with F_SEAL_SEAL set)
// like a memfd that cannot be sealed: it must be treated as a plain file.
func TestCreate_Tmpfs(t *testing.T) {
	tmpfsDir(t)
	seg, err := shm.Create("tmpfs", 4096)
	if err != nil {
		t.Fatalf("Create in /dev/shm: got %v, want nil", err)
	}
	t.Cleanup(func() { seg.Close(); shm.Remove("tmpfs") })
	other, err := shm.Open("tmpfs")
	if err != nil {
		t.Fatalf("Open in /dev/shm: got %v, want nil", err)
	}
	other.Close()
}

// TestOpen_Tmpfs opens, in /dev/shm, a segment file made elsewhere, so that
// Open is tested even while Create fails there.
func TestOpen_Tmpfs(t *testing.T) {
	segmentDir(t)
	src := createT(t, "src", 4096)
	if _, err := shm.NewValue[int64](9, shm.In(src), shm.Named("v")); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(shm.Dir(), "shmkit.src"))
	if err != nil {
		t.Fatal(err)
	}
	dir := tmpfsDir(t)
	tests := []struct {
		name string
		mode os.FileMode
		want error
	}{
		{"private", 0o600, nil},
		{"open", 0o644, shm.ErrUnsafeFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, "shmkit."+tt.name)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tt.mode); err != nil {
				t.Fatal(err)
			}
			seg, err := shm.Open(tt.name)
			if !errors.Is(err, tt.want) || (err == nil) != (tt.want == nil) {
				closeIf(seg)
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if seg == nil {
				return
			}
			defer seg.Close()
			if v, err := shm.LookupValue[int64](seg, "v"); err != nil || v.Load() != 9 {
				t.Fatalf("got %v, %v, want value 9", v, err)
			}
		})
	}
}

// An Open racing a Create finds the segment whole or not at all: never a
// file without its header.
func TestCreate_OpenRacing_NeverSeesHalfMadeSegment(t *testing.T) {
	t.Setenv("SHMKIT_DIR", t.TempDir())
	stop := make(chan struct{})
	bad := make(chan error, 1)
	go func() {
		defer close(bad)
		for {
			select {
			case <-stop:
				return
			default:
			}
			s, err := shm.Open("racy")
			switch {
			case err == nil:
				s.Close()
			case !errors.Is(err, shm.ErrNotExist):
				bad <- err
				return
			}
		}
	}()
	for range 200 {
		s, err := shm.Create("racy", 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if err := shm.Remove("racy"); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	if err := <-bad; err != nil {
		t.Fatalf("Open during Create: %v", err)
	}
	ents, _ := os.ReadDir(shm.Dir())
	if len(ents) != 0 {
		t.Fatalf("left in the directory: %v", ents)
	}
}

// A Create whose process dies leaves its file under a temporary name: List
// shows it as a leftover, Remove deletes it, and it is never a name to
// Open. (Here the segment's file linked under such a name stands for one.)
func TestList_Leftover(t *testing.T) {
	dir := segmentDir(t)
	createT(t, "a", 4096)
	tmp := filepath.Join(dir, "shmkit.a.tmp-12345")
	if err := os.Link(filepath.Join(dir, "shmkit.a"), tmp); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"shmkit.a.tmp-", "shmkit.a.tmp-12x", "shmkit.a b.tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil { // not leftovers: skipped
			t.Fatal(err)
		}
	}
	got, err := shm.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "a" || got[0].Leftover || got[1].Name != "a.tmp-12345" || !got[1].Leftover {
		t.Fatalf("List: got %+v, want a, then the leftover a.tmp-12345", got)
	}
	if l := got[1]; l.Err != nil || l.Size != got[0].Size || l.CreatorPid != os.Getpid() || l.Stale {
		t.Fatalf("leftover: got %+v, want read like a, its creator (this process) alive", l)
	}
	if _, err := shm.Open("a.tmp-12345"); !errors.Is(err, shm.ErrName) {
		t.Fatalf("Open of a leftover's name: got %v, want ErrName", err)
	}
	if err := shm.Remove("a.tmp-12x"); !errors.Is(err, shm.ErrName) {
		t.Fatalf("Remove(%q): got %v, want ErrName", "a.tmp-12x", err)
	}
	if err := shm.Remove("a.tmp-12345"); err != nil {
		t.Fatalf("Remove of the leftover: %v", err)
	}
	if _, err := os.Lstat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the leftover's file after Remove: %v, want it gone", err)
	}
	other, err := shm.Open("a")
	if err != nil {
		t.Fatalf("Open(a) after removing the leftover: %v", err)
	}
	other.Close()
}
