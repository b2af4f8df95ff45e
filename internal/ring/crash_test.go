package ring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/ring"
	"github.com/shmkit/shmkit/shm"
)

// waitFor polls cond until it holds, failing the test after deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(deadline)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("still waiting for %s after %v", what, deadline)
		}
		time.Sleep(time.Millisecond)
	}
}

// A producer killed between claiming a slot and publishing it: a blocked
// Get skips the slot and receives the message put after it.
func TestRing_Crash_Producer(t *testing.T) {
	r, reg := newRing(t, 4, 16)
	p := producer.Command(Work{Reg: reg, ID: 7, N: 1, Stop: true})
	start(t, p)
	waitFor(t, "the child to claim a slot", func() bool { return r.Len() == 1 })
	ctx := ctxT(t)
	if err := r.Put(ctx, msg(1, 1)); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte, 1)
	go func() {
		b, err := r.Get(ctx, nil)
		if err != nil {
			t.Error(err)
		}
		got <- b
	}()
	select { // the claimer lives: the Get waits for it
	case b := <-got:
		t.Fatalf("Get returned %x while the producer holding the head lives", b)
	case <-after(50):
	}
	p.Kill()
	wait(t, p)
	if id, seq := parse(<-got); id != 1 || seq != 1 {
		t.Fatalf("Get after the producer died: got %d/%d, want 1/1", id, seq)
	}
	if r.Recovered() != 1 || r.Len() != 0 {
		t.Fatalf("Recovered %d, Len %d, want 1, 0", r.Recovered(), r.Len())
	}
	// The ring goes on working, through the recovered slot.
	for i := range 10 {
		r.Put(ctx, msg(2, i))
		if b, err := r.Get(ctx, nil); err != nil || string(b) != string(msg(2, i)) {
			t.Fatalf("Get: got %x, %v", b, err)
		}
	}
}

// A consumer killed between claiming a message and releasing its slot: a
// Put blocked on the full ring frees the slot; the dead consumer's message
// is lost, every other one is delivered once.
func TestRing_Crash_Consumer(t *testing.T) {
	r, reg := newRing(t, 2, 16)
	ctx := ctxT(t)
	r.Put(ctx, msg(1, 0))
	r.Put(ctx, msg(1, 1))
	out, err := shm.MakeArray[int32](4)
	if err != nil {
		t.Fatal(err)
	}
	p := consumer.Command(Work{Reg: reg, N: 2, Out: out, Stop: true})
	start(t, p)
	waitFor(t, "the child to claim a message", func() bool { return r.Len() == 1 })
	done := make(chan error, 1)
	go func() { done <- r.Put(ctx, msg(1, 2)) }()
	assertBlocked(t, done) // the slot is held by a live consumer
	p.Kill()
	wait(t, p)
	if err := <-done; err != nil {
		t.Fatalf("Put after the consumer died: %v", err)
	}
	for _, want := range []int{1, 2} {
		b, err := r.Get(ctx, nil)
		if id, seq := parse(b); err != nil || id != 1 || seq != want {
			t.Fatalf("Get: got %d/%d, %v, want 1/%d", id, seq, err, want)
		}
	}
	if r.Recovered() != 1 || r.Len() != 0 || out.Slice()[0] != 0 {
		t.Fatalf("Recovered %d, Len %d, counts %v, want 1, 0, message 0 never counted", r.Recovered(), r.Len(), out.Slice())
	}
}

