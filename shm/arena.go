package shm

import (
	"errors"
	"os"
	"sync"

	"github.com/shmkit/shmkit/internal/inherit"
)

// arenaSegment is the size of the segments the default arena adds, each
// holding up to tableCapFor(arenaSegment) objects.
const arenaSegment = 1 << 20

// The default arena: the segments that NewValue, NewArray and NewMutex use
// when no segment is given, as Python's Value and Array use a heap of their
// own. It grows by adding segments and never shrinks; its segments live as
// long as the process.
var arena struct {
	sync.Mutex
	cur *Segment
}

func arenaAlloc(kind, elem uint16, n uint64, name string) (object, error) {
	arena.Lock()
	defer arena.Unlock()
	if arena.cur != nil {
		o, err := arena.cur.alloc(kind, elem, n, name)
		if !errors.Is(err, ErrFull) {
			return o, err
		}
	}
	size, _ := blockSize(kind, elem, n)
	page := uint64(os.Getpagesize())
	need := roundUp(headerSize+tableCapFor(size+arenaSegment)*entrySize+size+lineSize, page)
	s, err := NewSegment(int(max(need, arenaSegment)))
	if err != nil {
		return object{}, err
	}
	inherit.Lifelong(s.id) // mapped for good: not a leak to the tests' check
	// A block that needs a segment of its own does not displace the
	// current one, which still has room for small objects.
	if need <= arenaSegment || arena.cur == nil {
		arena.cur = s
	}
	return s.alloc(kind, elem, n, name)
}
