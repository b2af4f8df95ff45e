package perf

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// Queue sizes: 1024 slots of 64 bytes (ipc's default capacity), 256 of
// 4 KiB (1 MiB of messages).
const (
	slots64   = 1024
	slots4K   = 256
	batchSize = 64 // messages a PutMany or GetMany
	// maxPerProd is the most messages a second that a producer of the
	// many-to-many measurement may put: its bitmap has room for that
	// many a round (and 65536 more); a producer stops there.
	maxPerProd = 40e6
)

func view64(v *[64]byte) []byte   { return v[:] }
func view4K(v *[4096]byte) []byte { return v[:] }

// producerArgs is the argument of a producing child: it puts messages on
// Q64 or Q4K (the one that is not nil) until the stop of the round, or
// until it has put Max (if not 0), then puts Markers end markers.
type producerArgs struct {
	M       member
	Q64     *ipc.Queue[[64]byte]
	Q4K     *ipc.Queue[[4096]byte]
	ID      int // the producer, from 0
	Batch   int // PutMany of Batch messages (Q64 only); <= 1: one Put each
	Markers int
	Max     int64
}

var producerChild = ipc.Register("perf.producer", func(ctx context.Context, a producerArgs) error {
	var sent int64
	return a.M.rounds(ctx, func(r int64) error {
		stop := func() bool { return a.M.stopped(r) }
		var err error
		if a.Q4K != nil {
			sent, err = produce(ctx, a.Q4K, view4K, uint64(a.ID), 1, a.Markers, a.Max, stop)
		} else {
			sent, err = produce(ctx, a.Q64, view64, uint64(a.ID), a.Batch, a.Markers, a.Max, stop)
		}
		return err
	}, func(int64) error {
		a.M.report(0, sent)
		return nil
	})
})

