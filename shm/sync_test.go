package shm_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// Helpers and handle tests shared by the tests of the synchronisation
// objects (rlock, rwmutex, semaphore, event, condition, barrier).

// syncSegment returns a fresh segment for named objects.
func syncSegment(t *testing.T) *shm.Segment {
	t.Helper()
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	return seg
}

// must returns v, or panics with err: for setting up a test, where an
// error is a broken environment.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// async runs fn in a goroutine and returns the channel its error arrives
// on.
func async(fn func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return done
}

// mustBlock fails the test if done delivers within 30ms: the call it waits
// for must still be blocked.
func mustBlock(t testing.TB, done <-chan error, what string) {
	t.Helper()
	select {
	case err := <-done:
		t.Fatalf("%s returned %v, want it blocked", what, err)
	case <-time.After(30 * time.Millisecond):
	}
}

// mustReturn waits up to 10s for done and returns its error.
func mustReturn(t testing.TB, done <-chan error, what string) error {
	t.Helper()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: not returned within 10s", what)
		return nil
	}
}

// eventually polls cond every millisecond for up to 10s, failing the test
// if it never holds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true within 10s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// roleCtx is the context of a role's blocking calls: a role never waits
// more than 20s.
func roleCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 20*time.Second)
}

type syncObjects struct {
	RL   *shm.RLock
	RW   *shm.RWMutex
	Sem  *shm.Semaphore
	Ev   *shm.Event
	Cond *shm.Condition
	Bar  *shm.Barrier
}

func newSyncObjects(t *testing.T, opts ...shm.Option) syncObjects {
	return syncObjects{
		RL:   must(shm.NewRLock(opts...)),
		RW:   must(shm.NewRWMutex(opts...)),
		Sem:  must(shm.NewBoundedSemaphore(1, opts...)),
		Ev:   must(shm.NewEvent(opts...)),
		Cond: must(shm.NewCondition(opts...)),
		Bar:  must(shm.NewBarrier(1, opts...)),
	}
}

// Handles survive gob, and the decoded copies are the same objects.
func TestSync_Gob_RoundTrip(t *testing.T) {
	for _, name := range []string{"arena", "segment"} {
		t.Run(name, func(t *testing.T) {
			var opts []shm.Option
			if name == "segment" {
				opts = append(opts, shm.In(syncSegment(t)))
			}
			in := newSyncObjects(t, opts...)
			var out syncObjects
			if err := gobRoundTrip(in, &out); err != nil {
				t.Fatal(err)
			}
			tok := shm.NewToken()
			if !out.RL.TryLock(tok) || in.RL.TryLock(shm.NewToken()) {
				t.Fatal("RLock: the decoded copy is not the same lock")
			}
			out.RL.Unlock(tok)
			if !out.RW.TryLock() || in.RW.TryRLock() {
				t.Fatal("RWMutex: the decoded copy is not the same lock")
			}
			in.RW.Unlock()
			if !out.Sem.TryAcquire() || in.Sem.Value() != 0 {
				t.Fatal("Semaphore: the decoded copy is not the same semaphore")
			}
			if n, ok := out.Sem.Bound(); !ok || n != 1 {
				t.Fatalf("Semaphore.Bound of the copy: got (%d, %v), want (1, true)", n, ok)
			}
			out.Ev.Set()
			if !in.Ev.IsSet() {
				t.Fatal("Event: the decoded copy is not the same event")
			}
			if !out.Cond.Mutex().TryLock() || in.Cond.Mutex().TryLock() {
				t.Fatal("Condition: the decoded copy has not the same lock")
			}
			in.Cond.Mutex().Unlock()
			if out.Bar.Parties() != 1 {
				t.Fatalf("Barrier.Parties of the copy: got %d, want 1", out.Bar.Parties())
			}
		})
	}
}

