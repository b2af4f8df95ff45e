package shm

import (
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"

	"github.com/shmkit/shmkit/internal/inherit"
)

// Limits of a segment's size.
const (
	maxSegmentSize = 1 << 40 // 1 TiB
	prefaultMax    = 64 << 20
)

// Segment is a region of memory shared between processes: a file mapped
// MAP_SHARED, starting with a header and an object table, then the objects
// (Value, Array, Mutex, ...) allocated in it.
//
// A Segment is anonymous ([NewSegment]: reachable only by processes it is
// handed to) or named ([Create], [Open]: reachable by any process of the
// same user that knows the name). Every segment of a process is handed to
// the child processes it starts with package ipc, as fork would.
//
// The objects of a segment live as long as the segment is mapped. After
// Close, using any of them is a use of unmapped memory and crashes the
// process: close a segment only when nothing uses its objects any more.
type Segment struct {
	mem  mmap.MMap
	file *os.File
	hdr  *header
	name string

	// Validated copies of the immutable header fields: a peer that changes
	// them later cannot move what this process reads.
	id, size, tableCap, dataOff uint64

	mu     sync.Mutex // guards closed; held by allocations in this process
	closed bool
}

// A SegmentOption changes how [NewSegment] or [Create] makes a segment.
type SegmentOption func(*segmentOptions)

type segmentOptions struct {
	sparse bool
}

// Sparse makes a segment whose pages are made on first use rather than all
// at creation. By default every page of a new segment of up to 64 MiB is
// made at once (one system call, about 2 µs a page on our machines),
// because a first touch later takes a page fault (11-30 µs). A segment of
// which the processes touch a small part, such as a queue of a few large
// slots that carries small messages (as a Pool's do), is quicker to make
// and holds only the memory in use when it is Sparse.
func Sparse() SegmentOption { return func(o *segmentOptions) { o.sparse = true } }

func segmentOpts(opts []SegmentOption) segmentOptions {
	var o segmentOptions
	for _, f := range opts {
		if f != nil {
			f(&o)
		}
	}
	return o
}

// NewSegment creates an anonymous segment of at least size bytes (rounded
// up to whole pages). On Linux it is a memfd sealed against shrinking and
// growing; on macOS an unlinked temporary file.
func NewSegment(size int, opts ...SegmentOption) (*Segment, error) {
	sz, err := checkSize(size)
	if err != nil {
		return nil, err
	}
	f, err := createAnon(sz)
	if err != nil {
		return nil, fmt.Errorf("shm: create anonymous segment: %w", err)
	}
	return newSegment(f, sz, "", segmentOpts(opts))
}

// Attach maps the segment whose descriptor is f, as a child process does
// with the segments its parent hands it. Attach takes ownership of f: it is
// closed by [Segment.Close], or at once if Attach fails. The segment is
// refused with a named error ([ErrTruncated], [ErrBadMagic], [ErrVersion],
// [ErrCorrupt], [ErrUnsealed], [ErrUnsafeFile]) unless every header field
// and object-table entry is valid for the size of the file.
func Attach(f *os.File) (*Segment, error) {
	s, err := attach(f, "")
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

func attach(f *os.File, name string) (*Segment, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, fmt.Errorf("shm: stat segment: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%w: not a regular file", ErrUnsafeFile)
	}
	// Whose the file is comes first: a file of another user is refused as
	// such, whatever else is wrong with it.
	if err := checkFile(f, &st); err != nil {
		return nil, err
	}
	if st.Size < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, a header needs %d", ErrTruncated, st.Size, headerSize)
	}
	if st.Size > maxSegmentSize {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d a segment may have", ErrCorrupt, st.Size, int64(maxSegmentSize))
	}
	mem, err := mmap.MapRegion(f, int(st.Size), mmap.RDWR, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("shm: map segment: %w", err)
	}
	c, err := validate(mem)
	if err != nil {
		mem.Unmap()
		return nil, err
	}
	h, _ := ptrAt[header](mem, 0) // the live header, checked by validate
	if name == "" {
		name = trimName(c.Name[:])
	}
	s := &Segment{mem: mem, file: f, hdr: h, name: name,
		id: c.ID, size: uint64(len(mem)), tableCap: c.TableCap, dataOff: c.DataOff}
	// No prefault here: the creator has made the pages; a process that
	// attaches touches few of them, and a child attaches every segment of
	// its parent, however large.
	register(s)
	return s, nil
}

