package perf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/shmkit/shmkit/ipc"
)

// Round trips: this process sends a 64-byte message, a child echoes it
// back, over and over for p.d a repetition; each round trip is timed (as
// the time between two successive ones). Figures: the median and the 99th
// percentile in µs. Check: each reply is the message just sent.

const (
	maxSamples = 1 << 20
	// spinTries is how many times a side tries TryGet before it blocks
	// in Get: hundreds of µs, so that both sides stay busy while a
	// repetition runs and sleep between repetitions.
	spinTries = 1 << 14
)

// rttArgs is the argument of the echoing child on queues.
type rttArgs struct {
	Ping, Pong *ipc.Queue[[64]byte]
}

var rttChild = ipc.Register("perf.echo-queue", func(ctx context.Context, a rttArgs) error {
	for {
		v, err := spinGet(ctx, a.Ping)
		if err != nil {
			return err
		}
		if m, err := parse(v[:]); err != nil || m.end {
			return err
		}
		if err := a.Pong.Put(ctx, v); err != nil {
			return err
		}
	}
})

// spinGet takes a value off q, trying TryGet spinTries times before it
// waits in Get.
func spinGet[T any](ctx context.Context, q *ipc.Queue[T]) (T, error) {
	for range spinTries {
		if v, ok, err := q.TryGet(); ok || err != nil {
			return v, err
		}
	}
	return q.Get(ctx)
}

// pingPong runs the repetitions of a round-trip measurement: begin (if
// not nil) prepares a repetition that ends at the deadline given, send
// sends b, recv receives the reply into b. Figures: the median and the
// 99th percentile of the round trips in µs, and a cache line's round trip
// between the CPUs in ns (cacheLineRTT), measured after each repetition.
func pingPong(ctx context.Context, p plan, begin func(deadline time.Time) error,
	send func(ctx context.Context, b []byte) error, recv func(ctx context.Context, b []byte) error) ([]float64, error) {
	samples := make([]time.Duration, maxSamples)
	msg := make([]byte, 64)
	var seq uint64
	return repeat(ctx, p, 1, func(ctx context.Context, _ int64) ([]float64, error) {
		deadline := time.Now().Add(p.timeout())
		ctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		if begin != nil {
			if err := begin(deadline); err != nil {
				return nil, err
			}
		}
		n := 0
		t0 := time.Now()
		prev := t0
		for n < len(samples) {
			stamp(msg, seq, 0)
			if err := send(ctx, msg); err != nil {
				return nil, err
			}
			if err := recv(ctx, msg); err != nil {
				return nil, err
			}
			if m, err := parse(msg); err != nil || m.seq != seq {
				return nil, errors.Join(err, fmt.Errorf("sent message %d, got %d back", seq, m.seq))
			}
			seq++
			now := time.Now()
			samples[n], prev = now.Sub(prev), now
			if n++; now.Sub(t0) >= p.d {
				break
			}
		}
		s := samples[:n]
		return []float64{us(percentile(s, 50)), us(percentile(s, 99)), float64(cacheLineRTT(cacheLineTrips))}, nil
	})
}

func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// quitMsg is the message that makes an echoing child return.
func quitMsg() []byte {
	b := make([]byte, 64)
	stampEnd(b, 0, 0)
	return b
}

// measureRTT: round trips through two queues (ping, pong) of 64-byte
// messages; both sides spin on TryGet.
func measureRTT(ctx context.Context, p plan) ([]float64, error) {
	c, err := newCrew(ctx, 1, 2*16*(64+256))
	if err != nil {
		return nil, err
	}
	ping, err := ipc.NewQueue[[64]byte](16, ipc.QueueIn(c.seg))
	if err != nil {
		return nil, c.finish(err, nil)
	}
	pong, err := ipc.NewQueue[[64]byte](16, ipc.QueueIn(c.seg))
	if err != nil {
		return nil, c.finish(err, nil)
	}
	if err := c.start(rttChild.Command(rttArgs{Ping: ping, Pong: pong})); err != nil {
		return nil, c.finish(err, nil)
	}
	v, err := pingPong(c.ctx, p, nil, func(ctx context.Context, b []byte) error {
		return ping.Put(ctx, [64]byte(b))
	}, func(ctx context.Context, b []byte) error {
		v, err := spinGet(ctx, pong)
		copy(b, v[:])
		return err
	})
	if err != nil {
		err = c.why(err)
	}
	return v, c.finish(err, func(ctx context.Context) error { return ping.Put(ctx, [64]byte(quitMsg())) })
}

// echoPipeArgs is the argument of the echoing child on pipes.
type echoPipeArgs struct {
	FIFO string // the pipe to read from; it writes to its standard output
}

var echoPipeChild = ipc.Register("perf.echo-pipe", func(ctx context.Context, a echoPipeArgs) error {
	in, err := os.Open(a.FIFO)
	if err != nil {
		return err
	}
	defer in.Close()
	msg := make([]byte, 64)
	for {
		if _, err := io.ReadFull(in, msg); err != nil {
			return err
		}
		if m, err := parse(msg); err != nil || m.end {
			return err
		}
		if _, err := os.Stdout.Write(msg); err != nil {
			return err
		}
	}
})

// measurePipeRTT is measureRTT over two pipes: a named pipe (FIFO) to the
// child, as a child started by ipc reads no pipe of its parent's but its
// segments, and an os.Pipe back, its standard output. One write and one
// read a message each way.
func measurePipeRTT(ctx context.Context, p plan) ([]float64, error) {
	dir, err := os.MkdirTemp("", "shmkit-perf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	fifo := filepath.Join(dir, "ping")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return nil, fmt.Errorf("mkfifo: %w", err)
	}
	// Opened for reading and writing, the FIFO does not wait for the
	// child to open it, and the child's open does not wait either.
	out, err := os.OpenFile(fifo, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer out.Close()
	in, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer in.Close()
	c, err := newCrew(ctx, 1, 0)
	if err != nil {
		w.Close()
		return nil, err
	}
	child := echoPipeChild.Command(echoPipeArgs{FIFO: fifo})
	child.Stdout = w
	err = c.start(child)
	w.Close()
	if err != nil {
		return nil, c.finish(err, nil)
	}
	// A read does not take a context: the deadline bounds it, and the
	// child's death closes the pipe.
	v, err := pingPong(c.ctx, p, in.SetReadDeadline, func(_ context.Context, b []byte) error {
		_, err := out.Write(b)
		return err
	}, func(_ context.Context, b []byte) error {
		_, err := io.ReadFull(in, b)
		return err
	})
	if err != nil {
		err = c.why(err)
	}
	return v, c.finish(err, func(context.Context) error {
		_, err := out.Write(quitMsg())
		return err
	})
}
