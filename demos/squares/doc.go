// Package squares is the tutorial's exercise 1: "Write a program that
// spawns 4 processes to calculate squares of numbers 1–10."
//
// The tutorial gives no solution; in Python it would read
//
//	from multiprocessing import Process, Array
//
//	def square_range(squares, lo, hi):
//	    for n in range(lo, hi + 1):
//	        squares[n - 1] = n * n
//
//	if __name__ == "__main__":
//	    squares = Array('q', 10)
//	    parts = [(1, 3), (4, 6), (7, 8), (9, 10)]
//	    processes = [Process(target=square_range, args=(squares, lo, hi)) for lo, hi in parts]
//	    for p in processes:
//	        p.start()
//	    for p in processes:
//	        p.join()
//	    print("Squares:", squares[:])
//
// What it teaches: the work is split among the processes in blocks of
// consecutive numbers (the first blocks one longer when the numbers do not
// divide evenly, as numpy.array_split does), and each process writes its
// results straight into shared memory, a [shm.Array] of int64, at the
// index of each number. No two processes write the same element, so no
// lock is needed, and the results are in order without sorting: element
// n-1 holds n².
//
// [Run] with [DefaultConfig] prints
//
//	process 1 squares 1 to 3
//	process 2 squares 4 to 6
//	process 3 squares 7 to 8
//	process 4 squares 9 to 10
//	Squares: [1 4 9 16 25 36 49 64 81 100]
//
// `shmdemo squares` runs it; -procs and -n change the sizes.
package squares
