package shm

import (
	"bytes"
	"fmt"
	"sync/atomic"
)

// The layout of a segment, the same on every platform:
//
//	offset 0          header (headerSize bytes, 4 cache lines)
//	offset headerSize object table: tableCap entries of entrySize bytes
//	offset dataOff    objects, each starting on a cache line
//	offset alloc      free space up to size
//
// Every object block starts with a lockWord (its own lock, Python's
// get_lock()), so a Mutex handle can name any object. A Value keeps its
// number at offset 16 of its one-line block; an Array keeps its elements
// from offset lineSize on.
const (
	lineSize      = 64 // cache line; objects are aligned to it
	headerSize    = 256
	entrySize     = 64
	layoutVersion = 1
	maxNameLen    = 30
	valueOff      = 16 // offset of a Value's number in its block
	minTableCap   = 16
	maxTableCap   = 4096
)

// magic opens every segment.
var magic = [8]byte{'s', 'h', 'm', 'k', 'i', 't', 0, 0}

// header is the first headerSize bytes of a segment. Fields in the first
// line never change after creation; Count and Alloc change under allocMu.
type header struct {
	Magic    [8]byte // magic
	Version  uint32  // layoutVersion
	LineSize uint32  // lineSize
	Size     uint64  // bytes in the segment, equal to the file's size
	ID       uint64  // random, non-zero: names the segment in handles
	TableOff uint64  // headerSize
	TableCap uint64  // entries the table can hold
	DataOff  uint64  // first byte of the object area, a multiple of lineSize
	_        uint64

	allocMu lockWord // guards Count, Alloc and the table entries
	Count   uint64   // entries published; read atomically
	Alloc   uint64   // next free byte of the object area; read atomically
	_       [4]uint64

	CreatorPid uint64           // process that created the segment
	CreatorTag uint64           // its identity tag (pid and start time)
	Created    int64            // creation time, Unix nanoseconds
	Name       [maxNameLen]byte // segment name, NUL-padded; empty if anonymous
	_          [74]byte
}

// Object kinds, stored in entry.Kind.
const (
	kindValue = 1
	kindArray = 2
	kindMutex = 3
	// One-line synchronisation objects: the lock word, then up to
	// lineStateSize bytes of state (see lineState).
	kindRLock     = 4
	kindRWMutex   = 5
	kindSemaphore = 6
	kindEvent     = 7
	kindCondition = 8
	kindBarrier   = 9
	// A region of raw bytes, from the second line of its block on.
	kindRegion = 10
)

// lineStateSize is the room for state after the lock word of a one-line
// object.
const lineStateSize = lineSize - valueOff

// isLineKind reports whether objects of kind k take exactly one line and
// have no element type or length: a Mutex, or a synchronisation object.
func isLineKind(k uint16) bool {
	return k == kindMutex || (kindRLock <= k && k <= kindBarrier)
}

// entry describes one object in the table.
type entry struct {
	Off  uint64 // block offset, a multiple of lineSize
	Size uint64 // block size, a multiple of lineSize
	Len  uint64 // elements (1 for a Value, 0 for a Mutex)
	Kind uint16
	Elem uint16 // element type (see elem), 0 for a Mutex
	_    uint32
	Name [32]byte // NUL-padded; empty if unnamed
}

// blockSize returns the size of the block that holds an object of the given
// kind and element count, and whether it is representable.
func blockSize(kind, elem uint16, n uint64) (uint64, bool) {
	switch {
	case kind == kindValue || isLineKind(kind):
		return lineSize, true
	case kind == kindRegion:
		if n > 1<<62 {
			return 0, false
		}
		return roundUp(lineSize+n, lineSize), true
	case kind == kindArray:
		es := elemSize(elem)
		if es == 0 || n > (1<<62)/es {
			return 0, false
		}
		return roundUp(lineSize+n*es, lineSize), true
	}
	return 0, false
}

func roundUp(x, m uint64) uint64 { return (x + m - 1) / m * m }

// tableCapFor returns how many objects a segment of size bytes can name.
func tableCapFor(size uint64) uint64 {
	return min(max(size/512, minTableCap), maxTableCap)
}

// initHeader writes a fresh header for a segment of size bytes.
func initHeader(h *header, size, id uint64, name string) {
	h.Magic = magic
	h.Version = layoutVersion
	h.LineSize = lineSize
	h.Size = size
	h.ID = id
	h.TableOff = headerSize
	h.TableCap = tableCapFor(size)
	h.DataOff = roundUp(headerSize+h.TableCap*entrySize, lineSize)
	h.CreatorPid = uint64(self.pid)
	h.CreatorTag = self.tag
	copy(h.Name[:], name)
	atomic.StoreUint64(&h.Alloc, h.DataOff)
	atomic.StoreUint64(&h.Count, 0)
}

