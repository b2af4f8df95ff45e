package futex_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/internal/futex"
)

// waitFor loops on Wait as every caller must, until the word leaves 0.
func waitFor(w *uint32, done chan<- struct{}) {
	for atomic.LoadUint32(w) == 0 {
		futex.Wait(w, 0, -1)
	}
	close(done)
}

func TestWait_BlocksUntilWake(t *testing.T) {
	var w uint32
	done := make(chan struct{})
	go waitFor(&w, done)
	select {
	case <-done:
		t.Fatal("Wait returned while the word still held the value")
	case <-time.After(20 * time.Millisecond):
	}
	atomic.StoreUint32(&w, 1)
	futex.Wake(&w, 1)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("waiter not woken within 10s after the word changed and Wake")
	}
}

func TestWait_ValueDiffers_ReturnsAtOnce(t *testing.T) {
	w := uint32(7)
	done := make(chan struct{})
	go func() { futex.Wait(&w, 6, -1); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait slept although the word did not hold val")
	}
}

func TestWait_Timeout(t *testing.T) {
	var w uint32
	done := make(chan struct{})
	go func() { futex.Wait(&w, 0, time.Millisecond); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait with a 1ms timeout did not return within 10s")
	}
}

func TestWake_ManyWaiters(t *testing.T) {
	var w uint32
	const n = 8
	dones := make([]chan struct{}, n)
	for i := range dones {
		dones[i] = make(chan struct{})
		go waitFor(&w, dones[i])
	}
	time.Sleep(10 * time.Millisecond) // let some of them sleep; correctness does not depend on it
	atomic.StoreUint32(&w, 1)
	futex.Wake(&w, n)
	deadline := time.After(10 * time.Second)
	for i, d := range dones {
		select {
		case <-d:
		case <-deadline:
			t.Fatalf("waiter %d of %d not woken within 10s", i, n)
		}
	}
}

func TestWake_NoWaiters(t *testing.T) {
	var w uint32
	if n := futex.Wake(&w, 1); n != 0 {
		t.Fatalf("Wake with no waiter woke %d, want 0", n)
	}
}
