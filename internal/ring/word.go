package ring

// The word of a slot packs three fields:
//
//	bits 63-25  the key of the position the slot is in its state for,
//	            modulo 2^39: the position less the slot's index
//	bits 24-22  the state
//	bits 21-0   the pid of the process holding the slot (stPut, stGet), else 0
//
// A slot at index i serves positions i, i+n, i+2n, ... in turn. For
// position p it goes
//
//	(p, stFree) -> (p, stPut, producer) -> (p, stFull) -> (p, stGet, consumer) -> (p+n, stFree)
//
// and, if its producer dies before publishing, (p, stPut, producer) ->
// (p, stSkip) -> (p, stGet, consumer) -> (p+n, stFree). A producer that
// claimed a position the ring was closed at gives it back: (p, stPut,
// producer) -> (p, stFree).
//
// A slot's positions differ by multiples of n, and so do their keys, so
// comparing keys is comparing positions; but the key of every slot's first
// position is 0, and so is its word: a ring in memory that is all zero
// (fresh shared memory) is ready once its header is written ([InitZeroed]),
// without a page fault for every slot.
//
// Positions are kept modulo 2^39: a word is mistaken for one of another
// lap only by a process that stalls while 2^39 (5.5e11) messages go
// through the ring. Pids fit in 22 bits: Linux caps them below 2^22
// (PID_MAX_LIMIT), macOS below 100000.
const (
	posShift   = 25
	stateShift = 22
	pidMask    = 1<<stateShift - 1
	posMask    = 1<<(64-posShift) - 1
)

// state is what a slot holds for the position in its word.
type state uint8

const (
	stFree state = iota // free for the producer of the position
	stPut               // claimed by a producer, its message being written
	stFull              // holding the published message of the position
	stGet               // claimed by a consumer, its message being read
	stSkip              // claimed by a producer that died: no message; consumers pass over it
)

// mkword returns the slot word of key in state s, held by pid; a
// position's key is the position less its slot's index (see Ring.word).
func mkword(key uint64, s state, pid uint32) uint64 {
	return key<<posShift | uint64(s)<<stateShift | uint64(pid)&pidMask
}

// wordState returns the state in w.
func wordState(w uint64) state { return state(w >> stateShift & 7) }

// wordPid returns the pid in w.
func wordPid(w uint64) uint32 { return uint32(w & pidMask) }

// keyDist returns how far the key in w is from key, as a signed
// difference modulo 2^39: 0 if w is for key, n if for the next lap, -n if
// for the previous one.
func keyDist(w, key uint64) int64 {
	return int64((w>>posShift-key)<<posShift) >> posShift
}
