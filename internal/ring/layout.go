package ring

import (
	"fmt"
	"sync/atomic"
)

// The layout of a ring in memory, the same on every platform:
//
//	line 0   header: magic, version, slot count, slot size, flags, capacity, recovered
//	line 1   tail: every position before it is claimed for a Put; its top bit says closed
//	line 2   head: every position before it is claimed for a Get
//	line 3   not-empty futex word, the number of consumers asleep on it, closed flag
//	line 4   not-full futex word and the number of producers asleep on it
//	line 5   unfinished-task counter of a joinable queue, its futex word and sleepers
//	then     slots × stride bytes, each slot a slotHdr and up to slotSize
//	         bytes, starting on a line of its own
//
// Head and tail live on lines of their own, so that producers and consumers
// do not pull each other's line away; the futex words too, since they are
// read on every operation and written only around sleeps. Close sets a
// flag on the not-empty line as well as the tail's top bit, so that a
// consumer polling an empty ring looks at the tail only once the ring is
// closed: reading the tail at each look took its line from the producer,
// whose next move of the tail then waited for it back (ipc's benchmark of
// one message at a time, 20 interleaved pairs: median 101.8 -> 85.8 ns a
// message, faster in 19).
//
// A slot's stride is a whole number of lines, so that no two slots share
// one: with slots of 80 bytes (a 64-byte message), packed, the side
// writing one slot pulled away the line that held the start of the next,
// which the other side was claiming, whenever the two ran a slot apart.
// Measured with shmdemo bench, interleaved pairs: 1 -> 1 of 64 bytes
// 9.3-15.2 -> 12.8-18.1 M/s (faster in 12 of 14), many -> many 6.6-10.4
// -> 9.3-14.1 M/s (14 of 14), batches median 40.4 -> 49.6 M/s (7 of
// 10), the round trip 0.61-0.67 -> 0.55-0.56 us (5 of 6). The cost: a
// consumer that waits on an empty ring now takes two lines a message,
// not one and a quarter, and ipc's benchmark of one message at a time,
// whose producer is the slower side, went from 51 to 60 ns (medians of
// 12 pairs); and small messages take more memory (a slot of an 8-byte
// message 64 bytes, not 24).
const (
	lineSize    = 64 // a package constant, not the machine's, so the layout is the same everywhere
	HeaderSize  = 6 * lineSize
	slotHdrSize = 16

	magic   = 0x52494e47 // "RING"
	version = 5          // 5: slots start on a line; 4: the closed flag; 3: slot words keep keys, not positions (see word.go)

	// MaxSlots and MaxSlotSize bound what Init accepts and Attach trusts.
	MaxSlots    = 1 << 30
	MaxSlotSize = 1 << 30

	closedBit = 1 << 63 // in tail
)

// Flags stored in the header by [InitFlags].
const (
	// FlagJoinable marks the ring of a joinable queue, whose Put functions
	// count unfinished tasks.
	FlagJoinable uint32 = 1 << iota
	flagsKnown          = FlagJoinable
)

// header is line 0 to 5 of a ring. All-zero is not a valid ring: Init
// writes the magic last, so a half-initialized ring is refused by Attach.
type header struct {
	magic     uint32
	version   uint32
	slots     uint32
	slotSize  uint32 // the largest message, in bytes
	flags     uint32
	capacity  uint32 // slots usable at once: slots, or 1 in a ring of 2 slots
	recovered uint64 // slots taken back from dead processes, for tests and diagnosis
	_         [lineSize - 32]byte

	tail uint64
	_    [lineSize - 8]byte
	head uint64
	_    [lineSize - 8]byte

	notEmpty      uint32 // consumers sleep on it: sleepBit and a count (see wake)
	emptySleepers uint32 // consumers asleep, for diagnosis only
	closed        uint32 // 1 once Close has set closedBit in tail
	_             [lineSize - 12]byte
	notFull       uint32 // producers sleep on it, as on notEmpty
	fullSleepers  uint32 // producers asleep, for diagnosis only
	_             [lineSize - 8]byte

	unfinished   int64  // Put minus TaskDone, for a joinable queue
	joined       uint32 // bumped when unfinished falls to zero
	joinSleepers uint32
	_            [lineSize - 16]byte
}

// slotHdr starts every slot. word says, in one 64-bit word, what the slot
// holds and for which position (see word.go): free for the producer of a
// position, claimed by a producer's pid and being written, full, claimed by
// a consumer's pid and being read, or skipped (its producer died). A slot
// is claimed by a compare-and-swap of its word, which records the claimer
// in the same step, so a slot never is claimed without saying by whom.
// size is the length of the message the slot holds.
type slotHdr struct {
	word uint64
	size uint32
	_    uint32
}

// stride returns the distance between two slots of slotSize bytes: their
// header and message rounded up to whole lines.
func stride(slotSize int) int {
	return (slotHdrSize + slotSize + lineSize - 1) &^ (lineSize - 1)
}

// Size returns the number of bytes a ring of slots slots of slotSize bytes
// needs: the header's 6 lines, and for each slot its 16-byte header and
// slotSize bytes rounded up to whole lines of 64 bytes.
func Size(slots, slotSize int) int {
	return HeaderSize + max(slots, 2)*stride(slotSize)
}

// The algorithm needs two slots at least: with one, a published slot
// (seq = pos+1) and a slot freed for the next lap (seq = pos+n) would look
// the same. A ring of capacity 1 has two slots and a capacity of 1, which
// the producers check against the head.

