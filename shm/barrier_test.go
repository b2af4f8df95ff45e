package shm_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleBarrier: wait at barrier "b", then say "passed", or the error.
func roleBarrier(seg *shm.Segment, args []string) error {
	b, err := shm.LookupBarrier(seg, "b")
	if err != nil {
		return err
	}
	ctx, cancel := roleCtx()
	defer cancel()
	if _, err := b.Wait(ctx); err != nil {
		fmt.Println("error:", err)
		return nil
	}
	fmt.Println("passed")
	return nil
}

func barrierWait(b *shm.Barrier, ctx context.Context) <-chan error {
	return async(func() error { _, err := b.Wait(ctx); return err })
}

func TestNewBarrier_Parties(t *testing.T) {
	for _, n := range []int{0, -1, math.MaxInt32 + 1} {
		if _, err := shm.NewBarrier(n); !errors.Is(err, shm.ErrCount) {
			t.Errorf("NewBarrier(%d): got %v, want ErrCount", n, err)
		}
	}
	b := must(shm.NewBarrier(1))
	for range 3 {
		if i, err := b.Wait(context.Background()); i != 0 || err != nil {
			t.Fatalf("Wait of a 1-party barrier: got (%d, %v), want (0, nil)", i, err)
		}
	}
}

func TestBarrier_Wait_BlocksUntilLast(t *testing.T) {
	b := must(shm.NewBarrier(3))
	if b.Parties() != 3 || b.Waiting() != 0 {
		t.Fatalf("Parties, Waiting: got %d, %d, want 3, 0", b.Parties(), b.Waiting())
	}
	w1 := barrierWait(b, context.Background())
	eventually(t, "one waiting", func() bool { return b.Waiting() == 1 })
	w2 := barrierWait(b, context.Background())
	eventually(t, "two waiting", func() bool { return b.Waiting() == 2 })
	mustBlock(t, w1, "Wait of 1 of 3")
	mustBlock(t, w2, "Wait of 2 of 3")
	i, err := b.Wait(context.Background())
	if i != 2 || err != nil {
		t.Fatalf("Wait of the last party: got (%d, %v), want (2, nil)", i, err)
	}
	for _, w := range []<-chan error{w1, w2} {
		if err := mustReturn(t, w, "Wait after the last arrived"); err != nil {
			t.Fatal(err)
		}
	}
	if b.Waiting() != 0 || b.Broken() {
		t.Fatalf("Waiting, Broken after a generation: got %d, %v, want 0, false", b.Waiting(), b.Broken())
	}
}

// Parties goroutines pass many generations: in each, the indices are
// 0..parties-1, and nobody passes before everyone arrived.
func TestBarrier_Wait_Generations(t *testing.T) {
	const parties = 4
	rounds := 300
	if testing.Short() {
		rounds = 30
	}
	b := must(shm.NewBarrier(parties))
	var (
		mu      sync.Mutex
		seen    = make([][parties]int, rounds)
		arrived = make([]int, rounds)
		early   int
	)
	var wg sync.WaitGroup
	errs := make(chan error, parties)
	for range parties {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				mu.Lock()
				arrived[r]++
				mu.Unlock()
				i, err := b.Wait(context.Background())
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				if arrived[r] != parties {
					early++
				}
				seen[r][i]++
				mu.Unlock()
			}
		}()
	}
	within(t, time.Minute, "generations", wg.Wait)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if early != 0 {
		t.Fatalf("%d Waits returned before every party arrived", early)
	}
	for r, s := range seen {
		if s != [parties]int{1, 1, 1, 1} {
			t.Fatalf("round %d: indices seen %v times, want each once", r, s)
		}
	}
}

func TestBarrier_Abort(t *testing.T) {
	b := must(shm.NewBarrier(3))
	w1, w2 := barrierWait(b, context.Background()), barrierWait(b, context.Background())
	eventually(t, "two waiting", func() bool { return b.Waiting() == 2 })
	b.Abort()
	for _, w := range []<-chan error{w1, w2} {
		if err := mustReturn(t, w, "Wait after Abort"); !errors.Is(err, shm.ErrBrokenBarrier) {
			t.Fatalf("Wait after Abort: got %v, want ErrBrokenBarrier", err)
		}
	}
	if _, err := b.Wait(context.Background()); !errors.Is(err, shm.ErrBrokenBarrier) || !b.Broken() {
		t.Fatalf("Wait of a broken barrier: got %v, Broken %v, want ErrBrokenBarrier, true", err, b.Broken())
	}
	b.Reset()
	if b.Broken() || b.Waiting() != 0 {
		t.Fatal("Reset: barrier still broken or with waiters")
	}
	checkGeneration(t, b, 3)
}

