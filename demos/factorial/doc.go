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
// then with an [ipc.Pool], one number a task: first with the pool's start
// included, as the Python's is, then once more on the pool already
// started, which is what a long-lived pool costs for each further map.
// [Run] prints the results, a table of the times with the speed-ups, and
// the same as a bar chart drawn with block characters:
//
//	N      DIGITS  FIRST DIGITS
//	20000  77338   18192063202303451348…
//	21000  81649   95779099366697564791…
//	…
//	The pool of 2 workers computed the same digits as the sequential run.
//
//	METHOD                 TIME  SPEED-UP
//	sequential         348.9 ms     1.00×
//	pool, 2 workers    233.8 ms     1.49×
//	pool, started      190.2 ms     1.83×
//
//	sequential       ████████████████████████████████████████  348.9 ms
//	pool, 2 workers  ██████████████████████████▊               233.8 ms
//	pool, started    █████████████████████▊                    190.2 ms
//
//	Speed-up 1.49× with a pool of 2 workers on 2 CPUs, its start included; 1.83× once started.
//
// Where the time goes, on a 2-CPU VM: the workers start their first task
// some 20 ms after the pool is asked for (starting a Go process costs 8 ms
// or more there, most of it in page faults); the eight tasks are unequal,
// so the two workers cannot end exactly together; and a fresh worker's
// first tasks pay page faults for the pages its heap first touches, which
// the sequential run, in a process already warm, pays once. The factorial
// multiplies in place, in room reserved for n! from the start, so that
// its heap stays small.
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
