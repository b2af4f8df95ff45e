package shm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

func newMutex(t *testing.T) *shm.Mutex {
	t.Helper()
	m, err := shm.NewMutex()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lockedSegment returns a fresh segment holding mutex "m" and value "n".
func lockedSegment(t *testing.T) (*shm.Segment, *shm.Mutex, *shm.Value[int64]) {
	t.Helper()
	seg, err := shm.NewSegment(64 << 10)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	m, err := shm.NewMutex(shm.In(seg), shm.Named("m"))
	if err != nil {
		t.Fatal(err)
	}
	n, err := shm.NewValue[int64](0, shm.In(seg), shm.Named("n"))
	if err != nil {
		t.Fatal(err)
	}
	return seg, m, n
}

func TestMutex_Lock_Uncontended(t *testing.T) {
	m := newMutex(t)
	if err := m.Lock(); err != nil {
		t.Fatalf("Lock: got %v, want nil", err)
	}
	if got := m.Owner(); got != os.Getpid() {
		t.Fatalf("Owner while locked: got %d, want %d", got, os.Getpid())
	}
	m.Unlock()
	if got := m.Owner(); got != 0 {
		t.Fatalf("Owner after Unlock: got %d, want 0", got)
	}
}

func TestMutex_TryLock(t *testing.T) {
	m := newMutex(t)
	if !m.TryLock() {
		t.Fatal("TryLock of a free mutex: got false, want true")
	}
	if m.TryLock() {
		t.Fatal("TryLock of a held mutex: got true, want false")
	}
	m.Unlock()
	if !m.TryLock() {
		t.Fatal("TryLock after Unlock: got false, want true")
	}
	m.Unlock()
}

// A Lock blocks until the holder unlocks, and not before.
func TestMutex_Lock_BlocksUntilUnlock(t *testing.T) {
	m := newMutex(t)
	m.Lock()
	done := make(chan error, 1)
	go func() { done <- m.Lock() }()
	select {
	case err := <-done:
		t.Fatalf("Lock of a held mutex returned %v before Unlock", err)
	case <-time.After(30 * time.Millisecond):
	}
	m.Unlock()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Lock after Unlock: got %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Lock not granted within 10s of Unlock")
	}
	m.Unlock()
}

func TestMutex_LockContext_Canceled(t *testing.T) {
	m := newMutex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := m.LockContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockContext with a canceled ctx: got %v, want context.Canceled", err)
	}
	if !m.TryLock() { // a canceled LockContext left the mutex free
		t.Fatal("mutex held after a canceled LockContext")
	}
	// Now held: a LockContext that is canceled while it sleeps returns.
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.LockContext(ctx) }()
	time.Sleep(20 * time.Millisecond) // let it sleep; correctness does not depend on it
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("LockContext canceled while waiting: got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("LockContext did not return within 10s of cancel")
	}
	if got := m.Owner(); got != os.Getpid() {
		t.Fatalf("Owner after the waiter gave up: got %d, want %d (still ours)", got, os.Getpid())
	}
	m.Unlock()
}

func TestMutex_Unlock_Unlocked_Panics(t *testing.T) {
	m := newMutex(t)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(fmt.Sprint(r), "Unlock of unlocked Mutex") {
			t.Fatalf("Unlock of an unlocked mutex: recovered %v, want a panic naming the misuse", r)
		}
	}()
	m.Unlock()
}

func TestMutex_Hammer_Goroutines(t *testing.T) {
	m := newMutex(t)
	n, _ := shm.NewValue[int64](0)
	workers, k := 8, 20000
	if testing.Short() {
		k = 2000
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				m.Lock()
				n.Store(n.Load() + 1) // a read-modify-write only the lock makes safe
				m.Unlock()
			}
		}()
	}
	within(t, time.Minute, "hammer", wg.Wait)
	if got, want := n.Load(), int64(workers*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
}