// newSegment sizes f, maps it, writes a fresh header and registers it.
// It closes f on failure.
func newSegment(f *os.File, size uint64, name string, o segmentOptions) (*Segment, error) {
	fail := func(err error) (*Segment, error) {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(int64(size)); err != nil { // a no-op for a sized memfd
		return fail(fmt.Errorf("shm: size segment: %w", err))
	}
	mem, err := mmap.MapRegion(f, int(size), mmap.RDWR, 0, 0)
	if err != nil {
		return fail(fmt.Errorf("shm: map segment: %w", err))
	}
	if size <= prefaultMax && !o.sparse {
		prefault(mem)
	}
	h, err := ptrAt[header](mem, 0)
	if err != nil {
		mem.Unmap()
		return fail(err)
	}
	initHeader(h, size, newID(), name)
	h.Created = time.Now().UnixNano()
	s := &Segment{mem: mem, file: f, hdr: h, name: name,
		id: h.ID, size: h.Size, tableCap: h.TableCap, dataOff: h.DataOff}
	register(s)
	return s, nil
}

func checkSize(size int) (uint64, error) {
	if size <= 0 || uint64(size) > maxSegmentSize {
		return 0, fmt.Errorf("%w: segment of %d bytes (want 1 to %d)", ErrSize, size, uint64(maxSegmentSize))
	}
	return roundUp(uint64(size), uint64(os.Getpagesize())), nil
}

// newID returns a random non-zero segment id.
func newID() uint64 {
	var b [8]byte
	for {
		rand.Read(b[:])
		if id := binary.LittleEndian.Uint64(b[:]); id != 0 {
			return id
		}
	}
}

// Name returns the segment's name, or "" if it is anonymous.
func (s *Segment) Name() string { return s.name }

// Size returns the size of the segment in bytes.
func (s *Segment) Size() int { return int(s.size) }

// Free returns how many bytes are left for objects (0 after Close).
func (s *Segment) Free() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0
	}
	return int(s.size - s.allocOffset())
}

// File returns a new descriptor of the segment (close-on-exec), to hand
// it to a process that package ipc does not start, for instance through
// exec.Cmd.ExtraFiles; that process maps it with [Attach]. The caller
// closes the file.
func (s *Segment) File() (*os.File, error) {
	fd, err := unix.FcntlInt(s.file.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("shm: duplicate segment descriptor: %w", err)
	}
	return os.NewFile(uintptr(fd), s.file.Name()), nil
}

// Close unmaps the segment and closes its descriptor. Objects allocated in
// it must not be used afterwards. A named segment stays in the system until
// [Remove]; an anonymous one is gone when the last process closes it.
func (s *Segment) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	unregister(s)
	err := s.mem.Unmap()
	if cerr := s.file.Close(); err == nil {
		err = cerr
	}
	return err
}

// allocOffset reads the allocation offset, clamped to the valid range so a
// peer that corrupts it cannot make this process read out of bounds.
func (s *Segment) allocOffset() uint64 {
	return min(max(atomic.LoadUint64(&s.hdr.Alloc), s.dataOff), s.size)
}

// count reads the number of published entries, clamped to the table.
func (s *Segment) count() uint64 {
	return min(atomic.LoadUint64(&s.hdr.Count), s.tableCap)
}

