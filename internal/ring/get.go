package ring

import (
	"context"
	"fmt"
)

// TryGet takes the oldest message if there is one and reports whether it
// did. The message is appended to dst[:0], so a dst with room for a slot's
// bytes spares an allocation. It never waits. It fails with [ErrClosed]
// once the ring is closed and empty. It reports false, too, when the slot
// at the head is claimed by a producer that has not published it yet,
// though later messages may be published already: they come after it.
func (r *Ring) TryGet(dst []byte) ([]byte, bool, error) {
	dst = dst[:0]
	n, err := r.TryGetFunc(1, func(msg []byte) { dst = append(dst, msg...) })
	return dst, n == 1, err
}

// Get is TryGet that waits for a message as long as it takes, or until ctx
// is done (it then returns ctx.Err() and the ring is unchanged).
func (r *Ring) Get(ctx context.Context, dst []byte) ([]byte, error) {
	dst = dst[:0]
	_, err := r.GetFunc(ctx, 1, func(msg []byte) { dst = append(dst, msg...) })
	return dst, err
}

// GetMany takes at least one message, waiting for it as Get does, and at
// most len(dst), as many as are ready, claimed with one compare-and-swap.
// Message i is appended to dst[i][:0]. It returns how many it took.
func (r *Ring) GetMany(ctx context.Context, dst [][]byte) (int, error) {
	i := 0
	return r.GetFunc(ctx, len(dst), func(msg []byte) {
		dst[i] = append(dst[i][:0], msg...)
		i++
	})
}

// GetFunc takes at least one and at most max messages, as GetMany does, and
// calls fn with each in order. msg is the slot's memory, valid only during
// the call: fn must copy what it keeps, and should be quick, since the
// slot stays claimed until it returns.
func (r *Ring) GetFunc(ctx context.Context, max int, fn func(msg []byte)) (int, error) {
	return r.get(ctx, max, &sink{fn: fn})
}

// GetFixed is GetMany into the memory of a slice of fixed-size values:
// it takes at least one and at most len(dst)/size messages, waiting as Get
// does, and copies message i to dst[i*size:(i+1)*size]. Every message must
// be size bytes long: one of another length fails with [ErrCorrupt],
// after the messages before it, which are counted, and the messages
// claimed with it are dropped. size must divide len(dst), or GetFixed
// panics; size 0 takes nothing.
func (r *Ring) GetFixed(ctx context.Context, dst []byte, size int) (int, error) {
	if size <= 0 || len(dst)%size != 0 {
		if size == 0 {
			return 0, nil
		}
		panic("ring: GetFixed: size does not divide the buffer")
	}
	return r.get(ctx, len(dst)/size, &sink{flat: dst, size: size})
}

// sink is where the messages of a Get call go, without a closure, as
// source is for a Put: to fn, one call each, or, when size is not 0, into
// flat, size bytes each, copied with no call a message (tryGet's loop
// handles both).
type sink struct {
	fn   func(msg []byte)
	flat []byte
	size int
}

// fits reports whether a message of size bytes, no larger than a slot,
// can go to the sink: any can go to fn, only those of the size to flat.
func (d *sink) fits(size int) bool { return d.size == 0 || size == d.size }

// add delivers msg, which fits, as message i of the call.
func (d *sink) add(i int, msg []byte) {
	if d.size == 0 {
		d.fn(msg)
		return
	}
	copy(d.flat[i*d.size:], msg)
}

func (r *Ring) get(ctx context.Context, max int, dst *sink) (int, error) {
	if max < 1 {
		return 0, nil
	}
	if max == 1 && r.getFast(dst) {
		return 1, nil
	}
	var w waiter
	defer w.end()
	for {
		n, err := r.tryGet(max, dst)
		if n > 0 || err != nil {
			return n, err
		}
		if err := w.pause(ctx, r, true); err != nil {
			return 0, err
		}
	}
}

// TryGetFunc is GetFunc that does not wait: it returns 0 if no message is
// ready.
func (r *Ring) TryGetFunc(max int, fn func(msg []byte)) (int, error) {
	if max < 1 {
		return 0, nil
	}
	dst := sink{fn: fn}
	if max == 1 && r.getFast(&dst) {
		return 1, nil
	}
	n, err := r.tryGet(max, &dst)
	if n == 0 && err == nil {
		r.checkStuck()
	}
	return n, err
}

// tryGet takes up to max messages that are ready, claimed together, into
// dst, and returns how many it took.
func (r *Ring) tryGet(max int, dst *sink) (int, error) {
	for {
		pos, m, skipped, err := r.claimGet(max)
		if m == 0 {
			return 0, err
		}
		r.wakeProducers() // before the slots are released: see tryPut
		if h := hookClaimed; h != nil {
			h(true)
		}
		n := 0
		c := r.cursorAt(pos)
		for i := range m {
			if skipped&(1<<i) == 0 { // else its producer died before publishing it
				switch size := int(r.slotAt(c.i).size); {
				case err != nil: // a message before was corrupt: the rest are dropped
				case size > r.max:
					err = fmt.Errorf("%w: slot of position %d says it holds %d bytes, slots hold %d", ErrCorrupt, pos+uint64(i), size, r.max)
				case dst.fits(size):
					dst.add(n, r.payloadAt(c.i)[:size])
					n++
				default:
					err = fmt.Errorf("%w: message of position %d has %d bytes, %d wanted", ErrCorrupt, pos+uint64(i), size, dst.size)
				}
			}
			c = r.next(c)
		}
		if c = r.cursorAt(pos); m == 1 {
			release(r.slotAt(c.i), c.key+r.n)
		} else {
			r.storeRun(c, m, stFree, r.n)
		}
		if n > 0 || err != nil {
			return n, err
		}
	}
}
