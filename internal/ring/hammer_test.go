package ring_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/shmkit/shmkit/ipc"
	"github.com/shmkit/shmkit/shm"
)

// hammerSizes returns producers, consumers and messages per producer.
func hammerSizes() (p, c, n int) {
	if testing.Short() {
		return 3, 3, 2000
	}
	return 4, 3, 20000
}

// checkExact fails the test unless every message id/seq of p producers
// of n messages was seen exactly once.
func checkExact(t *testing.T, counts []int32, p, n int) {
	t.Helper()
	bad := 0
	for i, c := range counts {
		if c != 1 {
			if bad < 5 {
				t.Errorf("message %d/%d seen %d times, want 1", i/n, i%n, c)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d messages not seen exactly once", bad, p*n)
	}
}

func TestRing_Hammer_Goroutines(t *testing.T) {
	for _, tc := range []struct {
		name         string
		slots, batch int
	}{{"one at a time", 16, 1}, {"batches", 16, 7}, {"capacity 1", 1, 1}, {"odd slots batches", 5, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			p, c, n := hammerSizes()
			r, _ := newRing(t, tc.slots, 16)
			ctx := ctxT(t)
			counts := make([]int32, p*n)
			var mu sync.Mutex
			var prod, cons sync.WaitGroup
			errs := make(chan error, p+c)
			for id := range p {
				prod.Go(func() {
					if err := produce(ctx, r, id, n, tc.batch); err != nil {
						errs <- err
					}
				})
			}
			for range c {
				cons.Go(func() {
					err := consume(ctx, r, tc.batch, func(id, seq int) {
						mu.Lock()
						defer mu.Unlock()
						if id < 0 || id >= p || seq < 0 || seq >= n {
							errs <- fmt.Errorf("bad message %d/%d", id, seq)
							return
						}
						counts[id*n+seq]++
					})
					if err != nil {
						errs <- err
					}
				})
			}
			prod.Wait()
			r.Close()
			cons.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			checkExact(t, counts, p, n)
		})
	}
}

// With one consumer, each producer's messages arrive in the order put.
func TestRing_Hammer_OrderPerProducer(t *testing.T) {
	p, _, n := hammerSizes()
	r, _ := newRing(t, 8, 16)
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for id := range p {
		wg.Go(func() { produce(ctx, r, id, n, 1+id%3) })
	}
	go func() {
		wg.Wait()
		r.Close()
	}()
	next := make([]int, p)
	err := consume(ctx, r, 4, func(id, seq int) {
		if id < 0 || id >= p || seq != next[id] {
			t.Errorf("got %d/%d, want %d next from producer %d", id, seq, next[max(0, min(id, p-1))], id)
			return
		}
		next[id]++
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, got := range next {
		if got != n {
			t.Fatalf("producer %d: got %d messages, want %d", id, got, n)
		}
	}
}

// Producers and consumers in separate processes: every message arrives
// exactly once.
func TestRing_Hammer_Processes(t *testing.T) {
	for _, batch := range []int{1, 8} {
		t.Run(fmt.Sprint("batch ", batch), func(t *testing.T) {
			p, c, n := hammerSizes()
			_, reg := newRing(t, 64, 16)
			out, err := shm.MakeArray[int32](p * n)
			if err != nil {
				t.Fatal(err)
			}
			var prods, conss []*ipc.Process
			for id := range p {
				pr := producer.Command(Work{Reg: reg, ID: id, N: n, Batch: batch})
				start(t, pr)
				prods = append(prods, pr)
			}
			for range c {
				co := consumer.Command(Work{Reg: reg, N: n, Batch: batch, Out: out})
				start(t, co)
				conss = append(conss, co)
			}
			for _, pr := range prods {
				if err := wait(t, pr); err != nil {
					t.Fatalf("producer: %v", err)
				}
			}
			r := attach(t, reg)
			r.Close()
			for _, co := range conss {
				if err := wait(t, co); err != nil {
					t.Fatalf("consumer: %v", err)
				}
			}
			checkExact(t, out.Slice(), p, n)
		})
	}
}
