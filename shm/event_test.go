package shm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleEventWait: say "waiting", wait for event "ev", say "set".
func roleEventWait(seg *shm.Segment, args []string) error {
	ev, err := shm.LookupEvent(seg, "ev")
	if err != nil {
		return err
	}
	ctx, cancel := roleCtx()
	defer cancel()
	fmt.Println("waiting")
	if err := ev.Wait(ctx); err != nil {
		return err
	}
	fmt.Println("set")
	return nil
}

func TestEvent_SetClear(t *testing.T) {
	ev := must(shm.NewEvent())
	if ev.IsSet() {
		t.Fatal("IsSet of a new event: got true, want false")
	}
	ev.Set()
	ev.Set()
	if !ev.IsSet() {
		t.Fatal("IsSet after Set: got false, want true")
	}
	if err := mustReturn(t, async(func() error { return ev.Wait(context.Background()) }), "Wait of a set event"); err != nil {
		t.Fatal(err)
	}
	ev.Clear()
	if ev.IsSet() {
		t.Fatal("IsSet after Clear: got true, want false")
	}
}

func TestEvent_Wait_BlocksUntilSet(t *testing.T) {
	ev := must(shm.NewEvent())
	var waiters []<-chan error
	for range 5 {
		waiters = append(waiters, async(func() error { return ev.Wait(context.Background()) }))
	}
	for _, w := range waiters {
		mustBlock(t, w, "Wait of a clear event")
	}
	ev.Set()
	for _, w := range waiters {
		if err := mustReturn(t, w, "Wait after Set"); err != nil {
			t.Fatal(err)
		}
	}
}

// A Set followed at once by a Clear still ends the waits that were under
// way.
func TestEvent_Wait_SetThenClear(t *testing.T) {
	ev := must(shm.NewEvent())
	w := async(func() error { return ev.Wait(context.Background()) })
	mustBlock(t, w, "Wait of a clear event")
	ev.Set()
	ev.Clear()
	if err := mustReturn(t, w, "Wait after Set and Clear"); err != nil {
		t.Fatal(err)
	}
	w = async(func() error { return ev.Wait(context.Background()) })
	mustBlock(t, w, "Wait begun after the Clear")
	ev.Set()
	if err := mustReturn(t, w, "Wait after Set"); err != nil {
		t.Fatal(err)
	}
}

func TestEvent_Wait_Canceled(t *testing.T) {
	ev := must(shm.NewEvent())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := ev.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a done ctx: got %v, want context.Canceled", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	w := async(func() error { return ev.Wait(ctx) })
	mustBlock(t, w, "Wait of a clear event")
	cancel()
	if err := mustReturn(t, w, "canceled Wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait canceled while waiting: got %v, want context.Canceled", err)
	}
	if ev.IsSet() {
		t.Fatal("IsSet after a canceled Wait: got true, want false")
	}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := mustReturn(t, async(func() error { return ev.Wait(ctx) }), "Wait with a timeout"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait with a timeout: got %v, want DeadlineExceeded", err)
	}
}

func TestEvent_Wait_Process(t *testing.T) {
	seg := syncSegment(t)
	ev := must(shm.NewEvent(shm.In(seg), shm.Named("ev")))
	c := startRole(t, seg, "event-wait")
	c.expect(t, "waiting")
	select {
	case <-c.done:
		t.Fatalf("child exited (%v) before the Set", c.err)
	case <-time.After(30 * time.Millisecond):
	}
	ev.Set()
	c.expect(t, "set")
	if err := c.wait(t); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkEvent_IsSet(b *testing.B) {
	ev, err := shm.NewEvent()
	if err != nil {
		b.Fatal(err)
	}
	ev.Set()
	b.ReportAllocs()
	for b.Loop() {
		if !ev.IsSet() {
			b.Fatal("not set")
		}
	}
}