// produce puts messages 0, 1, ... of producer id on q, a batch at a time
// (each with one Put, or one PutMany if batch > 1), until stop or limit
// messages (0: no limit), then markers end markers. It returns how many messages it put.
func produce[T any](ctx context.Context, q *ipc.Queue[T], view func(*T) []byte, id uint64, batch, markers int, limit int64, stop func() bool) (sent int64, err error) {
	more := func() bool { return (limit == 0 || sent < limit) && !stop() }
	if batch <= 1 {
		var v T
		b := view(&v)
		for more() {
			for range 64 {
				stamp(b, uint64(sent), id)
				if err := q.Put(ctx, v); err != nil {
					return sent, err
				}
				sent++
			}
		}
	} else {
		vs := make([]T, batch)
		bs := views(vs, view)
		for more() {
			for i, b := range bs {
				stamp(b, uint64(sent)+uint64(i), id)
			}
			for put := 0; put < len(vs); {
				n, err := q.PutMany(ctx, vs[put:])
				put += n
				if err != nil {
					return sent + int64(put), err
				}
			}
			sent += int64(len(vs))
		}
	}
	var end T
	stampEnd(view(&end), id, uint64(sent))
	for range markers {
		if err := q.Put(ctx, end); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// views returns the bytes of each of vs, found once rather than through
// view (an indirect call) for every message.
func views[T any](vs []T, view func(*T) []byte) [][]byte {
	bs := make([][]byte, len(vs))
	for i := range vs {
		bs[i] = view(&vs[i])
	}
	return bs
}

// consume is the parent's side of a round of a queue from one producer:
// it gets messages (one Get each, or GetMany of up to batch) and checks
// that each arrives once and in order, calls the stop of round r once d
// has passed, and returns the number of messages at the end marker.
func consume[T any](ctx context.Context, q *ipc.Queue[T], view func(*T) []byte, batch int, stop func()) (n int64, err error) {
	var chk inOrder
	if batch <= 1 {
		// One variable for every message: view(&v) makes v escape, so
		// declared in the loop it would cost a heap allocation a message
		// (4 KiB ones took the 4 KiB row from 1.2 M/s to 130 k/s).
		var v T
		b := view(&v)
		for {
			if v, err = q.Get(ctx); err != nil {
				return n, err
			}
			end, err := chk.take(b)
			switch {
			case err != nil:
				return n, err
			case end:
				return n, nil
			}
			if n++; n%1024 == 0 {
				stop()
			}
		}
	}
	dst := make([]T, batch)
	bs := views(dst, view)
	for calls := 1; ; calls++ {
		k, err := q.GetMany(ctx, dst)
		if err != nil {
			return n, err
		}
		for i, b := range bs[:k] {
			end, err := chk.take(b)
			switch {
			case err != nil:
				return n, err
			case end && i != k-1:
				return n, errors.New("messages after the end marker")
			case end:
				return n, nil
			}
			n++
		}
		if calls%16 == 0 {
			stop()
		}
	}
}

// stopAfter returns a function that calls the stop of round r once d has
// passed since now, checking the clock each time it is called.
func stopAfter(c *crew, r int64, d time.Duration) func() {
	t0, done := time.Now(), false
	return func() {
		if !done && time.Since(t0) >= d {
			c.ctl.Store(ctlStop, r)
			done = true
		}
	}
}

// measureSPSC: one producing child, this process consuming and checking
// every message, for p.d a round. Figures: messages per second, and the
// round trip of a cache line between the CPUs in ns (cacheLineRTT),
// measured after each round, while the producer waits for the next.
func measureSPSC[T any](ctx context.Context, p plan, slots int, view func(*T) []byte, batch int,
	newQ func(*shm.Segment) (*ipc.Queue[T], error), args func(*ipc.Queue[T]) producerArgs) ([]float64, error) {
	var zero T
	c, err := newCrew(ctx, 1, slots*(len(view(&zero))+256))
	if err != nil {
		return nil, err
	}
	q, err := newQ(c.seg)
	if err != nil {
		return nil, c.finish(err, nil)
	}
	a := args(q)
	a.M, a.Batch, a.Markers = c.member(1), batch, 1
	if err := c.start(producerChild.Command(a)); err != nil {
		return nil, c.finish(err, nil)
	}
	v, err := repeat(ctx, p, 1, func(_ context.Context, r int64) ([]float64, error) {
		var n int64
		elapsed, err := c.round(r, p.timeout(), func(ctx context.Context) error {
			var err error
			n, err = consume(ctx, q, view, batch, stopAfter(c, r, p.d))
			return err
		})
		if err != nil {
			return nil, err
		}
		if sent := c.word(1, 0); sent != n {
			return nil, fmt.Errorf("the producer counts %d messages, %d arrived", sent, n)
		}
		return []float64{rate(n, elapsed), float64(cacheLineRTT(cacheLineTrips))}, nil
	})
	return v, c.finish(err, c.quitRounds)
}

func newQueue64(seg *shm.Segment) (*ipc.Queue[[64]byte], error) {
	return ipc.NewQueue[[64]byte](slots64, ipc.QueueIn(seg))
}

func measureQueue64(ctx context.Context, p plan) ([]float64, error) {
	return measureSPSC(ctx, p, slots64, view64, 1, newQueue64,
		func(q *ipc.Queue[[64]byte]) producerArgs { return producerArgs{Q64: q} })
}

func measureQueueBatch(ctx context.Context, p plan) ([]float64, error) {
	return measureSPSC(ctx, p, slots64, view64, batchSize, newQueue64,
		func(q *ipc.Queue[[64]byte]) producerArgs { return producerArgs{Q64: q} })
}

func measureQueue4K(ctx context.Context, p plan) ([]float64, error) {
	return measureSPSC(ctx, p, slots4K, view4K, 1,
		func(seg *shm.Segment) (*ipc.Queue[[4096]byte], error) {
			return ipc.NewQueue[[4096]byte](slots4K, ipc.QueueIn(seg))
		},
		func(q *ipc.Queue[[4096]byte]) producerArgs { return producerArgs{Q4K: q} })
}

// consumerArgs is the argument of a consuming child of the many-to-many
// measurement.
type consumerArgs struct {
	M         member
	Q         *ipc.Queue[[64]byte]
	Producers int
	Max       int64              // each producer's sequences are below it
	Bits      *shm.Array[uint64] // a bitmap of Max bits per producer
}

var consumerChild = ipc.Register("perf.consumer", func(ctx context.Context, a consumerArgs) error {
	s := newSeen(a.Producers, uint64(a.Max))
	nw := words(uint64(a.Max))
	return a.M.rounds(ctx, func(int64) error {
		for ends := 0; ends < a.Producers; {
			v, err := a.Q.Get(ctx)
			if err != nil {
				return err
			}
			end, err := s.take(v[:])
			if err != nil {
				return err
			}
			if end {
				ends++
			}
		}
		return nil
	}, func(int64) error {
		for p := range a.Producers {
			a.M.report(p, s.count[p])
			if err := s.merge(p, a.Bits, p*nw); err != nil {
				return err
			}
		}
		return nil
	})
})

// measureQueueMPMC: 2 producing and 2 consuming children on one queue of
// 64-byte messages, for p.d a round. Each producer puts an end marker for
// each consumer, and a consumer stops at its second: as a consumer claims
// slots in queue order, every message is taken by then. Figure: messages
// per second over all. Check: the consumers' bitmaps, merged, hold each
// message of each producer exactly once.
func measureQueueMPMC(ctx context.Context, p plan) ([]float64, error) {
	const producers, consumers = 2, 2
	limit := (int64(maxPerProd*p.d.Seconds()) + 1<<16 + 63) &^ 63
	nw := words(uint64(limit))
	c, err := newCrew(ctx, producers+consumers, slots64*(64+256)+producers*nw*8)
	if err != nil {
		return nil, err
	}
	q, err := newQueue64(c.seg)
	if err != nil {
		return nil, c.finish(err, nil)
	}
	bits, err := shm.MakeArray[uint64](producers*nw, shm.In(c.seg))
	if err != nil {
		return nil, c.finish(err, nil)
	}
	for i := range producers {
		a := producerArgs{M: c.member(1 + i), Q64: q, ID: i, Markers: consumers, Max: limit}
		if err := c.start(producerChild.Command(a)); err != nil {
			return nil, c.finish(err, nil)
		}
	}
	for i := range consumers {
		a := consumerArgs{M: c.member(1 + producers + i), Q: q, Producers: producers, Max: limit, Bits: bits}
		if err := c.start(consumerChild.Command(a)); err != nil {
			return nil, c.finish(err, nil)
		}
	}
	v, err := repeat(ctx, p, 1, func(_ context.Context, r int64) ([]float64, error) {
		elapsed, err := c.round(r, p.timeout(), c.sleepRound(r, p.d))
		if err != nil {
			return nil, err
		}
		var total int64
		for i := range producers {
			sent, got := c.word(1+i, 0), int64(0)
			for j := range consumers {
				got += c.word(1+producers+j, i)
			}
			if got != sent {
				return nil, fmt.Errorf("producer %d sent %d messages, the consumers took %d", i, sent, got)
			}
			if err := checkAll(i, uint64(sent), bits, i*nw, nw); err != nil {
				return nil, err
			}
			total += sent
		}
		return []float64{rate(total, elapsed)}, nil
	})
	return v, c.finish(err, c.quitRounds)
}
