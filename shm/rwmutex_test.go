package shm_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shmkit/shmkit/shm"
)

// roleRWHold MODE: lock RWMutex "rw" for writing (MODE "w") or reading
// ("r"), say "locked", then wait to be killed.
func roleRWHold(seg *shm.Segment, args []string) error {
	rw, err := shm.LookupRWMutex(seg, "rw")
	if err != nil {
		return err
	}
	if args[0] == "w" {
		err = rw.Lock()
	} else {
		err = rw.RLock()
	}
	if err != nil {
		return err
	}
	fmt.Println("locked")
	time.Sleep(time.Minute)
	return fmt.Errorf("rw-hold: not killed within a minute")
}

// roleRWHammer K: K times, increment value "n" under the write lock, and
// check under a read lock that n does not change while read.
func roleRWHammer(seg *shm.Segment, args []string) error {
	k, _ := strconv.Atoi(args[0])
	rw, err := shm.LookupRWMutex(seg, "rw")
	if err != nil {
		return err
	}
	n, err := shm.LookupValue[int64](seg, "n")
	if err != nil {
		return err
	}
	for range k {
		if err := rw.Lock(); err != nil {
			return err
		}
		n.Store(n.Load() + 1)
		rw.Unlock()
		if err := rw.RLock(); err != nil {
			return err
		}
		a := n.Load()
		for range 10 {
			if n.Load() != a {
				return fmt.Errorf("rw-hammer: n changed under a read lock")
			}
		}
		rw.RUnlock()
	}
	return nil
}

func rwSegment(t *testing.T) (*shm.Segment, *shm.RWMutex) {
	seg := syncSegment(t)
	return seg, must(shm.NewRWMutex(shm.In(seg), shm.Named("rw")))
}

func TestRWMutex_RLock_Shared(t *testing.T) {
	rw := must(shm.NewRWMutex())
	for i := range 3 {
		if !rw.TryRLock() {
			t.Fatalf("TryRLock %d with readers only: got false, want true", i+1)
		}
	}
	if err := mustReturn(t, async(rw.RLock), "RLock with readers inside"); err != nil {
		t.Fatal(err)
	}
	if rw.TryLock() {
		t.Fatal("TryLock with readers inside: got true, want false")
	}
	for range 4 {
		rw.RUnlock()
	}
	if !rw.TryLock() {
		t.Fatal("TryLock after every RUnlock: got false, want true")
	}
	if rw.TryRLock() || rw.TryLock() {
		t.Fatal("TryRLock or TryLock with a writer inside: got true, want false")
	}
	rw.Unlock()
}

func TestRWMutex_Lock_BlocksUntilRUnlock(t *testing.T) {
	rw := must(shm.NewRWMutex())
	rw.RLock()
	rw.RLock()
	done := async(rw.Lock)
	mustBlock(t, done, "Lock with two readers")
	rw.RUnlock()
	mustBlock(t, done, "Lock with one reader")
	rw.RUnlock()
	if err := mustReturn(t, done, "Lock after the readers left"); err != nil {
		t.Fatal(err)
	}
	rw.Unlock()
}

func TestRWMutex_RLock_BlocksUntilUnlock(t *testing.T) {
	rw := must(shm.NewRWMutex())
	rw.Lock()
	r1, r2 := async(rw.RLock), async(rw.RLock)
	mustBlock(t, r1, "RLock with a writer")
	mustBlock(t, r2, "RLock with a writer")
	rw.Unlock()
	for _, d := range []<-chan error{r1, r2} {
		if err := mustReturn(t, d, "RLock after Unlock"); err != nil {
			t.Fatal(err)
		}
	}
	rw.RUnlock()
	rw.RUnlock()
}

// A waiting writer shuts new readers out, so readers cannot starve it.
func TestRWMutex_Lock_WriterShutsOutReaders(t *testing.T) {
	rw := must(shm.NewRWMutex())
	rw.RLock()
	w := async(rw.Lock)
	eventually(t, "writer waiting", func() bool {
		if rw.TryRLock() {
			rw.RUnlock()
			return false
		}
		return true
	})
	r := async(rw.RLock)
	mustBlock(t, r, "RLock while a writer waits")
	mustBlock(t, w, "Lock while a reader is inside")
	rw.RUnlock()
	if err := mustReturn(t, w, "Lock after the reader left"); err != nil {
		t.Fatal(err)
	}
	mustBlock(t, r, "RLock while the writer holds the lock")
	rw.Unlock()
	if err := mustReturn(t, r, "RLock after the writer left"); err != nil {
		t.Fatal(err)
	}
	rw.RUnlock()
}

