// Package inherit is the meeting point between package shm, which creates
// and maps segments, and package ipc, which starts child processes that must
// receive every segment their parent has.
//
// A child re-executes this binary and cannot inherit mappings the way a
// forked child would, so instead it inherits the segments' descriptors: shm
// records the descriptor of each segment it maps here, and ipc hands the
// current set to each child it starts (as exec.Cmd.ExtraFiles). This mirrors
// fork, where a child sees every mapping of its parent.
package inherit

import (
	"os"
	"sort"
	"sync"
)

var (
	mu    sync.Mutex
	files = map[uint64]*os.File{}
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
}

// Files returns the descriptors of every recorded segment, ordered by id so
// that the layout a child sees is deterministic. The files stay owned by the
// segments; callers must not close them.
func Files() []*os.File {
	mu.Lock()
	defer mu.Unlock()
	ids := make([]uint64, 0, len(files))
	for id := range files {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	out := make([]*os.File, len(ids))
	for i, id := range ids {
		out[i] = files[id]
	}
	return out
}
