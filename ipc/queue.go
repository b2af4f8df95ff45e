package ipc

import (
	"context"
	"errors"
	"fmt"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

// Sizes of queues that are not given one.
const (
	// DefaultCapacity is the number of slots of a queue made with a
	// capacity <= 0, and of a SimpleQueue.
	DefaultCapacity = 1024

	// DefaultMaxMessage is the slot size of a queue of a T that is not of
	// fixed size, unless [MaxMessage] says otherwise.
	DefaultMaxMessage = 4 << 10
)

// Queue is a bounded multi-producer multi-consumer FIFO queue in shared
// memory, between goroutines and processes. Python: multiprocessing.Queue.
//
// A Queue is a handle: pass it to a child process as (part of) the
// argument of [Func.Start] and the child uses the same queue. The zero
// Queue is not usable; get one from [NewQueue]. Its methods are safe for
// concurrent use.
//
// Values of a fixed-size T (numbers, and arrays and structs of numbers:
// no pointer, slice or string) are copied as they are, without encoding
// and without allocation. A []byte is copied as its bytes. Any other T
// goes through a [Codec], gob by default. Every message takes one slot of
// [MaxMessage] bytes; a larger one is refused with [ErrTooLarge].
//
// A Put synchronizes before the Get that receives its value, in this or
// any other process. Messages put by one goroutine are received in the
// order they were put, by a single consumer. A process killed in the
// middle of a Put or Get does not block the others: see the package doc.
type Queue[T any] struct {
	reg   *shm.Region
	r     *ring.Ring
	enc   int
	size  int    // of T, when raw
	name  string // of the codec
	codec Codec
}

// QueueOption configures a queue or pipe made by [NewQueue] and the others.
type QueueOption func(*queueConfig)

type queueConfig struct {
	maxMessage int
	codec      string
	shm        []shm.Option
}

// MaxMessage sets the slot size of a queue: the largest message, in bytes
// (after encoding, for a T that goes through a codec). The default is
// [DefaultMaxMessage]; a fixed-size T needs and gets exactly its size.
func MaxMessage(n int) QueueOption { return func(c *queueConfig) { c.maxMessage = n } }

// WithCodec makes the queue encode its values with the codec registered
// under name by [RegisterCodec], instead of gob. It does not apply to a
// fixed-size T or to []byte.
func WithCodec(name string) QueueOption { return func(c *queueConfig) { c.codec = name } }

// QueueIn places the queue's memory in seg instead of the default arena.
func QueueIn(seg *shm.Segment) QueueOption {
	return func(c *queueConfig) { c.shm = append(c.shm, shm.In(seg)) }
}

// NewQueue makes a queue of capacity slots ([DefaultCapacity] if capacity
// <= 0) in shared memory. A capacity or [MaxMessage] out of range (negative,
// or above 2^30) is an error wrapping [shm.ErrSize].
func NewQueue[T any](capacity int, opts ...QueueOption) (*Queue[T], error) {
	q, err := newQueue[T](capacity, 0, opts)
	if err != nil {
		return nil, err
	}
	return q, nil
}

func newQueue[T any](capacity int, flags uint32, opts []QueueOption) (*Queue[T], error) {
	c := queueConfig{maxMessage: DefaultMaxMessage, codec: "gob"}
	for _, o := range opts {
		o(&c)
	}
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	q := &Queue[T]{name: c.codec}
	q.enc, q.size = encodingOf[T]()
	slot := c.maxMessage
	switch q.enc {
	case encRaw:
		slot = q.size
		q.name = ""
	case encBytes:
		q.name = ""
	default:
		var err error
		if q.codec, err = lookupCodec(c.codec); err != nil {
			return nil, err
		}
	}
	if capacity > ring.MaxSlots || slot < 0 || slot > ring.MaxSlotSize {
		return nil, fmt.Errorf("ipc: queue of %d slots of %d bytes (want at most %d slots of at most %d): %w",
			capacity, slot, ring.MaxSlots, ring.MaxSlotSize, shm.ErrSize)
	}
	reg, err := shm.NewRegion(ring.Size(capacity, slot), c.shm...)
	if err != nil {
		return nil, err
	}
	// A Region's bytes are zero when it is made: only the header is written.
	if q.r, err = ring.InitZeroed(reg.Bytes(), capacity, slot, flags); err != nil {
		return nil, err
	}
	q.reg = reg
	return q, nil
}

// Put puts v at the end of the queue, waiting for a free slot as long as
// it takes or until ctx is done. It returns [ErrClosed] once the queue is
// closed and [ErrTooLarge] if v does not fit a slot; on ctx.Err() the queue
// is unchanged.
func (q *Queue[T]) Put(ctx context.Context, v T) error {
	switch q.enc {
	case encRaw:
		return q.err(q.r.Put(ctx, ring.BytesOf(&v)))
	case encBytes:
		return q.putBytes(ctx, *ring.Cast[[]byte](&v))
	}
	b, err := q.encode(v)
	if err != nil {
		return err
	}
	return q.putBytes(ctx, b)
}

func (q *Queue[T]) putBytes(ctx context.Context, b []byte) error {
	if len(b) > q.r.MaxMessage() {
		return q.tooLarge(len(b))
	}
	return q.err(q.r.Put(ctx, b))
}

// TryPut puts v if a slot is free and reports whether it did; it never
// waits. It may report false while the queue is not quite full: when the
// slot it needs is still being read by a Get in another process or
// goroutine (a Put would wait the moment that takes).
func (q *Queue[T]) TryPut(v T) (ok bool, err error) {
	var b []byte
	switch q.enc {
	case encRaw:
		b = ring.BytesOf(&v)
	case encBytes:
		b = *ring.Cast[[]byte](&v)
	default:
		if b, err = q.encode(v); err != nil {
			return false, err
		}
	}
	if len(b) > q.r.MaxMessage() {
		return false, q.tooLarge(len(b))
	}
	ok, err = q.r.TryPut(b)
	return ok, q.err(err)
}

// PutMany puts the values of vs in order, as Put does, claiming as many
// slots as are free at once and waking consumers once for each such batch.
// It returns how many it put: len(vs), or fewer with an error. If a value
// does not fit a slot it puts none and returns [ErrTooLarge].
func (q *Queue[T]) PutMany(ctx context.Context, vs []T) (int, error) {
	switch q.enc {
	case encRaw:
		if q.size == 0 {
			return q.putEmpty(ctx, len(vs))
		}
		n, err := q.r.PutFixed(ctx, ring.BytesOfSlice(vs), q.size)
		return n, q.err(err)
	case encBytes:
		bs := *ring.Cast[[][]byte](&vs)
		for _, b := range bs {
			if len(b) > q.r.MaxMessage() {
				return 0, q.tooLarge(len(b))
			}
		}
		n, err := q.r.PutMany(ctx, bs)
		return n, q.err(err)
	}
	bs := make([][]byte, len(vs))
	for i, v := range vs {
		b, err := q.encode(v)
		if err != nil {
			return 0, err
		}
		if len(b) > q.r.MaxMessage() {
			return 0, q.tooLarge(len(b))
		}
		bs[i] = b
	}
	n, err := q.r.PutMany(ctx, bs)
	return n, q.err(err)
}

// Get takes the value at the front of the queue, waiting for one as long as
// it takes or until ctx is done. Once the queue is closed it returns the
// values left, then [ErrClosed]. On ctx.Err() the queue is unchanged.
func (q *Queue[T]) Get(ctx context.Context) (v T, err error) {
	// A fixed-size value is copied from its slot straight into the result,
	// named so that a large T is not zeroed twice and copied once more on
	// the way out, as a local variable was.
	switch {
	case q.enc != encRaw:
		return q.getDecode(ctx)
	case q.size > 0:
		_, err = q.r.GetFixed(ctx, ring.BytesOf(&v), q.size)
		return v, q.err(err)
	}
	got, err := q.r.Get(ctx, nil)
	if err == nil && len(got) != 0 {
		err = q.badSize(len(got))
	}
	return v, q.err(err)
}

// getDecode is Get of a value that is not raw. It is a function of its own
// so that the closure's capture of its result does not move Get's to the
// heap.
func (q *Queue[T]) getDecode(ctx context.Context) (T, error) {
	var v T
	var derr error
	_, err := q.r.GetFunc(ctx, 1, func(msg []byte) { derr = q.decode(msg, &v) })
	if err == nil {
		err = derr
	}
	return v, q.err(err)
}

// TryGet takes the value at the front of the queue if there is one and
// reports whether it did; it never waits. It may report false while later
// values are ready: when the value at the front is still being written by
// a Put in another process or goroutine, which came first (a Get would
// wait the moment that takes).
func (q *Queue[T]) TryGet() (v T, ok bool, err error) {
	if q.enc == encRaw {
		b := ring.BytesOf(&v)
		got, ok, err := q.r.TryGet(b[:0])
		if ok && len(got) != len(b) {
			return v, false, q.badSize(len(got))
		}
		return v, ok, q.err(err)
	}
	return q.tryGetDecode()
}

// tryGetDecode is TryGet of a value that is not raw. It is a function of
// its own so that the closure's capture of its result does not move the
// raw path's value to the heap.
func (q *Queue[T]) tryGetDecode() (T, bool, error) {
	var v T
	var derr error
	n, err := q.r.TryGetFunc(1, func(msg []byte) { derr = q.decode(msg, &v) })
	if err == nil {
		err = derr
	}
	return v, n == 1 && err == nil, q.err(err)
}

// GetMany takes at least one value, waiting for it as Get does, and at most
// len(dst): as many as are ready, claimed at once. It stores them in dst
// in order and returns how many it took.
func (q *Queue[T]) GetMany(ctx context.Context, dst []T) (int, error) {
	if q.enc == encRaw && q.size > 0 {
		n, err := q.r.GetFixed(ctx, ring.BytesOfSlice(dst), q.size)
		return n, q.err(err)
	}
	i := 0
	var derr error
	_, err := q.r.GetFunc(ctx, len(dst), func(msg []byte) {
		if e := q.decode(msg, &dst[i]); e != nil {
			derr = e
			return
		}
		i++
	})
	if err == nil {
		err = derr
	}
	return i, q.err(err)
}

// decode stores the message msg (a slot's memory) into *v.
func (q *Queue[T]) decode(msg []byte, v *T) error {
	switch q.enc {
	case encRaw:
		if len(msg) != q.size {
			return q.badSize(len(msg))
		}
		copy(ring.BytesOf(v), msg)
		return nil
	case encBytes:
		*ring.Cast[[]byte](v) = append([]byte(nil), msg...)
		return nil
	}
	var zero T
	*v = zero
	if err := q.codec.Unmarshal(msg, v); err != nil {
		return fmt.Errorf("%w %q: decoding a %s: %w", ErrCodec, q.name, typeName[T](), err)
	}
	return nil
}

// badSize is the error of a message of n bytes in a queue of fixed-size
// values of another size.
func (q *Queue[T]) badSize(n int) error {
	return fmt.Errorf("%w: message of %d bytes for a %s of %d", ErrCorruptQueue, n, typeName[T](), q.size)
}

// putEmpty puts n values of a zero-size T.
func (q *Queue[T]) putEmpty(ctx context.Context, n int) (int, error) {
	for i := range n {
		if err := q.r.Put(ctx, nil); err != nil {
			return i, q.err(err)
		}
	}
	return n, nil
}

func (q *Queue[T]) encode(v T) ([]byte, error) {
	b, err := q.codec.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%w %q: encoding a %s: %w", ErrCodec, q.name, typeName[T](), err)
	}
	return b, nil
}

