package ring

import (
	"errors"
	"sync/atomic"
	"testing"
)

// Close between a producer's claims and its move of the tail: the
// positions at or beyond the frozen tail are given back, those before it
// are kept and delivered, and then Get reports ErrClosed. The steps of the
// producer are taken one by one, as claimPut takes them.
func TestRing_Close_GivesBackClaimsBeyondTail(t *testing.T) {
	mem := make([]byte, Size(4, 8))
	r, err := Init(mem, 4, 8)
	if err != nil {
		t.Fatal(err)
	}
	// The producer claims positions 0, 1 and 2 with a CAS of each word.
	for p := range uint64(3) {
		if !atomic.CompareAndSwapUint64(&r.slot(p).word, r.word(p, stFree, 0), r.word(p, stPut, r.pid)) {
			t.Fatalf("claim of %d failed", p)
		}
	}
	// Another producer finds 0 claimed and moves the tail past it for the
	// claimer (the CAS claimPut makes); then the ring is closed: the tail
	// freezes at 1.
	if !atomic.CompareAndSwapUint64(&r.h.tail, 0, 1) {
		t.Fatal("the helping move of the tail failed")
	}
	r.Close()
	if m := r.advanceTail(0, 3); m != 1 {
		t.Fatalf("advanceTail kept %d positions, want 1 (those before the frozen tail)", m)
	}
	for p := uint64(1); p < 3; p++ {
		if w := atomic.LoadUint64(&r.slot(p).word); w != r.word(p, stFree, 0) {
			t.Fatalf("slot of %d: word %#x, want it given back (%#x)", p, w, r.word(p, stFree, 0))
		}
	}
	r.slot(0).size = 2
	copy(r.payloadAt(0), "ok")
	publish(r.slot(0), 0)
	if b, ok, err := r.TryGet(nil); !ok || err != nil || string(b) != "ok" {
		t.Fatalf("TryGet: got %q, %v, %v, want the message before the frozen tail", b, ok, err)
	}
	if _, _, err := r.TryGet(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("TryGet after it: got %v, want ErrClosed", err)
	}
	if _, err := r.TryPut([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("TryPut: got %v, want ErrClosed", err)
	}
}

// A producer whose every claim lies at or beyond the frozen tail gets
// ErrClosed and leaves the slots free.
func TestRing_Close_GivesBackWholeClaim(t *testing.T) {
	mem := make([]byte, Size(2, 8))
	r, err := Init(mem, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !atomic.CompareAndSwapUint64(&r.slot(0).word, r.word(0, stFree, 0), r.word(0, stPut, r.pid)) {
		t.Fatal("claim failed")
	}
	r.Close()
	if m := r.advanceTail(0, 1); m != 0 {
		t.Fatalf("advanceTail kept %d positions, want 0", m)
	}
	if w := atomic.LoadUint64(&r.slot(0).word); w != r.word(0, stFree, 0) {
		t.Fatalf("slot 0: word %#x, want it given back", w)
	}
	if _, _, err := r.TryGet(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("TryGet: got %v, want ErrClosed", err)
	}
}
