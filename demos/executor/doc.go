// Package executor is the tutorial's ProcessPoolExecutor example: three
// worker processes cube the numbers 0 to 5.
//
// The Python original:
//
//	import concurrent.futures
//
//	def cube(n):
//	    return n ** 3
//
//	if __name__ == "__main__":
//	    with concurrent.futures.ProcessPoolExecutor(max_workers=3) as executor:
//	        results = list(executor.map(cube, range(6)))
//	    print(results)
//
// What it teaches: an executor is a pool that hands back a future for
// each task; its map sends the arguments one at a time and returns the
// results in the order of the arguments. [ipc.NewExecutor] is
// ProcessPoolExecutor, [ipc.Map] its map, and [ipc.Executor.Shutdown]
// with wait set is what leaving Python's with block does.
//
// [Run] prints
//
//	[0 1 8 27 64 125]
//
// `shmdemo executor` runs it.
package executor
