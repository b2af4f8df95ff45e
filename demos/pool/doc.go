// Package pool is the tutorial's Pool example: four worker processes
// square the numbers 0 to 9.
//
// The Python original:
//
//	from multiprocessing import Pool
//
//	def square(n):
//	    return n * n
//
//	if __name__ == "__main__":
//	    with Pool(4) as pool:  # 4 processes
//	        results = pool.map(square, range(10))
//	    print(results)
//
// What it teaches: a pool starts its worker processes once and hands them
// the work a chunk of arguments at a time; map returns the results in the
// order of the arguments, whichever worker computed each. In Go the task
// is registered by name at package level with [ipc.RegisterTask], so that
// the workers, which are this binary started again, find it.
//
// Python's with block terminates the pool on the way out; [Run] closes it
// and joins the workers instead, so they exit on their own once the work
// is done (it terminates the pool only when something fails).
//
// [Run] prints
//
//	[0 1 4 9 16 25 36 49 64 81]
//
// `shmdemo pool` runs it.
package pool
