package shm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleCondWait: lock condition "c", say "waiting", wait until value "n" is
// not 0, say "woken".
func roleCondWait(seg *shm.Segment, args []string) error {
	c, err := shm.LookupCondition(seg, "c")
	if err != nil {
		return err
	}
	n, err := shm.LookupValue[int64](seg, "n")
	if err != nil {
		return err
	}
	ctx, cancel := roleCtx()
	defer cancel()
	if err := c.Mutex().Lock(); err != nil {
		return err
	}
	defer c.Mutex().Unlock()
	fmt.Println("waiting")
	if err := c.WaitFor(ctx, func() bool { return n.Load() != 0 }); err != nil {
		return err
	}
	fmt.Println("woken")
	return nil
}

// condWaiter starts a goroutine that locks c, marks itself in waiting, and
// waits once with ctx; it returns the error of Wait, checking that the lock
// was held again on return.
func condWaiter(c *shm.Condition, ctx context.Context, waiting *atomic.Int32) <-chan error {
	return async(func() error {
		if err := c.Mutex().Lock(); err != nil {
			return err
		}
		waiting.Add(1)
		err := c.Wait(ctx)
		if owner := c.Mutex().Owner(); owner != os.Getpid() {
			return fmt.Errorf("Wait returned %v with the lock held by %d, want this process", err, owner)
		}
		c.Mutex().Unlock()
		return err
	})
}

// awaitWaiters waits until n waiters of condWaiter are inside Wait: they
// mark themselves under the lock and release it only in Wait, so seeing
// the mark under the lock proves it.
func awaitWaiters(t *testing.T, c *shm.Condition, waiting *atomic.Int32, n int32) {
	t.Helper()
	eventually(t, fmt.Sprintf("%d waiters", n), func() bool {
		c.Mutex().Lock()
		defer c.Mutex().Unlock()
		return waiting.Load() == n
	})
}

func locked(c *shm.Condition, fn func()) {
	c.Mutex().Lock()
	defer c.Mutex().Unlock()
	fn()
}

func TestCondition_Notify_WakesN(t *testing.T) {
	c := must(shm.NewCondition())
	var waiting atomic.Int32
	var ws []<-chan error
	for range 4 {
		ws = append(ws, condWaiter(c, context.Background(), &waiting))
	}
	awaitWaiters(t, c, &waiting, 4)
	woken := func() (n int, errs []error) {
		for _, w := range ws {
			select {
			case err := <-w:
				errs = append(errs, err)
			default:
			}
		}
		return len(errs), errs
	}
	for _, w := range ws {
		mustBlock(t, w, "Wait before any Notify")
	}
	locked(c, func() { c.Notify(1) })
	var total int
	eventually(t, "one waiter woken", func() bool {
		n, errs := woken()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		total += n
		return total >= 1
	})
	time.Sleep(30 * time.Millisecond) // no other may wake
	if n, _ := woken(); total+n != 1 {
		t.Fatalf("Notify(1) woke %d waiters, want 1", total+n)
	}
	locked(c, func() { c.Notify(2) })
	eventually(t, "three waiters woken", func() bool { n, _ := woken(); total += n; return total >= 3 })
	time.Sleep(30 * time.Millisecond)
	if n, _ := woken(); total+n != 3 {
		t.Fatalf("Notify(1), Notify(2) woke %d waiters, want 3", total+n)
	}
	locked(c, c.NotifyAll)
	eventually(t, "every waiter woken", func() bool { n, _ := woken(); total += n; return total == 4 })
	locked(c, c.NotifyAll) // nobody waits: nothing happens
}

// A Wait canceled before it is notified returns ctx.Err() with the lock
// held, and its ticket does not swallow a later Notify.
func TestCondition_Wait_Canceled(t *testing.T) {
	c := must(shm.NewCondition())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.Mutex().Lock()
	if err := c.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a done ctx: got %v, want context.Canceled", err)
	}
	if got := c.Mutex().Owner(); got != os.Getpid() {
		t.Fatalf("Owner after Wait with a done ctx: got %d, want %d", got, os.Getpid())
	}
	c.Mutex().Unlock()

	var waiting atomic.Int32
	ctx, cancel = context.WithCancel(context.Background())
	a := condWaiter(c, ctx, &waiting)
	awaitWaiters(t, c, &waiting, 1)
	mustBlock(t, a, "Wait")
	cancel()
	if err := mustReturn(t, a, "canceled Wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait canceled while waiting: got %v, want context.Canceled", err)
	}
	b := condWaiter(c, context.Background(), &waiting)
	awaitWaiters(t, c, &waiting, 2)
	mustBlock(t, b, "Wait")
	locked(c, func() { c.Notify(1) })
	if err := mustReturn(t, b, "Wait after Notify(1) behind a canceled waiter"); err != nil {
		t.Fatal(err)
	}
}

func TestCondition_Misuse_Panics(t *testing.T) {
	c := must(shm.NewCondition())
	tests := []struct {
		name string
		fn   func()
	}{
		{"Wait", func() { c.Wait(context.Background()) }},
		{"Notify", func() { c.Notify(1) }},
		{"NotifyAll", c.NotifyAll},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "Condition." + tt.name + " without holding its lock"
			if r := catchPanic(tt.fn); r == nil || !strings.Contains(fmt.Sprint(r), want) {
				t.Fatalf("recovered %v, want a panic with %q", r, want)
			}
		})
	}
}

// Producers and consumers of a counter of items: every item is consumed
// exactly once.
func TestCondition_Hammer_ProducersConsumers(t *testing.T) {
	c := must(shm.NewCondition())
	items, consumed := must(shm.NewValue[int64](0)), must(shm.NewValue[int64](0))
	producers, consumers, k := 3, 3, 3000
	if testing.Short() {
		k = 300
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, producers+consumers)
	for range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				locked(c, func() {
					items.Add(1)
					c.Notify(1)
				})
			}
		}()
	}
	for range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k { // as many as each producer makes
				c.Mutex().Lock()
				err := c.WaitFor(ctx, func() bool { return items.Load() > 0 })
				if err == nil {
					items.Add(-1)
					consumed.Add(1)
				}
				c.Mutex().Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	within(t, 2*time.Minute, "hammer", wg.Wait)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, want := consumed.Load(), int64(producers*k); got != want || items.Load() != 0 {
		t.Fatalf("consumed %d, %d left, want %d, 0 left", got, items.Load(), want)
	}
}

func TestCondition_Wait_Process(t *testing.T) {
	seg := syncSegment(t)
	c := must(shm.NewCondition(shm.In(seg), shm.Named("c")))
	n := must(shm.NewValue[int64](0, shm.In(seg), shm.Named("n")))
	ch := startRole(t, seg, "cond-wait")
	ch.expect(t, "waiting")
	// The child holds the lock until it waits: once this Lock returns, it
	// waits.
	within(t, 10*time.Second, "Lock", func() { c.Mutex().Lock() })
	n.Store(1)
	c.NotifyAll()
	c.Mutex().Unlock()
	ch.expect(t, "woken")
	if err := ch.wait(t); err != nil {
		t.Fatal(err)
	}
}
