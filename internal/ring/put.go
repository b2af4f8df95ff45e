package ring

import (
	"context"
	"sync/atomic"
)

// TryPut puts msg if a slot is free and reports whether it did. It never
// waits. It fails with [ErrTooLarge] if msg does not fit a slot and with
// [ErrClosed] once the ring is closed. It reports false, too, when the slot
// at the tail is still held by a consumer of the previous lap, though
// other slots may be free by then.
func (r *Ring) TryPut(msg []byte) (bool, error) {
	if len(msg) > r.max {
		return false, r.tooLarge(len(msg))
	}
	if r.putFast(msg) {
		return true, nil
	}
	src := source{one: msg, n: 1}
	n, err := r.tryPut(&src, 0)
	if n == 0 && err == nil {
		r.checkStuck()
	}
	return n == 1, err
}

// Put puts msg, waiting for a free slot as long as it takes or until ctx is
// done (it then returns ctx.Err() and the ring is unchanged).
func (r *Ring) Put(ctx context.Context, msg []byte) error {
	if r.putFast(msg) {
		return nil
	}
	src := source{one: msg, n: 1}
	_, err := r.put(ctx, &src)
	return err
}

// PutMany puts every message of msgs in order, claiming as many free slots
// as it can with each compare-and-swap and waking sleeping consumers once
// for each such batch. It returns how many it put: len(msgs), or fewer with
// ctx.Err() or [ErrClosed]. If one message is too large it puts none and
// returns [ErrTooLarge].
func (r *Ring) PutMany(ctx context.Context, msgs [][]byte) (int, error) {
	src := source{many: msgs, n: len(msgs)}
	return r.put(ctx, &src)
}

// PutFixed is PutMany of the len(data)/size messages of size bytes each
// that data holds back to back (the memory of a slice of fixed-size
// values, say). size must divide len(data), or PutFixed panics; size 0
// puts nothing.
func (r *Ring) PutFixed(ctx context.Context, data []byte, size int) (int, error) {
	if size <= 0 || len(data)%size != 0 {
		if size == 0 {
			return 0, nil
		}
		panic("ring: PutFixed: size does not divide the data")
	}
	src := source{flat: data, size: size, n: len(data) / size}
	return r.put(ctx, &src)
}

// PutFunc is PutMany of the n messages msg(0), ..., msg(n-1). msg is
// called once for each index to check sizes and once more to copy the
// message into its slot, and must return the same bytes both times.
func (r *Ring) PutFunc(ctx context.Context, n int, msg func(i int) []byte) (int, error) {
	src := source{fn: msg, n: n}
	return r.put(ctx, &src)
}

// source is the messages of a Put call, without a closure, so that the
// bytes of a caller's value do not escape to the heap.
type source struct {
	n    int
	one  []byte
	many [][]byte
	flat []byte
	size int
	fn   func(i int) []byte
}

func (s *source) at(i int) []byte {
	switch {
	case s.size > 0:
		return s.flat[i*s.size : (i+1)*s.size]
	case s.many != nil:
		return s.many[i]
	case s.fn != nil:
		return s.fn(i)
	}
	return s.one
}

// checkSizes returns ErrTooLarge, wrapped, if a message of src does not
// fit a slot: the messages of a flat source all have one size.
func (r *Ring) checkSizes(src *source) error {
	n := src.n
	if src.size > 0 {
		n = min(n, 1)
	}
	for i := range n {
		if b := src.at(i); len(b) > r.max {
			return r.tooLarge(len(b))
		}
	}
	return nil
}

func (r *Ring) put(ctx context.Context, src *source) (int, error) {
	if err := r.checkSizes(src); err != nil {
		return 0, err
	}
	done := 0
	var w waiter
	defer w.end()
	for done < src.n {
		m, err := r.tryPut(src, done)
		done += m
		if err != nil {
			return done, err
		}
		if m > 0 {
			w.reset()
			continue
		}
		if err := w.pause(ctx, r, false); err != nil {
			return done, err
		}
	}
	return done, nil
}

// tryPut puts up to src.n-from of the messages src.at(from), ... into free
// slots, claimed together, and returns how many it put.
func (r *Ring) tryPut(src *source, from int) (int, error) {
	pos, m, err := r.claimPut(src.n - from)
	if m == 0 {
		return 0, err
	}
	// Consumers are woken now, before the messages are written: the claim is
	// what a consumer going to sleep looks at (see waiter.pause), and a
	// woken consumer finds the messages published by the time it runs.
	r.wakeConsumers()
	if h := hookClaimed; h != nil {
		h(false)
	}
	c := r.cursorAt(pos)
	for i := range m {
		b := src.at(from + i)
		if len(b) > r.max {
			panic("ring: PutFunc's msg returned a larger message than when its size was checked")
		}
		r.fill(c.i, b)
		c = r.next(c)
	}
	r.countPut(m)
	if c = r.cursorAt(pos); m == 1 {
		publish(r.slotAt(c.i), c.key)
	} else {
		r.storeRun(c, m, stFull, 0)
	}
	return m, nil
}

// fill writes msg, which fits, into the slot at index i, claimed by this
// process.
func (r *Ring) fill(i uint64, msg []byte) {
	r.slotAt(i).size = uint32(len(msg))
	copy(r.payloadAt(i), msg)
}

// countPut counts m messages put as unfinished tasks, in a joinable ring.
func (r *Ring) countPut(m int) {
	if r.flags&FlagJoinable != 0 {
		atomic.AddInt64(&r.h.unfinished, int64(m))
	}
}