// alloc reserves a block for an object in the segment and publishes its
// table entry. The block is zero (see below).
func (s *Segment) alloc(kind, elem uint16, n uint64, name string) (object, error) {
	size, ok := blockSize(kind, elem, n)
	if !ok {
		return object{}, fmt.Errorf("%w: %d elements", ErrSize, n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return object{}, ErrClosed
	}
	m := Mutex{w: &s.hdr.allocMu}
	if err := m.Lock(); err == ErrOwnerDead {
		// A process died while allocating. Its steps are ordered so that
		// any prefix leaves a valid table: the entry is written first, then
		// Alloc, then Count. At worst a block or an entry slot is wasted.
		m.MarkConsistent()
	} else if err != nil {
		return object{}, err
	}
	defer m.Unlock()
	count, alloc := s.count(), s.allocOffset()
	if name != "" {
		switch _, err := s.lookupName(name); {
		case err == nil:
			return object{}, fmt.Errorf("%w: object %q", ErrExists, name)
		case !errors.Is(err, ErrNotExist):
			return object{}, err // a corrupt entry: its name cannot be trusted absent
		}
	}
	off := roundUp(alloc, lineSize)
	if count >= s.tableCap || off > s.size || size > s.size-off {
		return object{}, fmt.Errorf("%w: no room for %d bytes (%d free, %d of %d table entries used)",
			ErrFull, size, s.size-min(off, s.size), count, s.tableCap)
	}
	e := entry{Off: off, Size: size, Len: n, Kind: kind, Elem: elem}
	copy(e.Name[:], name)
	p, err := ptrAt[entry](s.mem, headerSize+count*entrySize)
	if err != nil {
		return object{}, err
	}
	*p = e
	// The block is not cleared: blocks are never reused (there is no
	// free), so it lies past every block handed out before, in memory that
	// is zero since the segment was made. Writing it here would pay the
	// first touch of every page now (2 ms a MiB on our machines) even for
	// pages never used, such as the unused tail of a queue's slots. Only a
	// peer writing past the allocated area breaks this, which the threat
	// model lets a peer do to any data (see the package doc).
	atomic.StoreUint64(&s.hdr.Alloc, off+size)
	atomic.StoreUint64(&s.hdr.Count, count+1)
	return object{seg: s, e: e}, nil
}

// entryAt finds the published entry whose block starts at off.
func (s *Segment) entryAt(off uint64) (entry, error) {
	lo, hi := uint64(0), s.count()
	for lo < hi { // entries are ordered by offset
		mid := lo + (hi-lo)/2
		e, err := readEntry(s.mem, mid)
		if err != nil {
			return entry{}, err
		}
		switch {
		case e.Off == off:
			return e, checkEntry(e, s.dataOff, s.allocOffset())
		case e.Off < off:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return entry{}, fmt.Errorf("%w: no object at offset %d", ErrHandle, off)
}

// lookupName finds the published entry with the given name. The caller
// holds s.mu.
func (s *Segment) lookupName(name string) (entry, error) {
	for i := range s.count() {
		e, err := readEntry(s.mem, i)
		if err != nil {
			return entry{}, err
		}
		if trimName(e.Name[:]) == name {
			return e, checkEntry(e, s.dataOff, s.allocOffset())
		}
	}
	return entry{}, fmt.Errorf("%w: no object named %q", ErrNotExist, name)
}

// ObjectInfo describes an object of a segment, as listed by
// [Segment.Objects].
type ObjectInfo struct {
	Name   string // "" if unnamed
	Kind   string // "value", "array", "mutex", "region", "semaphore", ...
	Type   string // element type, such as "int64"; "" for a mutex
	Len    int    // elements of an array; 1 for a value, 0 for a mutex
	Offset int    // where its block starts in the segment
}

// Objects lists the objects allocated in the segment, in allocation order.
// An entry that fails validation ends the list with an error.
func (s *Segment) Objects() ([]ObjectInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	var out []ObjectInfo
	from, alloc := s.dataOff, s.allocOffset()
	for i := range s.count() {
		e, err := readEntry(s.mem, i)
		if err == nil {
			err = checkEntry(e, from, alloc)
		}
		if err != nil {
			return out, fmt.Errorf("object %d: %w", i, err)
		}
		from = e.Off + e.Size
		out = append(out, ObjectInfo{Name: trimName(e.Name[:]), Kind: kindName(e.Kind),
			Type: elemName(e.Elem), Len: int(e.Len), Offset: int(e.Off)})
	}
	return out, nil
}

func kindName(k uint16) string {
	switch k {
	case kindValue:
		return "value"
	case kindArray:
		return "array"
	case kindMutex:
		return "mutex"
	case kindRLock:
		return "rlock"
	case kindRWMutex:
		return "rwmutex"
	case kindSemaphore:
		return "semaphore"
	case kindEvent:
		return "event"
	case kindCondition:
		return "condition"
	case kindBarrier:
		return "barrier"
	case kindRegion:
		return "region"
	}
	return fmt.Sprintf("kind(%d)", k)
}

// The registry of mapped segments: by id for decoding handles, and for
// handing descriptors to child processes.
var registry struct {
	sync.Mutex
	byID map[uint64][]*Segment
}

func register(s *Segment) {
	registry.Lock()
	defer registry.Unlock()
	if registry.byID == nil {
		registry.byID = map[uint64][]*Segment{}
	}
	registry.byID[s.id] = append(registry.byID[s.id], s)
	inherit.Add(s.id, s.file)
}

func unregister(s *Segment) {
	registry.Lock()
	defer registry.Unlock()
	list := registry.byID[s.id]
	for i, t := range list {
		if t == s {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	inherit.Remove(s.id)
	if len(list) == 0 {
		delete(registry.byID, s.id)
		return
	}
	registry.byID[s.id] = list
	inherit.Add(s.id, list[0].file)
}

func segmentByID(id uint64) *Segment {
	registry.Lock()
	defer registry.Unlock()
	if list := registry.byID[id]; len(list) > 0 {
		return list[0]
	}
	return nil
}
