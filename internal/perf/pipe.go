package perf

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/shmkit/shmkit/ipc"
)

// The baselines of the queue: an os.Pipe between two processes, the
// child writing to its standard output, this process reading.

// pipeArgs is the argument of a child writing to a pipe.
type pipeArgs struct {
	M     member
	Size  int  // bytes a message
	Bufio bool // through a bufio.Writer of 64 KiB, flushed at the end of a round
}

var pipeChild = ipc.Register("perf.pipe-writer", func(ctx context.Context, a pipeArgs) error {
	var w io.Writer = os.Stdout
	bw := bufio.NewWriterSize(os.Stdout, 64<<10)
	if a.Bufio {
		w = bw
	}
	msg := make([]byte, a.Size)
	var sent uint64
	return a.M.rounds(ctx, func(r int64) error {
		sent = 0
		for !a.M.stopped(r) {
			for range 64 {
				stamp(msg, sent, 0)
				if _, err := w.Write(msg); err != nil {
					return err
				}
				sent++
			}
		}
		stampEnd(msg, 0, sent)
		if _, err := w.Write(msg); err != nil {
			return err
		}
		return bw.Flush()
	}, func(int64) error {
		a.M.report(0, int64(sent))
		return nil
	})
})

// measurePipe: one writing child, this process reading and checking every
// message as the queue's consumer does, for p.d a round. Figure: messages
// per second.
func measurePipe(ctx context.Context, p plan, size int, buffered bool) ([]float64, error) {
	c, err := newCrew(ctx, 1, 0)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, c.finish(err, nil)
	}
	defer r.Close()
	child := pipeChild.Command(pipeArgs{M: c.member(1), Size: size, Bufio: buffered})
	child.Stdout = w
	err = c.start(child)
	w.Close() // the child has it
	if err != nil {
		return nil, c.finish(err, nil)
	}
	var rd io.Reader = r
	if buffered {
		rd = bufio.NewReaderSize(r, 64<<10)
	}
	msg := make([]byte, size)
	v, err := repeat(ctx, p, 1, func(_ context.Context, round int64) ([]float64, error) {
		var n int64
		elapsed, err := c.round(round, p.timeout(), func(ctx context.Context) error {
			// A read does not take a context: the deadline bounds it, and
			// a child's death closes the pipe.
			if dl, ok := ctx.Deadline(); ok {
				if err := r.SetReadDeadline(dl); err != nil {
					return err
				}
			}
			var chk inOrder
			stop := stopAfter(c, round, p.d)
			for {
				if _, err := io.ReadFull(rd, msg); err != nil {
					return err
				}
				end, err := chk.take(msg)
				switch {
				case err != nil:
					return err
				case end:
					return nil
				}
				if n++; n%1024 == 0 {
					stop()
				}
			}
		})
		if err != nil {
			return nil, err
		}
		if sent := c.word(1, 0); sent != n {
			return nil, fmt.Errorf("the writer counts %d messages, %d arrived", sent, n)
		}
		return []float64{rate(n, elapsed)}, nil
	})
	return v, c.finish(err, c.quitRounds)
}

func measurePipe64(ctx context.Context, p plan) ([]float64, error) {
	return measurePipe(ctx, p, 64, false)
}

func measurePipeBufio(ctx context.Context, p plan) ([]float64, error) {
	return measurePipe(ctx, p, 64, true)
}

func measurePipe4K(ctx context.Context, p plan) ([]float64, error) {
	return measurePipe(ctx, p, 4096, false)
}