func (q *Queue[T]) tooLarge(n int) error {
	return fmt.Errorf("%w: %d bytes, the queue's slots hold %d (see MaxMessage)", ErrTooLarge, n, q.r.MaxMessage())
}

// err translates the ring's errors into the package's.
func (q *Queue[T]) err(err error) error { return queueErr(err) }

func queueErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ring.ErrClosed):
		return ErrClosed
	case errors.Is(err, ring.ErrTooLarge):
		return fmt.Errorf("%w: %w", ErrTooLarge, err)
	case errors.Is(err, ring.ErrCorrupt):
		return fmt.Errorf("%w: %w", ErrCorruptQueue, err)
	}
	return err
}

// Len returns the number of values in the queue, counting those being put
// or taken. It is a snapshot (Python: qsize()).
func (q *Queue[T]) Len() int { return q.r.Len() }

// Cap returns the number of slots.
func (q *Queue[T]) Cap() int { return q.r.Cap() }

// Close closes the queue for every process: Put fails with [ErrClosed]
// from now on, Get returns the values left and then ErrClosed, and every
// blocked Put and Get returns. Close may be called more than once, by any
// process; it always returns nil. The memory stays mapped, as the
// segment's objects do.
func (q *Queue[T]) Close() error {
	q.r.Close()
	return nil
}
