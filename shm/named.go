package shm

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// filePrefix starts the file name of every named segment.
const filePrefix = "shmkit."

// tmpInfix follows the name in the file's name while Create builds it:
// shmkit.NAME.tmp-DIGITS. A name has no dot, so this is never a segment's.
const tmpInfix = ".tmp-"

// leftoverName reports whether s is the name of a file that Create was
// building (NAME.tmp-DIGITS): left over when its process died before it
// removed it.
func leftoverName(s string) bool {
	base, suffix, ok := strings.Cut(s, tmpInfix)
	if !ok || !validName(base) || suffix == "" {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if suffix[i] < '0' || suffix[i] > '9' {
			return false
		}
	}
	return true
}

// Dir returns the directory that holds named segments: $SHMKIT_DIR if set,
// else /dev/shm on Linux (or the temporary directory where there is none)
// and the user's temporary directory on macOS.
func Dir() string {
	if d := os.Getenv("SHMKIT_DIR"); d != "" {
		return d
	}
	return defaultDir()
}

func pathOf(name string) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("%w: %q", ErrName, name)
	}
	return filePath(name), nil
}

// filePath returns the path of the file of name, unchecked.
func filePath(name string) string { return filepath.Join(Dir(), filePrefix+name) }

// Create creates a named segment of at least size bytes, for processes that
// are not parent and child: any process of the same user can [Open] it by
// name. It stays until [Remove], even after every process closed it.
//
// The segment is built under a private temporary name (0600, exclusive
// create) and then linked into place, so the name appears only with a
// complete header: an Open at the same moment finds the segment whole or
// not at all. Linking fails if the name exists, whatever it is (a
// symbolic link is not followed), with [ErrExists].
func Create(name string, size int, opts ...SegmentOption) (*Segment, error) {
	path, err := pathOf(name)
	if err != nil {
		return nil, err
	}
	sz, err := checkSize(size)
	if err != nil {
		return nil, err
	}
	if _, err := os.Lstat(path); err == nil {
		return nil, fmt.Errorf("%w: segment %q (%s)", ErrExists, name, path)
	}
	f, err := os.CreateTemp(Dir(), filePrefix+name+tmpInfix+"*") // O_EXCL, 0600; listed as a leftover (leftoverName) if its process dies
	if err != nil {
		return nil, fmt.Errorf("shm: create segment %q: %w", name, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp)                   // the name linked below stays
	if err := f.Chmod(0o600); err != nil { // whatever the umask did
		f.Close()
		return nil, fmt.Errorf("shm: create segment %q: %w", name, err)
	}
	s, err := newSegment(f, sz, name, segmentOpts(opts))
	if err != nil {
		return nil, err
	}
	if err := os.Link(tmp, path); err != nil {
		s.Close()
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("%w: segment %q (%s)", ErrExists, name, path)
		}
		return nil, fmt.Errorf("shm: create segment %q: %w", name, err)
	}
	return s, nil
}

// Open attaches the named segment created by [Create], in this or another
// process. The file must be a regular file (not a symbolic link) owned by
// this user and private to it, and its header and object table must be
// valid; otherwise Open refuses it with a named error.
func Open(name string) (*Segment, error) {
	path, err := pathOf(name)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOFOLLOW, 0)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: segment %q (%w)", ErrNotExist, name, fs.ErrNotExist)
	case errors.Is(err, syscall.ELOOP):
		return nil, fmt.Errorf("%w: %s is a symbolic link", ErrUnsafeFile, path)
	case errors.Is(err, syscall.EISDIR):
		return nil, fmt.Errorf("%w: %s is a directory", ErrUnsafeFile, path)
	case err != nil:
		return nil, fmt.Errorf("shm: open segment %q: %w", name, err)
	}
	s, err := attach(f, name)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("segment %q: %w", name, err)
	}
	return s, nil
}

// Remove deletes the named segment from the system. Processes that have it
// open keep their mapping; no new process can open it. It also deletes the
// file of a Create whose process died before finishing, listed by [List]
// with Leftover set, under the name List gives it.
func Remove(name string) error {
	if !validName(name) && !leftoverName(name) {
		return fmt.Errorf("%w: %q", ErrName, name)
	}
	path := filePath(name)
	if err := os.Remove(path); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: segment %q (%w)", ErrNotExist, name, fs.ErrNotExist)
	} else if err != nil {
		return fmt.Errorf("shm: remove segment %q: %w", name, err)
	}
	return nil
}

// SegmentInfo describes a named segment, as listed by [List].
type SegmentInfo struct {
	Name       string
	Size       int64
	CreatorPid int
	Created    time.Time
	// Stale reports that the process that created the segment is gone:
	// a candidate for Remove, unless other processes still use it.
	Stale bool
	// Leftover reports a file that Create was building when its process
	// died (Name is then NAME.tmp-DIGITS): not a segment anyone can open,
	// though it holds memory. Stale tells whether its creator is gone;
	// Remove deletes it.
	Leftover bool
	// Err is why the file could not be read as a segment (then the other
	// fields but Name may be zero).
	Err error
}

// List returns the named segments in [Dir], and the files left over by
// Creates that did not finish, sorted by name.
func List() ([]SegmentInfo, error) {
	ents, err := os.ReadDir(Dir())
	if err != nil {
		return nil, fmt.Errorf("shm: list segments: %w", err)
	}
	var out []SegmentInfo
	for _, e := range ents {
		name, ok := strings.CutPrefix(e.Name(), filePrefix)
		switch {
		case ok && validName(name):
			out = append(out, inspect(name))
		case ok && leftoverName(name):
			info := inspect(name)
			info.Leftover = true
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// inspect reads the header of the segment file shmkit.name without
// mapping it.
func inspect(name string) SegmentInfo {
	info := SegmentInfo{Name: name}
	path := filePath(name)
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		info.Err = err
		return info
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		info.Err = err
		return info
	}
	if err := checkPrivate(&st); err != nil {
		info.Err = err
		return info
	}
	buf := make([]byte, headerSize)
	if _, err := io.ReadFull(f, buf); err != nil {
		info.Err = fmt.Errorf("%w: %v", ErrTruncated, err)
		return info
	}
	h, err := ptrAt[header](buf, 0)
	if err == nil && h.Magic != magic {
		err = ErrBadMagic
	} else if err == nil && h.Version != layoutVersion {
		err = fmt.Errorf("%w: version %d", ErrVersion, h.Version)
	}
	if err != nil {
		info.Err = err
		return info
	}
	info.Size = st.Size
	info.CreatorPid = int(h.CreatorPid)
	info.Created = time.Unix(0, h.Created)
	info.Stale, _ = procGone(uint32(h.CreatorPid), h.CreatorTag)
	return info
}

// checkPrivate refuses a file that is not a regular file owned by this
// user with no permission for anyone else.
func checkPrivate(st *unix.Stat_t) error {
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return fmt.Errorf("%w: not a regular file", ErrUnsafeFile)
	case int(st.Uid) != os.Geteuid():
		return fmt.Errorf("%w: owned by uid %d, not %d", ErrUnsafeFile, st.Uid, os.Geteuid())
	case st.Mode&0o077 != 0:
		return fmt.Errorf("%w: mode %#o lets other users in", ErrUnsafeFile, st.Mode&0o777)
	}
	return nil
}
