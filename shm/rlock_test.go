package shm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleRLockHold: lock RLock "rl" twice with one token, say "locked", then
// wait to be killed.
func roleRLockHold(seg *shm.Segment, args []string) error {
	rl, err := shm.LookupRLock(seg, "rl")
	if err != nil {
		return err
	}
	tok := shm.NewToken()
	for range 2 {
		if err := rl.Lock(context.Background(), tok); err != nil {
			return err
		}
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	return fmt.Errorf("rlock-hold: not killed within a minute")
}

func TestNewToken_Unique(t *testing.T) {
	seen := map[shm.Token]bool{}
	for range 1000 {
		tok := shm.NewToken()
		if tok == 0 || seen[tok] {
			t.Fatalf("NewToken returned %#x twice or zero", tok)
		}
		seen[tok] = true
	}
}

func TestRLock_Lock_Reentrant(t *testing.T) {
	rl := must(shm.NewRLock())
	a, b := shm.NewToken(), shm.NewToken()
	ctx := context.Background()
	for i := range 3 {
		if err := rl.Lock(ctx, a); err != nil {
			t.Fatalf("Lock %d by the holder: got %v, want nil", i+1, err)
		}
	}
	if !rl.TryLock(a) {
		t.Fatal("TryLock by the holder: got false, want true")
	}
	for i := range 4 {
		if rl.TryLock(b) {
			t.Fatalf("TryLock by another token after %d of 4 Unlocks: got true, want false", i)
		}
		if got := rl.Owner(); got != os.Getpid() {
			t.Fatalf("Owner: got %d, want %d", got, os.Getpid())
		}
		rl.Unlock(a)
	}
	if !rl.TryLock(b) {
		t.Fatal("TryLock by another token after the last Unlock: got false, want true")
	}
	rl.Unlock(b)
	if got := rl.Owner(); got != 0 {
		t.Fatalf("Owner when unlocked: got %d, want 0", got)
	}
}

func TestRLock_Lock_BlocksUntilUnlock(t *testing.T) {
	rl := must(shm.NewRLock())
	a, b := shm.NewToken(), shm.NewToken()
	ctx := context.Background()
	rl.Lock(ctx, a)
	rl.Lock(ctx, a)
	done := async(func() error { return rl.Lock(ctx, b) })
	mustBlock(t, done, "Lock by another token")
	rl.Unlock(a)
	mustBlock(t, done, "Lock by another token after 1 of 2 Unlocks")
	rl.Unlock(a)
	if err := mustReturn(t, done, "Lock after the last Unlock"); err != nil {
		t.Fatalf("Lock after the last Unlock: got %v, want nil", err)
	}
	rl.Unlock(b)
}

func TestRLock_Lock_Canceled(t *testing.T) {
	rl := must(shm.NewRLock())
	a, b := shm.NewToken(), shm.NewToken()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := rl.Lock(ctx, a); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock with a done ctx: got %v, want context.Canceled", err)
	}
	if got := rl.Owner(); got != 0 {
		t.Fatalf("Owner after a canceled Lock: got %d, want 0", got)
	}
	rl.Lock(context.Background(), a)
	ctx, cancel = context.WithCancel(context.Background())
	done := async(func() error { return rl.Lock(ctx, b) })
	mustBlock(t, done, "Lock of a held RLock")
	cancel()
	if err := mustReturn(t, done, "canceled Lock"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Lock canceled while waiting: got %v, want context.Canceled", err)
	}
	// Unchanged: a still holds it once.
	if rl.TryLock(b) {
		t.Fatal("TryLock by b after its canceled Lock: got true, want false")
	}
	rl.Unlock(a)
	if !rl.TryLock(b) {
		t.Fatal("TryLock by b after a's Unlock: got false, want true")
	}
	rl.Unlock(b)
}

func TestRLock_Unlock_Misuse_Panics(t *testing.T) {
	rl := must(shm.NewRLock())
	a, b := shm.NewToken(), shm.NewToken()
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"unlocked", func() { rl.Unlock(a) }, "Unlock of unlocked RLock"},
		{"other token", func() {
			rl.Lock(context.Background(), a)
			defer rl.Unlock(a)
			rl.Unlock(b)
		}, "held with another Token"},
		{"zero token", func() { rl.Lock(context.Background(), 0) }, "zero Token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := catchPanic(tt.fn); r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
				t.Fatalf("recovered %v, want a panic with %q", r, tt.want)
			}
		})
	}
}

func TestRLock_Hammer_Goroutines(t *testing.T) {
	rl := must(shm.NewRLock())
	n := must(shm.NewValue[int64](0))
	workers, k := 8, 5000
	if testing.Short() {
		k = 500
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok := shm.NewToken()
			ctx := context.Background()
			for range k {
				rl.Lock(ctx, tok)
				rl.Lock(ctx, tok) // re-entered
				n.Store(n.Load() + 1)
				rl.Unlock(tok)
				n.Store(n.Load() + 1) // still held once
				rl.Unlock(tok)
			}
		}()
	}
	within(t, time.Minute, "hammer", wg.Wait)
	if got, want := n.Load(), int64(2*workers*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
}

// The holder, locked twice, dies: the next Lock gets ErrOwnerDead and
// holds the lock once.
func TestRLock_Lock_OwnerDead(t *testing.T) {
	seg := syncSegment(t)
	rl := must(shm.NewRLock(shm.In(seg), shm.Named("rl")))
	c := startRole(t, seg, "rlock-hold")
	c.expect(t, "locked")
	tok := shm.NewToken()
	done := async(func() error { return rl.Lock(context.Background(), tok) })
	mustBlock(t, done, "Lock of an RLock a live process holds")
	c.cmd.Process.Kill()
	if err := mustReturn(t, done, "Lock after the holder died"); !errors.Is(err, shm.ErrOwnerDead) {
		t.Fatalf("Lock after the holder died: got %v, want ErrOwnerDead", err)
	}
	rl.MarkConsistent(tok)
	rl.Unlock(tok) // once is enough: the dead holder's count is gone
	other := shm.NewToken()
	if !rl.TryLock(other) {
		t.Fatal("TryLock after the recovered lock was unlocked: got false, want true")
	}
	rl.Unlock(other)
}
