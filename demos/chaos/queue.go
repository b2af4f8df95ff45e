package chaos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// message is what producers put: who put it, its number, and a checksum
// of both, so that a torn message shows. Fixed-size, so the queue copies
// it raw.
type message struct {
	P, Seq, Sum int64
}

const sumKey = 0x5eed_c0de_1234_5678

func newMessage(p, seq int) message {
	return message{P: int64(p), Seq: int64(seq), Sum: int64(p)*1_000_003 ^ int64(seq) ^ sumKey}
}

// valid reports whether m is a whole message of one of producers
// producers, numbered below maxSeq.
func (m message) valid(producers, maxSeq int) bool {
	return m.Sum == m.P*1_000_003^m.Seq^sumKey && m.P >= 0 && m.P < int64(producers) && m.Seq >= 0 && m.Seq < int64(maxSeq)
}

// queueJob is what a producing or consuming process receives.
type queueJob struct {
	ID        int
	Q         *ipc.Queue[message]
	Producers int
	MaxSeq    int
	Attempt   *shm.Array[int64] // per producer: the seq of the Put it begins
	Acked     *shm.Array[int64] // per producer: how many of its Puts returned nil
	Recv      *shm.Array[int32] // [producer*MaxSeq+seq]: receipts of the message
	Ctl       *shm.Array[int64]
	Bound     time.Duration // of every Put and Get
}

var (
	producer = ipc.Register("chaos.producer", runProducer)
	consumer = ipc.Register("chaos.consumer", runConsumer)
)

// runProducer puts messages 0, 1, ... until the round stops (or MaxSeq).
// Around each Put it records in shared memory the seq it begins and, once
// Put has returned, the number of messages put.
func runProducer(ctx context.Context, j queueJob) error {
	if err := startLine(ctx, j.Ctl); err != nil {
		return err
	}
	seq := 0
	for ; seq < j.MaxSeq && j.Ctl.Load(ctlStop) == 0; seq++ {
		j.Attempt.Store(j.ID, int64(seq))
		if err := boundedPut(ctx, j, newMessage(j.ID, seq)); err != nil {
			return fmt.Errorf("producer %d at seq %d: %w", j.ID, seq, err)
		}
		j.Acked.Store(j.ID, int64(seq+1))
	}
	for j.Ctl.Load(ctlStop) == 0 && ctx.Err() == nil { // all put: wait for the end of the round
		time.Sleep(time.Millisecond)
	}
	return nil
}

func boundedPut(ctx context.Context, j queueJob, m message) error {
	ctx, cancel := context.WithTimeout(ctx, j.Bound)
	defer cancel()
	err := j.Q.Put(ctx, m)
	if errors.Is(err, context.DeadlineExceeded) {
		return hangError(j.Bound, "Queue.Put (queue length %d of %d)", j.Q.Len(), j.Q.Cap())
	}
	return err
}

// runConsumer gets messages until the queue is closed and empty, and
// counts each one in Recv; the window between Get returning and that
// count is the message "in its hands". It also counts messages that
// arrive out of their producer's order, or torn.
func runConsumer(ctx context.Context, j queueJob) error {
	if err := startLine(ctx, j.Ctl); err != nil {
		return err
	}
	last := make([]int64, j.Producers)
	for i := range last {
		last[i] = -1
	}
	for {
		m, err := boundedGet(ctx, j)
		if errors.Is(err, ipc.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("consumer %d: %w", j.ID, err)
		}
		record(j, m, last)
	}
}

// record counts a received message in shared memory.
func record(j queueJob, m message, last []int64) {
	if !m.valid(j.Producers, j.MaxSeq) {
		j.Ctl.Add(ctlGarbage, 1)
		return
	}
	j.Recv.Add(int(m.P)*j.MaxSeq+int(m.Seq), 1)
	if last != nil {
		if m.Seq <= last[m.P] {
			j.Ctl.Add(ctlOrderBad, 1)
		}
		last[m.P] = m.Seq
	}
}

func boundedGet(ctx context.Context, j queueJob) (message, error) {
	ctx, cancel := context.WithTimeout(ctx, j.Bound)
	defer cancel()
	m, err := j.Q.Get(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return m, hangError(j.Bound, "Queue.Get (queue length %d of %d)", j.Q.Len(), j.Q.Cap())
	}
	return m, err
}
