package shm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleSemAcquire: say "waiting", acquire semaphore "s", say "acquired".
func roleSemAcquire(seg *shm.Segment, args []string) error {
	s, err := shm.LookupSemaphore(seg, "s")
	if err != nil {
		return err
	}
	ctx, cancel := roleCtx()
	defer cancel()
	fmt.Println("waiting")
	if err := s.Acquire(ctx); err != nil {
		return err
	}
	fmt.Println("acquired")
	return nil
}

// roleSemHammer K: K times, acquire "s", count this holder in value "in"
// and the most holders seen in "max", release.
func roleSemHammer(seg *shm.Segment, args []string) error {
	k, _ := strconv.Atoi(args[0])
	s, err := shm.LookupSemaphore(seg, "s")
	if err != nil {
		return err
	}
	in, err := shm.LookupValue[int64](seg, "in")
	if err != nil {
		return err
	}
	most, err := shm.LookupValue[int64](seg, "max")
	if err != nil {
		return err
	}
	ctx, cancel := roleCtx()
	defer cancel()
	for range k {
		if err := semHold(ctx, s, in, most); err != nil {
			return err
		}
	}
	return nil
}

// semHold acquires s, counts itself in in and raises most to the holders
// seen, and releases s.
func semHold(ctx context.Context, s *shm.Semaphore, in, most *shm.Value[int64]) error {
	if err := s.Acquire(ctx); err != nil {
		return err
	}
	n := in.Add(1)
	for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
	}
	runtime.Gosched() // let others try to come in
	in.Add(-1)
	return s.Release()
}

func TestNewSemaphore_Count(t *testing.T) {
	for _, n := range []int{-1, math.MaxInt32 + 1} {
		if _, err := shm.NewSemaphore(n); !errors.Is(err, shm.ErrCount) {
			t.Errorf("NewSemaphore(%d): got %v, want ErrCount", n, err)
		}
		if _, err := shm.NewBoundedSemaphore(n); !errors.Is(err, shm.ErrCount) {
			t.Errorf("NewBoundedSemaphore(%d): got %v, want ErrCount", n, err)
		}
	}
}

func TestSemaphore_TryAcquire(t *testing.T) {
	s := must(shm.NewSemaphore(2))
	if _, bounded := s.Bound(); bounded {
		t.Fatal("Bound of NewSemaphore: bounded, want unbounded")
	}
	for i := range 2 {
		if !s.TryAcquire() {
			t.Fatalf("TryAcquire %d of 2: got false, want true", i+1)
		}
	}
	if s.TryAcquire() {
		t.Fatal("TryAcquire of an empty semaphore: got true, want false")
	}
	if got := s.Value(); got != 0 {
		t.Fatalf("Value: got %d, want 0", got)
	}
	for range 3 { // beyond the initial value: fine without a bound
		if err := s.Release(); err != nil {
			t.Fatalf("Release: got %v, want nil", err)
		}
	}
	if got := s.Value(); got != 3 {
		t.Fatalf("Value: got %d, want 3", got)
	}
}

func TestBoundedSemaphore_Release_Overflow(t *testing.T) {
	s := must(shm.NewBoundedSemaphore(2))
	if n, ok := s.Bound(); !ok || n != 2 {
		t.Fatalf("Bound: got (%d, %v), want (2, true)", n, ok)
	}
	if err := s.Release(); !errors.Is(err, shm.ErrSemaphoreOverflow) {
		t.Fatalf("Release of a full bounded semaphore: got %v, want ErrSemaphoreOverflow", err)
	}
	if got := s.Value(); got != 2 {
		t.Fatalf("Value after the refused Release: got %d, want 2", got)
	}
	s.TryAcquire()
	if err := s.Release(); err != nil {
		t.Fatalf("Release after an Acquire: got %v, want nil", err)
	}
	if err := s.Release(); !errors.Is(err, shm.ErrSemaphoreOverflow) {
		t.Fatalf("second Release: got %v, want ErrSemaphoreOverflow", err)
	}
	zero := must(shm.NewBoundedSemaphore(0))
	if err := zero.Release(); !errors.Is(err, shm.ErrSemaphoreOverflow) {
		t.Fatalf("Release of a BoundedSemaphore(0): got %v, want ErrSemaphoreOverflow", err)
	}
}

