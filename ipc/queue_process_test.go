package ipc_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

func afterMs(ms int) <-chan time.Time { return time.After(time.Duration(ms) * time.Millisecond) }

// QueueWork is the argument of the queue children.
type QueueWork struct {
	Q     *ipc.Queue[[2]int64]
	ID, N int
	Out   *shm.Array[int32] // consumers count message id/seq at id*N+seq
	Batch int
}

var (
	queueProducer = ipc.Register("queue-producer", func(ctx context.Context, w QueueWork) error {
		if w.Batch > 1 {
			vs := make([][2]int64, 0, w.Batch)
			for seq := 0; seq < w.N; {
				vs = vs[:0]
				for ; seq < w.N && len(vs) < w.Batch; seq++ {
					vs = append(vs, [2]int64{int64(w.ID), int64(seq)})
				}
				if _, err := w.Q.PutMany(ctx, vs); err != nil {
					return err
				}
			}
			return nil
		}
		for seq := range w.N {
			if err := w.Q.Put(ctx, [2]int64{int64(w.ID), int64(seq)}); err != nil {
				return err
			}
		}
		return nil
	})
	queueConsumer = ipc.Register("queue-consumer", func(ctx context.Context, w QueueWork) error {
		dst := make([][2]int64, max(w.Batch, 1))
		for {
			n, err := w.Q.GetMany(ctx, dst)
			if errors.Is(err, ipc.ErrClosed) {
				return nil
			}
			if err != nil {
				return err
			}
			for _, v := range dst[:n] {
				w.Out.Add(int(v[0])*w.N+int(v[1]), 1)
			}
		}
	})
	// greeter puts a greeting for each name into a queue of strings.
	greeter = ipc.Register("queue-greeter", func(ctx context.Context, a GreetArgs) error {
		for _, name := range a.Names {
			if err := a.Q.Put(ctx, "hello "+name); err != nil {
				return err
			}
		}
		return nil
	})
)

// GreetArgs is the argument of greeter.
type GreetArgs struct {
	Q     *ipc.Queue[string]
	Names []string
}

// A Queue passed to a child as an argument: the child puts, the parent gets.
func TestQueue_Child_PutsParentGets(t *testing.T) {
	q, err := ipc.NewQueue[string](2) // fewer slots than messages: the child waits for the parent
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"ann", "bob", "cy", "dee"}
	p := greeter.Command(GreetArgs{Q: q, Names: names})
	start(t, p)
	for _, name := range names {
		v, err := q.Get(ctxQ(t))
		if err != nil || v != "hello "+name {
			t.Fatalf("Get: got %q, %v, want %q", v, err, "hello "+name)
		}
	}
	if err := wait(t, p); err != nil {
		t.Fatal(err)
	}
}

// Producers and consumers as processes: every message arrives exactly once.
func TestQueue_Hammer_Processes(t *testing.T) {
	for _, batch := range []int{1, 16} {
		t.Run(fmt.Sprint("batch ", batch), func(t *testing.T) {
			const p, c = 3, 2
			n := 20000
			if testing.Short() {
				n = 2000
			}
			q, err := ipc.NewQueue[[2]int64](64)
			if err != nil {
				t.Fatal(err)
			}
			out, err := shm.MakeArray[int32](p * n)
			if err != nil {
				t.Fatal(err)
			}
			var prods, conss []*ipc.Process
			for id := range p {
				pr := queueProducer.Command(QueueWork{Q: q, ID: id, N: n, Batch: batch})
				start(t, pr)
				prods = append(prods, pr)
			}
			for range c {
				co := queueConsumer.Command(QueueWork{Q: q, N: n, Out: out, Batch: batch})
				start(t, co)
				conss = append(conss, co)
			}
			for _, pr := range prods {
				if err := wait(t, pr); err != nil {
					t.Fatalf("producer: %v", err)
				}
			}
			q.Close()
			for _, co := range conss {
				if err := wait(t, co); err != nil {
					t.Fatalf("consumer: %v", err)
				}
			}
			for i, k := range out.Slice() {
				if k != 1 {
					t.Fatalf("message %d/%d received %d times, want 1", i/n, i%n, k)
				}
			}
		})
	}
}

// A consumer process killed while the queue is in use: the parent's Puts
// and Gets go on.
func TestQueue_KilledConsumer_DoesNotHang(t *testing.T) {
	const n = 1000
	q, err := ipc.NewQueue[[2]int64](4)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := shm.MakeArray[int32](n)
	p := queueConsumer.Command(QueueWork{Q: q, N: n, Out: out, Batch: 1})
	start(t, p)
	ctx := ctxQ(t)
	for i := range n {
		if err := q.Put(ctx, [2]int64{0, int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	p.Kill()
	wait(t, p)
	checkAfterKilledConsumer(t, q, out, n)
}

// A consumer process killed before it took anything from a full queue (as
// the consumer of TestQueue_KilledConsumer_DoesNotHang may be, on a loaded
// machine, when the last Put fills the queue just before the kill): it held
// no slot, and the messages are still there for the parent to take.
func TestQueue_KilledIdleConsumer_FullQueue(t *testing.T) {
	q, err := ipc.NewQueue[[2]int64](4)
	if err != nil {
		t.Fatal(err)
	}
	n := q.Cap()
	out, _ := shm.MakeArray[int32](n)
	ctx := ctxQ(t)
	for i := range n {
		if err := q.Put(ctx, [2]int64{0, int64(i)}); err != nil {
			t.Fatal(err)
		}
	}
	p := queueIdle.Command(QueueWork{Q: q, N: n, Out: out})
	start(t, p)
	p.Kill()
	wait(t, p)
	checkAfterKilledConsumer(t, q, out, n)
}

// queueIdle holds a queue and takes nothing from it.
var queueIdle = ipc.Register("queue-idle", func(ctx context.Context, w QueueWork) error {
	<-ctx.Done()
	return nil
})

// checkAfterKilledConsumer checks a queue into which messages {0, 0} to
// {0, n-1} were put, in order, for a consumer (counting them in out) that
// has been killed and reaped: the messages it never took are still in the
// queue, in order, at most the one it held when it died is lost, none is
// seen twice; and the queue goes on working, through whatever slot the
// consumer died holding, which is recovered, or the Puts would block.
func checkAfterKilledConsumer(t *testing.T, q *ipc.Queue[[2]int64], out *shm.Array[int32], n int) {
	t.Helper()
	ctx := ctxQ(t)
	// The queue may be full of messages the consumer never took: take them
	// first, or the Puts below would wait for a consumer that is gone.
	seen := append([]int32(nil), out.Slice()...)
	next := -1
	for {
		v, ok, err := q.TryGet()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		if v[0] != 0 || v[1] < 0 || int(v[1]) >= n || int(v[1]) <= next {
			t.Fatalf("left in the queue: %v after %d", v, next)
		}
		next = int(v[1])
		seen[next]++
	}
	lost := 0
	for i, k := range seen {
		switch {
		case k > 1:
			t.Fatalf("message %d seen %d times", i, k)
		case k == 0:
			lost++
		}
	}
	if lost > 1 {
		t.Fatalf("%d messages lost, want at most the one the consumer held", lost)
	}
	// Go round every slot twice.
	for i := range 2 * q.Cap() {
		if err := q.Put(ctx, [2]int64{1, int64(i)}); err != nil {
			t.Fatal(err)
		}
		v, err := q.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != [2]int64{1, int64(i)} {
			t.Fatalf("Get: got %v, want %v", v, [2]int64{1, int64(i)})
		}
	}
}
