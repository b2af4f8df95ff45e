// Package valuearray is the tutorial's Value and Array example: a child
// process adds one to a shared number and to each element of a shared
// array, and the parent sees the changes.
//
// The Python original:
//
//	from multiprocessing import Process, Value, Array
//
//	def add_one(val, arr):
//	    val.value += 1
//	    for i in range(len(arr)):
//	        arr[i] += 1
//
//	if __name__ == "__main__":
//	    val = Value('i', 0)          # integer
//	    arr = Array('i', [1, 2, 3])  # array of integers
//
//	    p = Process(target=add_one, args=(val, arr))
//	    p.start()
//	    p.join()
//
//	    print("Value:", val.value)   # 1
//	    print("Array:", arr[:])      # [2, 3, 4]
//
// What it teaches: a [shm.Value] and a [shm.Array] live in memory mapped
// by both processes, so what the child writes, the parent reads. They pass
// to the child as arguments, as handles to that memory, not as copies.
// Python's typecode 'i' is a C int: [shm.NewValue][int32].
//
// Unlike Python's val.value += 1, which reads and writes under no lock,
// [shm.Value.Add] and [shm.Array.Add] are atomic, so the example stays
// correct with several children.
//
// [Run] prints
//
//	Value: 1
//	Array: [2 3 4]
//
// `shmdemo valuearray` runs it.
package valuearray