func TestRWMutex_LockContext_Canceled(t *testing.T) {
	rw := must(shm.NewRWMutex())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := rw.LockContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockContext with a done ctx: got %v, want context.Canceled", err)
	}
	rw.RLock()
	ctx, cancel = context.WithCancel(context.Background())
	done := async(func() error { return rw.LockContext(ctx) })
	mustBlock(t, done, "LockContext with a reader inside")
	cancel()
	if err := mustReturn(t, done, "canceled LockContext"); !errors.Is(err, context.Canceled) {
		t.Fatalf("LockContext canceled while waiting: got %v, want context.Canceled", err)
	}
	// Unchanged: readers come in, a writer does not.
	if err := mustReturn(t, async(rw.RLock), "RLock after the writer gave up"); err != nil {
		t.Fatal(err)
	}
	if rw.TryLock() {
		t.Fatal("TryLock with readers inside: got true, want false")
	}
	rw.RUnlock()
	rw.RUnlock()
	if !rw.TryLock() {
		t.Fatal("TryLock after the readers left: got false, want true")
	}
	rw.Unlock()
}

func TestRWMutex_RLockContext_Canceled(t *testing.T) {
	rw := must(shm.NewRWMutex())
	rw.Lock()
	ctx, cancel := context.WithCancel(context.Background())
	done := async(func() error { return rw.RLockContext(ctx) })
	mustBlock(t, done, "RLockContext with a writer inside")
	cancel()
	if err := mustReturn(t, done, "canceled RLockContext"); !errors.Is(err, context.Canceled) {
		t.Fatalf("RLockContext canceled while waiting: got %v, want context.Canceled", err)
	}
	if err := rw.RLockContext(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("RLockContext with a done ctx: got %v, want context.Canceled", err)
	}
	rw.Unlock()
	// Unchanged: no reader was left inside.
	if !rw.TryLock() {
		t.Fatal("TryLock after the canceled readers: got false, want true")
	}
	rw.Unlock()
}

func TestRWMutex_Misuse_Panics(t *testing.T) {
	rw := must(shm.NewRWMutex())
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"Unlock unlocked", rw.Unlock, "Unlock of unlocked RWMutex"},
		{"RUnlock unlocked", rw.RUnlock, "RUnlock of RWMutex not locked for reading"},
		{"RUnlock write-locked", func() { rw.Lock(); defer rw.Unlock(); rw.RUnlock() }, "RUnlock of RWMutex"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := catchPanic(tt.fn); r == nil || !strings.Contains(fmt.Sprint(r), tt.want) {
				t.Fatalf("recovered %v, want a panic with %q", r, tt.want)
			}
		})
	}
}

// Readers and writers as goroutines: no reader sees a writer inside, and no
// writer sees anyone else inside; the writers' total is exact.
func TestRWMutex_Hammer_Goroutines(t *testing.T) {
	rw := must(shm.NewRWMutex())
	n := must(shm.NewValue[int64](0))
	writers, readers, k := 4, 4, 3000
	if testing.Short() {
		k = 300
	}
	var inW, inR, bad, maxR atomic.Int64
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				rw.Lock()
				if inW.Add(1) != 1 || inR.Load() != 0 {
					bad.Add(1)
				}
				v := n.Load()
				runtime.Gosched()
				n.Store(v + 1)
				inW.Add(-1)
				rw.Unlock()
			}
		}()
	}
	for range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range k {
				rw.RLock()
				r := inR.Add(1)
				for m := maxR.Load(); r > m && !maxR.CompareAndSwap(m, r); m = maxR.Load() {
				}
				runtime.Gosched() // let other readers and writers try to come in
				if inW.Load() != 0 {
					bad.Add(1)
				}
				inR.Add(-1)
				rw.RUnlock()
			}
		}()
	}
	within(t, 2*time.Minute, "hammer", wg.Wait)
	if got, want := n.Load(), int64(writers*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
	if bad.Load() != 0 {
		t.Fatalf("%d times a writer was inside with someone else", bad.Load())
	}
	t.Logf("at most %d readers inside at once", maxR.Load())
}

func TestRWMutex_Hammer_Processes(t *testing.T) {
	seg, rw := rwSegment(t)
	n := must(shm.NewValue[int64](0, shm.In(seg), shm.Named("n")))
	k := 3000
	if testing.Short() {
		k = 300
	}
	a := startRole(t, seg, "rw-hammer", strconv.Itoa(k))
	b := startRole(t, seg, "rw-hammer", strconv.Itoa(k))
	for range k {
		rw.Lock()
		n.Store(n.Load() + 1)
		rw.Unlock()
		rw.RLock()
		rw.RUnlock()
	}
	for _, c := range []*child{a, b} {
		if err := c.wait(t); err != nil {
			t.Fatalf("rw-hammer child: %v", err)
		}
	}
	if got, want := n.Load(), int64(3*k); got != want {
		t.Fatalf("total: got %d, want %d", got, want)
	}
}

