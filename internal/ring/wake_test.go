package ring_test

import (
	"context"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/ring"
)

// Every way of putting a message wakes a consumer asleep in Get, and
// every way of taking one wakes a producer asleep in Put, in the call
// itself: the futex word's count has moved by the time the call returns.
// (A sleeper that is not woken still looks again after idleSleep, so a
// missing wake-up shows only here, or as a slow test.)
func TestRing_Wake_Sleepers(t *testing.T) {
	puts := map[string]func(*ring.Ring) error{
		"Put": func(r *ring.Ring) error { return r.Put(context.Background(), msg(1, 1)) },
		"TryPut": func(r *ring.Ring) error {
			_, err := r.TryPut(msg(1, 1))
			return err
		},
		"PutMany": func(r *ring.Ring) error {
			_, err := r.PutMany(context.Background(), [][]byte{msg(1, 1), msg(1, 2)})
			return err
		},
	}
	gets := map[string]func(*ring.Ring) error{
		"Get": func(r *ring.Ring) error {
			_, err := r.Get(context.Background(), nil)
			return err
		},
		"TryGet": func(r *ring.Ring) error {
			_, _, err := r.TryGet(nil)
			return err
		},
		"GetFixed": func(r *ring.Ring) error {
			_, err := r.GetFixed(context.Background(), make([]byte, 16), 16)
			return err
		},
		"GetMany": func(r *ring.Ring) error {
			_, err := r.GetMany(context.Background(), make([][]byte, 4))
			return err
		},
	}
	for name, put := range puts {
		t.Run(name+"WakesGet", func(t *testing.T) {
			r, _ := newRing(t, 4, 16)
			done := make(chan error, 1)
			go func() {
				_, err := r.Get(ctxT(t), nil)
				done <- err
			}()
			waitFor(t, "the Get to sleep", func() bool { c, _ := r.Sleepers(); return c == 1 })
			before, _ := r.WakeCounts()
			if err := put(r); err != nil {
				t.Fatal(err)
			}
			if after, _ := r.WakeCounts(); after == before {
				t.Fatalf("%s returned without waking the sleeping Get", name)
			}
			waitDone(t, done)
		})
	}
	for name, get := range gets {
		t.Run(name+"WakesPut", func(t *testing.T) {
			r, _ := newRing(t, 2, 16)
			for i := range r.Cap() {
				if err := r.Put(ctxT(t), msg(2, i)); err != nil {
					t.Fatal(err)
				}
			}
			done := make(chan error, 1)
			go func() { done <- r.Put(ctxT(t), msg(2, 9)) }()
			waitFor(t, "the Put to sleep", func() bool { _, p := r.Sleepers(); return p == 1 })
			_, before := r.WakeCounts()
			if err := get(r); err != nil {
				t.Fatal(err)
			}
			if _, after := r.WakeCounts(); after == before {
				t.Fatalf("%s returned without waking the sleeping Put", name)
			}
			waitDone(t, done)
		})
	}
}

// waitDone waits for the error of a blocked call that should have
// returned, within the tests' deadline.
func waitDone(t *testing.T, done <-chan error) {
	t.Helper()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(deadline):
		t.Fatalf("the woken call did not return within %v", deadline)
	}
}