// checkGeneration passes one generation of b with parties goroutines.
func checkGeneration(t *testing.T, b *shm.Barrier, parties int) {
	t.Helper()
	var ws []<-chan error
	for range parties {
		ws = append(ws, barrierWait(b, context.Background()))
	}
	for _, w := range ws {
		if err := mustReturn(t, w, "Wait"); err != nil {
			t.Fatalf("Wait: got %v, want nil", err)
		}
	}
}

func TestBarrier_Reset_WhileWaiting(t *testing.T) {
	b := must(shm.NewBarrier(2))
	w := barrierWait(b, context.Background())
	eventually(t, "one waiting", func() bool { return b.Waiting() == 1 })
	b.Reset()
	if err := mustReturn(t, w, "Wait at Reset"); !errors.Is(err, shm.ErrBrokenBarrier) {
		t.Fatalf("Wait at Reset: got %v, want ErrBrokenBarrier", err)
	}
	if b.Broken() {
		t.Fatal("Broken after Reset: got true, want false")
	}
	checkGeneration(t, b, 2)
}

// A Wait whose ctx ends returns ctx.Err() and breaks the barrier for the
// others; a Wait with a ctx done already changes nothing.
func TestBarrier_Wait_Canceled(t *testing.T) {
	b := must(shm.NewBarrier(3))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a done ctx: got %v, want context.Canceled", err)
	}
	if b.Waiting() != 0 || b.Broken() {
		t.Fatalf("after Wait with a done ctx: Waiting %d, Broken %v, want 0, false", b.Waiting(), b.Broken())
	}
	ctx, cancel = context.WithCancel(context.Background())
	other := barrierWait(b, context.Background())
	eventually(t, "one waiting", func() bool { return b.Waiting() == 1 })
	mine := barrierWait(b, ctx)
	eventually(t, "two waiting", func() bool { return b.Waiting() == 2 })
	mustBlock(t, mine, "Wait of 2 of 3")
	cancel()
	if err := mustReturn(t, mine, "canceled Wait"); !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled Wait: got %v, want context.Canceled", err)
	}
	if err := mustReturn(t, other, "the other Wait"); !errors.Is(err, shm.ErrBrokenBarrier) {
		t.Fatalf("the other Wait: got %v, want ErrBrokenBarrier", err)
	}
	b.Reset()
	checkGeneration(t, b, 3)
}

// Parties in two processes pass the barrier together.
func TestBarrier_Wait_Process(t *testing.T) {
	seg := syncSegment(t)
	b := must(shm.NewBarrier(3, shm.In(seg), shm.Named("b")))
	c1 := startRole(t, seg, "barrier")
	c2 := startRole(t, seg, "barrier")
	eventually(t, "two children waiting", func() bool { return b.Waiting() == 2 })
	if _, err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*child{c1, c2} {
		c.expect(t, "passed")
		if err := c.wait(t); err != nil {
			t.Fatal(err)
		}
	}
}

// A party process killed while others wait breaks the barrier instead of
// hanging them.
func TestBarrier_Wait_PartyKilled(t *testing.T) {
	for _, reap := range []bool{false, true} {
		t.Run(fmt.Sprintf("reaped=%v", reap), func(t *testing.T) {
			seg := syncSegment(t)
			b := must(shm.NewBarrier(3, shm.In(seg), shm.Named("b")))
			c := startRole(t, seg, "barrier")
			eventually(t, "the child waiting", func() bool { return b.Waiting() == 1 })
			w := barrierWait(b, context.Background())
			eventually(t, "two waiting", func() bool { return b.Waiting() == 2 })
			mustBlock(t, w, "Wait of 2 of 3")
			c.cmd.Process.Kill()
			if reap {
				c.wait(t)
			}
			if err := mustReturn(t, w, "Wait after a party died"); !errors.Is(err, shm.ErrBrokenBarrier) {
				t.Fatalf("Wait after a party died: got %v, want ErrBrokenBarrier", err)
			}
			if _, err := b.Wait(context.Background()); !errors.Is(err, shm.ErrBrokenBarrier) {
				t.Fatalf("later Wait: got %v, want ErrBrokenBarrier", err)
			}
			b.Reset()
			checkGeneration(t, b, 3)
		})
	}
}
