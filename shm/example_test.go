package shm_test

import (
	"fmt"

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