// Every Lookup and UnmarshalBinary refuses an object of another kind.
func TestSync_Lookup_WrongKind(t *testing.T) {
	seg := syncSegment(t)
	v := must(shm.NewValue[int64](0, shm.In(seg), shm.Named("v")))
	vb := must(v.MarshalBinary())
	objs := newSyncObjects(t, shm.In(seg))
	rb := must(objs.RL.MarshalBinary())
	lookups := []struct {
		name      string
		lookup    func() error
		unmarshal func(b []byte) error
	}{
		{"RLock",
			func() error { _, err := shm.LookupRLock(seg, "v"); return err },
			func(b []byte) error { return new(shm.RLock).UnmarshalBinary(b) }},
		{"RWMutex",
			func() error { _, err := shm.LookupRWMutex(seg, "v"); return err },
			func(b []byte) error { return new(shm.RWMutex).UnmarshalBinary(b) }},
		{"Semaphore",
			func() error { _, err := shm.LookupSemaphore(seg, "v"); return err },
			func(b []byte) error { return new(shm.Semaphore).UnmarshalBinary(b) }},
		{"Event",
			func() error { _, err := shm.LookupEvent(seg, "v"); return err },
			func(b []byte) error { return new(shm.Event).UnmarshalBinary(b) }},
		{"Condition",
			func() error { _, err := shm.LookupCondition(seg, "v"); return err },
			func(b []byte) error { return new(shm.Condition).UnmarshalBinary(b) }},
		{"Barrier",
			func() error { _, err := shm.LookupBarrier(seg, "v"); return err },
			func(b []byte) error { return new(shm.Barrier).UnmarshalBinary(b) }},
	}
	for _, tt := range lookups {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.lookup(); !errors.Is(err, shm.ErrType) {
				t.Fatalf("Lookup of a Value: got %v, want ErrType", err)
			}
			if err := tt.unmarshal(vb); !errors.Is(err, shm.ErrType) {
				t.Fatalf("UnmarshalBinary of a Value's handle: got %v, want ErrType", err)
			}
			want := shm.ErrType
			if tt.name == "RLock" {
				want = nil
			}
			if err := tt.unmarshal(rb); !errors.Is(err, want) || (err == nil) != (want == nil) {
				t.Fatalf("UnmarshalBinary of an RLock's handle: got %v, want %v", err, want)
			}
		})
	}
	// A Mutex may name the lock of any object, as for Values.
	if _, err := shm.LookupMutex(seg, "v"); err != nil {
		t.Fatalf("LookupMutex of a Value: got %v, want nil", err)
	}
}

// Named objects are found by name, as the same object.
func TestSync_Lookup_Named(t *testing.T) {
	seg := syncSegment(t)
	ev := must(shm.NewEvent(shm.In(seg), shm.Named("ev")))
	sem := must(shm.NewSemaphore(3, shm.In(seg), shm.Named("sem")))
	if got := must(shm.LookupSemaphore(seg, "sem")).Value(); got != 3 {
		t.Fatalf("LookupSemaphore: Value %d, want 3", got)
	}
	sem.TryAcquire()
	if got := must(shm.LookupSemaphore(seg, "sem")).Value(); got != 2 {
		t.Fatalf("LookupSemaphore after TryAcquire: Value %d, want 2", got)
	}
	ev.Set()
	if !must(shm.LookupEvent(seg, "ev")).IsSet() {
		t.Fatal("LookupEvent: not the event that was set")
	}
	if _, err := shm.LookupBarrier(seg, "nope"); !errors.Is(err, shm.ErrNotExist) {
		t.Fatalf("LookupBarrier of a missing name: got %v, want ErrNotExist", err)
	}
}

func TestSync_Marshal_Zero(t *testing.T) {
	for name, m := range map[string]interface{ MarshalBinary() ([]byte, error) }{
		"RLock": new(shm.RLock), "RWMutex": new(shm.RWMutex), "Semaphore": new(shm.Semaphore),
		"Event": new(shm.Event), "Condition": new(shm.Condition), "Barrier": new(shm.Barrier),
	} {
		if _, err := m.MarshalBinary(); !errors.Is(err, shm.ErrHandle) {
			t.Errorf("MarshalBinary of a zero %s: got %v, want ErrHandle", name, err)
		}
	}
}
