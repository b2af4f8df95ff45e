package shm

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
)

// rlockState is the shared state of an RLock, after its block's lock word
// (the Mutex that does the locking). Its zero value goes with an unlocked
// lock.
type rlockState struct {
	token uint64 // Token of the holder, 0 when unlocked
	count uint32 // times the holder locked it
	_     uint32
}

// Token identifies the holder of an [RLock] within its process: the
// goroutine, or chain of calls, that may lock it again. Goroutines have no
// identity in Go, so the caller names itself with a token from [NewToken]
// and passes it to every Lock and Unlock. A token must not be used by two
// goroutines at once.
type Token uint64

// tokens counts the tokens this process made.
var tokens atomic.Uint32

// NewToken returns a token that no other call of NewToken in this process
// returns (until 2^32 calls), and that no other process uses: it holds the
// pid. It is never zero.
func NewToken() Token { return Token(self.pid<<32 | uint64(tokens.Add(1))) }

// RLock is a re-entrant lock in shared memory: the holder may lock it again
// and must unlock it as many times. Python: multiprocessing.RLock.
//
// The holder is a process and a [Token], since goroutines have no identity:
//
//	tok := shm.NewToken()
//	if err := rl.Lock(ctx, tok); err != nil { ... }
//	defer rl.Unlock(tok)
//
// An RLock is a handle: copies refer to the same lock, and an RLock passed
// to a child process (see package ipc) is the same lock there. The zero
// RLock is not usable; get one from [NewRLock] or [LookupRLock]. In shared
// memory it is a [Mutex] word followed by the holder's token and the count
// of its locks; all-zero bytes are an unlocked RLock.
//
// Owner death is handled as for [Mutex]: if the holding process dies, the
// next Lock gets [ErrOwnerDead] (holding the lock once, with a count of 1)
// and must repair, then [RLock.MarkConsistent]; without that, the last
// Unlock makes the lock unrecoverable ([ErrNotRecoverable]).
//
// The last Unlock synchronizes before the Lock that takes the lock next.
type RLock struct {
	mu Mutex
	st *rlockState
}

// NewRLock allocates an RLock, unlocked, in the default arena or in the
// segment given with [In].
func NewRLock(opts ...Option) (*RLock, error) {
	o, err := allocate(kindRLock, 0, 0, opts)
	if err != nil {
		return nil, err
	}
	return rlockOf(o)
}

// LookupRLock returns the RLock named name in seg (see [Named]).
func LookupRLock(seg *Segment, name string) (*RLock, error) {
	o, err := lookup(seg, name, kindRLock, 0)
	if err != nil {
		return nil, err
	}
	return rlockOf(o)
}

func rlockOf(o object) (*RLock, error) {
	st, err := lineState[rlockState](o)
	if err != nil {
		return nil, err
	}
	mu, err := o.mutex()
	if err != nil {
		return nil, err
	}
	return &RLock{mu: *mu, st: st}, nil
}

// holds reports whether this process holds the lock with tok. The tag
// check tells this process from a dead one that had its pid.
func (rl *RLock) holds(tok Token) bool {
	w := rl.mu.w
	return atomic.LoadUint32(&w.state)&pidMask == uint32(self.pid) &&
		atomic.LoadUint64(&w.owner) == self.tag &&
		atomic.LoadUint64(&rl.st.token) == uint64(tok)
}

// Lock locks rl for tok, waiting until it is free or ctx is done. If tok
// already holds it, Lock only counts once more. It returns nil; or
// ctx.Err() without the lock; or [ErrOwnerDead] (the lock is then held,
// once: repair and MarkConsistent); or [ErrNotRecoverable]. It panics if
// tok is zero.
func (rl *RLock) Lock(ctx context.Context, tok Token) error {
	if tok == 0 {
		panic("shm: RLock.Lock with the zero Token")
	}
	if rl.holds(tok) {
		rl.again()
		return nil
	}
	err := rl.mu.LockContext(ctx)
	if err == nil || err == ErrOwnerDead {
		rl.take(tok)
	}
	return err
}

// TryLock locks rl for tok if it is free or already held by tok, and
// reports whether it did. It never waits, and it does not recover a lock
// whose owner died: Lock does.
func (rl *RLock) TryLock(tok Token) bool {
	if tok == 0 {
		panic("shm: RLock.TryLock with the zero Token")
	}
	if rl.holds(tok) {
		rl.again()
		return true
	}
	if !rl.mu.TryLock() {
		return false
	}
	rl.take(tok)
	return true
}

func (rl *RLock) again() {
	c := atomic.LoadUint32(&rl.st.count)
	if c == math.MaxUint32 {
		panic("shm: RLock locked too many times")
	}
	atomic.StoreUint32(&rl.st.count, c+1)
}

func (rl *RLock) take(tok Token) {
	atomic.StoreUint32(&rl.st.count, 1)
	atomic.StoreUint64(&rl.st.token, uint64(tok))
}

// Unlock undoes one Lock by tok; the last one unlocks rl. It panics if tok
// of this process does not hold rl.
func (rl *RLock) Unlock(tok Token) {
	if !rl.holds(tok) {
		panic(rl.misuse("Unlock"))
	}
	c := atomic.LoadUint32(&rl.st.count) - 1
	atomic.StoreUint32(&rl.st.count, c)
	if c == 0 {
		atomic.StoreUint64(&rl.st.token, 0)
		rl.mu.Unlock()
	}
}

// MarkConsistent declares that the state protected by rl was repaired after
// Lock returned [ErrOwnerDead]. It panics if tok of this process does not
// hold rl.
func (rl *RLock) MarkConsistent(tok Token) {
	if !rl.holds(tok) {
		panic(rl.misuse("MarkConsistent"))
	}
	rl.mu.MarkConsistent()
}

func (rl *RLock) misuse(op string) string {
	switch pid := rl.mu.Owner(); pid {
	case 0:
		return "shm: " + op + " of unlocked RLock"
	case int(self.pid):
		return "shm: " + op + " of RLock held with another Token"
	default:
		return fmt.Sprintf("shm: %s of RLock held by process %d", op, pid)
	}
}

// Owner returns the pid of the process holding rl, or 0. It is a snapshot,
// for display and diagnosis.
func (rl *RLock) Owner() int { return rl.mu.Owner() }

// MarshalBinary encodes rl as a handle, so that rl can be passed to another
// process (with package ipc, or by any encoding that uses
// encoding.BinaryMarshaler, such as gob).
func (rl *RLock) MarshalBinary() ([]byte, error) { return rl.mu.obj.marshal(kindRLock) }

// UnmarshalBinary makes rl the RLock a handle from [RLock.MarshalBinary]
// names. The segment must be mapped in this process.
func (rl *RLock) UnmarshalBinary(b []byte) error {
	o, err := unmarshalObject(b, kindRLock, 0)
	if err != nil {
		return err
	}
	r, err := rlockOf(o)
	if err != nil {
		return err
	}
	*rl = *r
	return nil
}
