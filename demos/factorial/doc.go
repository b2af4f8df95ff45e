// Package factorial is the tutorial's exercise 3: "Compare execution time
// of calculating factorial of large numbers using sequential vs
// multiprocessing."
//
// The tutorial gives no solution; in Python it would read
//
//	import time
//	from multiprocessing import Pool
//
//	def factorial(n):
//	    result = 1
//	    for i in range(2, n + 1):
//	        result *= i
//	    return result
//
//	if __name__ == "__main__":
//	    numbers = [20000, 21000, 22000, 23000, 24000, 25000, 26000, 27000]
//	    t0 = time.perf_counter()
//	    sequential = [factorial(n) for n in numbers]
//	    t1 = time.perf_counter()
//	    with Pool() as pool:
//	        parallel = pool.map(factorial, numbers)
//	    t2 = time.perf_counter()
//	    assert sequential == parallel
//	    print(f"sequential {t1 - t0:.3f} s, pool {t2 - t1:.3f} s, speed-up {(t1 - t0) / (t2 - t1):.2f}")
//
// What it teaches: work that keeps a processor busy (here, multiplying
// ever larger numbers with [math/big]) goes faster when it is spread over
// processes that run on several cores at once, and the speed-up is bounded
// by the number of cores and reduced by what the processes cost: starting
// them and moving arguments and results between them. [Compute] measures
// both ways on the same numbers, one after the other in this process and
// then with an [ipc.Pool], one number a task; the pool's time includes
// starting its workers, as the Python's does. [Run] prints the results, a
// table of the times with the speed-up, and the same as a bar chart drawn
// with block characters:
//
//	N      DIGITS  FIRST DIGITS
//	20000  77338   18192063202303451348…
//	21000  81649   95779099366697564791…
//	…
//	The pool of 2 workers computed the same digits as the sequential run.
//
//	METHOD                 TIME  SPEED-UP
//	sequential         445.3 ms     1.00×
//	pool, 2 workers    327.0 ms     1.36×
//
//	sequential       ████████████████████████████████████████  445.3 ms
//	pool, 2 workers  █████████████████████████████▍            327.0 ms
//
//	Speed-up 1.36× with a pool of 2 workers on 2 CPUs.
//
// The results must be equal, so they are compared: a factorial of tens of
// thousands of digits is more than a pool's message holds, so a worker
// sends back a [Digest] of its result (the number of decimal digits, the
// first ones, and the SHA-256 of all of them), and the sequential run
// computes the same digest, which costs both sides the same. [Compute]
// fails with [ErrMismatch] if any differs.
//
// The times change from run to run, so the tests check the table and the
// chart on fixed times (a golden file, testdata/times.golden) and the
// computation by its results.
//
// `shmdemo factorial` runs it; -n and -workers change the sizes, and
// -json prints the results and times for scripts.
package factorial