// Two processes and this one hammer one lock; the total is exact.
func TestMutex_Hammer_Processes(t *testing.T) {
	seg, m, n := lockedSegment(t)
	k := 50000
	if testing.Short() {
		k = 5000
	}
	a := startRole(t, seg, "hammer", strconv.Itoa(k))
	b := startRole(t, seg, "hammer", strconv.Itoa(k))
	for range k {
		m.Lock()
		n.Store(n.Load() + 1)
		m.Unlock()
	}
	for _, c := range []*child{a, b} {
		if err := c.wait(t); err != nil {
			t.Fatalf("hammer child: %v", err)
		}
	}
	if got, want := n.Load(), int64(3*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
}

func TestValue_Add_Processes(t *testing.T) {
	seg, _, n := lockedSegment(t)
	k := 100000
	a := startRole(t, seg, "add", strconv.Itoa(k))
	b := startRole(t, seg, "add", strconv.Itoa(k))
	for _, c := range []*child{a, b} {
		if err := c.wait(t); err != nil {
			t.Fatalf("add child: %v", err)
		}
	}
	if got, want := n.Load(), int64(2*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
}

// killHolder starts a child that takes m, and kills it while it holds it.
// With reap, the child is also reaped; without, it stays a zombie, which
// must count as dead too.
func killHolder(t *testing.T, seg *shm.Segment, reap bool) int {
	t.Helper()
	c := startRole(t, seg, "hold")
	c.expect(t, "locked")
	c.cmd.Process.Kill()
	if reap {
		c.wait(t)
	}
	return c.cmd.Process.Pid
}

func TestMutex_Lock_OwnerDead(t *testing.T) {
	for _, reap := range []bool{false, true} {
		t.Run(fmt.Sprintf("reaped=%v", reap), func(t *testing.T) {
			seg, m, _ := lockedSegment(t)
			pid := killHolder(t, seg, reap)
			if got := m.Owner(); got != pid {
				t.Fatalf("Owner after the holder died: got %d, want %d", got, pid)
			}
			var err error
			within(t, 10*time.Second, "Lock of a dead owner's mutex", func() { err = m.Lock() })
			if !errors.Is(err, shm.ErrOwnerDead) {
				t.Fatalf("Lock: got %v, want ErrOwnerDead", err)
			}
			if got := m.Owner(); got != os.Getpid() {
				t.Fatalf("Owner after recovery: got %d, want %d", got, os.Getpid())
			}
			if got := m.Recoveries(); got != 1 {
				t.Fatalf("Recoveries: got %d, want 1", got)
			}
			m.MarkConsistent()
			m.Unlock()
			if err := m.Lock(); err != nil {
				t.Fatalf("Lock after MarkConsistent+Unlock: got %v, want nil", err)
			}
			m.Unlock()
		})
	}
}

// A waiter already asleep when the owner dies recovers the lock.
func TestMutex_Lock_OwnerDiesWhileWaiting(t *testing.T) {
	seg, m, _ := lockedSegment(t)
	c := startRole(t, seg, "hold")
	c.expect(t, "locked")
	done := make(chan error, 1)
	go func() { done <- m.Lock() }()
	select {
	case err := <-done:
		t.Fatalf("Lock returned %v while the owner was alive", err)
	case <-time.After(50 * time.Millisecond):
	}
	c.cmd.Process.Kill()
	select {
	case err := <-done:
		if !errors.Is(err, shm.ErrOwnerDead) {
			t.Fatalf("Lock: got %v, want ErrOwnerDead", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("waiter not given the lock within 10s of the owner's death")
	}
	m.MarkConsistent()
	m.Unlock()
}

func TestMutex_Unlock_WithoutMarkConsistent_NotRecoverable(t *testing.T) {
	seg, m, _ := lockedSegment(t)
	killHolder(t, seg, true)
	var err error
	within(t, 10*time.Second, "Lock", func() { err = m.Lock() })
	if !errors.Is(err, shm.ErrOwnerDead) {
		t.Fatalf("Lock: got %v, want ErrOwnerDead", err)
	}
	m.Unlock() // without MarkConsistent
	if err := m.Lock(); !errors.Is(err, shm.ErrNotRecoverable) {
		t.Fatalf("Lock after an inconsistent Unlock: got %v, want ErrNotRecoverable", err)
	}
	if m.TryLock() {
		t.Fatal("TryLock of an unrecoverable mutex succeeded")
	}
}

// Unlock by a process that does not hold the lock panics with the holder's
// pid.
func TestMutex_Unlock_HeldByOther_Panics(t *testing.T) {
	seg, m, _ := lockedSegment(t)
	c := startRole(t, seg, "hold")
	c.expect(t, "locked")
	want := fmt.Sprintf("held by process %d", c.cmd.Process.Pid)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), want) {
			t.Fatalf("Unlock of another process's lock: recovered %v, want a panic with %q", r, want)
		}
	}()
	m.Unlock()
}

// Value.Update recovers a lock whose owner died: the number is never torn.
func TestValue_Update_OwnerDead(t *testing.T) {
	seg, _, _ := lockedSegment(t)
	v, err := shm.NewValue[int64](41, shm.In(seg), shm.Named("v"))
	if err != nil {
		t.Fatal(err)
	}
	c := startRole(t, seg, "hold", "v")
	c.expect(t, "locked")
	c.cmd.Process.Kill()
	var got int64
	within(t, 10*time.Second, "Update", func() {
		got, err = v.Update(func(x int64) int64 { return x + 1 })
	})
	if err != nil || got != 42 {
		t.Fatalf("Update after the owner died: got (%d, %v), want (42, nil)", got, err)
	}
	if r := v.Mutex().Recoveries(); r != 1 {
		t.Fatalf("Recoveries: got %d, want 1", r)
	}
	if !v.Mutex().TryLock() {
		t.Fatal("Value's lock not free after Update")
	}
	v.Mutex().Unlock()
}