func TestRWMutex_Lock_WriterDead(t *testing.T) {
	seg, rw := rwSegment(t)
	c := startRole(t, seg, "rw-hold", "w")
	c.expect(t, "locked")
	done := async(rw.Lock)
	mustBlock(t, done, "Lock while a live writer holds it")
	c.cmd.Process.Kill()
	if err := mustReturn(t, done, "Lock after the writer died"); !errors.Is(err, shm.ErrOwnerDead) {
		t.Fatalf("Lock after the writer died: got %v, want ErrOwnerDead", err)
	}
	if rw.TryRLock() {
		t.Fatal("TryRLock while the recovered write lock is held: got true, want false")
	}
	rw.MarkConsistent()
	rw.Unlock()
	if err := mustReturn(t, async(rw.RLock), "RLock after recovery"); err != nil {
		t.Fatal(err)
	}
	rw.RUnlock()
}

// A reader finds the writer dead: it recovers the write lock itself.
func TestRWMutex_RLock_WriterDead(t *testing.T) {
	seg, rw := rwSegment(t)
	c := startRole(t, seg, "rw-hold", "w")
	c.expect(t, "locked")
	done := async(rw.RLock)
	mustBlock(t, done, "RLock while a live writer holds it")
	c.cmd.Process.Kill()
	if err := mustReturn(t, done, "RLock after the writer died"); !errors.Is(err, shm.ErrOwnerDead) {
		t.Fatalf("RLock after the writer died: got %v, want ErrOwnerDead", err)
	}
	if rw.TryRLock() {
		t.Fatal("TryRLock while the recovered write lock is held: got true, want false")
	}
	rw.MarkConsistent()
	rw.Unlock() // the write lock, which RLock returned with
	if !rw.TryLock() {
		t.Fatal("TryLock after recovery: got false, want true")
	}
	rw.Unlock()
}

// Without MarkConsistent, the lock becomes unrecoverable for writers and
// readers.
func TestRWMutex_NotRecoverable(t *testing.T) {
	seg, rw := rwSegment(t)
	c := startRole(t, seg, "rw-hold", "w")
	c.expect(t, "locked")
	c.cmd.Process.Kill()
	if err := mustReturn(t, async(rw.Lock), "Lock"); !errors.Is(err, shm.ErrOwnerDead) {
		t.Fatalf("Lock: got %v, want ErrOwnerDead", err)
	}
	r := async(rw.RLock)
	mustBlock(t, r, "RLock while the recovered lock is held")
	rw.Unlock() // without MarkConsistent
	if err := mustReturn(t, r, "RLock waiting at the unrecoverable Unlock"); !errors.Is(err, shm.ErrNotRecoverable) {
		t.Fatalf("waiting RLock: got %v, want ErrNotRecoverable", err)
	}
	if err := mustReturn(t, async(rw.Lock), "Lock"); !errors.Is(err, shm.ErrNotRecoverable) {
		t.Fatalf("Lock: got %v, want ErrNotRecoverable", err)
	}
	if err := mustReturn(t, async(rw.RLock), "RLock"); !errors.Is(err, shm.ErrNotRecoverable) {
		t.Fatalf("RLock: got %v, want ErrNotRecoverable", err)
	}
}

// A reader process dies holding a read lock: a waiting writer frees its
// share and gets the lock, with no error (readers change nothing).
func TestRWMutex_Lock_ReaderDead(t *testing.T) {
	seg, rw := rwSegment(t)
	c := startRole(t, seg, "rw-hold", "r")
	c.expect(t, "locked")
	done := async(rw.Lock)
	mustBlock(t, done, "Lock while a live reader holds it")
	c.cmd.Process.Kill()
	if err := mustReturn(t, done, "Lock after the reader died"); err != nil {
		t.Fatalf("Lock after the reader died: got %v, want nil", err)
	}
	rw.Unlock()
}

// Five reader processes take every slot; a reader of a sixth process (this
// one) waits until one of them dies and its slot is freed.
func TestRWMutex_RLock_SlotsFull(t *testing.T) {
	seg, rw := rwSegment(t)
	var cs []*child
	for range 5 {
		c := startRole(t, seg, "rw-hold", "r")
		c.expect(t, "locked")
		cs = append(cs, c)
	}
	if rw.TryRLock() {
		t.Fatal("TryRLock of a sixth process: got true, want false")
	}
	done := async(rw.RLock)
	mustBlock(t, done, "RLock of a sixth reader process")
	cs[2].cmd.Process.Kill()
	if err := mustReturn(t, done, "RLock after a reader died"); err != nil {
		t.Fatal(err)
	}
	if !rw.TryRLock() { // this process has a slot now
		t.Fatal("second TryRLock of this process: got false, want true")
	}
	rw.RUnlock()
	rw.RUnlock()
}

func BenchmarkRWMutex_RLock(b *testing.B) {
	rw, err := shm.NewRWMutex()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rw.RLock()
		rw.RUnlock()
	}
}