func TestSemaphore_Acquire_BlocksUntilRelease(t *testing.T) {
	s := must(shm.NewSemaphore(0))
	ctx := context.Background()
	a, b := async(func() error { return s.Acquire(ctx) }), async(func() error { return s.Acquire(ctx) })
	mustBlock(t, a, "Acquire of an empty semaphore")
	mustBlock(t, b, "Acquire of an empty semaphore")
	s.Release()
	var second <-chan error
	select {
	case err := <-a:
		second = b
		if err != nil {
			t.Fatal(err)
		}
	case err := <-b:
		second = a
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no Acquire returned within 10s of a Release")
	}
	mustBlock(t, second, "the other Acquire after one Release")
	s.Release()
	if err := mustReturn(t, second, "Acquire after the second Release"); err != nil {
		t.Fatal(err)
	}
	if got := s.Value(); got != 0 {
		t.Fatalf("Value: got %d, want 0", got)
	}
}

func TestSemaphore_Acquire_Canceled(t *testing.T) {
	s := must(shm.NewSemaphore(0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.Acquire(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire with a done ctx: got %v, want context.Canceled", err)
	}
	s.Release() // even with a permit free, a done ctx wins
	if err := s.Acquire(ctx); !errors.Is(err, context.Canceled) || s.Value() != 1 {
		t.Fatalf("Acquire with a done ctx and a free permit: got %v, Value %d, want context.Canceled, 1", err, s.Value())
	}
	s.TryAcquire()
	ctx, cancel = context.WithCancel(context.Background())
	done := async(func() error { return s.Acquire(ctx) })
	mustBlock(t, done, "Acquire of an empty semaphore")
	cancel()
	if err := mustReturn(t, done, "canceled Acquire"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Acquire canceled while waiting: got %v, want context.Canceled", err)
	}
	s.Release()
	if got := s.Value(); got != 1 {
		t.Fatalf("Value after the canceled Acquire and a Release: got %d, want 1", got)
	}
}

func TestSemaphore_Hammer_Goroutines(t *testing.T) {
	const permits = 3
	s := must(shm.NewBoundedSemaphore(permits))
	in, most, total := must(shm.NewValue[int64](0)), must(shm.NewValue[int64](0)), must(shm.NewValue[int64](0))
	workers, k := 8, 5000
	if testing.Short() {
		k = 500
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				if err := semHold(context.Background(), s, in, most); err != nil {
					errs <- err
					return
				}
				total.Add(1)
			}
		}()
	}
	within(t, time.Minute, "hammer", wg.Wait)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, want := total.Load(), int64(workers*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
	t.Logf("at most %d holders at once", most.Load())
	if m := most.Load(); m > permits || m < 1 {
		t.Fatalf("most holders at once: got %d, want 1..%d", m, permits)
	}
	if got := s.Value(); got != permits {
		t.Fatalf("Value at the end: got %d, want %d", got, permits)
	}
}

func TestSemaphore_Hammer_Processes(t *testing.T) {
	const permits = 2
	seg := syncSegment(t)
	s := must(shm.NewSemaphore(permits, shm.In(seg), shm.Named("s")))
	in := must(shm.NewValue[int64](0, shm.In(seg), shm.Named("in")))
	most := must(shm.NewValue[int64](0, shm.In(seg), shm.Named("max")))
	k := 20000
	if testing.Short() {
		k = 2000
	}
	var cs []*child
	for range 3 {
		cs = append(cs, startRole(t, seg, "sem-hammer", strconv.Itoa(k)))
	}
	for range k {
		if err := semHold(context.Background(), s, in, most); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range cs {
		if err := c.wait(t); err != nil {
			t.Fatalf("sem-hammer child: %v", err)
		}
	}
	if m := most.Load(); m > permits {
		t.Fatalf("most holders at once: got %d, want at most %d", m, permits)
	}
	if got := s.Value(); got != permits {
		t.Fatalf("Value at the end: got %d, want %d", got, permits)
	}
}

// A child blocks in Acquire until this process releases.
func TestSemaphore_Acquire_Process(t *testing.T) {
	seg := syncSegment(t)
	s := must(shm.NewSemaphore(0, shm.In(seg), shm.Named("s")))
	c := startRole(t, seg, "sem-acquire")
	c.expect(t, "waiting")
	select {
	case <-c.done:
		t.Fatalf("child exited (%v) before the Release", c.err)
	case <-time.After(30 * time.Millisecond):
	}
	s.Release()
	c.expect(t, "acquired")
	if err := c.wait(t); err != nil {
		t.Fatal(err)
	}
	if got := s.Value(); got != 0 {
		t.Fatalf("Value: got %d, want 0", got)
	}
}

func BenchmarkSemaphore_AcquireRelease(b *testing.B) {
	s, err := shm.NewSemaphore(1)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		s.Acquire(ctx)
		s.Release()
	}
}
