package ring_test

import (
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/ring"
)

func after(ms int) <-chan time.Time { return time.After(time.Duration(ms) * time.Millisecond) }

// The close protocol, step by step: a Get blocked on an empty ring wakes on
// Close with ErrClosed; Put after Close fails; Get drains what was put
// before Close, then fails.
func TestRing_Close_Script(t *testing.T) {
	r, _ := newRing(t, 4, 8)
	ctx := ctxT(t)

	// Step 1: two Gets block on the empty ring.
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, err := r.Get(ctx, nil)
			done <- err
		}()
	}
	assertBlocked(t, done)

	// Step 2: Close wakes both, with ErrClosed.
	r.Close()
	for range 2 {
		if err := <-done; !errors.Is(err, ring.ErrClosed) {
			t.Fatalf("blocked Get after Close: got %v, want ErrClosed", err)
		}
	}
	if !r.Closed() {
		t.Fatal("Closed() = false after Close")
	}

	// Step 3: Put after Close fails, and puts nothing.
	if err := r.Put(ctx, []byte("x")); !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("Put after Close: got %v, want ErrClosed", err)
	}
	if ok, err := r.TryPut([]byte("x")); ok || !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("TryPut after Close: got %v, %v, want ErrClosed", ok, err)
	}
	if r.Len() != 0 {
		t.Fatalf("Len %d after a refused Put", r.Len())
	}
}

func TestRing_Close_DrainsThenFails(t *testing.T) {
	r, _ := newRing(t, 4, 8)
	ctx := ctxT(t)
	for _, s := range []string{"a", "b", "c"} {
		if err := r.Put(ctx, []byte(s)); err != nil {
			t.Fatal(err)
		}
	}
	r.Close()
	r.Close() // twice is fine
	for _, want := range []string{"a", "b", "c"} {
		if b, err := r.Get(ctx, nil); err != nil || string(b) != want {
			t.Fatalf("Get after Close: got %q, %v, want %q", b, err, want)
		}
	}
	if _, err := r.Get(ctx, nil); !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("Get of a drained closed ring: got %v, want ErrClosed", err)
	}
	if _, ok, err := r.TryGet(nil); ok || !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("TryGet of a drained closed ring: got %v, %v, want ErrClosed", ok, err)
	}
	if n, err := r.GetMany(ctx, make([][]byte, 4)); n != 0 || !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("GetMany of a drained closed ring: got %d, %v", n, err)
	}
}

// A Put blocked on a full ring wakes on Close with ErrClosed, and the
// message it was waiting to put is not in the ring.
func TestRing_Close_WakesBlockedPut(t *testing.T) {
	r, _ := newRing(t, 1, 8)
	ctx := ctxT(t)
	r.Put(ctx, []byte("a"))
	done := make(chan error, 1)
	go func() { done <- r.Put(ctx, []byte("b")) }()
	assertBlocked(t, done)
	r.Close()
	if err := <-done; !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("blocked Put after Close: got %v, want ErrClosed", err)
	}
	if b, err := r.Get(ctx, nil); err != nil || string(b) != "a" {
		t.Fatalf("Get: got %q, %v, want a", b, err)
	}
	if _, err := r.Get(ctx, nil); !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("Get: got %v, want ErrClosed", err)
	}
}

// A Close seen through another view of the same memory (as another
// process sees it) wakes this view's sleepers.
func TestRing_Close_OtherView(t *testing.T) {
	r, reg := newRing(t, 2, 8)
	other, err := ring.Attach(reg.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Get(ctxT(t), nil)
		done <- err
	}()
	assertBlocked(t, done)
	other.Close()
	if err := <-done; !errors.Is(err, ring.ErrClosed) {
		t.Fatalf("got %v, want ErrClosed", err)
	}
}