// Init makes mem an empty ring of slots slots, each holding a message of
// up to slotSize bytes, and returns it. mem must be at least
// Size(slots, slotSize) bytes, start on an 8-byte boundary (shared memory
// regions start on a cache line) and not be in use by anyone else during
// Init; its previous content does not matter.
func Init(mem []byte, slots, slotSize int) (*Ring, error) {
	return InitFlags(mem, slots, slotSize, 0)
}

// InitFlags is Init that also stores flags (such as [FlagJoinable]) in the
// header, for every process that attaches the ring to see.
func InitFlags(mem []byte, slots, slotSize int, flags uint32) (*Ring, error) {
	return initRing(mem, slots, slotSize, flags, false)
}

// InitZeroed is InitFlags for memory that the caller knows to be all zero,
// as shared memory is when it is made: every slot of such memory is
// already free for its first position (see word.go), so only the header is
// written, and the slots' pages are first touched by the messages that use
// them, not all at once (a ring of 64 slots of 64 KiB is 64 page faults,
// 1-2 ms on the VMs this was measured on). On memory that is not all zero
// the ring starts with scribbled slots, with what [Attach] says of those.
func InitZeroed(mem []byte, slots, slotSize int, flags uint32) (*Ring, error) {
	return initRing(mem, slots, slotSize, flags, true)
}

func initRing(mem []byte, slots, slotSize int, flags uint32, zeroed bool) (*Ring, error) {
	if slots < 1 || slots > MaxSlots || slotSize < 0 || slotSize > MaxSlotSize || flags&^flagsKnown != 0 {
		return nil, fmt.Errorf("%w: %d slots of %d bytes", ErrSize, slots, slotSize)
	}
	if need := Size(slots, slotSize); len(mem) < need {
		return nil, fmt.Errorf("%w: %d slots of %d bytes need %d bytes, have %d", ErrSize, slots, slotSize, need, len(mem))
	}
	h, err := ptrAt[header](mem, 0)
	if err != nil {
		return nil, err
	}
	atomic.StoreUint32(&h.magic, 0)
	clear(mem[4:HeaderSize])
	n := max(slots, 2)
	h.version, h.slots, h.slotSize, h.flags, h.capacity = version, uint32(n), uint32(slotSize), flags, uint32(slots)
	r := newRing(mem, h, uint64(n), uint64(slots), slotSize)
	if !zeroed {
		for i := range uint64(n) {
			s := r.slot(i)
			atomic.StoreUint64(&s.word, r.word(i, stFree, 0)) // 0: see word.go
			s.size = 0
		}
	}
	atomic.StoreUint32(&h.magic, magic)
	return r, nil
}

// Attach returns the ring that [Init] made in mem, possibly in another
// process. It validates the header against len(mem), in order, before it
// trusts anything, and keeps private copies of the fields that size the
// ring, so that a peer that later scribbles on the header cannot make this
// process read or write outside mem. A ring whose positions or slots are
// scribbled on makes operations fail with [ErrCorrupt] or see the ring as
// full or empty, never access memory outside mem.
func Attach(mem []byte) (*Ring, error) {
	if len(mem) < HeaderSize {
		return nil, fmt.Errorf("%w: %d bytes, a ring header needs %d", ErrCorrupt, len(mem), HeaderSize)
	}
	h, err := ptrAt[header](mem, 0)
	if err != nil {
		return nil, err
	}
	if m := atomic.LoadUint32(&h.magic); m != magic {
		return nil, fmt.Errorf("%w: %#x", ErrBadMagic, m)
	}
	if v := atomic.LoadUint32(&h.version); v != version {
		return nil, fmt.Errorf("%w: %d, want %d", ErrVersion, v, version)
	}
	slots, slotSize := atomic.LoadUint32(&h.slots), atomic.LoadUint32(&h.slotSize)
	if slots < 2 || slots > MaxSlots {
		return nil, fmt.Errorf("%w: %d slots", ErrCorrupt, slots)
	}
	if c := atomic.LoadUint32(&h.capacity); c != slots && (c != 1 || slots != 2) {
		return nil, fmt.Errorf("%w: capacity %d in %d slots", ErrCorrupt, c, slots)
	}
	if slotSize > MaxSlotSize {
		return nil, fmt.Errorf("%w: slots of %d bytes", ErrCorrupt, slotSize)
	}
	if f := atomic.LoadUint32(&h.flags); f&^flagsKnown != 0 {
		return nil, fmt.Errorf("%w: unknown flags %#x", ErrCorrupt, f)
	}
	// Both are below 2^30, so the product cannot overflow 64 bits.
	if need := uint64(Size(int(slots), int(slotSize))); need > uint64(len(mem)) {
		return nil, fmt.Errorf("%w: %d slots of %d bytes need %d bytes, have %d", ErrCorrupt, slots, slotSize, need, len(mem))
	}
	return newRing(mem, h, uint64(slots), uint64(atomic.LoadUint32(&h.capacity)), int(slotSize)), nil
}

func newRing(mem []byte, h *header, n, capacity uint64, slotSize int) *Ring {
	r := &Ring{
		h:      h,
		mem:    mem[:Size(int(n), slotSize):Size(int(n), slotSize)],
		n:      n,
		cap:    capacity,
		stride: uint64(stride(slotSize)),
		max:    slotSize,
		pid:    self,
		flags:  atomic.LoadUint32(&h.flags),
	}
	if n&(n-1) == 0 {
		r.mask = n - 1
		r.pow2 = true
	}
	return r
}
