package shm_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/shmkit/shmkit/shm"
)

// The tutorial's Value and Array, in one process. Package ipc passes them to
// child processes.
func Example() {
	val, err := shm.NewValue[int32](0) // Python: Value('i', 0)
	if err != nil {
		panic(err)
	}
	arr, err := shm.NewArray([]int32{1, 2, 3}) // Python: Array('i', [1, 2, 3])
	if err != nil {
		panic(err)
	}
	val.Add(1)
	for i := range arr.Len() {
		arr.Add(i, 1)
	}
	fmt.Println("Value:", val.Load())
	fmt.Println("Array:", arr.Slice())
	// Output:
	// Value: 1
	// Array: [2 3 4]
}

// A read-modify-write under the Value's own lock. Python:
//
//	with balance.get_lock():
//	    balance.value += 10
func ExampleValue_Update() {
	balance, err := shm.NewValue[int64](100)
	if err != nil {
		panic(err)
	}
	newBalance, err := balance.Update(func(b int64) int64 { return b + 10 })
	fmt.Println(newBalance, err)
	// Output: 110 <nil>
}

// Recovering a lock whose owner died: repair, then mark it consistent.
func ExampleMutex_Lock() {
	mu, err := shm.NewMutex()
	if err != nil {
		panic(err)
	}
	switch err := mu.Lock(); err {
	case nil:
	case shm.ErrOwnerDead:
		// The previous owner died inside its critical section: put the
		// protected state back in order here, then:
		mu.MarkConsistent()
	default:
		panic(err) // ErrNotRecoverable
	}
	fmt.Println("locked")
	mu.Unlock()
	// Output: locked
}

// A re-entrant lock: the holder, named by its token, may lock it again.
// Python: RLock().
func ExampleRLock() {
	rl, err := shm.NewRLock()
	if err != nil {
		panic(err)
	}
	tok := shm.NewToken()
	ctx := context.Background()
	rl.Lock(ctx, tok)
	rl.Lock(ctx, tok) // again, from a nested call
	fmt.Println("locked twice; another token gets it:", rl.TryLock(shm.NewToken()))
	rl.Unlock(tok)
	rl.Unlock(tok)
	fmt.Println("unlocked; another token gets it:", rl.TryLock(shm.NewToken()))
	// Output:
	// locked twice; another token gets it: false
	// unlocked; another token gets it: true
}

// Readers share the lock; a writer has it alone.
func ExampleRWMutex() {
	rw, err := shm.NewRWMutex()
	if err != nil {
		panic(err)
	}
	rw.RLock()
	rw.RLock()
	fmt.Println("two readers; a writer gets it:", rw.TryLock())
	rw.RUnlock()
	rw.RUnlock()
	fmt.Println("no reader; a writer gets it:", rw.TryLock())
	rw.Unlock()
	// Output:
	// two readers; a writer gets it: false
	// no reader; a writer gets it: true
}

// At most two holders at a time; a bounded semaphore refuses an extra
// release. Python: BoundedSemaphore(2).
func ExampleNewBoundedSemaphore() {
	sem, err := shm.NewBoundedSemaphore(2)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	sem.Acquire(ctx)
	sem.Acquire(ctx)
	fmt.Println("a third:", sem.TryAcquire())
	fmt.Println(sem.Release(), sem.Release())
	fmt.Println(sem.Release())
	// Output:
	// a third: false
	// <nil> <nil>
	// shm: semaphore released too many times
}

// One goroutine (or process) waits for another's signal. Python: Event().
func ExampleEvent() {
	ready, err := shm.NewEvent()
	if err != nil {
		panic(err)
	}
	go func() {
		fmt.Println("preparing")
		ready.Set()
	}()
	if err := ready.Wait(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println("ready:", ready.IsSet())
	// Output:
	// preparing
	// ready: true
}

// A consumer waits under the condition's lock until a producer has put
// something. Python: Condition().
func ExampleCondition() {
	cond, err := shm.NewCondition()
	if err != nil {
		panic(err)
	}
	items, err := shm.NewValue[int32](0)
	if err != nil {
		panic(err)
	}
	go func() {
		cond.Mutex().Lock()
		items.Add(1)
		cond.Notify(1)
		cond.Mutex().Unlock()
	}()
	cond.Mutex().Lock()
	err = cond.WaitFor(context.Background(), func() bool { return items.Load() > 0 })
	fmt.Println("items:", items.Load(), err)
	cond.Mutex().Unlock()
	// Output: items: 1 <nil>
}

// Three parties meet before any goes on. Python: Barrier(3).
func ExampleBarrier() {
	b, err := shm.NewBarrier(3)
	if err != nil {
		panic(err)
	}
	var wg sync.WaitGroup
	var passed atomic.Int32
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Wait(context.Background()); err == nil {
				passed.Add(1)
			}
		}()
	}
	wg.Wait()
	fmt.Println("passed:", passed.Load(), "waiting:", b.Waiting())
	// Output: passed: 3 waiting: 0
}