// A producer killed holding two slots of a batch between two published
// messages: a GetMany stops before them; once they are taken back, the
// next GetMany claims both skipped slots and the message after them in one
// batch, and delivers that message alone.
func TestRing_Crash_ProducerBatchSkipped(t *testing.T) {
	r, reg := newRing(t, 8, 16)
	ctx := ctxT(t)
	if err := r.Put(ctx, msg(1, 0)); err != nil {
		t.Fatal(err)
	}
	p := producer.Command(Work{Reg: reg, ID: 7, N: 2, Batch: 2, Stop: true})
	start(t, p)
	waitFor(t, "the child to claim two slots", func() bool { return r.Len() == 3 })
	if err := r.Put(ctx, msg(1, 3)); err != nil {
		t.Fatal(err)
	}
	p.Kill()
	wait(t, p)
	dst := make([][]byte, 8)
	for i, want := range []int{0, 3} {
		n, err := r.GetMany(ctx, dst)
		if err != nil || n != 1 {
			t.Fatalf("GetMany %d: %d messages, %v; want 1", i, n, err)
		}
		if id, seq := parse(dst[0]); id != 1 || seq != want {
			t.Fatalf("GetMany %d: got %d/%d, want 1/%d", i, id, seq, want)
		}
	}
	if r.Recovered() != 2 || r.Len() != 0 {
		t.Fatalf("Recovered %d, Len %d, want 2, 0", r.Recovered(), r.Len())
	}
}

// Close while a dead producer holds the head: Get skips it, then reports
// ErrClosed instead of waiting for ever.
func TestRing_Crash_ProducerThenClose(t *testing.T) {
	r, reg := newRing(t, 4, 16)
	p := producer.Command(Work{Reg: reg, N: 1, Stop: true})
	start(t, p)
	waitFor(t, "the child to claim a slot", func() bool { return r.Len() == 1 })
	p.Kill()
	wait(t, p)
	r.Close()
	if _, err := r.Get(ctxT(t), nil); !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("Get: got %v, want ErrClosed", err)
	}
}

// A consumer killed in the middle of a batch, holding every slot of a full
// ring: Puts blocked on the ring free the slots one after the other; the
// batch is lost, every message put afterwards is delivered once, in order.
func TestRing_Crash_ConsumerBatch(t *testing.T) {
	const n = 8
	r, reg := newRing(t, n, 16)
	ctx := ctxT(t)
	for i := range n {
		r.Put(ctx, msg(1, i))
	}
	out, err := shm.MakeArray[int32](2 * n)
	if err != nil {
		t.Fatal(err)
	}
	p := consumer.Command(Work{Reg: reg, N: n, Batch: n, Out: out, Stop: true})
	start(t, p)
	waitFor(t, "the child to claim the batch", func() bool { return r.Len() == 0 })
	done := make(chan error, 1)
	go func() {
		for i := range n {
			if err := r.Put(ctx, msg(2, i)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	assertBlocked(t, done) // every slot is held by a live consumer
	p.Kill()
	wait(t, p)
	if err := <-done; err != nil {
		t.Fatalf("Put after the consumer died: %v", err)
	}
	for i := range n {
		b, err := r.Get(ctx, nil)
		if id, seq := parse(b); err != nil || id != 2 || seq != i {
			t.Fatalf("Get: got %d/%d, %v, want 2/%d", id, seq, err, i)
		}
	}
	if r.Recovered() != n || r.Len() != 0 {
		t.Fatalf("Recovered %d, Len %d, want %d, 0", r.Recovered(), r.Len(), n)
	}
	for i, k := range out.Slice() {
		if k != 0 {
			t.Fatalf("message %d counted %d times by the killed consumer", i, k)
		}
	}
}

// A consumer killed while asleep on an empty ring leaves the sleep bit set:
// the next Put makes a needless wake-up call, and the ring goes on.
func TestRing_Crash_ConsumerAsleep(t *testing.T) {
	r, reg := newRing(t, 4, 16)
	out, err := shm.MakeArray[int32](4)
	if err != nil {
		t.Fatal(err)
	}
	p := consumer.Command(Work{Reg: reg, N: 4, Out: out})
	start(t, p)
	waitFor(t, "the child to sleep", func() bool { c, _ := r.Sleepers(); return c == 1 })
	p.Kill()
	wait(t, p)
	ctx := ctxT(t)
	for i := range 3 * r.Cap() {
		if err := r.Put(ctx, msg(5, i)); err != nil {
			t.Fatal(err)
		}
		b, err := r.Get(ctx, nil)
		if id, seq := parse(b); err != nil || id != 5 || seq != i {
			t.Fatalf("Get: got %d/%d, %v, want 5/%d", id, seq, err, i)
		}
	}
}