// validate checks a mapped segment in a fixed order, each failure its own
// error, before anything in it is trusted: the length of the mapping, the
// magic, the version, the fixed geometry, the allocation state, and every
// published table entry. It checks and returns a copy of the header (not
// the live one), so that a peer rewriting the header meanwhile cannot
// change what was checked; callers use the copy's fields and never re-read
// the live ones.
func validate(mem []byte) (*header, error) {
	if len(mem) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, a header needs %d", ErrTruncated, len(mem), headerSize)
	}
	p, err := ptrAt[header](mem, 0)
	if err != nil {
		return nil, err
	}
	// Copy field by field: the lock word and the counters are not copied
	// plainly while peers may change them.
	var h header
	h.Magic, h.Version, h.LineSize = p.Magic, p.Version, p.LineSize
	h.Size, h.ID, h.TableOff = p.Size, p.ID, p.TableOff
	h.TableCap, h.DataOff, h.Name = p.TableCap, p.DataOff, p.Name
	h.CreatorPid, h.CreatorTag, h.Created = p.CreatorPid, p.CreatorTag, p.Created
	fail := func(err error) (*header, error) { return nil, err }
	if h.Magic != magic {
		return fail(ErrBadMagic)
	}
	if h.Version != layoutVersion {
		return fail(fmt.Errorf("%w: segment has version %d, this build reads %d", ErrVersion, h.Version, layoutVersion))
	}
	size := uint64(len(mem))
	switch {
	case h.LineSize != lineSize:
		return fail(fmt.Errorf("%w: line size %d, want %d", ErrCorrupt, h.LineSize, lineSize))
	case h.Size > size:
		return fail(fmt.Errorf("%w: header says %d bytes, the mapping has %d", ErrTruncated, h.Size, size))
	case h.Size != size:
		return fail(fmt.Errorf("%w: header says %d bytes, the mapping has %d", ErrCorrupt, h.Size, size))
	case h.ID == 0:
		return fail(fmt.Errorf("%w: zero segment id", ErrCorrupt))
	case h.TableOff != headerSize:
		return fail(fmt.Errorf("%w: table at %d, want %d", ErrCorrupt, h.TableOff, headerSize))
	case h.TableCap < minTableCap || h.TableCap > maxTableCap:
		return fail(fmt.Errorf("%w: table capacity %d outside [%d, %d]", ErrCorrupt, h.TableCap, minTableCap, maxTableCap))
	case h.DataOff != roundUp(headerSize+h.TableCap*entrySize, lineSize):
		return fail(fmt.Errorf("%w: object area at %d does not follow a table of %d entries", ErrCorrupt, h.DataOff, h.TableCap))
	case h.DataOff > size:
		return fail(fmt.Errorf("%w: object area at %d beyond the end (%d)", ErrCorrupt, h.DataOff, size))
	case !validObjectName(trimName(h.Name[:])):
		return fail(fmt.Errorf("%w: bad segment name in header", ErrCorrupt))
	}
	alloc, count := atomic.LoadUint64(&p.Alloc), atomic.LoadUint64(&p.Count)
	switch {
	case alloc < h.DataOff || alloc > size:
		return fail(fmt.Errorf("%w: allocation offset %d outside [%d, %d]", ErrCorrupt, alloc, h.DataOff, size))
	case count > h.TableCap:
		return fail(fmt.Errorf("%w: %d objects in a table of %d", ErrCorrupt, count, h.TableCap))
	}
	end := h.DataOff
	for i := range count {
		e, err := readEntry(mem, i)
		if err != nil {
			return fail(err)
		}
		if err := checkEntry(e, end, alloc); err != nil {
			return fail(fmt.Errorf("object %d: %w", i, err))
		}
		end = e.Off + e.Size
	}
	h.Alloc, h.Count = alloc, count
	return &h, nil
}

// readEntry copies entry i out of the table, so that a peer changing it
// afterwards cannot change what was checked.
func readEntry(mem []byte, i uint64) (entry, error) {
	p, err := ptrAt[entry](mem, headerSize+i*entrySize)
	if err != nil {
		return entry{}, err
	}
	return *p, nil
}

// checkEntry validates one table entry: it must start at or after from, end
// by alloc, be line-aligned, and have a size that matches its kind, element
// type and length.
func checkEntry(e entry, from, alloc uint64) error {
	want, ok := blockSize(e.Kind, e.Elem, e.Len)
	switch {
	case !ok:
		return fmt.Errorf("%w: unknown kind %d or element type %d", ErrCorrupt, e.Kind, e.Elem)
	case e.Kind == kindValue && (e.Len != 1 || elemSize(e.Elem) == 0):
		return fmt.Errorf("%w: value of length %d, element type %d", ErrCorrupt, e.Len, e.Elem)
	case isLineKind(e.Kind) && (e.Len != 0 || e.Elem != 0):
		return fmt.Errorf("%w: %s with length %d, element type %d", ErrCorrupt, kindName(e.Kind), e.Len, e.Elem)
	case e.Kind == kindRegion && e.Elem != 0:
		return fmt.Errorf("%w: region with element type %d", ErrCorrupt, e.Elem)
	case e.Size != want:
		return fmt.Errorf("%w: block of %d bytes, kind needs %d", ErrCorrupt, e.Size, want)
	case e.Off%lineSize != 0:
		return fmt.Errorf("%w: block at %d not line-aligned", ErrCorrupt, e.Off)
	case e.Off < from || e.Off > alloc || e.Size > alloc-e.Off:
		return fmt.Errorf("%w: block [%d, +%d) outside the allocated area [%d, %d)", ErrCorrupt, e.Off, e.Size, from, alloc)
	case !validObjectName(trimName(e.Name[:])):
		return fmt.Errorf("%w: bad object name", ErrCorrupt)
	}
	return nil
}

// trimName returns the NUL-padded name in b as a string.
func trimName(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// validName reports whether s follows the naming rule for segments.
func validName(s string) bool {
	if len(s) == 0 || len(s) > maxNameLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// validObjectName reports whether s is empty (unnamed) or a valid name.
func validObjectName(s string) bool { return s == "" || validName(s) }
