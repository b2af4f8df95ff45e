// Package inherit is the meeting point between package shm, which creates
// and maps segments, and package ipc, which starts child processes that must
// receive every segment their parent has.
//
// A child re-executes this binary and cannot inherit mappings the way a
// forked child would, so instead it inherits the segments' descriptors: shm
// records the descriptor of each segment it maps here, and ipc hands the
// current set to each child it starts (as exec.Cmd.ExtraFiles). This mirrors
// fork, where a child sees every mapping of its parent.
//
// The tests' leak check (internal/proctest) reads the same record to tell
// the segments a test left open from those that legitimately stay mapped
// for the life of the process (shm's default arena), which shm marks with
// [Lifelong].
package inherit

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"golang.org/x/sys/unix"
)

var (
	mu       sync.Mutex
	files    = map[uint64]*os.File{}
	lifelong = map[uint64]bool{}
)

// Add records f as the descriptor of the segment with the given id, so that
// children started from now on receive it. Adding an id twice keeps the first
// file.
func Add(id uint64, f *os.File) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := files[id]; !ok {
		files[id] = f
	}
}

// Remove forgets the segment with the given id: children started from now on
// do not receive it. The caller still owns (and closes) the file.
func Remove(id uint64) {
	mu.Lock()
	defer mu.Unlock()
	delete(files, id)
	delete(lifelong, id)
}

// Lifelong marks the recorded segment with the given id as one that stays
// mapped as long as the process lives (a segment of shm's default arena),
// not one that its user should close.
func Lifelong(id uint64) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := files[id]; ok {
		lifelong[id] = true
	}
}

// Segment describes a recorded segment, for [Segments].
type Segment struct {
	ID       uint64
	File     *os.File // owned by the segment: do not close
	Lifelong bool     // marked with Lifelong
}

// Segments returns every recorded segment, ordered by id.
func Segments() []Segment {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Segment, 0, len(files))
	for id, f := range files {
		out = append(out, Segment{ID: id, File: f, Lifelong: lifelong[id]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Dup returns a duplicate of the descriptor of every recorded segment,
// ordered by id so that the layout a child sees is deterministic. The
// duplicates (close-on-exec, like the originals) belong to the caller, who
// closes them once the child has started: a segment closed meanwhile by
// another goroutine closes its own descriptor, not the one being handed
// over, and the child still gets the segment as it was when Dup ran.
func Dup() ([]*os.File, error) {
	mu.Lock()
	defer mu.Unlock()
	ids := make([]uint64, 0, len(files))
	for id := range files {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*os.File, 0, len(ids))
	for _, id := range ids {
		f := files[id]
		fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			Close(out)
			return nil, fmt.Errorf("duplicate the descriptor of segment %#x: %w", id, err)
		}
		out = append(out, os.NewFile(uintptr(fd), f.Name()))
	}
	return out, nil
}

// Close closes every file of fs, as returned by [Dup].
func Close(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}
