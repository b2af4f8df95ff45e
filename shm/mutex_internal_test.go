package shm

import (
	"context"
	"errors"
	"os/exec"
	"sync/atomic"
	"testing"
	"time"
)

// The owner's pid is alive, but its tag says the lock was taken by an
// earlier process with that pid: the owner died and its pid was reused. A
// waiter must recover the lock. With the right tag it must not.
func TestMutex_Lock_PidReused(t *testing.T) {
	cmd := exec.Command("sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Skipf("no sleep program to stand in for a live process: %v", err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pid := cmd.Process.Pid
	_, start, state := procStart(pid)
	if state != procAlive {
		t.Fatalf("procStart(%d): state %d, want alive", pid, state)
	}
	m, err := NewMutex()
	if err != nil {
		t.Fatal(err)
	}

	// Right tag: the owner is alive; the waiter keeps waiting.
	atomic.StoreUint32(&m.w.state, uint32(pid))
	atomic.StoreUint64(&m.w.owner, makeTag(pid, start))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("LockContext on a live owner: got %v, want DeadlineExceeded", err)
	}

	// Wrong start time: a different process holds this pid now.
	atomic.StoreUint64(&m.w.owner, makeTag(pid, start+1))
	ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.LockContext(ctx); !errors.Is(err, ErrOwnerDead) {
		t.Fatalf("LockContext on a reused pid: got %v, want ErrOwnerDead", err)
	}
	m.MarkConsistent()
	m.Unlock()
}

func TestProcStart_Self(t *testing.T) {
	pid, start, state := procStart(0)
	if pid == 0 || start == 0 || state != procAlive {
		t.Fatalf("procStart(0) = (%d, %d, %d), want a live process with a start time", pid, start, state)
	}
	if self.tag != makeTag(pid, start) {
		t.Fatalf("self.tag %x, want %x", self.tag, makeTag(pid, start))
	}
}
